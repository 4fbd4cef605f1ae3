// One IPC handler per contract method, plus the platform capabilities. Every handler checks
// that the call comes from the app's own top-level frame before it touches the core; the core
// validates the arguments against the contract.
import type { BrowserWindow, Dialog, IpcMain, IpcMainInvokeEvent } from 'electron';
import { METHOD_NAMES } from '../../shared/api/contract.ts';
import type { Envelope } from '../../shared/api/errors.ts';
import type { PickOptions } from '../../shared/api/bridge.ts';
import type { Core } from '../core/create-core.ts';
import { apiChannel, APP_ORIGIN, EVENT_CHANNEL, PICK_PATHS_CHANNEL } from './channels.ts';

export function isTrustedSender(event: Pick<IpcMainInvokeEvent, 'senderFrame'>): boolean {
  const frame = event.senderFrame;
  if (!frame || frame.parent !== null) return false;
  try {
    return new URL(frame.url).origin === APP_ORIGIN || frame.url.startsWith(`${APP_ORIGIN}/`);
  } catch {
    return false;
  }
}

const REFUSED: Envelope<never> = { ok: false, error: { code: 'invalid_input', message: 'IPC call from an untrusted frame refused' } };

export function registerApiHandlers(ipcMain: IpcMain, core: Core): string[] {
  const channels: string[] = [];
  for (const method of METHOD_NAMES) {
    const channel = apiChannel(method);
    ipcMain.handle(channel, async (event, input: unknown) => {
      if (!isTrustedSender(event)) return REFUSED;
      return core.callEnvelope(method, input, { face: 'electron' });
    });
    channels.push(channel);
  }
  return channels;
}

export function registerPlatformHandlers(ipcMain: IpcMain, dialog: Pick<Dialog, 'showOpenDialog'>, window: () => BrowserWindow | null): void {
  ipcMain.handle(PICK_PATHS_CHANNEL, async (event, options: PickOptions) => {
    if (!isTrustedSender(event)) return null;
    const win = window();
    const kind = options?.kind === 'folder' ? 'folder' : 'files';
    const dialogOptions = {
      title: typeof options?.title === 'string' ? options.title.slice(0, 200) : 'Choose',
      properties: kind === 'folder' ? (['openDirectory'] as const) : (['openFile', 'multiSelections'] as const),
    };
    const result = win ? await dialog.showOpenDialog(win, { ...dialogOptions, properties: [...dialogOptions.properties] }) : await dialog.showOpenDialog({ ...dialogOptions, properties: [...dialogOptions.properties] });
    return result.canceled ? [] : result.filePaths;
  });
}

export function forwardEvents(core: Core, window: () => BrowserWindow | null): () => void {
  return core.events.on((event) => {
    const win = window();
    if (win && !win.isDestroyed()) win.webContents.send(EVENT_CHANNEL, event);
  });
}
