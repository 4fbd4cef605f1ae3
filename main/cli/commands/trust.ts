// `assay verify` (model signatures, SHA256SUMS lists, pasted digests) and `assay sign`, plus the
// table of every trust-layer command (keys, trust store, bundles, decision).
import { resolve } from 'node:path';
import type { SignatureTrust, VerificationRecord } from '../../../shared/api/methods/trust-schemas.ts';
import { printJson, table, withProgress } from '../output.ts';
import { resolveCase } from '../resolve.ts';
import { EXIT, UsageError, type CliContext, type Command } from '../types.ts';
import { BUNDLE_COMMANDS } from './trust-bundle.ts';
import { DECIDE_COMMANDS } from './trust-decide.ts';
import { KEY_COMMANDS } from './trust-keys.ts';
import { signingKeyRef } from './trust-secrets.ts';

/** Files listed when a verification is printed for people (all of them with --json). */
const FILES_SHOWN = 200;

export function printVerification(ctx: CliContext, v: VerificationRecord): void {
  const out: string[] = [];
  out.push(`${v.ok ? 'VERIFIED' : 'NOT VERIFIED'}: ${v.subject}`);
  out.push(v.summary);
  if (v.signer) out.push(`signer: ${v.signer.description}${v.signer.trustedLabel ? ` — trusted as "${v.signer.trustedLabel}"` : ''}\n  fingerprint ${v.signer.fingerprint}`);
  for (const p of v.problems.slice(0, 20)) out.push(`problem (${p.ruleId}): ${p.message}`);
  for (const w of v.warnings) out.push(`warning (${w.ruleId}): ${w.message}`);
  for (const n of v.notes.slice(0, 10)) out.push(`note: ${n}`);
  ctx.io.out(`${out.join('\n')}\n`);
  if (v.files.length > 0) {
    const rows = v.files.slice(0, FILES_SHOWN).map((f) => [f.status, f.path, f.detail ?? '']);
    ctx.io.out(table(rows, ['STATUS', 'FILE', 'DETAIL']));
    if (v.files.length > FILES_SHOWN || v.filesTruncated) ctx.io.out(`… ${v.files.length - Math.min(FILES_SHOWN, v.files.length)} more file(s); use --json for the full list\n`);
  }
  ctx.io.out(`${Object.entries(v.counts).filter(([, n]) => n > 0).map(([s, n]) => `${n} ${s}`).join(', ') || 'no files'}\n`);
}

function signatureTrust(values: Record<string, unknown>): SignatureTrust {
  const key = values.key as string | undefined;
  const root = values['cert-root'] as string | undefined;
  const store = values['trust-store'] === true;
  const given = [key, root, store ? 'store' : undefined].filter((v) => v !== undefined);
  if (given.length !== 1) throw new UsageError('give exactly one of --key PUB.pem, --cert-root ROOT.pem or --trust-store');
  if (key) return { kind: 'key-file', path: resolve(key) };
  if (root) return { kind: 'cert-root-file', path: resolve(root) };
  return { kind: 'store' };
}

