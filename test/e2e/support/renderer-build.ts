// The built renderer the end-to-end tests load: out/renderer, rebuilt (by build-renderer.ts, in
// its own process) when any file it is made from is newer than the last build.
import { spawn } from 'node:child_process';
import { existsSync, readdirSync, statSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

export const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../..');
export const RENDERER_OUT = path.join(ROOT, 'out/renderer');
const BUILT_MARKER = path.join(RENDERER_OUT, 'index.html');

/** What the renderer bundle is made from. */
const SOURCES = [
  'src/renderer',
  'src/shared',
  'src/preload/api.d.ts',
  'electron.vite.config.ts',
  'package-lock.json',
];

function newestMtime(target: string): number {
  if (!existsSync(target)) return 0;
  const stat = statSync(target);
  if (!stat.isDirectory()) return stat.mtimeMs;
  let newest = stat.mtimeMs; // a deleted file changes its folder's time
  for (const entry of readdirSync(target)) {
    newest = Math.max(newest, newestMtime(path.join(target, entry)));
  }
  return newest;
}

export function rendererBuildIsFresh(): boolean {
  if (!existsSync(BUILT_MARKER)) return false;
  const built = statSync(BUILT_MARKER).mtimeMs;
  return SOURCES.every((source) => newestMtime(path.join(ROOT, source)) < built);
}

/** Builds out/renderer unless it is up to date; returns its folder. */
export async function buildRendererIfStale(): Promise<string> {
  if (rendererBuildIsFresh()) return RENDERER_OUT;
  const started = Date.now();
  const output: string[] = [];
  const code = await new Promise<number | null>((resolve, reject) => {
    const child = spawn(
      process.execPath,
      ['--import', 'tsx', path.join(ROOT, 'test/e2e/support/build-renderer.ts')],
      { cwd: ROOT, env: { ...process.env, NO_COLOR: '1', FORCE_COLOR: '0' }, stdio: 'pipe' },
    );
    child.stdout.on('data', (chunk: Buffer) => output.push(chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => output.push(chunk.toString()));
    child.once('error', reject);
    child.once('exit', resolve);
  });
  if (code !== 0 || !existsSync(BUILT_MARKER)) {
    throw new Error(
      `Building the renderer for the end-to-end tests (electron.vite.config.ts → out/renderer) failed with exit code ${code}:\n${output.join('')}`,
    );
  }
  console.log(`e2e: built the renderer into out/renderer in ${Date.now() - started} ms`);
  return RENDERER_OUT;
}
