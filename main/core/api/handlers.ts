// The core's implementation of every API method: one table keyed by the contract's names,
// assembled from each domain's handlers. Typed as `Handlers`, so a contract method without a
// handler fails typechecking.
import { foundationHandlers } from './foundation-handlers.ts';
import type { Handlers } from './types.ts';

export const handlers: Handlers = {
  ...foundationHandlers,
};
