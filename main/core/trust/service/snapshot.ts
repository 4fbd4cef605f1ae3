// Reads a case out of the store into the CaseSnapshot an audit bundle is built from. Everything
// comes in a stable order (store order or sorted), so the same case state gives the same snapshot.
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { ApiError } from '../../../../shared/api/errors.ts';
import type { Artifact } from '../../../../shared/api/schemas.ts';
import type { Finding } from '../../../../shared/findings.ts';
import { countArtifacts, listArtifacts, listSets, toApiArtifact } from '../../../store/repos/artifacts.ts';
import { listChain } from '../../../store/repos/custody.ts';
import { listAttachments } from '../../../store/repos/evidence.ts';
import { artifactSeverityCounts, listFindings } from '../../../store/repos/findings.ts';
import { listDatasetRecords } from '../../dataset/service/records.ts';
import { currentDecision, listVerifications, listWaivers } from '../../../store/repos/trust.ts';
import { requireCase } from '../../cases/service.ts';
import { getChecklistView } from '../../checklist/service.ts';
import type { CoreContext } from '../../context.ts';
import { caseChain, GENESIS_HASH } from '../../custody/chain.ts';
import { FORMATS, type FormatId } from '../../formats/catalogue.ts';
import { blobRelPath } from '../../intake/blobs.ts';
import { toSarif, type SarifInputArtifact } from '../../report/sarif.ts';
import type { CaseSnapshot } from '../bundle/snapshot.ts';
import { sha256Hex } from '../encoding.ts';
import { loadPolicy } from './decision.ts';

export const TOOL_NAME = 'Assay';

function sarifFor(ctx: CoreContext, caseId: string, artifacts: readonly Artifact[], findings: CaseSnapshot['findings'], setNames: Map<string, string>): unknown {
  const byArtifact = new Map<string | null, Finding[]>();
  for (const f of findings) {
    const list = byArtifact.get(f.artifactId) ?? [];
    list.push({ ruleId: f.ruleId, severity: f.severity, message: f.message, location: f.location, checklist: f.checklist, ...(f.evidence ? { evidence: f.evidence } : {}) });
    byArtifact.set(f.artifactId, list);
  }
  const inputs: SarifInputArtifact[] = artifacts.map((a) => ({
    path: a.setId && a.relPath ? `${setNames.get(a.setId) ?? a.setId}/${a.relPath}` : a.displayName,
    sha256: a.sha256,
    findings: byArtifact.get(a.id) ?? [],
  }));
  // Findings about the case as a whole (a model folder's signature, for instance).
  const caseLevel = byArtifact.get(null);
  if (caseLevel) inputs.push({ path: `case-${caseId}`, sha256: null, findings: caseLevel });
  return toSarif(inputs, { name: TOOL_NAME, version: ctx.version });
}

/** The case as an audit bundle holds it. */
export async function snapshotCase(ctx: CoreContext, caseId: string): Promise<CaseSnapshot> {
  const c = requireCase(ctx, caseId);
  const counts = artifactSeverityCounts(ctx.db, caseId);
  const artifacts = listArtifacts(ctx.db, caseId, 0, Math.max(1, countArtifacts(ctx.db, caseId)))
    .map((r) => toApiArtifact(r, counts.get(r.id), FORMATS[r.format as FormatId]?.label ?? r.format));
  const artifactSets = listSets(ctx.db, caseId);
  const findings = listFindings(ctx.db, caseId);
  const events = listChain(ctx.db, caseChain(caseId));
  const attachments = await Promise.all(listAttachments(ctx.db, caseId).map(async (meta) => {
    let bytes: Buffer;
    try {
      bytes = await readFile(join(ctx.dataDir, blobRelPath(meta.sha256)));
    } catch (e) {
      throw new ApiError('io_error', `the evidence file ${meta.name} (${meta.sha256}) is missing from the data directory (${(e as NodeJS.ErrnoException).code ?? (e as Error).message})`);
    }
    if (sha256Hex(bytes) !== meta.sha256) throw new ApiError('io_error', `the stored copy of the evidence file ${meta.name} no longer has its recorded SHA-256 ${meta.sha256}`);
    return { meta, bytes };
  }));
  const decision = currentDecision(ctx.db, caseId);
  let policy = decision?.policy ?? null;
  if (!policy) {
    const inForce = await loadPolicy(ctx);
    policy = { policy: inForce.policy, sha256: inForce.sha256, source: inForce.source };
  }
  return {
    case: c,
    artifacts,
    artifactSets,
    findings,
    findingsSarif: sarifFor(ctx, caseId, artifacts, findings, new Map(artifactSets.map((s) => [s.id, s.name]))),
    checklist: getChecklistView(ctx, caseId),
    attachments,
    custody: { events, head: events.at(-1)?.hash ?? GENESIS_HASH },
    decision: decision?.decision ?? null,
    policy,
    waivers: listWaivers(ctx.db, caseId),
    verifications: listVerifications(ctx.db, caseId, { currentOnly: true }).map((v) => ({ ...v.record, result: v.result })),
    // Dataset provenance (P01): the dataset domain's records of the case, as stored.
    // Every dataset of the case with its digests and provenance (complete or not).
    datasets: listDatasetRecords(ctx, caseId),
    vulnerabilityDatabase: null,
    tool: { name: TOOL_NAME, version: ctx.version },
  };
}
