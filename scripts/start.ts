// `npm start`: runs the companion API in this process, then builds and opens the desktop client
// against it. When the Electron runtime binary is missing (it is downloaded from GitHub, which
// offline machines cannot reach), the API keeps running on its own and the user is told why.
import { spawn, type ChildProcess } from 'node:child_process';
import { createRequire } from 'node:module';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { startServer } from '../src/server/main.js';
import { electronMissingMessage, locateElectronBinary, runElectronInstall } from './launcher.js';

const projectRoot = fileURLToPath(new URL('..', import.meta.url));
const require = createRequire(import.meta.url);

const server = await startServer(process.env).catch((error: unknown) => {
  console.error(
    'The companion API could not start:',
    error instanceof Error ? error.message : error,
  );
  process.exit(1);
});
let electron: ChildProcess | undefined;
let closing: Promise<void> | undefined;

function shutdown(exitCode: number): void {
  electron?.kill();
  closing ??= server.close();
  closing.then(
    () => process.exit(exitCode),
    (error: unknown) => {
      console.error('The companion API did not close cleanly:', error);
      process.exit(1);
    },
  );
}

process.once('SIGINT', () => shutdown(0));
process.once('SIGTERM', () => shutdown(0));

/** Runs a Node script from the project root with inherited output; rejects on failure. */
function runNodeScript(script: string, args: string[], what: string): Promise<void> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [script, ...args], {
      cwd: projectRoot,
      stdio: 'inherit',
    });
    child.on('error', reject);
    child.on('exit', (code, signal) => {
      if (code === 0) resolve();
      else reject(new Error(`${what} failed (${signal ?? `exit code ${code}`}).`));
    });
  });
}

function launchElectron(binary: string): void {
  const env: NodeJS.ProcessEnv = { ...process.env, MEDAIUS_API_URL: server.url };
  // Set in some shells and CI images; it would make Electron behave as plain Node.
  delete env.ELECTRON_RUN_AS_NODE;
  electron = spawn(binary, [projectRoot], { cwd: projectRoot, stdio: 'inherit', env });
  electron.on('error', (error) => {
    console.error(`Could not start Electron at ${binary}: ${error.message}`);
    shutdown(1);
  });
  electron.on('exit', (code) => shutdown(code ?? 0));
}

async function openDesktopClient(): Promise<void> {
  let binary = locateElectronBinary();
  if (!binary.found) {
    console.log('The Electron runtime binary is missing; trying once to download it (up to 60 s)…');
    const install = await runElectronInstall();
    binary = locateElectronBinary();
    if (!binary.found) {
      console.log(electronMissingMessage(server.url, install.ok ? binary.reason : install.reason));
      return;
    }
  }
  const electronVite = path.join(
    path.dirname(require.resolve('electron-vite/package.json')),
    'bin',
    'electron-vite.js',
  );
  await runNodeScript(electronVite, ['build'], 'Building the desktop client (electron-vite build)');
  console.log(`Opening the desktop client against the companion API at ${server.url}`);
  launchElectron(binary.path);
}

openDesktopClient().catch((error: unknown) => {
  console.error(error instanceof Error ? error.message : error);
  shutdown(1);
});
