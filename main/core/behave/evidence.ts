// Checklist evidence from an artifact's current behaviour runs (the newest of each kind and
// subject): P16 the isolation in force, P08 fingerprint, baselines and comparisons, P19 probe
// runs and the backdoor suite, P07 graph trigger sites. Each row suggests a status where the
// run supports one; the checklist shows the worst suggestion of a point.
import type { BehaveRun } from '../../../shared/api/methods/behave-schemas.ts';
import type { Evidence } from '../../../shared/api/schemas.ts';
import type { ChecklistStatus, PointId } from '../../../shared/checklist/points.ts';
import { atLeast } from '../../../shared/findings.ts';

export const BEHAVE_POINTS: readonly PointId[] = ['P07', 'P08', 'P16', 'P19'];

export type EvidenceDraft = Pick<Evidence, 'pointId' | 'title' | 'summary' | 'data' | 'suggestedStatus'>;

const RUN_LABEL: Record<BehaveRun['kind'], string> = {
  probe: 'probe run', backdoor: 'backdoor suite', baseline: 'baseline recording', compare: 'baseline comparison', 'side-by-side': 'side-by-side comparison',
};

const BACKDOOR_RULES = new Set(['behave.graph-trigger-confirmed', 'behave.patch-trigger', 'behave.token-trigger', 'behave.strip-low-entropy', 'behave.graph-trigger']);

function pct(x: number | null): string {
  return x === null ? '?' : `${(x * 100).toFixed(1)}%`;
}

function highFindings(run: BehaveRun): BehaveRun['findings'] {
  return run.findings.filter((f) => atLeast(f.severity, 'high'));
}

function isolationEvidence(run: BehaveRun): EvidenceDraft | null {
  const iso = run.isolation;
  if (!iso) return null;
  const denied = iso.checks.filter((c) => c.denied).length;
  const gib = iso.limits.addressSpaceBytes === null ? 'no address-space limit' : `address space ${(iso.limits.addressSpaceBytes / 1024 ** 3).toFixed(2)} GiB`;
  const full = iso.level === 'bubblewrap' && denied === iso.checks.length;
  return {
    pointId: 'P16',
    title: `Sandbox isolation of ${run.modelName}: ${iso.level}`,
    summary: `${denied} of ${iso.checks.length} forbidden operations denied (${iso.checks.filter((c) => !c.denied).map((c) => c.id).join(', ') || 'none allowed'}); ${gib}, watchdog ${Math.round((iso.limits.timeoutMs ?? 0) / 1000)} s, file size ${iso.limits.fileSizeBytes ?? 'unlimited'}; ${RUN_LABEL[run.kind]} at ${run.startedAt}`,
    data: { runId: run.id, kind: run.kind, level: iso.level, fallbacks: iso.fallbacks, layers: iso.layers, limits: iso.limits, checks: iso.checks, runtime: iso.runtime },
    suggestedStatus: full ? 'pass' : 'partial',
  };
}

function failureText(run: BehaveRun): string {
  return run.failure ? `${run.failure.kind}: ${run.failure.message}` : 'did not complete';
}

function probeEvidence(run: BehaveRun): EvidenceDraft[] {
  const out: EvidenceDraft[] = [];
  const rows = run.probe ? `${run.probe.rows} ${run.probe.source === 'dataset' ? `rows of ${run.probe.dataset?.name ?? 'a dataset'}` : `generated rows (seed ${run.probe.seed})`}` : 'no probes';
  const high = highFindings(run);
  if (run.fingerprint || !run.ok) {
    out.push({
      pointId: 'P08',
      title: run.kind === 'baseline' && run.baseline ? `Baseline "${run.baseline.name}" of ${run.modelName}` : `Behavioural fingerprint of ${run.modelName}`,
      summary: run.ok
        ? `fingerprint ${run.fingerprint?.digest ?? 'not computed'}; ${run.determinism ? (run.determinism.deterministic ? 'deterministic over two runs' : 'NOT deterministic over two runs') : 'determinism not checked'}; ${rows}`
        : `the ${RUN_LABEL[run.kind]} ${failureText(run)}`,
      data: { runId: run.id, kind: run.kind, fingerprint: run.fingerprint, determinism: run.determinism, baseline: run.baseline?.id ?? null, probe: run.probe },
      suggestedStatus: !run.ok && high.length > 0 ? 'fail' : run.determinism && !run.determinism.deterministic ? 'partial' : null,
    });
  }
  out.push({
    pointId: 'P19',
    title: `Sandboxed ${RUN_LABEL[run.kind]} of ${run.modelName}`,
    summary: run.ok
      ? `${rows} ran; ${run.throughput !== null ? `${Math.round(run.throughput)} rows/s; ` : ''}${run.findings.length} finding${run.findings.length === 1 ? '' : 's'}`
      : `${failureText(run)}`,
    data: { runId: run.id, kind: run.kind, ok: run.ok, findings: run.findings.map((f) => f.ruleId), failure: run.failure, timings: run.timings },
    suggestedStatus: high.length > 0 ? 'fail' : null,
  });
  return out;
}

