// The companion API over a seeded benchmark database, started exactly as `npm run server`
// starts it (startServer: configuration from the environment, composeServer, listen), in a
// process of its own so the load generator in the parent does not share its event loop on a
// two-core machine. server-process.ts passes the environment (DATABASE_URL, DATA_DIR, PORT=0,
// LOG_LEVEL=silent) and talks to it in lines: this prints {"url": …} once listening and
// answers each `cpu` on stdin with {"cpuMs": …}, the CPU time the process has used. It stops
// on SIGTERM, or when its parent goes away and stdin closes.
import { createInterface } from 'node:readline';
import { startServer } from '../../src/server/main.js';

const server = await startServer(process.env, { seedDemoIfEmpty: false });

let stopping = false;
const stop = async () => {
  if (stopping) return;
  stopping = true;
  await server.close();
  process.exit(0);
};
process.on('SIGTERM', () => void stop());

const commands = createInterface({ input: process.stdin });
commands.on('line', (command) => {
  if (command !== 'cpu') return;
  const { user, system } = process.cpuUsage();
  process.stdout.write(JSON.stringify({ cpuMs: (user + system) / 1000 }) + '\n');
});
commands.on('close', () => void stop());
process.stdout.write(JSON.stringify({ url: server.url }) + '\n');
