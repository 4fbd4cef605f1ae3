// A stand-in for the parts of the `electron` module the shell uses, recording what the shell
// does with them so tests can assert the wiring without the Electron binary.
import { EventEmitter } from 'node:events';
import type { ElectronModule } from '../../main/shell/app.ts';

type Handler = (...args: unknown[]) => unknown;

export class FakeWebContents extends EventEmitter {
  sent: { channel: string; payload: unknown }[] = [];
  windowOpenHandler: Handler | null = null;
  send(channel: string, payload: unknown) { this.sent.push({ channel, payload }); }
  printToPDF(_options: unknown) { return Promise.resolve(Buffer.from('%PDF-1.4 fake')); }
  setWindowOpenHandler(h: Handler) { this.windowOpenHandler = h; }
}

export function createFakeElectron(options: { userData: string; singleInstance?: boolean }) {
  const appEvents = new EventEmitter();
  const record = {
    quitCalled: false,
    privilegedSchemes: [] as unknown[],
    protocolHandlers: new Map<string, (req: Request) => Promise<Response>>(),
    ipcHandlers: new Map<string, Handler>(),
    beforeRequest: null as Handler | null,
    headersReceived: null as Handler | null,
    permissionRequest: null as Handler | null,
    permissionCheck: null as Handler | null,
    devicePermission: null as Handler | null,
    proxy: null as unknown,
    windows: [] as FakeWindow[],
  };
  let ready!: () => void;
  const readyPromise = new Promise<void>((r) => { ready = r; });

  class FakeWindow extends EventEmitter {
    webContents = new FakeWebContents();
    loadedUrl: string | null = null;
    focused = false;
    constructor(readonly options: unknown) {
      super();
      record.windows.push(this);
      appEvents.emit('web-contents-created', {}, this.webContents);
    }
    loadURL(url: string) { this.loadedUrl = url; return Promise.resolve(); }
    isMinimized() { return false; }
    restore() {}
    focus() { this.focused = true; }
    show() {}
    destroyed = false;
    isDestroyed() { return this.destroyed; }
    destroy() { this.destroyed = true; }
  }

  const electron = {
    app: {
      requestSingleInstanceLock: () => options.singleInstance ?? true,
      quit: () => { record.quitCalled = true; },
      on: (event: string, listener: Handler) => { appEvents.on(event, listener); },
      whenReady: () => readyPromise,
      getPath: (name: string) => { if (name !== 'userData') throw new Error(`unexpected path ${name}`); return options.userData; },
      getVersion: () => '0.1.0-test',
    },
    BrowserWindow: FakeWindow,
    protocol: {
      registerSchemesAsPrivileged: (schemes: unknown[]) => { record.privilegedSchemes.push(...schemes); },
      handle: (scheme: string, handler: (req: Request) => Promise<Response>) => { record.protocolHandlers.set(scheme, handler); },
    },
    session: {
      defaultSession: {
        webRequest: {
          onBeforeRequest: (h: Handler) => { record.beforeRequest = h; },
          onHeadersReceived: (h: Handler) => { record.headersReceived = h; },
        },
        setPermissionRequestHandler: (h: Handler) => { record.permissionRequest = h; },
        setPermissionCheckHandler: (h: Handler) => { record.permissionCheck = h; },
        setDevicePermissionHandler: (h: Handler) => { record.devicePermission = h; },
        setProxy: (config: unknown) => { record.proxy = config; return Promise.resolve(); },
      },
    },
    ipcMain: {
      handle: (channel: string, h: Handler) => {
        if (record.ipcHandlers.has(channel)) throw new Error(`second handler for ${channel}`);
        record.ipcHandlers.set(channel, h);
      },
    },
    dialog: {
      showOpenDialog: async () => ({ canceled: false, filePaths: ['/picked/model.onnx'] }),
    },
  };
  return {
    electron: electron as unknown as ElectronModule,
    record,
    appEvents,
    makeReady: async () => { ready(); await readyPromise; await new Promise((r) => setTimeout(r, 20)); },
  };
}
