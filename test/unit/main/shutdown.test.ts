// Quitting the app: services stop one after another in the order wired (the upload queue first,
// to flush queued work), a failing or hanging one is reported and does not keep the app open,
// and the first quit is held until all have stopped.
import { describe, expect, it } from 'vitest';
import {
  stopAll,
  stopBeforeQuit,
  type Stoppable,
  type StopReport,
} from '../../../src/main/shutdown.js';
import { eventually } from './fixtures.js';

describe('stopAll', () => {
  it('stops each service in order, waiting for each', async () => {
    const order: string[] = [];
    const slow = (name: string) => ({
      name,
      stop: () =>
        new Promise<void>((resolve) => setTimeout(() => (order.push(name), resolve()), 20)),
    });
    const reports = await stopAll([
      slow('upload queue'),
      slow('session'),
      { name: 'events', stop: () => void order.push('events') },
    ]);
    expect(order).toEqual(['upload queue', 'session', 'events']);
    expect(reports.map((r) => r.outcome)).toEqual(['stopped', 'stopped', 'stopped']);
  });

  it('reports a service that fails or hangs and goes on with the rest', async () => {
    const heard: StopReport[] = [];
    const reports = await stopAll(
      [
        { name: 'broken', stop: () => Promise.reject(new Error('journal locked')) },
        { name: 'hung', stop: () => new Promise<void>(() => {}) },
        { name: 'fine', stop: () => {} },
      ],
      { timeoutMs: 50, report: (r) => heard.push(r) },
    );
    expect(reports).toEqual([
      { name: 'broken', outcome: 'failed', error: new Error('journal locked') },
      { name: 'hung', outcome: 'timed-out' },
      { name: 'fine', outcome: 'stopped' },
    ]);
    expect(heard).toEqual(reports);
  });
});

describe('stopBeforeQuit', () => {
  /** Electron's app as far as the hook uses it: before-quit can be prevented; quit emits it. */
  function fakeApp() {
    const listeners: Array<(event: { preventDefault(): void }) => void> = [];
    const app = {
      quits: 0,
      exited: false,
      on: (_event: 'before-quit', listener: (event: { preventDefault(): void }) => void) =>
        listeners.push(listener),
      quit() {
        app.quits += 1;
        let prevented = false;
        for (const listener of listeners) listener({ preventDefault: () => (prevented = true) });
        if (!prevented) app.exited = true;
      },
    };
    return app;
  }

  it('holds the quit until every service has stopped, including ones added later', async () => {
    const app = fakeApp();
    const stopped: string[] = [];
    const stoppables: Stoppable[] = [
      { name: 'session', stop: async () => void stopped.push('session') },
    ];
    stopBeforeQuit(app, stoppables);
    stoppables.unshift({
      name: 'upload queue',
      stop: () =>
        new Promise<void>((resolve) =>
          setTimeout(() => (stopped.push('upload queue'), resolve()), 30),
        ),
    });
    app.quit();
    app.quit();
    expect(app.exited).toBe(false);
    await eventually(() => expect(app.exited).toBe(true));
    expect(stopped).toEqual(['upload queue', 'session']);
    expect(app.quits).toBe(3);
  });
});
