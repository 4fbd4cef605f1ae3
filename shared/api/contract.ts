// The one API contract. Every face (Electron preload and IPC, loopback host, CLI) is built from
// this table; a method added here and not implemented in the core fails typechecking
// (main/core/api/handlers.ts), and the faces' tests iterate over it.
import type { z } from 'zod';
import type { MethodDef } from './define.ts';
import { appMethods } from './methods/app.ts';
import { behaveMethods } from './methods/behave.ts';
import { artifactMethods } from './methods/artifacts.ts';
import { caseMethods } from './methods/cases.ts';
import { checklistMethods } from './methods/checklist.ts';
import { custodyMethods } from './methods/custody.ts';
import { datasetMethods } from './methods/dataset.ts';
import { trustMethods } from './methods/trust.ts';
import { scanMethods } from './methods/scan.ts';

export const contract = {
  ...appMethods,
  ...caseMethods,
  ...artifactMethods,
  ...checklistMethods,
  ...custodyMethods,
  ...trustMethods,
  ...scanMethods,
  ...behaveMethods,
  ...datasetMethods,
} as const satisfies Record<string, MethodDef>;

export type Contract = typeof contract;
export type MethodName = keyof Contract & string;
/** What a caller may send (defaults not yet applied). */
export type MethodInput<M extends MethodName> = z.input<Contract[M]['input']>;
/** What a handler receives (validated, defaults applied). */
export type ParsedInput<M extends MethodName> = z.output<Contract[M]['input']>;
export type MethodOutput<M extends MethodName> = z.output<Contract[M]['output']>;

export const METHOD_NAMES = Object.keys(contract) as MethodName[];

export function isMethodName(name: string): name is MethodName {
  return Object.hasOwn(contract, name);
}
