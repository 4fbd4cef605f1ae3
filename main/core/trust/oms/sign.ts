// Signs a model in OpenSSF Model Signing key mode: hashes it (`files` or `shards`), writes the
// v1.0 statement the way the reference library does (resources sorted by path components, root
// digest over the raw digests in that order, 2-space JSON), wraps it in DSSE and a Sigstore
// bundle whose verification material is the key hint.
import { basename, isAbsolute, relative, resolve, sep } from 'node:path';
import { IN_TOTO_PAYLOAD_TYPE, signEnvelope } from '../dsse.ts';
import { sha256Hex } from '../encoding.ts';
import { omsKeyHint, type Signer } from '../keys.ts';
import { keyModeBundle } from '../sigstore-bundle.ts';
import { hashRanges, shardName, shardRanges, type Range } from './hash-ranges.ts';
import { compareCodePoints, comparePaths, DEFAULT_GIT_IGNORES, normaliseIgnorePath, walkModel } from './model-walk.ts';
import type { ProgressCallback } from './progress.ts';
import { IN_TOTO_STATEMENT_V1, OMS_PREDICATE_V1 } from './statement.ts';

/** The reference library's default shard size. */
export const DEFAULT_SHARD_SIZE = 1_000_000_000;

export interface OmsSignOptions {
  method?: 'files' | 'shards';
  shardSize?: number;
  /** Paths relative to the model root to leave out (recorded in the signature). */
  ignorePaths?: readonly string[];
  /** Leave out .git, .gitattributes, .github, .gitignore (default true). */
  ignoreGitPaths?: boolean;
  /** Where the signature will be written; excluded and recorded when inside the model. */
  signaturePath?: string;
  signal?: AbortSignal;
  onProgress?: ProgressCallback;
}

export interface OmsResourceOut {
  name: string;
  algorithm: string;
  digest: string;
}

export interface OmsSignResult {
  /** The Sigstore bundle as a JSON value. */
  bundle: Record<string, unknown>;
  /** The bundle as written to `model.sig`. */
  json: string;
  /** The exact signed statement bytes. */
  statement: Uint8Array;
  rootDigest: string;
  resources: OmsResourceOut[];
}

export class SignError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'SignError';
  }
}

interface Item {
  path: string;
  range: Range | null;
  digest: string;
}

function compareItems(a: Item, b: Item): number {
  return comparePaths(a.path, b.path) || (a.range && b.range ? a.range.start - b.range.start || a.range.end - b.range.end : 0);
}

export async function signModel(modelPath: string, signer: Signer, options: OmsSignOptions = {}): Promise<OmsSignResult> {
  const method = options.method ?? 'files';
  const shardSize = options.shardSize ?? DEFAULT_SHARD_SIZE;
  if (method === 'shards' && (!Number.isSafeInteger(shardSize) || shardSize <= 0)) throw new SignError('the shard size must be a positive integer');
  const userIgnores: string[] = [];
  for (const p of options.ignorePaths ?? []) {
    const n = normaliseIgnorePath(p);
    if (n === null) throw new SignError(`ignore path ${JSON.stringify(p)} is not inside the model`);
    userIgnores.push(n);
  }
  // The signature file usually does not exist yet: place it lexically, like the reference does.
  if (options.signaturePath) {
    const rel = relative(resolve(modelPath), resolve(options.signaturePath));
    if (rel !== '' && !rel.startsWith('..') && !isAbsolute(rel)) userIgnores.push(rel.split(sep).join('/'));
  }
  const ignoreGit = options.ignoreGitPaths ?? true;
  const tree = await walkModel(modelPath, { ignorePaths: userIgnores, ignoreGitPaths: ignoreGit, signal: options.signal });
  for (const e of tree.entries) {
    if (e.kind === 'symlink') throw new SignError(`${e.relPath} is a symbolic link; replace it by the file before signing`);
    if (e.kind === 'special') throw new SignError(`${e.relPath} is not a regular file`);
  }
  if (tree.entries.length === 0) throw new SignError('the model contains no regular files after the exclusions');

  const bytesTotal = tree.entries.reduce((n, e) => n + e.size, 0);
  let bytesBefore = 0;
  const items: Item[] = [];
  for (const [i, e] of tree.entries.entries()) {
    const ranges: Range[] = method === 'files' ? [{ start: 0, end: e.size }] : shardRanges(e.size, shardSize);
    const digests = await hashRanges(e.absPath, ranges, 'sha256', {
      signal: options.signal,
      onBytes: (n) => options.onProgress?.({ bytesDone: bytesBefore + n, bytesTotal, filesDone: i, filesTotal: tree.entries.length, currentFile: e.relPath }),
    });
    ranges.forEach((r, k) => items.push({ path: e.relPath, range: method === 'files' ? null : r, digest: digests[k]! }));
    bytesBefore += e.size;
  }
  options.onProgress?.({ bytesDone: bytesTotal, bytesTotal, filesDone: tree.entries.length, filesTotal: tree.entries.length, currentFile: null });
  items.sort(compareItems);

  const algorithm = method === 'files' ? 'sha256' : `sha256-sharded-${shardSize}`;
  const resources = items.map((it) => ({
    name: it.range ? shardName(it.path, it.range) : it.path,
    algorithm,
    digest: it.digest,
  }));
  const rootDigest = sha256Hex(Buffer.from(items.map((it) => it.digest).join(''), 'hex'));

  const ignored = new Set<string>(userIgnores);
  if (ignoreGit) for (const g of DEFAULT_GIT_IGNORES) ignored.add(g);
  const serialization: Record<string, unknown> = method === 'files'
    ? { method, hash_type: 'sha256', allow_symlinks: false, ignore_paths: [...ignored].sort(compareCodePoints) }
    : { method, hash_type: 'sha256', shard_size: shardSize, allow_symlinks: false, ignore_paths: [...ignored].sort(compareCodePoints) };
  const statementJson = {
    _type: IN_TOTO_STATEMENT_V1,
    subject: [{ name: basename(modelPath.replace(/[/\\]+$/, '')), digest: { sha256: rootDigest } }],
    predicateType: OMS_PREDICATE_V1,
    predicate: { serialization, resources },
  };
  const statement = Buffer.from(JSON.stringify(statementJson, null, 2), 'utf8');
  const envelope = signEnvelope(statement, IN_TOTO_PAYLOAD_TYPE, signer);
  const bundle = keyModeBundle(envelope, omsKeyHint(signer.publicKey));
  return { bundle, json: JSON.stringify(bundle), statement, rootDigest, resources };
}