const verify: Command = {
  path: ['verify'],
  usage: 'assay verify MODEL_PATH (--sig model.sig (--key PUB.pem | --cert-root ROOT.pem | --trust-store) | --sums SHA256SUMS | --digest DIGEST) [--case CASE]',
  summary: 'Verify a model folder or file: an OpenSSF Model Signing signature, a SHA256SUMS list, or a pasted digest. With --case the result is recorded in the case (evidence on P11/P08). Exit 0 only when everything verifies.',
  options: {
    sig: { type: 'string' }, key: { type: 'string' }, 'cert-root': { type: 'string' }, 'trust-store': { type: 'boolean' },
    sums: { type: 'string' }, digest: { type: 'string' }, case: { type: 'string' },
  },
  async run(ctx, args) {
    const model = args.positionals[0];
    if (!model) throw new UsageError('name the model folder or file to verify');
    const modelPath = resolve(model);
    const v = args.values;
    const modes = [v.sig !== undefined, v.sums !== undefined, v.digest !== undefined].filter(Boolean).length;
    if (modes !== 1) throw new UsageError('give exactly one of --sig, --sums or --digest');
    const caseId = typeof v.case === 'string' ? (await resolveCase(ctx, v.case)).id : null;
    const core = ctx.core();
    const call = { face: 'cli' } as const;
    const record = await withProgress(ctx, async (): Promise<VerificationRecord> => {
      if (typeof v.sig === 'string') {
        const trust = signatureTrust(v);
        const signaturePath = resolve(v.sig);
        return caseId
          ? core.invoke('verify.model', { caseId, target: { path: modelPath }, signature: { path: signaturePath }, trust }, call)
          : core.invoke('verify.modelPath', { modelPath, signaturePath, trust }, call);
      }
      if (typeof v.sums === 'string') {
        const sumsPath = resolve(v.sums);
        return caseId
          ? core.invoke('verify.sums', { caseId, target: { path: modelPath }, sumsPath }, call)
          : core.invoke('verify.sumsPath', { modelPath, sumsPath }, call);
      }
      const digest = v.digest as string;
      return caseId
        ? core.invoke('verify.digest', { caseId, target: { path: modelPath }, digest }, call)
        : core.invoke('verify.digestPath', { path: modelPath, digest }, call);
    });
    if (ctx.json) printJson(ctx, record);
    else {
      printVerification(ctx, record);
      if (caseId) ctx.io.out(`recorded in case ${caseId} as ${record.id}\n`);
    }
    return record.ok ? EXIT.ok : EXIT.checkFailed;
  },
};

const sign: Command = {
  path: ['sign'],
  usage: 'assay sign MODEL_PATH --key KEY --out model.sig [--method files|shards] [--shard-size BYTES] [--ignore PATH]...',
  summary: 'Sign a model folder or file as an OpenSSF Model Signing bundle (key mode). KEY is a PEM private key file or a stored key id.',
  options: {
    key: { type: 'string' }, out: { type: 'string' }, method: { type: 'string' }, 'shard-size': { type: 'string' },
    ignore: { type: 'string', multiple: true },
  },
  async run(ctx, args) {
    const model = args.positionals[0];
    if (!model) throw new UsageError('name the model folder or file to sign');
    const out = args.values.out as string | undefined;
    if (!out) throw new UsageError('--out names the signature file to write (e.g. model.sig)');
    const method = (args.values.method as string | undefined) ?? 'files';
    if (method !== 'files' && method !== 'shards') throw new UsageError('--method is files or shards');
    const shardText = args.values['shard-size'] as string | undefined;
    const shardSize = shardText === undefined ? undefined : Number(shardText);
    if (shardSize !== undefined && (!Number.isSafeInteger(shardSize) || shardSize <= 0)) throw new UsageError('--shard-size is a positive number of bytes');
    const key = await signingKeyRef(ctx, args.values.key as string | undefined);
    const r = await withProgress(ctx, () => ctx.core().invoke('sign.model', {
      modelPath: resolve(model), key, outPath: resolve(out), method, ignorePaths: (args.values.ignore as string[] | undefined) ?? [],
      ...(shardSize !== undefined ? { shardSize } : {}),
    }, { face: 'cli' }));
    if (ctx.json) printJson(ctx, r);
    else ctx.io.out(`signed ${r.files} file(s) (${r.method}), root digest ${r.rootDigest}\nsigner ${r.signer.description}, fingerprint ${r.signer.fingerprint}\nwrote ${r.path}\n`);
    return EXIT.ok;
  },
};

export const TRUST_COMMANDS: readonly Command[] = [verify, sign, ...KEY_COMMANDS, ...BUNDLE_COMMANDS, ...DECIDE_COMMANDS];
