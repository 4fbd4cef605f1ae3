// The sandboxed preload (bundled to CommonJS): exposes exactly one function per contract
// method, the event subscription, and the platform capabilities — nothing of Node or Electron.
import { contextBridge, ipcRenderer, webUtils } from 'electron';
import type { AssayBridge, BridgeApi, PickOptions } from '../../shared/api/bridge.ts';
import { METHOD_NAMES } from '../../shared/api/contract.ts';
import type { Envelope } from '../../shared/api/errors.ts';
import type { AppEvent } from '../../shared/api/events.ts';
import { apiChannel, EVENT_CHANNEL, PICK_PATHS_CHANNEL } from './channels.ts';

const api = Object.fromEntries(
  METHOD_NAMES.map((m) => [m, (input: unknown) => ipcRenderer.invoke(apiChannel(m), input) as Promise<Envelope<unknown>>]),
) as BridgeApi;

const bridge: AssayBridge = {
  api,
  onEvent(listener) {
    const handler = (_e: unknown, event: AppEvent) => listener(event);
    ipcRenderer.on(EVENT_CHANNEL, handler);
    return () => { ipcRenderer.removeListener(EVENT_CHANNEL, handler); };
  },
  platform: {
    face: 'electron',
    pickPaths: (options: PickOptions) => ipcRenderer.invoke(PICK_PATHS_CHANNEL, options) as Promise<string[]>,
    pathForDroppedFile: async (file) => webUtils.getPathForFile(file as File),
  },
};

contextBridge.exposeInMainWorld('assay', bridge);
