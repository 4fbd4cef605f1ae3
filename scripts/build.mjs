#!/usr/bin/env node
// Builds everything `npm start`, `assay serve` and packaging need: the renderer (Vite) into
// dist/renderer, and the node bundles listed in build-entries.mjs (esbuild).
import { existsSync } from 'node:fs';
import { rm } from 'node:fs/promises';
import { join } from 'node:path';
import { build as esbuild } from 'esbuild';
import { build as viteBuild } from 'vite';
import { DEV_EXTERNALS, ENTRIES, NATIVE_EXTERNALS } from './build-entries.mjs';

const root = new URL('..', import.meta.url).pathname;
const quiet = process.argv.includes('--quiet');

await rm(join(root, 'dist'), { recursive: true, force: true });

await viteBuild({ configFile: join(root, 'renderer/vite.config.ts'), logLevel: quiet ? 'error' : 'warn' });

for (const e of ENTRIES) {
  if (!existsSync(join(root, e.entry))) throw new Error(`build entry ${e.entry} does not exist`);
  await esbuild({
    entryPoints: [join(root, e.entry)],
    outfile: join(root, e.outfile),
    bundle: true,
    format: e.format,
    platform: e.platform ?? 'node',
    target: e.platform === 'browser' ? 'chrome120' : 'node20',
    external: e.platform === 'browser' ? [] : [...NATIVE_EXTERNALS, ...DEV_EXTERNALS],
    sourcemap: true,
    logLevel: quiet ? 'error' : 'warning',
    // The Electron main bundle (CommonJS) gets a real import.meta.url: the bundle's own file,
    // from which the core finds Assay's root (main/core/util/app-root.ts).
    define: e.moduleUrl ? { 'import.meta.url': '__assayModuleUrl' } : undefined,
    // ESM bundles that pull in CommonJS dependencies need a require function.
    banner: e.format === 'esm' && e.platform !== 'browser'
      ? { js: "import { createRequire as __assayCreateRequire } from 'node:module'; const require = __assayCreateRequire(import.meta.url);" }
      : e.moduleUrl
        ? { js: "const __assayModuleUrl = require('node:url').pathToFileURL(__filename).href;" }
        : undefined,
  });
}
if (!quiet) console.error(`built renderer and ${ENTRIES.length} bundles into dist/`);
