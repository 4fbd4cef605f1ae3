// Where Assay's own files are: the folder holding its package.json — the repository in
// development, the app's resources (inside app.asar) when packaged. Found by walking up from
// the running module, so it holds for the TypeScript sources and for every bundle in dist/.
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

let cached: string | null = null;

function isAssayPackage(dir: string): boolean {
  const file = join(dir, 'package.json');
  if (!existsSync(file)) return false;
  try {
    return (JSON.parse(readFileSync(file, 'utf8')) as { name?: string }).name === 'assay';
  } catch {
    return false;
  }
}

export function appRoot(): string {
  if (cached) return cached;
  let dir = dirname(fileURLToPath(import.meta.url));
  for (let i = 0; i < 12; i++) {
    if (isAssayPackage(dir)) return (cached = dir);
    const up = dirname(dir);
    if (up === dir) break;
    dir = up;
  }
  throw new Error(`cannot find Assay's package.json above ${fileURLToPath(import.meta.url)}`);
}

/** True when this code runs from the TypeScript sources (tsx), false inside a bundle. */
export function runningFromSources(): boolean {
  return import.meta.url.endsWith('.ts');
}

export function appVersion(): string {
  try {
    return (JSON.parse(readFileSync(join(appRoot(), 'package.json'), 'utf8')) as { version?: string }).version ?? '0.0.0';
  } catch {
    return '0.0.0';
  }
}
