// Where the intake policy comes from: `<dataDir>/intake-policy.json` when the organisation put one
// there, else the shipped default (assets/policy/intake-policy.json, embedded). Its SHA-256 is
// over the file's exact bytes, so `sha256sum intake-policy.json` gives the digest a bundle records.
import { readFile } from 'node:fs/promises';
import { basename, join } from 'node:path';
import { sha256Hex } from '../encoding.ts';
import { DEFAULT_POLICY_SOURCE, DEFAULT_POLICY_TEXT } from './default-policy.ts';
import { IntakePolicySchema, type PolicyInForce } from './schema.ts';
import { appRoot } from '../../util/app-root.ts';

export const POLICY_FILE_NAME = 'intake-policy.json';
/** A policy file is a few kilobytes; anything this large is not one. */
const MAX_POLICY_BYTES = 1024 * 1024;

export class PolicyError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'PolicyError';
  }
}

/** Parses policy JSON text; PolicyError names the first invalid field. */
export function parsePolicy(text: string, source = 'policy'): PolicyInForce {
  if (text.length > MAX_POLICY_BYTES) throw new PolicyError(`${source} is too large to be an intake policy`);
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (e) {
    throw new PolicyError(`${source} is not valid JSON (${(e as Error).message})`);
  }
  const r = IntakePolicySchema.safeParse(json);
  if (!r.success) {
    const i = r.error.issues[0];
    throw new PolicyError(`${source}: ${i ? `${i.path.join('.') || '(root)'}: ${i.message}` : 'invalid policy'}`);
  }
  return { policy: r.data, sha256: sha256Hex(text), source };
}

/** The shipped default policy file in the source tree (the embedded copy is identical). */
export function defaultPolicyPath(): string {
  return join(appRoot(), 'assets', 'policy', 'intake-policy.json');
}

export function defaultPolicy(): PolicyInForce {
  return parsePolicy(DEFAULT_POLICY_TEXT, DEFAULT_POLICY_SOURCE);
}

export async function loadPolicyFile(path: string = defaultPolicyPath()): Promise<PolicyInForce> {
  return parsePolicy(await readFile(path, 'utf8'), basename(path));
}

/** The policy in force for a data directory: its own file if present, else the shipped default. */
export async function policyForDataDir(dataDir: string): Promise<PolicyInForce & { path: string | null }> {
  const path = join(dataDir, POLICY_FILE_NAME);
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return { ...defaultPolicy(), path: null };
    throw new PolicyError(`the organisation's policy ${path} cannot be read (${(e as Error).message})`);
  }
  return { ...parsePolicy(text, path), path };
}
