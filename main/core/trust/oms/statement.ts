// The in-toto statement of an OpenSSF Model Signing signature: v1.0 (one subject, the root digest,
// resources and serialization in the predicate) and the v0.2 library's `Digests/v0.1` form (one
// subject per file, no root digest), which is accepted for compatibility and reported as such.
import { sha256Hex } from '../encoding.ts';

export const IN_TOTO_STATEMENT_V1 = 'https://in-toto.io/Statement/v1';
export const OMS_PREDICATE_V1 = 'https://model_signing/signature/v1.0';
export const OMS_PREDICATE_V01 = 'https://model_signing/Digests/v0.1';

export const MAX_RESOURCES = 2_000_000;

/** Hash algorithms of resources, with node:crypto's name and the digest length in bytes. */
export const HASH_ALGORITHMS = {
  sha256: { node: 'sha256', bytes: 32 },
  blake2b: { node: 'blake2b512', bytes: 64 },
} as const;
export type HashAlgorithm = keyof typeof HASH_ALGORITHMS;

export interface OmsResource {
  name: string;
  /** As written in the statement, e.g. `sha256` or `sha256-sharded-1000000000`. */
  algorithm: string;
  digest: string;
}

export interface OmsSerialization {
  method: 'files' | 'shards';
  hashType: HashAlgorithm;
  allowSymlinks: boolean;
  shardSize: number | null;
  ignorePaths: string[];
}

export interface OmsStatement {
  predicateType: string;
  /** True for the v0.2 `Digests/v0.1` predicate. */
  compat: boolean;
  subjectName: string;
  /** The subject's digest (null in the compat form, which has none). */
  rootDigest: string | null;
  resources: OmsResource[];
  serialization: OmsSerialization;
}

export class StatementError extends Error {
  constructor(readonly ruleId: 'trust.signature-malformed' | 'trust.root-digest-mismatch' | 'trust.unsupported-hash', message: string) {
    super(message);
    this.name = 'StatementError';
  }
}

const malformed = (m: string) => new StatementError('trust.signature-malformed', m);

/** `sha256`, `blake2b` or `sha256-sharded-N` → the base algorithm; throws for others. */
export function baseHashAlgorithm(name: string): HashAlgorithm {
  const base = name.toLowerCase().replace(/-sharded-\d+(\.0+)?$/, '');
  if (base === 'sha256') return 'sha256';
  if (base === 'blake2b' || base === 'blake2') return 'blake2b';
  throw new StatementError('trust.unsupported-hash', `the signature uses the ${name} hash, which Assay does not compute`);
}

