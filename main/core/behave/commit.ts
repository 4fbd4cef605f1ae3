// Storing a behaviour run on an artifact, in one transaction: the run itself (and a baseline it
// recorded), the artifact's behaviour findings and evidence recomputed from its current runs (the
// newest of each kind and subject, so a probe run does not erase what the backdoor suite found),
// and the custody events.
import type { BehaveRun } from '../../../shared/api/methods/behave-schemas.ts';
import { SEVERITIES, type Finding } from '../../../shared/findings.ts';
import type { ArtifactRecord } from '../../store/repos/artifacts.ts';
import { currentRuns, insertBaseline, insertRun, type StoredBaseline } from '../../store/repos/behave.ts';
import { deleteEvidence, insertEvidence } from '../../store/repos/evidence.ts';
import { newId } from '../../store/ids.ts';
import type { CoreContext } from '../context.ts';
import { recordCustody } from '../custody/log.ts';
import { replaceFindings } from '../findings/service.ts';
import { BEHAVE_POINTS, evidenceFor } from './evidence.ts';

/** The same finding raised by two current runs (isolation degraded, say) is stored once. */
export function distinctFindings(findings: readonly Finding[]): Finding[] {
  const seen = new Set<string>();
  return findings.filter((f) => {
    const key = JSON.stringify([f.ruleId, f.location, f.message]);
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  });
}

export function worstSeverity(findings: readonly Finding[]): string | null {
  return [...SEVERITIES].reverse().find((s) => findings.some((f) => f.severity === s)) ?? null;
}

/** Recomputes the artifact's behaviour findings and evidence from its current runs. Call inside a transaction. */
export function refreshArtifact(ctx: CoreContext, artifact: ArtifactRecord): void {
  const runs = currentRuns<BehaveRun>(ctx.db, artifact.id).map((r) => r.result);
  replaceFindings(ctx, artifact.caseId, artifact.id, 'behave', distinctFindings(runs.flatMap((r) => r.findings)));
  for (const point of BEHAVE_POINTS) deleteEvidence(ctx.db, artifact.caseId, point, 'behave', artifact.id);
  for (const d of evidenceFor(runs)) {
    insertEvidence(ctx.db, { id: newId(), caseId: artifact.caseId, artifactId: artifact.id, source: 'behave', createdAt: ctx.now(), ...d });
  }
}

export function commitRun(ctx: CoreContext, artifact: ArtifactRecord, run: BehaveRun, subject: string, baseline: StoredBaseline | null): BehaveRun {
  const id = newId();
  const stored: BehaveRun = { ...run, id, caseId: artifact.caseId, artifactId: artifact.id };
  ctx.db.transaction(() => {
    if (baseline) insertBaseline(ctx.db, baseline);
    insertRun(ctx.db, {
      id, caseId: artifact.caseId, artifactId: artifact.id, kind: run.kind, subject, modelSha256: run.modelSha256,
      startedAt: run.startedAt, finishedAt: run.finishedAt, actor: run.actor, ok: run.ok,
      isolationLevel: run.isolation?.level ?? null, result: stored,
    });
    refreshArtifact(ctx, artifact);
    recordCustody(ctx, {
      caseId: artifact.caseId,
      action: 'behave.run',
      subject: artifact.id,
      details: {
        runId: id, kind: run.kind, ...(subject ? { subject } : {}), model: artifact.displayName, sha256: run.modelSha256, ok: run.ok,
        isolation: run.isolation?.level ?? null, deniedChecks: run.isolation ? run.isolation.checks.filter((c) => c.denied).length : null,
        failure: run.failure?.kind ?? null, findings: run.findings.length, worst: worstSeverity(run.findings),
        fingerprint: run.fingerprint?.digest ?? null, deadlineMs: run.deadline.ms, deadlineHit: run.deadline.hit,
      },
    });
    if (baseline) {
      recordCustody(ctx, {
        caseId: artifact.caseId,
        action: 'behave.baseline.recorded',
        subject: baseline.id,
        details: { name: baseline.name, artifactId: artifact.id, model: artifact.displayName, sha256: baseline.modelSha256, runId: id },
      });
    }
  }).immediate();
  ctx.events.emit({ type: 'changed', caseId: artifact.caseId, what: 'behave' });
  return stored;
}
