// What a face puts on `window.assay` for the renderer: one function per API method, an event
// subscription, and the platform capabilities whose implementation differs per face.
import type { Envelope } from './errors.ts';
import type { AppEvent } from './events.ts';
import type { MethodName } from './contract.ts';

export type BridgeApi = { readonly [M in MethodName]: (input: unknown) => Promise<Envelope<unknown>> };

export interface PickOptions {
  kind: 'files' | 'folder';
  title: string;
}

/** Platform capabilities: one interface, an implementation per face (Electron, browser). */
export interface PlatformBridge {
  readonly face: 'electron' | 'browser';
  /** Native file picker; null where the face has none (the UI then asks for typed paths). */
  pickPaths(options: PickOptions): Promise<string[] | null>;
  /**
   * Turns a dropped DOM File into a path the core can read: its real path in Electron, an
   * upload staged in the data directory by the loopback host. Rejects on failure.
   */
  pathForDroppedFile(file: unknown, onProgress?: (sent: number, total: number) => void): Promise<string>;
}

export interface AssayBridge {
  readonly api: BridgeApi;
  onEvent(listener: (event: AppEvent) => void): () => void;
  readonly platform: PlatformBridge;
}
