// `assay key …` (the auditor's signing keys) and `assay trust …` (the workstation's trust store).
import { existsSync } from 'node:fs';
import { resolve } from 'node:path';
import { printJson, table } from '../output.ts';
import { EXIT, UsageError, type Command } from '../types.ts';
import { isEncryptedPem, passphrase } from './trust-secrets.ts';

const fp = (f: string) => (f.match(/.{1,4}/g) ?? []).join(' ');

function label(args: { values: Record<string, unknown> }, fallback?: string): string {
  const l = (args.values.label as string | undefined)?.trim() ?? fallback;
  if (!l) throw new UsageError('give a --label (who the key belongs to, e.g. "Alice Martin, audit team")');
  return l;
}

const keyGenerate: Command = {
  path: ['key', 'generate'],
  usage: 'assay key generate --label NAME',
  summary: 'Generate your ECDSA P-256 signing key and store it sealed with a passphrase ($ASSAY_PASSPHRASE or a prompt).',
  options: { label: { type: 'string' } },
  async run(ctx, args) {
    const l = label(args);
    const secret = await passphrase(ctx, 'the new key', { confirm: true });
    const key = await ctx.core().invoke('keys.generate', { label: l, passphrase: secret }, { face: 'cli' });
    if (ctx.json) printJson(ctx, key);
    else ctx.io.out(`generated key ${key.id} "${key.label}" (${key.curve})\nfingerprint ${fp(key.fingerprint)}\n`);
    return EXIT.ok;
  },
};

const keyImport: Command = {
  path: ['key', 'import'],
  usage: 'assay key import FILE.pem --label NAME',
  summary: 'Import a PEM private key (PKCS#8 or SEC1, encrypted or not) and store it sealed; an encrypted file keeps its passphrase.',
  options: { label: { type: 'string' } },
  async run(ctx, args) {
    const file = args.positionals[0];
    if (!file) throw new UsageError('name the PEM key file');
    const l = label(args);
    if (!existsSync(file)) throw new UsageError(`${file} does not exist`);
    // An encrypted file's passphrase also seals the stored copy; a clear file gets a new one.
    const secret = isEncryptedPem(file)
      ? await passphrase(ctx, `the key file ${file} (it also seals the stored key)`)
      : await passphrase(ctx, 'the stored key', { confirm: true });
    const key = await ctx.core().invoke('keys.import', { label: l, pemPath: resolve(file), passphrase: secret }, { face: 'cli' });
    if (ctx.json) printJson(ctx, key);
    else ctx.io.out(`imported key ${key.id} "${key.label}" (${key.curve})\nfingerprint ${fp(key.fingerprint)}\n`);
    return EXIT.ok;
  },
};

const keyList: Command = {
  path: ['key', 'list'],
  usage: 'assay key list',
  summary: 'List your signing keys held in this data directory (id, label, fingerprint).',
  async run(ctx) {
    const keys = await ctx.core().invoke('keys.list', {}, { face: 'cli' });
    if (ctx.json) printJson(ctx, keys);
    else if (keys.length === 0) ctx.io.out('no signing keys yet: `assay key generate --label NAME`\n');
    else ctx.io.out(table(keys.map((k) => [k.id, k.label, k.curve, k.origin, k.createdAt, k.fingerprint]), ['ID', 'LABEL', 'CURVE', 'ORIGIN', 'CREATED', 'FINGERPRINT']));
    return EXIT.ok;
  },
};

const keyExport: Command = {
  path: ['key', 'export'],
  usage: 'assay key export KEY_ID [--out PUB.pem]',
  summary: 'Print (or write to a new file) the public key of a stored signing key, for others\' trust stores.',
  options: { out: { type: 'string' } },
  async run(ctx, args) {
    const id = args.positionals[0];
    if (!id) throw new UsageError('name the key id (see `assay key list`)');
    const out = args.values.out as string | undefined;
    const r = await ctx.core().invoke('keys.exportPublic', { keyId: id, ...(out ? { outPath: resolve(out) } : {}) }, { face: 'cli' });
    if (ctx.json) printJson(ctx, r);
    else if (r.path) ctx.io.out(`wrote the public key of "${r.key.label}" (fingerprint ${fp(r.key.fingerprint)}) to ${r.path}\n`);
    else ctx.io.out(r.pem);
    return EXIT.ok;
  },
};

const trustAdd: Command = {
  path: ['trust', 'add'],
  usage: 'assay trust add FILE.pem --label NAME',
  summary: 'Trust the public keys and certificate roots in a PEM file (a publisher, a fellow auditor); custody-logged.',
  options: { label: { type: 'string' } },
  async run(ctx, args) {
    const file = args.positionals[0];
    if (!file) throw new UsageError('name the PEM file holding the public key or certificate');
    const r = await ctx.core().invoke('trustStore.add', { label: label(args), path: resolve(file) }, { face: 'cli' });
    if (ctx.json) printJson(ctx, r);
    else {
      for (const a of r.added) ctx.io.out(`trusted ${a.kind} ${a.id} "${a.label}"${a.subject ? ` (${a.subject})` : ''}\nfingerprint ${fp(a.fingerprint)}\n`);
      for (const a of r.skipped) ctx.io.out(`already trusted: "${a.label}" (${fp(a.fingerprint)})\n`);
    }
    return EXIT.ok;
  },
};

const trustList: Command = {
  path: ['trust', 'list'],
  usage: 'assay trust list',
  summary: 'List the trust store: label, kind, fingerprint, who added it and when.',
  async run(ctx) {
    const anchors = await ctx.core().invoke('trustStore.list', {}, { face: 'cli' });
    if (ctx.json) printJson(ctx, anchors);
    else if (anchors.length === 0) ctx.io.out('the trust store is empty: `assay trust add FILE.pem --label NAME`\n');
    else ctx.io.out(table(anchors.map((a) => [a.id, a.label, a.kind, a.addedBy, a.addedAt, a.fingerprint]), ['ID', 'LABEL', 'KIND', 'ADDED BY', 'ADDED', 'FINGERPRINT']));
    return EXIT.ok;
  },
};

const trustRemove: Command = {
  path: ['trust', 'remove'],
  usage: 'assay trust remove ID',
  summary: 'Remove a key or root from the trust store; custody-logged.',
  async run(ctx, args) {
    const id = args.positionals[0];
    if (!id) throw new UsageError('name the trust-store id (see `assay trust list`)');
    const a = await ctx.core().invoke('trustStore.remove', { anchorId: id }, { face: 'cli' });
    if (ctx.json) printJson(ctx, a);
    else ctx.io.out(`removed "${a.label}" (${fp(a.fingerprint)}) from the trust store\n`);
    return EXIT.ok;
  },
};

export const KEY_COMMANDS: Command[] = [keyGenerate, keyImport, keyList, keyExport, trustAdd, trustList, trustRemove];
