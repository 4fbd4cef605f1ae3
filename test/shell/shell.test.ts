import assert from 'node:assert/strict';
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { METHOD_NAMES } from '../../shared/api/contract.ts';
import { CONTENT_SECURITY_POLICY } from '../../shared/csp.ts';
import { startShell, type ShellHandle } from '../../main/shell/app.ts';
import { apiChannel, APP_ENTRY, EVENT_CHANNEL, PICK_PATHS_CHANNEL } from '../../main/shell/channels.ts';
import { tempDir } from '../helpers/core.ts';
import { createFakeElectron, type FakeWebContents } from './fake-electron.ts';

let dir: { path: string; remove(): Promise<void> };
let fake: ReturnType<typeof createFakeElectron>;
let shell: ShellHandle;

before(async () => {
  dir = await tempDir('assay-shell-');
  const distDir = join(dir.path, 'dist');
  await mkdir(join(distDir, 'renderer'), { recursive: true });
  await writeFile(join(distDir, 'renderer', 'index.html'), '<!doctype html><title>Assay</title>');
  await writeFile(join(dir.path, 'dist', 'secret.txt'), 'not for the renderer');
  fake = createFakeElectron({ userData: join(dir.path, 'userData') });
  shell = startShell(fake.electron, { distDir });
  await fake.makeReady();
});

after(async () => {
  await shell.core()?.close();
  await dir.remove();
});

type Callback = (response: Record<string, unknown>) => void;
function decide(handler: ((...a: unknown[]) => unknown) | null, details: unknown): Record<string, unknown> {
  let result: Record<string, unknown> = {};
  handler!(details, ((r) => { result = r; }) as Callback);
  return result;
}

test('one window with every security setting of the Electron checklist, loading app://', () => {
  assert.equal(fake.record.windows.length, 1);
  const win = fake.record.windows[0]!;
  const prefs = (win.options as { webPreferences: Record<string, unknown> }).webPreferences;
  assert.equal(prefs.contextIsolation, true);
  assert.equal(prefs.sandbox, true);
  assert.equal(prefs.nodeIntegration, false);
  assert.equal(prefs.nodeIntegrationInWorker, false);
  assert.equal(prefs.webSecurity, true);
  assert.equal(prefs.allowRunningInsecureContent, false);
  assert.equal(prefs.webviewTag, false);
  assert.match(String(prefs.preload), /dist\/shell\/preload\.cjs$/);
  assert.equal(win.loadedUrl, APP_ENTRY);
  assert.ok(APP_ENTRY.startsWith('app://'));
});

test('every request to anything but app:// is cancelled (offline by construction)', () => {
  for (const url of ['https://example.com/', 'http://127.0.0.1:8080/', 'file:///etc/passwd', 'ws://localhost/', 'ftp://x/', 'app://other/index.html', 'devtools://devtools/x']) {
    assert.equal(decide(fake.record.beforeRequest, { url }).cancel, true, url);
  }
  for (const url of ['app://assay/index.html', 'app://assay/assets/app.js', 'data:image/png;base64,AA==']) {
    assert.equal(decide(fake.record.beforeRequest, { url }).cancel, false, url);
  }
  assert.deepEqual(fake.record.proxy, { mode: 'direct' });
});

test('every response carries the strict CSP', () => {
  const r = decide(fake.record.headersReceived, { responseHeaders: { 'X-Other': ['1'] } });
  const headers = r.responseHeaders as Record<string, string[]>;
  assert.deepEqual(headers['Content-Security-Policy'], [CONTENT_SECURITY_POLICY]);
  assert.deepEqual(headers['X-Other'], ['1']);
  assert.match(CONTENT_SECURITY_POLICY, /default-src 'none'/);
  assert.match(CONTENT_SECURITY_POLICY, /script-src 'self'(;|$)/);
  assert.doesNotMatch(CONTENT_SECURITY_POLICY, /unsafe-inline|unsafe-eval|https?:/);
});

test('every permission request and check is denied', () => {
  let granted: boolean | null = null;
  for (const permission of ['media', 'geolocation', 'notifications', 'clipboard-read', 'openExternal']) {
    fake.record.permissionRequest!({}, permission, (g: boolean) => { granted = g; });
    assert.equal(granted, false, permission);
  }
  assert.equal(fake.record.permissionCheck!({}, 'media'), false);
  assert.equal(fake.record.devicePermission!({ deviceType: 'usb' }), false);
});

test('navigation away, new windows and webviews are refused', () => {
  const contents = fake.record.windows[0]!.webContents as FakeWebContents;
  const nav = (event: string, url: string) => {
    let prevented = false;
    contents.emit(event, { preventDefault: () => { prevented = true; } }, url);
    return prevented;
  };
  assert.equal(nav('will-navigate', 'https://example.com/'), true);
  assert.equal(nav('will-navigate', 'file:///etc/passwd'), true);
  assert.equal(nav('will-navigate', 'app://assay/index.html#/case/x'), false);
  assert.equal(nav('will-redirect', 'http://evil/'), true);
  assert.equal(nav('will-attach-webview', 'about:blank'), true);
  assert.deepEqual(contents.windowOpenHandler!({ url: 'https://example.com' }), { action: 'deny' });
});

