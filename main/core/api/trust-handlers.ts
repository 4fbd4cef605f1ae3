// Handlers of the trust layer's methods: keys, trust store, verification, signing, decision,
// bundles. The behaviour lives in main/core/trust/service; this table only routes.
import { mkdir, writeFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { ApiError } from '../../../shared/api/errors.ts';
import type { trustMethods } from '../../../shared/api/methods/trust.ts';
import { requireCase } from '../cases/service.ts';
import { countersignBundleFile, exportCaseBundle, verifyBundleFile } from '../trust/service/bundles.ts';
import { decisionState, recordDecision, removeWaiver, setWaiver } from '../trust/service/decision.ts';
import { exportPublicKey, generateKey, importKey, listKeys } from '../trust/service/keys.ts';
import { signModelFile } from '../trust/service/sign.ts';
import { addAnchors, listTrustAnchors, removeAnchor } from '../trust/service/trust-store.ts';
import {
  checkDigestAtPath, checkDigestInCase, checkSumsAtPath, checkSumsInCase, listCaseVerifications, verifyModelAtPath, verifyModelInCase,
} from '../trust/service/verify.ts';
import type { HandlersFor } from './types.ts';

export const trustHandlers: HandlersFor<typeof trustMethods> = {
  'keys.list': (ctx) => listKeys(ctx),
  'keys.generate': (ctx, input) => generateKey(ctx, input),
  'keys.import': (ctx, input) => importKey(ctx, input),
  'keys.exportPublic': async (ctx, input) => {
    const { key, pem } = exportPublicKey(ctx, input.keyId);
    if (!input.outPath) return { key, pem, path: null };
    const path = resolve(input.outPath);
    try {
      await writeFile(path, pem, { flag: 'wx' });
    } catch (e) {
      throw new ApiError((e as NodeJS.ErrnoException).code === 'EEXIST' ? 'conflict' : 'io_error', `${path} could not be written (${(e as NodeJS.ErrnoException).code ?? (e as Error).message})`);
    }
    return { key, pem, path };
  },

  'trustStore.list': (ctx) => listTrustAnchors(ctx),
  'trustStore.add': (ctx, input) => addAnchors(ctx, input),
  'trustStore.remove': (ctx, input) => removeAnchor(ctx, input.anchorId),

  'verify.model': (ctx, input) => ctx.jobs.run('Verifying a model signature', input.jobId, (job) => verifyModelInCase(ctx, input, job)),
  'verify.modelPath': (ctx, input) => ctx.jobs.run('Verifying a model signature', input.jobId, (job) => verifyModelAtPath(ctx, input, job)),
  'verify.sums': (ctx, input) => ctx.jobs.run('Checking a SHA256SUMS list', input.jobId, (job) => checkSumsInCase(ctx, input, job)),
  'verify.sumsPath': (ctx, input) => ctx.jobs.run('Checking a SHA256SUMS list', input.jobId, (job) => checkSumsAtPath(ctx, input, job)),
  'verify.digest': (ctx, input) => checkDigestInCase(ctx, input),
  'verify.digestPath': (ctx, input) => ctx.jobs.run('Checking a digest', input.jobId, (job) => checkDigestAtPath(ctx, input, job)),
  'verify.list': (ctx, input) => listCaseVerifications(ctx, input.caseId),

  'sign.model': (ctx, input) => ctx.jobs.run('Signing a model', input.jobId, (job) => signModelFile(ctx, input, job)),

  'decision.get': (ctx, input) => decisionState(ctx, input.caseId),
  'decision.record': async (ctx, input) => {
    const { decision, evaluation } = await recordDecision(ctx, input);
    return { decision, evaluation };
  },
  'waivers.set': (ctx, input) => setWaiver(ctx, input),
  'waivers.remove': (ctx, input) => removeWaiver(ctx, input),

  'bundles.suggestPath': async (ctx, input) => {
    const c = requireCase(ctx, input.caseId);
    const dir = join(ctx.dataDir, 'bundles');
    await mkdir(dir, { recursive: true });
    const stamp = ctx.now().replace(/\.\d+Z$/, 'Z').replace(/[:]/g, '').replace('T', '-');
    const name = c.name.normalize('NFKD').replace(/[^A-Za-z0-9._-]+/g, '-').replace(/^[-.]+|-+$/g, '').slice(0, 80) || 'case';
    return { path: join(dir, `${name}-${stamp}.assay`) };
  },
  'bundles.export': (ctx, input) => ctx.jobs.run('Exporting the audit bundle', input.jobId, (job) => exportCaseBundle(ctx, input, job)),
  'bundles.verify': (ctx, input) => ctx.jobs.run('Verifying an audit bundle', input.jobId, (job) => verifyBundleFile(ctx, input, job)),
  'bundles.countersign': (ctx, input) => ctx.jobs.run('Countersigning an audit bundle', input.jobId, (job) => countersignBundleFile(ctx, input, job)),
};
