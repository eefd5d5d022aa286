// Build for the three Electron worlds. Output: out/main (ESM, as package.json is a module),
// out/preload/index.cjs, out/renderer.
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import react from '@vitejs/plugin-react';
import { defineConfig } from 'electron-vite';
import type { Plugin } from 'vite';

/**
 * pdf.js decodes JPEG 2000 pictures (some scanners' high-compression PDFs) with OpenJPEG,
 * which it loads at run time from `${wasmUrl}openjpeg_nowasm_fallback.js`: the plain
 * JavaScript build, since the WebAssembly one would need 'wasm-unsafe-eval' in the window's
 * content security policy. This puts that file (and its licence) at pdfjs/ in the renderer,
 * under the fixed name pdf.js asks for; src/renderer/src/lib/pdf.ts points wasmUrl there.
 */
function pdfJsOpenJpeg(): Plugin {
  const wasmDir = (name: string) =>
    createRequire(import.meta.url).resolve(`pdfjs-dist/wasm/${name}`);
  const files = ['openjpeg_nowasm_fallback.js', 'LICENSE_OPENJPEG'];
  return {
    name: 'medaius-pdfjs-openjpeg',
    configureServer(server) {
      for (const name of files) {
        server.middlewares.use(`/pdfjs/${name}`, (_request, response) => {
          const type = name.endsWith('.js') ? 'text/javascript' : 'text/plain';
          response.setHeader('content-type', `${type}; charset=utf-8`);
          response.end(readFileSync(wasmDir(name)));
        });
      }
    },
    generateBundle() {
      for (const name of files) {
        this.emitFile({
          type: 'asset',
          fileName: `pdfjs/${name}`,
          source: readFileSync(wasmDir(name)),
        });
      }
    },
  };
}

export default defineConfig({
  main: {
    build: {
      // electron-store ships only as ESM; bundling it keeps main independent of how Electron
      // resolves ESM packages from node_modules.
      externalizeDeps: { exclude: ['electron-store'] },
      rolldownOptions: {
        // The file thread's program is a file of its own next to index.js, where
        // src/main/index.ts points setFileWorker.
        input: {
          index: 'src/main/index.ts',
          'file-worker': 'src/shared-node/files/file-worker.ts',
        },
      },
    },
  },
  preload: {
    build: {
      // A sandboxed preload cannot require anything but 'electron' and a few built-ins, and
      // cannot be ESM: everything goes into one CommonJS file.
      externalizeDeps: false,
      rolldownOptions: {
        output: { format: 'cjs', entryFileNames: '[name].cjs' },
      },
    },
  },
  renderer: {
    plugins: [react(), pdfJsOpenJpeg()],
  },
});
