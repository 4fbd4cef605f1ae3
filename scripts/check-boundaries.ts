// Enforces the layer table of ARCHITECTURE.md: which folder may import what. Run by `npm test`
// (and `npm run lint:boundaries`); prints every violation and exits 1 if there is one.
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import ts from 'typescript';

const repoRoot = resolve(new URL('..', import.meta.url).pathname);

interface Layer {
  folder: string;
  /** Folders (relative to the root) this layer may import from, besides itself. */
  mayImport: string[];
  /** Bare package specifiers allowed; `node:` builtins are separate. */
  packages: RegExp;
  nodeBuiltins: boolean;
}

const NODE_PACKAGES = /^(?!electron$)(?!electron\/)/; // any package except electron

export const LAYERS: Layer[] = [
  { folder: 'shared', mayImport: [], packages: /^zod$/, nodeBuiltins: false },
  { folder: 'renderer', mayImport: ['shared'], packages: /^(react|react-dom|react\/|react-dom\/|@tanstack\/react-virtual$|vite$|@vitejs\/plugin-react$)/, nodeBuiltins: false },
  { folder: 'main/store', mayImport: ['shared'], packages: NODE_PACKAGES, nodeBuiltins: true },
  // The core drives the sandbox worker: it shares the wire protocol and the pure probe
  // generators with it (so host and worker derive identical probes from a seed), nothing else.
  { folder: 'main/core', mayImport: ['shared', 'main/store', 'main/sandbox/protocol.ts', 'main/sandbox/probes.ts'], packages: NODE_PACKAGES, nodeBuiltins: true },
  // The worker bundles only its own code, onnxruntime and dependency-free shared utilities.
  { folder: 'main/sandbox', mayImport: ['shared/seeded-random.ts'], packages: /^onnxruntime-node$/, nodeBuiltins: true },
  { folder: 'main/cli', mayImport: ['shared', 'main/core', 'main/host'], packages: NODE_PACKAGES, nodeBuiltins: true },
  { folder: 'main/host', mayImport: ['shared', 'main/core'], packages: NODE_PACKAGES, nodeBuiltins: true },
  { folder: 'main/shell', mayImport: ['shared', 'main/core'], packages: /.*/, nodeBuiltins: true },
];

function files(dir: string, out: string[] = []): string[] {
  for (const name of readdirSync(dir)) {
    const p = join(dir, name);
    if (statSync(p).isDirectory()) files(p, out);
    else if (/\.(ts|tsx|mts|mjs)$/.test(name) && !name.endsWith('.d.ts')) out.push(p);
  }
  return out;
}

export function checkBoundaries(root = repoRoot): string[] {
  const problems: string[] = [];
  for (const layer of LAYERS) {
    const base = join(root, layer.folder);
    let layerFiles: string[];
    try {
      layerFiles = files(base);
    } catch {
      continue; // a layer folder that does not exist has nothing to check
    }
    for (const file of layerFiles) {
      const info = ts.preProcessFile(readFileSync(file, 'utf8'), true, true);
      for (const ref of info.importedFiles) {
        const spec = ref.fileName;
        const where = `${relative(root, file)}: imports ${spec}`;
        if (spec.startsWith('.')) {
          const target = relative(root, resolve(dirname(file), spec));
          const inside = [layer.folder, ...layer.mayImport].some((f) => target === f || target.startsWith(`${f}/`));
          if (!inside) problems.push(`${where} (${layer.folder} may import only ${[layer.folder, ...layer.mayImport].join(', ')})`);
        } else if (spec.startsWith('node:')) {
          if (!layer.nodeBuiltins) problems.push(`${where} (${layer.folder} runs where Node built-ins do not exist)`);
        } else if (!layer.packages.test(spec)) {
          problems.push(`${where} (package not allowed in ${layer.folder})`);
        }
      }
    }
  }
  return problems;
}

if (process.argv[1] && resolve(process.argv[1]) === resolve(new URL(import.meta.url).pathname)) {
  const problems = checkBoundaries();
  for (const p of problems) console.error(p);
  if (problems.length > 0) {
    console.error(`${problems.length} import(s) cross a layer boundary (see ARCHITECTURE.md)`);
    process.exit(1);
  }
  console.error('import boundaries: ok');
}
