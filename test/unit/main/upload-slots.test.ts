// The upload queue's part slots: how many parts are in flight across all files. The settings'
// upload concurrency changes their number while parts are under way; fewer slots must never let
// more parts start, and more must start waiting parts at once.
import { describe, expect, it } from 'vitest';
import { Slots } from '../../../src/main/services/upload/queue.js';

/** Takes a slot; `granted` tells whether it has been given yet. */
function take(slots: Slots, signal = new AbortController().signal) {
  const taken = { granted: false, release: () => {} };
  slots.acquire(signal).then(
    (release) => {
      taken.granted = true;
      taken.release = release;
    },
    // A waiter that gave up is refused with its signal's reason: that is the point.
    () => undefined,
  );
  return taken;
}
const settle = () => new Promise((resolve) => setTimeout(resolve, 0));

describe('upload part slots', () => {
  it('after shrinking, starts no waiting part until the parts in flight fit the new number', async () => {
    const slots = new Slots(3);
    const inFlight = [take(slots), take(slots), take(slots)];
    const waiting = take(slots);
    await settle();
    expect(inFlight.every((t) => t.granted)).toBe(true);
    expect(waiting.granted).toBe(false);

    slots.resize(1);
    inFlight[0]!.release();
    inFlight[1]!.release();
    await settle();
    expect(waiting.granted).toBe(false);
    inFlight[2]!.release();
    await settle();
    expect(waiting.granted).toBe(true);

    // One slot, taken: the next waits until it is given back.
    const next = take(slots);
    await settle();
    expect(next.granted).toBe(false);
    waiting.release();
    await settle();
    expect(next.granted).toBe(true);
  });

  it('after growing, starts waiting parts at once', async () => {
    const slots = new Slots(1);
    const first = take(slots);
    const second = take(slots);
    const third = take(slots);
    await settle();
    expect([first.granted, second.granted, third.granted]).toEqual([true, false, false]);
    slots.resize(3);
    await settle();
    expect([second.granted, third.granted]).toEqual([true, true]);
    const fourth = take(slots);
    await settle();
    expect(fourth.granted).toBe(false);
  });

  it('gives a slot back only once, and skips a waiter that gave up', async () => {
    const slots = new Slots(1);
    const first = take(slots);
    const gaveUp = new AbortController();
    const quitter = take(slots, gaveUp.signal);
    const patient = take(slots);
    await settle();
    gaveUp.abort();
    first.release();
    first.release();
    await settle();
    expect(quitter.granted).toBe(false);
    expect(patient.granted).toBe(true);
    const another = take(slots);
    await settle();
    expect(another.granted).toBe(false);
  });
});
