// The Electron shell: a thin adapter that wires the core to one hardened window. Everything it
// needs from Electron comes in as a parameter, so tests can drive it with a stand-in module.
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import type * as Electron from 'electron';
import { createCore, type Core } from '../core/create-core.ts';
import { APP_ENTRY, APP_SCHEME } from './channels.ts';
import { forwardEvents, registerApiHandlers, registerPlatformHandlers } from './ipc.ts';
import { makePdfRenderer } from './pdf.ts';
import { APP_SCHEME_PRIVILEGES, makeAppProtocolHandler } from './protocol.ts';
import { hardenApp, hardenSession } from './security.ts';
import { mainWindowOptions } from './window.ts';

export type ElectronModule = Pick<typeof Electron, 'app' | 'BrowserWindow' | 'protocol' | 'session' | 'ipcMain' | 'dialog'>;

export interface ShellPaths {
  /** dist/ of the packaged app: renderer/, shell/preload.cjs, workers/worker.mjs. */
  distDir: string;
}

export interface ShellHandle {
  core(): Core | null;
  window(): Electron.BrowserWindow | null;
}

export function startShell(electron: ElectronModule, paths: ShellPaths): ShellHandle {
  const { app, BrowserWindow, protocol, session, ipcMain, dialog } = electron;
  let core: Core | null = null;
  let win: Electron.BrowserWindow | null = null;

  if (!app.requestSingleInstanceLock()) {
    app.quit();
    return { core: () => null, window: () => null };
  }
  app.on('second-instance', () => {
    if (win) {
      if (win.isMinimized()) win.restore();
      win.focus();
    }
  });

  // Must happen before 'ready'.
  protocol.registerSchemesAsPrivileged([APP_SCHEME_PRIVILEGES]);
  hardenApp(app);

  app.on('window-all-closed', () => app.quit());
  app.on('will-quit', () => {
    void core?.close();
  });

  void app.whenReady().then(() => {
    core = createCore({
      dataDir: app.getPath('userData'),
      version: app.getVersion(),
      capabilities: {
        renderPdf: makePdfRenderer(BrowserWindow),
        // The sandbox worker runs on the app's own binary as plain Node (RunAsNode fuse on).
        nodeRuntime: { execPath: process.execPath, env: { ELECTRON_RUN_AS_NODE: '1' } },
      },
      workerEntry: { url: pathToFileURL(join(paths.distDir, 'workers', 'worker.mjs')) },
    });
    protocol.handle(APP_SCHEME, makeAppProtocolHandler(join(paths.distDir, 'renderer')));
    hardenSession(session.defaultSession);
    registerApiHandlers(ipcMain, core);
    registerPlatformHandlers(ipcMain, dialog, () => win);
    forwardEvents(core, () => win);

    win = new BrowserWindow(mainWindowOptions(join(paths.distDir, 'shell', 'preload.cjs')));
    win.once('ready-to-show', () => win?.show());
    win.on('closed', () => { win = null; });
    void win.loadURL(APP_ENTRY);
  });

  return { core: () => core, window: () => win };
}
