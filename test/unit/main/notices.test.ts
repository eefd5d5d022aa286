// The notice board in main: newest first, the same message again moved up rather than repeated,
// a bounded list, dismissal one by one or all at once, and a change announced each time.
import { describe, expect, it } from 'vitest';
import { NoticeBoard } from '../../../src/main/services/notices.js';
import type { NoticeList } from '../../../src/shared/ipc/contract.js';

describe('NoticeBoard', () => {
  it('keeps notices newest first and moves a repeated one up with its new time', () => {
    let now = Date.UTC(2026, 10, 28, 4, 0);
    const board = new NoticeBoard(() => new Date(now));
    const heard: NoticeList[] = [];
    board.subscribe((list) => heard.push(list));
    board.add('The hot folder /a cannot be watched: ENOENT');
    now += 60_000;
    board.add('scan.pdf in the hot folder /a was not taken: empty file.');
    now += 60_000;
    board.add('The hot folder /a cannot be watched: ENOENT');
    const { notices } = board.list();
    expect(notices.map((n) => n.message)).toEqual([
      'The hot folder /a cannot be watched: ENOENT',
      'scan.pdf in the hot folder /a was not taken: empty file.',
    ]);
    expect(notices[0]!.at).toBe('2026-11-28T04:02:00.000Z');
    expect(notices[0]!.id).toBe(heard[0]!.notices[0]!.id);
    expect(heard).toHaveLength(3);
  });

  it('keeps the 20 newest', () => {
    const board = new NoticeBoard();
    for (let i = 0; i < 25; i++) board.add(`problem ${i}`);
    const messages = board.list().notices.map((n) => n.message);
    expect(messages).toHaveLength(20);
    expect(messages[0]).toBe('problem 24');
    expect(messages.at(-1)).toBe('problem 5');
  });

  it('dismisses one or all, and says nothing when nothing changed', () => {
    const board = new NoticeBoard();
    board.add('one');
    board.add('two');
    let changes = 0;
    board.subscribe(() => changes++);
    const [two] = board.list().notices;
    expect(board.dismiss(two!.id).notices.map((n) => n.message)).toEqual(['one']);
    expect(board.dismiss('no such id').notices).toHaveLength(1);
    expect(board.dismiss().notices).toEqual([]);
    expect(changes).toBe(2);
  });
});
