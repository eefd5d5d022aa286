// Build for the three Electron worlds. Output: out/main (ESM, as package.json is a module),
// out/preload/index.cjs, out/renderer.
import react from '@vitejs/plugin-react';
import { defineConfig } from 'electron-vite';

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
    plugins: [react()],
  },
});