function backdoorEvidence(run: BehaveRun): EvidenceDraft[] {
  const b = run.backdoor;
  const out: EvidenceDraft[] = [];
  const high = highFindings(run);
  const backdoor = run.findings.filter((f) => BACKDOOR_RULES.has(f.ruleId));
  const skipped = b?.skipped.filter((s) => s.reason !== 'disabled') ?? [];
  let status: ChecklistStatus | null;
  if (high.length > 0) status = 'fail';
  else if (!run.ok || backdoor.length > 0 || skipped.length > 0) status = 'partial';
  else status = 'pass';
  const parts: string[] = [];
  if (b) {
    parts.push(`${b.graph.length} graph trigger site${b.graph.length === 1 ? '' : 's'} (${b.confirmations.filter((c) => c.confirmed).length} confirmed)`);
    if (b.sweep) parts.push(`${b.sweep.kind} sweep over ${b.sweep.candidates.length} candidates, ${b.sweep.flagged.length} flagged`);
    if (b.strip) parts.push(`STRIP ${b.strip.flagged ? 'flagged' : 'clear'}`);
    if (b.robustness) {
      const last = b.robustness.points[b.robustness.points.length - 1];
      if (last) parts.push(`agreement ${pct(last.agreement)} at noise ${pct(last.relativeStd)} of the range`);
    }
    if (skipped.length > 0) parts.push(`skipped: ${skipped.map((s) => `${s.stage} (${s.reason})`).join('; ')}`);
  }
  out.push({
    pointId: 'P19',
    title: `Backdoor suite on ${run.modelName}: ${backdoor.length > 0 ? backdoor.map((f) => f.ruleId.replace('behave.', '')).join(', ') : run.ok ? 'no trigger found' : 'incomplete'}`,
    summary: run.ok ? parts.join('; ') : failureText(run),
    data: { runId: run.id, ok: run.ok, findings: run.findings.map((f) => ({ ruleId: f.ruleId, severity: f.severity })), skipped: b?.skipped ?? [] },
    suggestedStatus: status,
  });
  if (b) {
    const confirmed = b.confirmations.some((c) => c.confirmed);
    out.push({
      pointId: 'P07',
      title: `Graph trigger inspection of ${run.modelName}: ${b.graph.length === 0 ? 'none found' : confirmed ? 'trigger confirmed' : `${b.graph.length} site${b.graph.length === 1 ? '' : 's'}`}`,
      summary: b.graph.length === 0
        ? 'no comparison between an input and a constant gates an output'
        : b.graph.slice(0, 4).map((s) => `${s.op} ${s.node} on ${s.input} vs ${s.constant.name} → ${s.gates.join('/')}`).join('; '),
      data: { runId: run.id, sites: b.graph.map((s) => ({ node: s.node, op: s.op, input: s.input, gates: s.gates, outputs: s.outputs })), confirmed },
      suggestedStatus: confirmed ? 'fail' : b.graph.length > 0 ? 'partial' : null,
    });
  }
  return out;
}

function compareEvidence(run: BehaveRun): EvidenceDraft[] {
  const c = run.comparison;
  if (!c) {
    return [{
      pointId: 'P08', title: `Baseline comparison of ${run.modelName}: incomplete`, summary: failureText(run),
      data: { runId: run.id, failure: run.failure }, suggestedStatus: highFindings(run).length > 0 ? 'fail' : 'partial',
    }];
  }
  return [{
    pointId: 'P08',
    title: `Baseline "${c.baseline.name}" vs ${run.modelName}: ${c.withinTolerance ? 'within tolerance' : 'differs'}`,
    summary: `max |difference| ${c.outputs.maxAbsDiff ?? '∞'} (tolerance ${c.tolerance.maxAbsDiff}), top-1 agreement ${pct(c.outputs.top1Agreement)}; fingerprint ${c.fingerprint?.verdict ?? 'not compared'}; baseline recorded ${c.baseline.createdAt} on ${c.sameModelDigest ? 'this exact model' : `model ${c.baseline.modelSha256.slice(0, 12)}…`}`,
    data: { runId: run.id, baselineId: c.baseline.id, withinTolerance: c.withinTolerance, outputs: c.outputs, fingerprint: c.fingerprint },
    suggestedStatus: c.withinTolerance ? 'pass' : 'fail',
  }];
}

function sideBySideEvidence(run: BehaveRun): EvidenceDraft[] {
  const s = run.sideBySide;
  if (!s) return [];
  return [{
    pointId: 'P08',
    title: `${s.a.name} and ${s.b.name} side by side: ${s.withinTolerance ? 'same behaviour' : 'behaviour differs'}`,
    summary: `on the same ${run.probe?.rows ?? '?'} probe rows: max |difference| ${s.outputs.maxAbsDiff ?? '∞'}, top-1 agreement ${pct(s.outputs.top1Agreement)}; fingerprints ${s.fingerprint?.verdict ?? 'not compared'}`,
    data: { runId: run.id, other: s.b.artifactId, outputs: s.outputs, fingerprint: s.fingerprint },
    // Two versions are expected to differ; the auditor judges whether the change is explained.
    suggestedStatus: null,
  }];
}

const BY_KIND: Record<BehaveRun['kind'], (run: BehaveRun) => EvidenceDraft[]> = {
  probe: probeEvidence,
  baseline: probeEvidence,
  backdoor: backdoorEvidence,
  compare: compareEvidence,
  'side-by-side': sideBySideEvidence,
};

/** Evidence drafts for an artifact from its current runs (oldest first). */
export function evidenceFor(runs: readonly BehaveRun[]): EvidenceDraft[] {
  const out: EvidenceDraft[] = [];
  // One isolation row: the newest run that started a worker.
  const isolated = [...runs].reverse().find((r) => r.isolation);
  const iso = isolated ? isolationEvidence(isolated) : null;
  if (iso) out.push(iso);
  for (const run of runs) out.push(...BY_KIND[run.kind](run));
  return out;
}
