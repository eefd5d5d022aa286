// `npm start` on a machine without the Electron runtime binary: finding the binary fails with a
// clear reason, the one download attempt reports why it failed, and the message tells the user
// what happened, how to fix it, and where the API still runs.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import {
  ELECTRON_INSTALL_COMMAND,
  electronMissingMessage,
  locateElectronBinary,
  runElectronInstall,
} from '../../../scripts/launcher.js';

const dir = mkdtempSync(path.join(tmpdir(), 'medaius-launcher-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function script(name: string, source: string): string {
  const file = path.join(dir, name);
  writeFileSync(file, source);
  return file;
}

describe('locateElectronBinary', () => {
  it('reports the electron package’s own error when its binary was never downloaded', () => {
    const result = locateElectronBinary(() => {
      // What node_modules/electron/index.js throws when path.txt is missing.
      throw new Error(
        'Electron failed to install correctly, please delete node_modules/electron and try installing again',
      );
    });
    expect(result).toEqual({
      found: false,
      reason: expect.stringContaining('Electron failed to install correctly'),
    });
  });

  it('reports a named path that does not exist', () => {
    const missing = path.join(dir, 'dist', 'electron');
    expect(locateElectronBinary(() => missing)).toEqual({
      found: false,
      reason: `no Electron binary at ${missing}`,
    });
  });

  it('returns a binary that exists', () => {
    const binary = script('electron', '');
    expect(locateElectronBinary(() => binary)).toEqual({ found: true, path: binary });
  });
});

describe('runElectronInstall', () => {
  it('succeeds when the download script does', async () => {
    expect(await runElectronInstall(script('ok.cjs', 'process.exit(0);'))).toEqual({ ok: true });
  });

  it('reports the first line of the download error, not its stack', async () => {
    const failing = script(
      'offline.cjs',
      `console.error('RequestError: getaddrinfo ENOTFOUND github.com\\n    at ClientRequest.<anonymous>');
       process.exit(1);`,
    );
    expect(await runElectronInstall(failing)).toEqual({
      ok: false,
      reason: 'RequestError: getaddrinfo ENOTFOUND github.com',
    });
  });

  it('gives up on a download that hangs', async () => {
    const hanging = script('hang.cjs', 'setInterval(() => {}, 1000);');
    expect(await runElectronInstall(hanging, 300)).toEqual({
      ok: false,
      reason: 'the download gave up after 0.3 s',
    });
  });
});

describe('electronMissingMessage', () => {
  const message = electronMissingMessage(
    'http://127.0.0.1:4000',
    'RequestError: getaddrinfo ENOTFOUND github.com',
  );

  it('says the window cannot open, and why', () => {
    expect(message).toContain(
      'The desktop window cannot open: the Electron runtime binary is not installed.',
    );
    expect(message).toContain('downloaded from GitHub, which this machine could not reach');
    expect(message).toContain('(RequestError: getaddrinfo ENOTFOUND github.com)');
  });

  it('says how to install the binary once online', () => {
    expect(ELECTRON_INSTALL_COMMAND).toBe('node node_modules/electron/install.js');
    expect(message).toContain(`  ${ELECTRON_INSTALL_COMMAND}\n`);
  });

  it('says the companion API keeps running, where, and how to stop it', () => {
    expect(message).toContain(
      'The companion API keeps running at http://127.0.0.1:4000 (press Ctrl+C to stop).',
    );
  });
});
