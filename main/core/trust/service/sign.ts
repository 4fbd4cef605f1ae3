// Signs a model folder or file in OpenSSF Model Signing key mode with the auditor's key, so an
// internal zoo can sign what it admits. The signature is written beside (or into) the model; the
// act is an event on the workstation custody chain.
import { rename, unlink, writeFile } from 'node:fs/promises';
import { resolve } from 'node:path';
import { ApiError } from '../../../../shared/api/errors.ts';
import type { SigningKeyRef } from '../../../../shared/api/methods/trust-schemas.ts';
import type { CoreContext } from '../../context.ts';
import { recordCustody } from '../../custody/log.ts';
import type { Job } from '../../jobs/registry.ts';
import { omsKeyHint } from '../keys.ts';
import { signModel } from '../oms/sign.ts';
import { apiErrors } from './errors.ts';
import { resolveSigner } from './keys.ts';

export interface SignInput {
  modelPath: string;
  key: SigningKeyRef;
  outPath: string;
  method: 'files' | 'shards';
  shardSize?: number | undefined;
  ignorePaths: string[];
}

export interface SignResult {
  path: string;
  rootDigest: string;
  files: number;
  method: 'files' | 'shards';
  signer: { fingerprint: string; hint: string; description: string };
}

export function signModelFile(ctx: CoreContext, input: SignInput, job?: Job): Promise<SignResult> {
  return apiErrors(async () => {
    const modelPath = resolve(input.modelPath);
    const out = resolve(input.outPath);
    const { signer, description } = await resolveSigner(ctx, input.key);
    const signed = await signModel(modelPath, signer, {
      method: input.method, ignorePaths: input.ignorePaths, signaturePath: out,
      ...(input.shardSize !== undefined ? { shardSize: input.shardSize } : {}),
      signal: job?.signal,
      onProgress: job ? (p) => job.update({ bytesDone: p.bytesDone, bytesTotal: p.bytesTotal, itemsDone: p.filesDone, itemsTotal: p.filesTotal, currentItem: p.currentFile }) : undefined,
    });
    const partial = `${out}.${process.pid}.partial`;
    try {
      await writeFile(partial, signed.json, { flag: 'wx' });
      await rename(partial, out);
    } catch (e) {
      await unlink(partial).catch(() => undefined);
      throw new ApiError('io_error', `${out} could not be written (${(e as Error).message})`);
    }
    const result: SignResult = {
      path: out, rootDigest: signed.rootDigest, files: new Set(signed.resources.map((r) => r.name.replace(/:\d+:\d+$/, ''))).size, method: input.method,
      signer: { fingerprint: signer.fingerprint, hint: omsKeyHint(signer.publicKey), description },
    };
    ctx.db.transaction(() => {
      recordCustody(ctx, {
        caseId: null, action: 'model.signed', subject: modelPath,
        details: { signature: out, rootDigest: result.rootDigest, method: input.method, files: result.files, signer: signer.fingerprint, key: description },
      });
    }).immediate();
    return result;
  });
}
