// Runs a module of test/bench in a child Node process with tsx as its loader and reads the
// lines it prints. The measured server runs this way (so the load generator does not share
// its event loop), and so does SQLite seeding (which holds its thread for seconds at a time,
// while the benchmark's own process has to stay free to answer Ctrl-C and clean up).
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';

const STOP_TIMEOUT_MS = 10_000;

export interface BenchChild {
  /** The next line the child prints; fails if it exits or stays silent for `timeoutMs`. */
  nextLine(what: string, timeoutMs: number): Promise<string>;
  send(line: string): void;
  /** Resolves when the child exits with code 0, rejects when it fails or is killed. */
  exited: Promise<void>;
  /** Ends the child (SIGTERM, then SIGKILL) and waits until it is gone. */
  stop(): Promise<void>;
}

/** `module`: a file name in test/bench; `env`: added to this process's environment. */
export function startChild(module: string, env: Record<string, string>): BenchChild {
  const script = fileURLToPath(new URL(`./${module}`, import.meta.url));
  const child = spawn(process.execPath, ['--import', import.meta.resolve('tsx'), script], {
    env: { ...process.env, ...env },
    stdio: ['pipe', 'pipe', 'inherit'],
  });
  const exited = once(child, 'exit').then(([code, signal]) => {
    if (code !== 0) throw new Error(`${module} exited with ${signal ?? `code ${code}`}`);
  });
  exited.catch(() => undefined);
  const lines = createInterface({ input: child.stdout! })[Symbol.asyncIterator]();

  return {
    async nextLine(what, timeoutMs) {
      let timer: NodeJS.Timeout | undefined;
      const timeout = new Promise<never>((_, reject) => {
        timer = setTimeout(
          () => reject(new Error(`${module} sent no ${what} within ${timeoutMs} ms`)),
          timeoutMs,
        );
      });
      const ended = exited.then(() => {
        throw new Error(`${module} exited before sending its ${what}`);
      });
      try {
        const line = await Promise.race([lines.next(), ended, timeout]);
        if (line.done) throw new Error(`${module} closed its output before sending its ${what}`);
        return line.value;
      } finally {
        clearTimeout(timer);
      }
    },
    send(line) {
      child.stdin!.write(line + '\n');
    },
    exited,
    async stop() {
      if (child.exitCode !== null || child.signalCode !== null) return;
      child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), STOP_TIMEOUT_MS);
      await exited.catch(() => undefined);
      clearTimeout(timer);
    },
  };
}
