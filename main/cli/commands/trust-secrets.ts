// Passphrases and keys on the command line. A passphrase comes from $ASSAY_PASSPHRASE or, on a
// terminal, from a prompt that does not echo; never from an argument (it would land in the
// shell history and the process list). `--key` names a PEM file or a key held in the store.
import { existsSync, readFileSync, statSync } from 'node:fs';
import { resolve } from 'node:path';
import type { ReadStream } from 'node:tty';
import type { SigningKeyRef } from '../../../shared/api/methods/trust-schemas.ts';
import { UsageError, type CliContext } from '../types.ts';

export const PASSPHRASE_ENV = 'ASSAY_PASSPHRASE';

/** Reads a line from the terminal without echoing it. */
function promptHidden(ctx: CliContext, question: string): Promise<string> {
  const stdin = process.stdin as ReadStream;
  return new Promise((resolvePromise, reject) => {
    ctx.io.err(question);
    let typed = '';
    stdin.setRawMode(true);
    stdin.resume();
    stdin.setEncoding('utf8');
    const done = (error: Error | null) => {
      stdin.setRawMode(false);
      stdin.pause();
      stdin.off('data', onData);
      ctx.io.err('\n');
      if (error) reject(error);
      else resolvePromise(typed);
    };
    const onData = (chunk: string) => {
      for (const ch of chunk) {
        if (ch === '\r' || ch === '\n') return done(null);
        if (ch === '\u0003') return done(new UsageError('cancelled at the passphrase prompt'));
        if (ch === '\u007f' || ch === '\b') typed = typed.slice(0, -1);
        else if (ch >= ' ') typed += ch;
      }
    };
    stdin.on('data', onData);
  });
}

/** The passphrase for `what`: $ASSAY_PASSPHRASE, else a prompt on a terminal (asked twice when new). */
export async function passphrase(ctx: CliContext, what: string, options: { confirm?: boolean } = {}): Promise<string> {
  const fromEnv = process.env[PASSPHRASE_ENV];
  if (fromEnv !== undefined && fromEnv !== '') return fromEnv;
  if (!process.stdin.isTTY) throw new UsageError(`${what} needs a passphrase: set ${PASSPHRASE_ENV} or run the command in a terminal`);
  const first = await promptHidden(ctx, `Passphrase for ${what}: `);
  if (options.confirm) {
    const again = await promptHidden(ctx, 'Repeat the passphrase: ');
    if (again !== first) throw new UsageError('the two passphrases differ');
  }
  return first;
}

export function isEncryptedPem(path: string): boolean {
  const head = readFileSync(path, 'utf8').slice(0, 64 * 1024);
  return /-----BEGIN ENCRYPTED PRIVATE KEY-----/.test(head) || /Proc-Type:\s*4,\s*ENCRYPTED/.test(head);
}

/** What `--key` names: a PEM file (asked for its passphrase when encrypted) or a stored key (id, id prefix or label). */
export async function signingKeyRef(ctx: CliContext, value: string | undefined): Promise<SigningKeyRef> {
  if (!value) throw new UsageError('--key is required: a PEM private key file or the id of a key in the store (see `assay key list`)');
  if (existsSync(value) && statSync(value).isFile()) {
    const pemPath = resolve(value);
    return isEncryptedPem(pemPath) ? { pemPath, passphrase: await passphrase(ctx, `the key file ${value}`) } : { pemPath };
  }
  const keys = await ctx.core().invoke('keys.list', {}, { face: 'cli' });
  const matches = keys.filter((k) => k.id === value || k.label === value || (value.length >= 4 && (k.id.startsWith(value) || k.fingerprint.startsWith(value))));
  const exact = keys.find((k) => k.id === value);
  const key = exact ?? (matches.length === 1 ? matches[0] : undefined);
  if (!key) {
    throw new UsageError(matches.length > 1
      ? `--key ${value} matches ${matches.length} stored keys (${matches.map((k) => k.id).join(', ')}); use the id`
      : `--key ${value} is neither a file nor a key in the store (see \`assay key list\`)`);
  }
  ctx.io.err(`signing with "${key.label}" (fingerprint ${key.fingerprint})\n`);
  return { keyId: key.id, passphrase: await passphrase(ctx, `the key "${key.label}"`) };
}
