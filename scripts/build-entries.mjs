// Node-side bundles built by scripts/build.mjs with esbuild. Native modules and electron stay
// external: they are loaded from node_modules at run time (unpacked from asar when packaged).
export const NATIVE_EXTERNALS = ['electron', 'better-sqlite3', 'onnxruntime-node', 'sharp'];

/** @type {{ entry: string, outfile: string, format: 'esm' | 'cjs' | 'iife', platform?: 'node' | 'browser' }[]} */
export const ENTRIES = [
  // The Electron main process and its preload (a sandboxed preload must be CommonJS).
  { entry: 'main/shell/main.ts', outfile: 'dist/shell/main.cjs', format: 'cjs' },
  { entry: 'main/shell/preload.ts', outfile: 'dist/shell/preload.cjs', format: 'cjs' },
  // Worker threads of the core (hashing and format detection off the main thread).
  { entry: 'main/core/work/worker.ts', outfile: 'dist/workers/worker.mjs', format: 'esm' },
  // The sandboxed inference worker (its own process; onnxruntime-node is passed in by path).
  { entry: 'main/sandbox/worker.ts', outfile: 'dist/sandbox/worker.mjs', format: 'esm' },
  // The fetch-based bridge the loopback host injects in place of Electron's preload.
  { entry: 'renderer/bridge/http-bridge.ts', outfile: 'dist/renderer/http-bridge.js', format: 'iife', platform: 'browser' },
];
