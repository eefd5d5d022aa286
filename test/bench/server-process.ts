// The measured server: api-server.ts in a child process. Waits for the URL it prints and asks
// it for its CPU time.
import { startChild } from './child.js';

const START_TIMEOUT_MS = 60_000;
const ANSWER_TIMEOUT_MS = 10_000;

export interface ServerProcess {
  url: string;
  /** CPU time (user + system) the server process has used so far, in milliseconds */
  cpuMs(): Promise<number>;
  stop(): Promise<void>;
}

/** `env`: the server's configuration (DATABASE_URL, DATA_DIR, …), on top of this process's. */
export async function startServerProcess(env: Record<string, string>): Promise<ServerProcess> {
  const child = startChild('api-server.ts', env);
  try {
    const { url } = JSON.parse(await child.nextLine('URL', START_TIMEOUT_MS)) as { url: string };
    const cpuMs = async () => {
      child.send('cpu');
      const answer = await child.nextLine('CPU time', ANSWER_TIMEOUT_MS);
      return (JSON.parse(answer) as { cpuMs: number }).cpuMs;
    };
    return { url, cpuMs, stop: child.stop };
  } catch (err) {
    await child.stop();
    throw err;
  }
}
