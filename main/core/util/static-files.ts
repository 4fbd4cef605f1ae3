// Serving the built renderer from a folder (both the app:// protocol and the loopback host): fixed content types, no directory listing, no path
// escaping the folder.
import { readFile } from 'node:fs/promises';
import { extname, join, normalize, sep } from 'node:path';

const CONTENT_TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.ico': 'image/x-icon',
  '.woff2': 'font/woff2',
  '.json': 'application/json',
  '.map': 'application/json',
};

export function contentTypeOf(path: string): string {
  return CONTENT_TYPES[extname(path).toLowerCase()] ?? 'application/octet-stream';
}

/** Resolves a URL path inside `root`, or null when it would leave it. */
export function resolveStatic(root: string, urlPath: string): string | null {
  let decoded: string;
  try {
    decoded = decodeURIComponent(urlPath);
  } catch {
    return null;
  }
  if (decoded.includes('\0')) return null;
  const rel = normalize(decoded).replace(/^([/\\])+/, '');
  const full = join(root, rel);
  return full === root || full.startsWith(root.endsWith(sep) ? root : root + sep) ? full : null;
}

export async function readStatic(root: string, urlPath: string): Promise<{ body: Buffer; type: string } | null> {
  const path = resolveStatic(root, urlPath === '/' ? '/index.html' : urlPath);
  if (!path) return null;
  try {
    return { body: await readFile(path), type: contentTypeOf(path) };
  } catch {
    return null;
  }
}

/** Puts the face's bridge script in front of the app's own scripts. */
export function injectBridge(indexHtml: string, bridgeSrc: string): string {
  return indexHtml.replace('<head>', `<head>\n    <script src="${bridgeSrc}"></script>`);
}
