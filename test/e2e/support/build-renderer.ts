// Builds only the renderer, exactly as `electron-vite build` does (same resolved configuration
// from electron.vite.config.ts, into out/renderer), without main and preload, which a browser
// does not need. Run as its own process: electron-vite sets NODE_ENV while it resolves.
import { resolveConfig } from 'electron-vite';
import { build } from 'vite';

process.env.NODE_ENV_ELECTRON_VITE = 'production';
const resolved = await resolveConfig({ logLevel: 'warn' }, 'build', 'production');
const renderer = resolved.config?.renderer;
if (!renderer) {
  throw new Error('electron.vite.config.ts has no renderer configuration to build.');
}
await build(renderer);
