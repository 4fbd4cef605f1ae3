import assert from 'node:assert/strict';
import { mkdir, writeFile } from 'node:fs/promises';
import { request } from 'node:http';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { CONTENT_SECURITY_POLICY } from '../../shared/csp.ts';
import { createCore, type Core } from '../../main/core/create-core.ts';
import { startHost, type RunningHost } from '../../main/host/server.ts';
import { tempDir } from '../helpers/core.ts';

let dir: { path: string; remove(): Promise<void> };
let core: Core;
let host: RunningHost;

before(async () => {
  dir = await tempDir('assay-host-');
  const rendererDir = join(dir.path, 'renderer');
  await mkdir(rendererDir);
  await writeFile(join(rendererDir, 'index.html'), '<!doctype html><html><head><script type="module" src="./assets/app.js"></script></head><body></body></html>');
  await mkdir(join(rendererDir, 'assets'));
  await writeFile(join(rendererDir, 'assets', 'app.js'), 'console.log("app")');
  await writeFile(join(dir.path, 'secret.txt'), 'outside the renderer folder');
  core = createCore({ dataDir: join(dir.path, 'data'), defaultActor: 'host-test' });
  host = await startHost({ core, rendererDir });
});

after(async () => {
  await host.close();
  await core.close();
  await dir.remove();
});

interface Reply { status: number; headers: Record<string, string | string[] | undefined>; body: string }

function send(path: string, options: { method?: string; headers?: Record<string, string>; body?: string; hostHeader?: string } = {}): Promise<Reply> {
  return new Promise((resolve, reject) => {
    const req = request({
      host: '127.0.0.1', port: host.port, path, method: options.method ?? 'GET',
      headers: { Host: options.hostHeader ?? `127.0.0.1:${host.port}`, ...options.headers },
    }, (res) => {
      let body = '';
      res.on('data', (d: Buffer) => { body += d.toString(); });
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body }));
    });
    req.on('error', reject);
    req.end(options.body);
  });
}

const auth = () => ({ Cookie: `assay_session=${host.token}` });
const api = (method: string, body: unknown, extra: Record<string, string> = {}) => send(`/api/${method}`, {
  method: 'POST', body: JSON.stringify(body),
  headers: { ...auth(), 'Content-Type': 'application/json', 'X-Assay-Request': '1', ...extra },
});

test('listens on 127.0.0.1 only and prints a URL with the token', () => {
  assert.match(host.url, new RegExp(`^http://127\\.0\\.0\\.1:${host.port}/\\?token=[A-Za-z0-9_-]{32}$`));
});

test('the token in the URL becomes an HttpOnly, SameSite=Strict session cookie', async () => {
  const r = await send(`/?token=${host.token}`);
  assert.equal(r.status, 303);
  assert.equal(r.headers.location, '/');
  const cookie = String(r.headers['set-cookie']);
  assert.match(cookie, /assay_session=/);
  assert.match(cookie, /HttpOnly/);
  assert.match(cookie, /SameSite=Strict/);
  assert.equal((await send('/?token=wrong')).status, 401);
});

test('requests without the token are rejected, pages and API alike', async () => {
  assert.equal((await send('/')).status, 401);
  assert.equal((await send('/api/cases.list', { method: 'POST', body: '{}', headers: { 'Content-Type': 'application/json', 'X-Assay-Request': '1' } })).status, 401);
  assert.equal((await send('/api/cases.list', { method: 'POST', body: '{}', headers: { Authorization: 'Bearer nope', 'Content-Type': 'application/json', 'X-Assay-Request': '1' } })).status, 401);
});

test('DNS rebinding: a foreign Host header is rejected even with the token', async () => {
  const r = await send('/', { headers: auth(), hostHeader: `attacker.example:${host.port}` });
  assert.equal(r.status, 421);
  assert.equal((await send('/', { headers: auth(), hostHeader: '127.0.0.1:1' })).status, 421);
});

test('a foreign Origin or a cross-site fetch is rejected', async () => {
  assert.equal((await api('cases.list', {}, { Origin: 'http://evil.example' })).status, 403);
  assert.equal((await api('cases.list', {}, { 'Sec-Fetch-Site': 'cross-site' })).status, 403);
  assert.equal((await api('cases.list', {}, { Origin: `http://127.0.0.1:${host.port}` })).status, 200);
});

test('API writes need JSON and the X-Assay-Request header (no simple cross-site form posts)', async () => {
  const noHeader = await send('/api/cases.create', { method: 'POST', body: '{"name":"x"}', headers: { ...auth(), 'Content-Type': 'application/json' } });
  assert.equal(noHeader.status, 403);
  const form = await send('/api/cases.create', { method: 'POST', body: 'name=x', headers: { ...auth(), 'Content-Type': 'text/plain', 'X-Assay-Request': '1' } });
  assert.equal(form.status, 415);
});

test('the API answers envelopes with the contract validation at the boundary', async () => {
  const created = await api('cases.create', { name: 'Over HTTP' });
  assert.equal(created.status, 200);
  const env = JSON.parse(created.body) as { ok: boolean; value: { id: string; name: string } };
  assert.equal(env.ok, true);
  assert.equal(env.value.name, 'Over HTTP');
  const bad = await api('checklist.set', { caseId: env.value.id, pointId: 'P42', status: 'pass' });
  assert.equal(bad.status, 400);
  assert.equal(JSON.parse(bad.body).error.code, 'invalid_input');
  const unknown = await api('nope.nothing', {});
  assert.equal(unknown.status, 404);
  const malformed = await send('/api/cases.list', { method: 'POST', body: '{not json', headers: { ...auth(), 'Content-Type': 'application/json', 'X-Assay-Request': '1' } });
  assert.equal(malformed.status, 400);
});

test('pages carry the same CSP as the app and the bridge script is injected first', async () => {
  const page = await send('/', { headers: auth() });
  assert.equal(page.status, 200);
  assert.equal(page.headers['content-security-policy'], CONTENT_SECURITY_POLICY);
  assert.ok(page.body.indexOf('/http-bridge.js') < page.body.indexOf('./assets/app.js'));
  const asset = await send('/assets/app.js', { headers: auth() });
  assert.equal(asset.headers['content-type'], 'text/javascript; charset=utf-8');
  assert.equal(asset.headers['content-security-policy'], CONTENT_SECURITY_POLICY);
  assert.equal((await send('/favicon.ico')).status, 204);
});

test('static paths cannot escape the renderer folder', async () => {
  for (const p of ['/../secret.txt', '/%2e%2e/secret.txt', '/assets/..%2f..%2fsecret.txt', '/%00']) {
    const r = await send(p, { headers: auth() });
    assert.ok(!r.body.includes('outside the renderer folder'), p);
  }
});

test('uploads are staged in the data directory and then importable', async () => {
  const up = await send('/upload?name=../../escape.bin', { method: 'POST', body: 'dropped bytes', headers: { ...auth(), 'Content-Type': 'application/octet-stream', 'X-Assay-Request': '1' } });
  assert.equal(up.status, 200);
  const path = (JSON.parse(up.body) as { value: { path: string } }).value.path;
  assert.ok(path.startsWith(join(core.context.dataDir, 'staging')), path);
  assert.ok(path.endsWith('escape.bin'));
  const c = JSON.parse((await api('cases.create', { name: 'Dropped' })).body).value as { id: string };
  const added = JSON.parse((await api('artifacts.add', { caseId: c.id, paths: [path], storage: 'import' })).body);
  assert.equal(added.value.added.length, 1);
});
