// The app:// protocol: serves the built renderer from inside the package, with the CSP header.
import { readFile } from 'node:fs/promises';
import { SECURITY_HEADERS } from '../../shared/csp.ts';
import { contentTypeOf, resolveStatic } from '../core/util/static-files.ts';
import { APP_ORIGIN } from './channels.ts';

export const APP_SCHEME_PRIVILEGES = {
  scheme: 'app',
  privileges: { standard: true, secure: true, supportFetchAPI: true, corsEnabled: false, stream: true },
} as const;

export function makeAppProtocolHandler(rendererDir: string): (request: Request) => Promise<Response> {
  return async (request) => {
    const url = new URL(request.url);
    if (`${url.protocol}//${url.host}` !== APP_ORIGIN) return new Response('not found', { status: 404 });
    const path = resolveStatic(rendererDir, url.pathname === '/' ? '/index.html' : url.pathname);
    if (!path) return new Response('not found', { status: 404 });
    try {
      const body = await readFile(path);
      return new Response(body, { status: 200, headers: { ...SECURITY_HEADERS, 'Content-Type': contentTypeOf(path) } });
    } catch {
      return new Response('not found', { status: 404 });
    }
  };
}
