// The core's implementation of every API method: one table keyed by the contract's names,
// assembled from each domain's handlers. Typed as `Handlers`, so a contract method without a
// handler fails typechecking.
import { behaveHandlers } from './behave-handlers.ts';
import { datasetHandlers } from './dataset-handlers.ts';
import { foundationHandlers } from './foundation-handlers.ts';
import { scanHandlers } from './scan-handlers.ts';
import { trustHandlers } from './trust-handlers.ts';
import type { Handlers } from './types.ts';

export const handlers: Handlers = {
  ...foundationHandlers,
  ...scanHandlers,
  ...trustHandlers,
  ...behaveHandlers,
  ...datasetHandlers,
};
