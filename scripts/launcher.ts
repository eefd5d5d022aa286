// Helpers for scripts/start.ts: find the Electron runtime binary, try once to download it, and
// explain to the user what happens when it is missing. Plain Node, so unit tests run them.
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';

const require = createRequire(import.meta.url);

export type ElectronBinary = { found: true; path: string } | { found: false; reason: string };

/**
 * `load` returns what the `electron` package exports: the binary's path. The package throws
 * "Electron failed to install correctly" when its install step never downloaded the binary.
 */
export function locateElectronBinary(
  load: () => unknown = () => require('electron'),
): ElectronBinary {
  let binary: unknown;
  try {
    binary = load();
  } catch (error) {
    return { found: false, reason: error instanceof Error ? error.message : String(error) };
  }
  if (typeof binary !== 'string')
    return { found: false, reason: 'the electron package did not name a binary' };
  if (!existsSync(binary)) return { found: false, reason: `no Electron binary at ${binary}` };
  return { found: true, path: binary };
}

export const ELECTRON_INSTALL_COMMAND = 'node node_modules/electron/install.js';

export type InstallResult = { ok: true } | { ok: false; reason: string };

/**
 * Runs the electron package's own download script once. Offline it fails within seconds; the
 * timeout bounds a connection that hangs instead.
 */
export function runElectronInstall(
  script: string = require.resolve('electron/install.js'),
  timeoutMs = 60_000,
): Promise<InstallResult> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [script], {
      stdio: ['ignore', 'ignore', 'pipe'],
      timeout: timeoutMs,
    });
    let stderr = '';
    child.stderr.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
    child.on('error', (error) => resolve({ ok: false, reason: error.message }));
    child.on('close', (code, signal) => {
      if (code === 0) resolve({ ok: true });
      else if (signal)
        resolve({ ok: false, reason: `the download gave up after ${timeoutMs / 1000} s` });
      else
        resolve({
          ok: false,
          reason: firstLine(stderr) ?? `the download script exited with code ${code}`,
        });
    });
  });
}

function firstLine(text: string): string | undefined {
  return text
    .split('\n')
    .map((line) => line.trim())
    .find((line) => line.length > 0);
}

export function electronMissingMessage(apiUrl: string, reason: string): string {
  return [
    '',
    'The desktop window cannot open: the Electron runtime binary is not installed.',
    'It is downloaded from GitHub, which this machine could not reach',
    `(${reason}).`,
    '',
    'To install it once this machine is online, run:',
    `  ${ELECTRON_INSTALL_COMMAND}`,
    'and then start again with: npm start',
    '',
    `The companion API keeps running at ${apiUrl} (press Ctrl+C to stop).`,
    '',
  ].join('\n');
}
