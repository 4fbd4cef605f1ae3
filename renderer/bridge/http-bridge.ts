// The browser face's stand-in for Electron's preload: the loopback host serves this script
// before the app, and it provides the same `window.assay` bridge over fetch and server-sent
// events. The session cookie set by the host authenticates every request.
import { METHOD_NAMES, type MethodName } from '../../shared/api/contract.ts';
import type { AssayBridge, BridgeApi } from '../../shared/api/bridge.ts';
import type { Envelope } from '../../shared/api/errors.ts';
import type { AppEvent } from '../../shared/api/events.ts';

async function post(method: MethodName, input: unknown): Promise<Envelope<unknown>> {
  try {
    const res = await fetch(`/api/${method}`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json', 'X-Assay-Request': '1' },
      body: JSON.stringify(input ?? {}),
      credentials: 'same-origin',
    });
    return (await res.json()) as Envelope<unknown>;
  } catch (e) {
    return { ok: false, error: { code: 'io_error', message: `the Assay host did not answer (${e instanceof Error ? e.message : String(e)}); is \`assay serve\` still running?` } };
  }
}

const api = Object.freeze(Object.fromEntries(METHOD_NAMES.map((m) => [m, (input: unknown) => post(m, input)]))) as BridgeApi;

const listeners = new Set<(e: AppEvent) => void>();
let source: EventSource | null = null;
function ensureEvents(): void {
  if (source) return;
  source = new EventSource('/api/events');
  source.onmessage = (msg) => {
    const event = JSON.parse(msg.data as string) as AppEvent;
    for (const l of listeners) l(event);
  };
}

function upload(file: File, onProgress?: (sent: number, total: number) => void): Promise<string> {
  return new Promise((resolve, reject) => {
    const xhr = new XMLHttpRequest();
    xhr.open('POST', `/upload?name=${encodeURIComponent(file.name)}`);
    xhr.setRequestHeader('X-Assay-Request', '1');
    xhr.setRequestHeader('Content-Type', 'application/octet-stream');
    xhr.upload.onprogress = (e) => onProgress?.(e.loaded, e.total);
    xhr.onload = () => {
      try {
        const envelope = JSON.parse(xhr.responseText) as Envelope<{ path: string }>;
        if (envelope.ok) resolve(envelope.value.path);
        else reject(new Error(envelope.error.message));
      } catch {
        reject(new Error(`upload failed with status ${xhr.status}`));
      }
    };
    xhr.onerror = () => reject(new Error('upload failed: the Assay host did not answer'));
    xhr.send(file);
  });
}

const bridge: AssayBridge = {
  api,
  onEvent(listener) {
    ensureEvents();
    listeners.add(listener);
    return () => listeners.delete(listener);
  },
  platform: {
    face: 'browser',
    // A browser cannot hand out local paths: the UI asks for typed paths instead.
    pickPaths: async () => null,
    pathForDroppedFile: (file, onProgress) => upload(file as File, onProgress),
  },
};

Object.defineProperty(window, 'assay', { value: Object.freeze(bridge), writable: false, configurable: false });
