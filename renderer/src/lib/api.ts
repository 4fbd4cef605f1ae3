// The renderer's only way to the core: the bridge the face put on window.assay.
import type { AssayBridge } from '../../../shared/api/bridge.ts';
import { createClient } from '../../../shared/api/client.ts';
import type { MethodName } from '../../../shared/api/contract.ts';

declare global {
  interface Window {
    readonly assay?: AssayBridge;
  }
}

function bridge(): AssayBridge {
  const b = window.assay;
  if (!b) throw new Error('The Assay bridge is missing: open the app through Electron or `assay serve`.');
  return b;
}

export const api = createClient((method: MethodName, input) => bridge().api[method](input));
export const platform = () => bridge().platform;
export const onEvent: AssayBridge['onEvent'] = (listener) => bridge().onEvent(listener);
export const hasBridge = () => window.assay !== undefined;