function isObj(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function bool(v: unknown, what: string): boolean {
  if (typeof v === 'boolean') return v;
  if (v === 'true' || v === 'True') return true;
  if (v === 'false' || v === 'False') return false;
  throw malformed(`${what} is not a boolean`);
}

function checkDigest(hex: unknown, alg: HashAlgorithm, what: string): string {
  if (typeof hex !== 'string') throw malformed(`${what} has no digest`);
  const d = hex.toLowerCase();
  if (d.length !== HASH_ALGORITHMS[alg].bytes * 2 || !/^[0-9a-f]+$/.test(d)) throw malformed(`${what} has a malformed ${alg} digest`);
  return d;
}

function parseSerialization(raw: unknown): OmsSerialization {
  if (!isObj(raw)) throw malformed('the predicate has no serialization');
  const method = raw.method;
  if (method !== 'files' && method !== 'shards') throw malformed(`unknown serialization method ${JSON.stringify(method)}`);
  if (typeof raw.hash_type !== 'string') throw malformed('the serialization has no hash_type');
  const hashType = baseHashAlgorithm(raw.hash_type);
  const allowSymlinks = raw.allow_symlinks === undefined ? false : bool(raw.allow_symlinks, 'allow_symlinks');
  let shardSize: number | null = null;
  if (method === 'shards') {
    // The reference library writes shard_size through a protobuf Struct, i.e. as a float.
    const s = raw.shard_size;
    if (typeof s !== 'number' || !Number.isSafeInteger(s) || s <= 0) throw malformed('shard_size is not a positive integer');
    shardSize = s;
  }
  let ignorePaths: string[] = [];
  if (raw.ignore_paths !== undefined) {
    if (!Array.isArray(raw.ignore_paths) || raw.ignore_paths.some((p) => typeof p !== 'string') || raw.ignore_paths.length > 10_000) {
      throw malformed('ignore_paths is not a list of paths');
    }
    ignorePaths = raw.ignore_paths as string[];
  }
  return { method, hashType, allowSymlinks, shardSize, ignorePaths };
}

function parseV1(st: Record<string, unknown>): OmsStatement {
  const subjects = st.subject;
  if (!Array.isArray(subjects) || subjects.length !== 1) throw malformed(`expected exactly one subject, found ${Array.isArray(subjects) ? subjects.length : 'none'}`);
  const subject = subjects[0];
  if (!isObj(subject) || typeof subject.name !== 'string' || !isObj(subject.digest)) throw malformed('the subject has no name or digest');
  const rootDigest = checkDigest(subject.digest.sha256, 'sha256', 'the subject');
  const predicate = st.predicate;
  if (!isObj(predicate)) throw malformed('the statement has no predicate');
  const serialization = parseSerialization(predicate.serialization);
  const list = predicate.resources;
  if (!Array.isArray(list)) throw malformed('the predicate has no resources');
  if (list.length > MAX_RESOURCES) throw malformed(`the predicate lists ${list.length} resources; at most ${MAX_RESOURCES} are accepted`);
  const seen = new Set<string>();
  const root = Buffer.allocUnsafe(list.length * 64);
  let rootLen = 0;
  const resources = list.map((r, i): OmsResource => {
    if (!isObj(r) || typeof r.name !== 'string' || r.name === '' || typeof r.algorithm !== 'string') throw malformed(`resource ${i} has no name or algorithm`);
    const alg = baseHashAlgorithm(r.algorithm);
    if (alg !== serialization.hashType) throw malformed(`resource ${r.name} uses ${r.algorithm}, the serialization says ${serialization.hashType}`);
    const digest = checkDigest(r.digest, alg, `resource ${r.name}`);
    if (seen.has(r.name)) throw malformed(`resource ${r.name} is listed twice`);
    seen.add(r.name);
    rootLen += root.write(digest, rootLen, 'hex');
    return { name: r.name, algorithm: r.algorithm, digest };
  });
  // Root digest: SHA-256 over the raw resource digests in the order listed.
  const computed = sha256Hex(root.subarray(0, rootLen));
  if (computed !== rootDigest) {
    throw new StatementError('trust.root-digest-mismatch', `the resources hash to ${computed}, but the subject digest is ${rootDigest}`);
  }
  return { predicateType: OMS_PREDICATE_V1, compat: false, subjectName: subject.name, rootDigest, resources, serialization };
}

function parseCompat(st: Record<string, unknown>): OmsStatement {
  const subjects = st.subject;
  if (!Array.isArray(subjects) || subjects.length === 0) throw malformed('the v0.1 statement has no subjects');
  if (subjects.length > MAX_RESOURCES) throw malformed('too many subjects');
  const seen = new Set<string>();
  const resources = subjects.map((s, i): OmsResource => {
    if (!isObj(s) || typeof s.name !== 'string' || s.name === '' || !isObj(s.digest)) throw malformed(`subject ${i} has no name or digest`);
    if (seen.has(s.name)) throw malformed(`subject ${s.name} is listed twice`);
    seen.add(s.name);
    return { name: s.name, algorithm: 'sha256', digest: checkDigest(s.digest.sha256, 'sha256', `subject ${s.name}`) };
  });
  return {
    predicateType: OMS_PREDICATE_V01, compat: true, subjectName: '', rootDigest: null, resources,
    serialization: { method: 'files', hashType: 'sha256', allowSymlinks: false, shardSize: null, ignorePaths: [] },
  };
}

/** Parses the verified payload bytes of a model signature. */
export function parseOmsStatement(payload: Uint8Array): OmsStatement {
  let st: unknown;
  try {
    st = JSON.parse(Buffer.from(payload.buffer, payload.byteOffset, payload.byteLength).toString('utf8'));
  } catch {
    throw malformed('the signed payload is not JSON');
  }
  if (!isObj(st)) throw malformed('the signed payload is not a JSON object');
  if (st._type !== IN_TOTO_STATEMENT_V1) throw malformed(`statement type is ${JSON.stringify(st._type ?? null)}, expected ${IN_TOTO_STATEMENT_V1}`);
  if (st.predicateType === OMS_PREDICATE_V1) return parseV1(st);
  if (st.predicateType === OMS_PREDICATE_V01) return parseCompat(st);
  throw malformed(`predicate type ${JSON.stringify(st.predicateType ?? null)} is not a model-signing predicate`);
}
