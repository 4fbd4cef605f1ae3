// Node-side bundles built by scripts/build.mjs with esbuild. Native modules and electron stay
// external: they are loaded from node_modules at run time (unpacked from asar when packaged).
export const NATIVE_EXTERNALS = ['electron', 'better-sqlite3', 'onnxruntime-node', 'sharp'];
/** Development-only packages a bundle may reference but never loads in the app. */
export const DEV_EXTERNALS = ['playwright-core', 'tsx', 'tsx/esm/api', 'esbuild'];

/** @type {{ entry: string, outfile: string, format: 'esm' | 'cjs' | 'iife', platform?: 'node' | 'browser', moduleUrl?: boolean }[]} */
export const ENTRIES = [
  // The Electron main process and its preload (a sandboxed preload must be CommonJS).
  // moduleUrl: give the CommonJS bundle a real import.meta.url (the preload must not: a sandboxed
  // preload cannot require node modules).
  { entry: 'main/shell/main.ts', outfile: 'dist/shell/main.cjs', format: 'cjs', moduleUrl: true },
  { entry: 'main/shell/preload.ts', outfile: 'dist/shell/preload.cjs', format: 'cjs' },
  // Worker threads of the core (hashing and format detection off the main thread; dataset scans).
  { entry: 'main/core/work/worker.ts', outfile: 'dist/workers/worker.mjs', format: 'esm' },
  { entry: 'main/core/dataset/scan-worker.ts', outfile: 'dist/workers/dataset-scan-worker.mjs', format: 'esm' },
  // The CLI, bundled so `assay` starts fast; bin/assay.mjs falls back to the sources when stale.
  { entry: 'main/cli/main.ts', outfile: 'dist/cli/main.mjs', format: 'esm' },
  // The sandboxed inference worker (its own process; onnxruntime-node is passed in by path).
  { entry: 'main/sandbox/worker.ts', outfile: 'dist/sandbox/worker.mjs', format: 'esm' },
  // The fetch-based bridge the loopback host injects in place of Electron's preload.
  { entry: 'renderer/bridge/http-bridge.ts', outfile: 'dist/renderer/http-bridge.js', format: 'iife', platform: 'browser' },
];
