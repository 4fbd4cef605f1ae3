// The loopback host behind `assay serve` and the end-to-end tests: the built renderer and the
// same API as the Electron app, on 127.0.0.1 only, behind a random per-launch token.
import { randomBytes } from 'node:crypto';
import { createWriteStream } from 'node:fs';
import { mkdir } from 'node:fs/promises';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { basename, join } from 'node:path';
import { pipeline } from 'node:stream/promises';
import { HTTP_STATUS, type Envelope } from '../../shared/api/errors.ts';
import { SECURITY_HEADERS } from '../../shared/csp.ts';
import type { Core } from '../core/create-core.ts';
import { HostGuard, SESSION_COOKIE } from './guard.ts';
import { injectBridge, readStatic } from '../core/util/static-files.ts';

export interface HostOptions {
  core: Core;
  /** Folder of the built renderer (dist/renderer). */
  rendererDir: string;
  port?: number;
  /** Fixed token for tests; random otherwise. */
  token?: string;
}

export interface RunningHost {
  url: string;
  port: number;
  token: string;
  close(): Promise<void>;
}

const MAX_JSON_BODY = 16 * 1024 * 1024;
const BRIDGE_SRC = '/http-bridge.js';

function send(res: ServerResponse, status: number, body: string | Buffer, type: string, extra: Record<string, string> = {}): void {
  res.writeHead(status, { ...SECURITY_HEADERS, 'Content-Type': type, 'Cache-Control': 'no-store', ...extra });
  res.end(body);
}

function sendJson(res: ServerResponse, status: number, value: unknown): void {
  send(res, status, JSON.stringify(value), 'application/json; charset=utf-8');
}

async function readJsonBody(req: IncomingMessage): Promise<unknown> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req as AsyncIterable<Buffer>) {
    size += chunk.length;
    if (size > MAX_JSON_BODY) throw new Error('request body too large');
    chunks.push(chunk);
  }
  const text = Buffer.concat(chunks).toString('utf8');
  return text.length === 0 ? {} : JSON.parse(text);
}

export async function startHost(options: HostOptions): Promise<RunningHost> {
  const token = options.token ?? randomBytes(24).toString('base64url');
  const { core } = options;
  const stagingRoot = join(core.context.dataDir, 'staging');
  let guard: HostGuard;

  const handle = async (req: IncomingMessage, res: ServerResponse): Promise<void> => {
    const addressing = guard.checkAddressing(req);
    if (!addressing.ok) return send(res, addressing.status, addressing.reason, 'text/plain; charset=utf-8');
    const url = new URL(req.url ?? '/', `http://${req.headers.host}`);

    if (url.pathname === '/favicon.ico') return send(res, 204, '', 'image/x-icon');

    // First visit: the token arrives in the URL once and becomes an HttpOnly session cookie.
    if (req.method === 'GET' && url.pathname === '/' && url.searchParams.has('token')) {
      if (!guard.tokenMatches(url.searchParams.get('token'))) return send(res, 401, 'wrong token', 'text/plain; charset=utf-8');
      return send(res, 303, '', 'text/plain', {
        Location: '/',
        'Set-Cookie': `${SESSION_COOKIE}=${token}; HttpOnly; SameSite=Strict; Path=/`,
      });
    }

    const session = guard.checkSession(req);
    if (!session.ok) return send(res, session.status, session.reason, 'text/plain; charset=utf-8');

    if (url.pathname.startsWith('/api/')) {
      const method = url.pathname.slice('/api/'.length);
      if (method === 'events' && req.method === 'GET') return streamEvents(req, res);
      if (req.method !== 'POST') return send(res, 405, 'use POST', 'text/plain; charset=utf-8');
      const write = guard.checkWrite(req);
      if (!write.ok) return send(res, write.status, write.reason, 'text/plain; charset=utf-8');
      if (!(req.headers['content-type'] ?? '').startsWith('application/json')) return send(res, 415, 'send JSON', 'text/plain; charset=utf-8');
      let body: unknown;
      try {
        body = await readJsonBody(req);
      } catch (e) {
        return sendJson(res, 400, { ok: false, error: { code: 'invalid_input', message: e instanceof Error ? e.message : String(e) } } satisfies Envelope<never>);
      }
      const envelope = await core.callEnvelope(method, body, { face: 'host' });
      return sendJson(res, envelope.ok ? 200 : HTTP_STATUS[envelope.error.code], envelope);
    }

    if (url.pathname === '/upload' && req.method === 'POST') {
      const write = guard.checkWrite(req);
      if (!write.ok) return send(res, write.status, write.reason, 'text/plain; charset=utf-8');
      const name = basename(url.searchParams.get('name') ?? '').replace(/[\0/\\]/g, '_') || 'upload';
      const dir = join(stagingRoot, randomBytes(8).toString('hex'));
      await mkdir(dir, { recursive: true, mode: 0o700 });
      const path = join(dir, name);
      await pipeline(req, createWriteStream(path, { flags: 'wx', mode: 0o600 }));
      return sendJson(res, 200, { ok: true, value: { path } });
    }

    if (req.method !== 'GET') return send(res, 405, 'method not allowed', 'text/plain; charset=utf-8');
    const file = await readStatic(options.rendererDir, url.pathname);
    if (!file) {
      // Client-side routes fall back to the app shell.
      if (!url.pathname.includes('.')) return serveIndex(res);
      return send(res, 404, 'not found', 'text/plain; charset=utf-8');
    }
    if (url.pathname === '/' || url.pathname === '/index.html') return serveIndex(res);
    return send(res, 200, file.body, file.type);
  };

  const serveIndex = async (res: ServerResponse): Promise<void> => {
    const index = await readStatic(options.rendererDir, '/index.html');
    if (!index) return send(res, 500, `the renderer is not built (${options.rendererDir}); run \`npm run build\``, 'text/plain; charset=utf-8');
    return send(res, 200, injectBridge(index.body.toString('utf8'), BRIDGE_SRC), 'text/html; charset=utf-8');
  };

  const streamEvents = (req: IncomingMessage, res: ServerResponse): void => {
    res.writeHead(200, { ...SECURITY_HEADERS, 'Content-Type': 'text/event-stream', 'Cache-Control': 'no-store', Connection: 'keep-alive' });
    res.write(': connected\n\n');
    const off = core.events.on((e) => res.write(`data: ${JSON.stringify(e)}\n\n`));
    const heartbeat = setInterval(() => res.write(': keep-alive\n\n'), 15_000);
    req.on('close', () => {
      off();
      clearInterval(heartbeat);
    });
  };

  const server = createServer((req, res) => {
    handle(req, res).catch((e: unknown) => {
      if (!res.headersSent) sendJson(res, 500, { ok: false, error: { code: 'internal', message: e instanceof Error ? e.message : String(e) } });
      else res.destroy();
    });
  });
  // Long operations (hashing large folders) keep a request open for as long as they take.
  server.requestTimeout = 0;
  server.headersTimeout = 60_000;

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, '127.0.0.1', () => resolve());
  });
  const port = (server.address() as AddressInfo).port;
  guard = new HostGuard(port, token);
  return {
    url: `http://127.0.0.1:${port}/?token=${token}`,
    port,
    token,
    close: () => new Promise<void>((resolve) => {
      server.closeAllConnections();
      server.close(() => resolve());
    }),
  };
}
