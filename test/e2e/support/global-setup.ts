// Once per end-to-end run: build the renderer as the desktop app ships it (the renderer part of
// electron.vite.config.ts, into out/renderer) unless the build is newer than every source it is
// made from, and serve it over a small static HTTP server on loopback. Tests get the server's
// address through `inject('rendererUrl')`.
import type { TestProject } from 'vitest/node';
import { buildRendererIfStale } from './renderer-build.js';
import { serveStatic } from './static-server.js';

declare module 'vitest' {
  export interface ProvidedContext {
    /** http://127.0.0.1:<port>/ serving out/renderer */
    rendererUrl: string;
  }
}

export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  const outDir = await buildRendererIfStale();
  const server = await serveStatic(outDir);
  project.provide('rendererUrl', server.url);
  return () => server.close();
}
