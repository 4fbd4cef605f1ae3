// A typed client over any transport that returns envelopes: the renderer's (window.assay) and
// tests'. Errors come back as ApiError with the core's code.
import type { MethodInput, MethodName, MethodOutput } from './contract.ts';
import { ApiError, type Envelope } from './errors.ts';

export type Transport = (method: MethodName, input: unknown) => Promise<Envelope<unknown>>;

export interface ApiClient {
  call<M extends MethodName>(method: M, input: MethodInput<M>): Promise<MethodOutput<M>>;
}

export function createClient(transport: Transport): ApiClient {
  return {
    async call(method, input) {
      const envelope = await transport(method, input);
      if (!envelope.ok) throw new ApiError(envelope.error.code, envelope.error.message, envelope.error.details);
      return envelope.value as never;
    },
  };
}
