// `assay bundle export|verify|countersign`: signed audit bundles of a case.
import { existsSync } from 'node:fs';
import { resolve } from 'node:path';
import type { BundleReport, BundleTrustRef } from '../../../shared/api/methods/trust-schemas.ts';
import { printJson, table, withProgress } from '../output.ts';
import { resolveCase } from '../resolve.ts';
import { EXIT, UsageError, type CliContext, type Command } from '../types.ts';
import { signingKeyRef } from './trust-secrets.ts';

/** `--trust store` or a public key file (default: the store). */
function bundleTrust(value: string | undefined): BundleTrustRef {
  if (value === undefined || value === 'store') return { kind: 'store' };
  if (!existsSync(value)) throw new UsageError(`--trust takes a public key file or "store"; ${value} does not exist`);
  return { kind: 'key-file', path: resolve(value) };
}

/** What --json prints: the verdict and its reasons, without the records the app's view shows. */
function reportJson(r: BundleReport) {
  const { contents, ...rest } = r;
  return {
    ...rest,
    records: {
      case: contents.case, decision: contents.decision?.decision ?? null, findings: contents.findings?.findings.length ?? null,
      custodyEvents: contents.custody?.events.length ?? null, custodyHead: contents.custody?.head ?? null,
    },
  };
}

export function printBundleReport(ctx: CliContext, r: BundleReport): void {
  const lines: string[] = [];
  lines.push(r.ok ? `BUNDLE VERIFIED: ${r.path}` : `BUNDLE DOES NOT VERIFY: ${r.path}`);
  const p = r.predicate;
  if (p) {
    lines.push(`case ${p.case.name} (${p.case.id}, ${p.case.state}); auditor ${p.auditor.name}; signed ${p.signedAt}`);
    lines.push(`decision: ${p.decision ? `${p.decision.outcome} by ${p.decision.decidedBy} at ${p.decision.decidedAt}` : 'none recorded'}`);
    lines.push(`custody head ${p.custody.head} (${p.custody.events} events); bundle id ${p.bundleId}`);
  }
  lines.push(`checked against ${r.trustedAgainst}; file sha256 ${r.sha256}`);
  for (const s of r.signatures) {
    lines.push(`signature ${s.entry}: ${s.valid ? (s.trusted ? `valid, trusted (${s.trustedLabel})` : 'valid, NOT trusted') : 'INVALID'}${s.fingerprint ? `, key ${s.fingerprint}` : ''}`);
  }
  ctx.io.out(`${lines.join('\n')}\n`);
  if (r.failures.length > 0) {
    ctx.io.out(table(r.failures.slice(0, 200).map((f) => [f.class, f.path ?? '', f.message]), ['FAILURE', 'FILE', 'DETAIL']));
    if (r.failures.length > 200) ctx.io.out(`… ${r.failures.length - 200} more failure(s); use --json\n`);
  }
}

const bundleExport: Command = {
  path: ['bundle', 'export'],
  usage: 'assay bundle export CASE --key KEY --out FILE.assay [--include-models]',
  summary: 'Export the case as a signed audit bundle (records, SARIF, CycloneDX AIBOM, HTML and PDF report, attachments, custody log). KEY is a PEM file or a stored key id.',
  options: { key: { type: 'string' }, out: { type: 'string' }, 'include-models': { type: 'boolean' } },
  async run(ctx, args) {
    const c = await resolveCase(ctx, args.positionals[0]);
    const out = args.values.out as string | undefined;
    if (!out) throw new UsageError('--out names the bundle file to write (e.g. case.assay)');
    const key = await signingKeyRef(ctx, args.values.key as string | undefined);
    const r = await withProgress(ctx, () => ctx.core().invoke('bundles.export', {
      caseId: c.id, key, outPath: resolve(out), includeModels: args.values['include-models'] === true,
    }, { face: 'cli' }));
    if (ctx.json) printJson(ctx, r);
    else {
      ctx.io.out(`exported case ${c.id} to ${r.path}\n${r.files} files, ${r.size} bytes, sha256 ${r.sha256}\nbundle id ${r.bundleId}\nsigned by ${r.signer.description}, fingerprint ${r.signer.fingerprint}, at ${r.signedAt}\n`);
      if (!r.pdf.included) ctx.io.out(`note: no PDF report in the bundle (${r.pdf.reason})\n`);
    }
    return EXIT.ok;
  },
};

const bundleVerify: Command = {
  path: ['bundle', 'verify'],
  usage: 'assay bundle verify FILE.assay [--trust PUB.pem|store]',
  summary: 'Verify an audit bundle without extracting it: signatures against the trust store (default) or a key file, every file, the custody chain, the checklist and the decision. Exit 0 only for an intact bundle signed by a trusted key.',
  options: { trust: { type: 'string' } },
  async run(ctx, args) {
    const file = args.positionals[0];
    if (!file) throw new UsageError('name the bundle file');
    const r = await withProgress(ctx, () => ctx.core().invoke('bundles.verify', { path: resolve(file), trust: bundleTrust(args.values.trust as string | undefined) }, { face: 'cli' }));
    if (ctx.json) printJson(ctx, reportJson(r));
    else printBundleReport(ctx, r);
    return r.ok ? EXIT.ok : EXIT.checkFailed;
  },
};

const bundleCountersign: Command = {
  path: ['bundle', 'countersign'],
  usage: 'assay bundle countersign FILE.assay --key KEY --out COUNTERSIGNED.assay [--trust PUB.pem|store]',
  summary: 'Add your signature over the same statement to an intact bundle (the first signer need not be trusted) and write the countersigned bundle.',
  options: { key: { type: 'string' }, out: { type: 'string' }, trust: { type: 'string' } },
  async run(ctx, args) {
    const file = args.positionals[0];
    if (!file) throw new UsageError('name the bundle file');
    const out = args.values.out as string | undefined;
    if (!out) throw new UsageError('--out names the countersigned bundle to write');
    const key = await signingKeyRef(ctx, args.values.key as string | undefined);
    const r = await withProgress(ctx, () => ctx.core().invoke('bundles.countersign', {
      path: resolve(file), key, outPath: resolve(out), trust: bundleTrust(args.values.trust as string | undefined),
    }, { face: 'cli' }));
    if (ctx.json) printJson(ctx, { ...r, report: reportJson(r.report) });
    else ctx.io.out(`countersigned by ${r.signer.description}, fingerprint ${r.signer.fingerprint}\nwrote ${r.path} (sha256 ${r.sha256})\n`);
    return EXIT.ok;
  },
};

export const BUNDLE_COMMANDS: Command[] = [bundleExport, bundleVerify, bundleCountersign];
