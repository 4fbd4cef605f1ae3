// Progress and strength of a checklist, per phase and overall. Shared by the UI, the CLI and
// the report so that "weakest phase" means the same everywhere.
import type { ChecklistTally, PhaseProgress } from '../api/schemas.ts';
import { CHECKLIST, PHASES, type ChecklistStatus, type PointId } from './points.ts';

export function tally(statuses: readonly ChecklistStatus[]): ChecklistTally {
  const t: ChecklistTally = { total: statuses.length, reviewed: 0, pass: 0, fail: 0, partial: 0, notApplicable: 0 };
  for (const s of statuses) {
    if (s !== 'not_reviewed') t.reviewed++;
    if (s === 'pass') t.pass++;
    else if (s === 'fail') t.fail++;
    else if (s === 'partial') t.partial++;
    else if (s === 'not_applicable') t.notApplicable++;
  }
  return t;
}

/** Share of applicable points that pass, partial counting half; 1 when nothing applies. */
export function strength(t: ChecklistTally): number {
  const applicable = t.total - t.notApplicable;
  return applicable === 0 ? 1 : (t.pass + t.partial / 2) / applicable;
}

export function phaseProgress(statusOf: (id: PointId) => ChecklistStatus): { phases: PhaseProgress[]; overall: ChecklistTally; weakestPhase: number | null } {
  const phases = PHASES.map((ph) => {
    const t = tally(CHECKLIST.filter((p) => p.phase === ph.id).map((p) => statusOf(p.id)));
    return { phase: ph.id, title: ph.title, tally: t, strength: strength(t) };
  });
  const overall = tally(CHECKLIST.map((p) => statusOf(p.id)));
  // The weakest link: lowest strength; on a tie the earlier phase, since a failure upstream
  // cannot be repaired downstream. Null while nothing has been reviewed.
  let weakest: PhaseProgress | null = null;
  if (overall.reviewed > 0) {
    for (const p of phases) if (!weakest || p.strength < weakest.strength) weakest = p;
  }
  return { phases, overall, weakestPhase: weakest ? weakest.phase : null };
}

/** Phases ordered weakest first (for the report). */
export function phasesWeakestFirst(phases: readonly PhaseProgress[]): PhaseProgress[] {
  return [...phases].sort((a, b) => a.strength - b.strength || a.phase - b.phase);
}
