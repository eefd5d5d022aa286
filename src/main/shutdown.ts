// Graceful shutdown: services that hold work (the upload queue flushes its journal) or resources
// (timers, the WebSocket server) stop one after another, in the order given, before the process
// exits. A service that fails or hangs is reported and skipped; it never keeps the app open.

export interface Stoppable {
  /** named in reports, e.g. "upload queue" */
  name: string;
  stop(): Promise<void> | void;
}

export const DEFAULT_STOP_TIMEOUT_MS = 10_000;

export interface StopReport {
  name: string;
  outcome: 'stopped' | 'failed' | 'timed-out';
  error?: unknown;
}

/** Stops each service in turn, giving each up to `timeoutMs`; never rejects. */
export async function stopAll(
  stoppables: readonly Stoppable[],
  options: { timeoutMs?: number; report?: (report: StopReport) => void } = {},
): Promise<StopReport[]> {
  const timeoutMs = options.timeoutMs ?? DEFAULT_STOP_TIMEOUT_MS;
  const report =
    options.report ??
    ((r: StopReport) => {
      if (r.outcome === 'failed') console.error(`${r.name} did not stop cleanly:`, r.error);
      if (r.outcome === 'timed-out')
        console.error(`${r.name} did not stop within ${timeoutMs} ms.`);
    });
  const reports: StopReport[] = [];
  for (const stoppable of stoppables) {
    const result = await stopOne(stoppable, timeoutMs);
    report(result);
    reports.push(result);
  }
  return reports;
}

async function stopOne(stoppable: Stoppable, timeoutMs: number): Promise<StopReport> {
  let timer: NodeJS.Timeout | undefined;
  const timedOut = new Promise<'timed-out'>((resolve) => {
    timer = setTimeout(() => resolve('timed-out'), timeoutMs);
  });
  try {
    const outcome = await Promise.race([
      Promise.resolve(stoppable.stop()).then(() => 'stopped' as const),
      timedOut,
    ]);
    return { name: stoppable.name, outcome };
  } catch (error) {
    return { name: stoppable.name, outcome: 'failed', error };
  } finally {
    clearTimeout(timer);
  }
}

/** The part of Electron's `app` the quit hook uses. */
export interface QuittingAppLike {
  on(event: 'before-quit', listener: (event: { preventDefault(): void }) => void): unknown;
  quit(): void;
}

/**
 * Holds the first quit until every service has stopped (in order), then quits for real. The list
 * is read when the quit begins, so services wired in after this call are stopped too.
 */
export function stopBeforeQuit(
  app: QuittingAppLike,
  stoppables: readonly Stoppable[],
  options: { timeoutMs?: number; report?: (report: StopReport) => void } = {},
): void {
  let state: 'running' | 'stopping' | 'stopped' = 'running';
  app.on('before-quit', (event) => {
    if (state === 'stopped') return;
    event.preventDefault();
    if (state === 'stopping') return;
    state = 'stopping';
    void stopAll(stoppables, options).then(() => {
      state = 'stopped';
      app.quit();
    });
  });
}
