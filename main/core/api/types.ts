import type { z } from 'zod';
import type { Contract, MethodName, ParsedInput } from '../../../shared/api/contract.ts';
import type { CoreContext } from '../context.ts';

/** Per call: which face called (for logs) and the job id a long method reports progress under. */
export interface CallContext {
  face: 'electron' | 'host' | 'cli' | 'test';
}

export type Handler<M extends MethodName> = (ctx: CoreContext, input: ParsedInput<M>, call: CallContext) => Promise<z.input<Contract[M]['output']>> | z.input<Contract[M]['output']>;

/** One handler per contract method: a method missing here fails typechecking. */
export type Handlers = { [M in MethodName]: Handler<M> };

/** The handlers of one domain's methods (the keys of its `defineMethods` table). */
export type HandlersFor<T> = { [M in keyof T & MethodName]: Handler<M> };
