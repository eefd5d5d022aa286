// The app:// scheme that serves the production renderer: files from out/renderer only, each with
// the CSP. Electron's net.fetch is the one part replaced, by a file reader.
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { createAppProtocolHandler, rendererFilePath } from '../../../src/main/app-protocol.js';

describe('app:// protocol', () => {
  const rendererDir = mkdtempSync(path.join(tmpdir(), 'medaius-renderer-'));
  afterAll(() => rmSync(rendererDir, { recursive: true, force: true }));
  mkdirSync(path.join(rendererDir, 'assets'));
  writeFileSync(path.join(rendererDir, 'index.html'), '<!doctype html><title>app</title>');
  // Electron's net.fetch reads file:// URLs; Node's fetch does not, so this stands in for it.
  const fetchFile = async (url: string) => new Response(await readFile(fileURLToPath(url)));

  it('serves the renderer’s files with the CSP header', async () => {
    const handler = createAppProtocolHandler(rendererDir, "default-src 'none'", fetchFile);
    const response = await handler(new Request('app://medaius/index.html'));
    expect(response.status).toBe(200);
    expect(response.headers.get('content-security-policy')).toBe("default-src 'none'");
    expect(await response.text()).toContain('<title>app</title>');
  });

  it('refuses paths that escape the renderer directory and other hosts', async () => {
    const handler = createAppProtocolHandler(rendererDir, "default-src 'none'", fetchFile);
    expect(
      (await handler(new Request('app://medaius/assets/..%2F..%2F..%2Fetc%2Fpasswd'))).status,
    ).toBe(404);
    expect((await handler(new Request('app://elsewhere/index.html'))).status).toBe(404);
    expect(rendererFilePath(rendererDir, 'app://medaius/%E0%A4%A')).toBeUndefined();
    expect(rendererFilePath(rendererDir, 'app://medaius/assets/app.js')).toBe(
      path.join(rendererDir, 'assets', 'app.js'),
    );
  });
});