test('an IPC handler exists for every API method of the contract, and nothing else but the platform', () => {
  const expected = new Set([...METHOD_NAMES.map(apiChannel), PICK_PATHS_CHANNEL]);
  assert.deepEqual(new Set(fake.record.ipcHandlers.keys()), expected);
});

const trusted = { senderFrame: { url: 'app://assay/index.html', parent: null } };

test('IPC calls are answered only for the app origin in the top frame', async () => {
  const list = fake.record.ipcHandlers.get(apiChannel('cases.list'))!;
  const ok = await list(trusted, {}) as { ok: boolean };
  assert.equal(ok.ok, true);
  for (const frame of [
    { url: 'https://evil.example/', parent: null },
    { url: 'file:///tmp/x.html', parent: null },
    { url: 'app://assay/index.html', parent: {} },
    null,
  ]) {
    const r = await list({ senderFrame: frame }, {}) as { ok: boolean; error?: { message: string } };
    assert.equal(r.ok, false);
    assert.match(r.error!.message, /untrusted frame/);
  }
  assert.equal(await fake.record.ipcHandlers.get(PICK_PATHS_CHANNEL)!({ senderFrame: { url: 'https://evil/', parent: null } }, { kind: 'files', title: 'x' }), null);
});

test('IPC arguments are validated against the contract', async () => {
  const create = fake.record.ipcHandlers.get(apiChannel('cases.create'))!;
  const bad = await create(trusted, { name: 42 }) as { ok: boolean; error: { code: string } };
  assert.equal(bad.ok, false);
  assert.equal(bad.error.code, 'invalid_input');
  const good = await create(trusted, { name: 'From the window' }) as { ok: boolean; value: { name: string } };
  assert.equal(good.value.name, 'From the window');
  // The core's change event reached the window.
  const sent = fake.record.windows[0]!.webContents.sent;
  assert.ok(sent.some((s) => s.channel === EVENT_CHANNEL && (s.payload as { type: string }).type === 'changed'));
});

test('the native file picker answers the renderer through the platform channel', async () => {
  const pick = fake.record.ipcHandlers.get(PICK_PATHS_CHANNEL)!;
  assert.deepEqual(await pick(trusted, { kind: 'files', title: 'Add files' }), ['/picked/model.onnx']);
});

test('the app:// protocol serves the renderer with the CSP and nothing outside it', async () => {
  assert.deepEqual(fake.record.privilegedSchemes.map((s) => (s as { scheme: string }).scheme), ['app']);
  const handler = fake.record.protocolHandlers.get('app')!;
  const index = await handler(new Request('app://assay/index.html'));
  assert.equal(index.status, 200);
  assert.equal(index.headers.get('content-security-policy'), CONTENT_SECURITY_POLICY);
  assert.match(await index.text(), /<title>Assay/);
  assert.equal((await handler(new Request('app://assay/../secret.txt'))).status, 404);
  assert.equal((await handler(new Request('app://assay/%2e%2e/secret.txt'))).status, 404);
  assert.equal((await handler(new Request('app://elsewhere/index.html'))).status, 404);
});

test('a second instance focuses the first window; without the lock the app quits', async () => {
  fake.appEvents.emit('second-instance');
  assert.equal(fake.record.windows[0]!.focused, true);
  const other = await tempDir('assay-shell2-');
  try {
    const second = createFakeElectron({ userData: join(other.path, 'u'), singleInstance: false });
    const handle = startShell(second.electron, { distDir: join(other.path, 'dist') });
    assert.equal(second.record.quitCalled, true);
    assert.equal(handle.core(), null);
    assert.equal(second.record.windows.length, 0);
  } finally {
    await other.remove();
  }
});

test('the core gets the desktop capabilities: its own binary as Node for the sandbox, and a script-less PDF window', async () => {
  const caps = shell.core()!.context.capabilities;
  assert.deepEqual(caps.nodeRuntime, { execPath: process.execPath, env: { ELECTRON_RUN_AS_NODE: '1' } });
  const before = fake.record.windows.length;
  const pdf = await caps.renderPdf!('<h1>Report</h1>');
  assert.equal(Buffer.from(pdf).toString().slice(0, 8), '%PDF-1.4');
  const printer = fake.record.windows[before]!;
  const prefs = (printer.options as { webPreferences: Record<string, unknown>; show: boolean });
  assert.equal(prefs.show, false);
  assert.equal(prefs.webPreferences.javascript, false);
  assert.equal(prefs.webPreferences.sandbox, true);
  assert.match(String(printer.loadedUrl), /^data:text\/html/);
  assert.equal(printer.isDestroyed(), true);
});
