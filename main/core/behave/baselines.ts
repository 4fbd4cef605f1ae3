// Where baselines live and how they are found. In a case a baseline belongs to the artifact it
// was recorded on (any artifact of the case can be compared with it). Outside any case (the CLI
// on a file) baselines form the workstation's model library, keyed by the model's SHA-256 and
// the baseline's name; `NAME` finds the one recorded for this model, else the only model that
// has a baseline of that name, and `NAME@SHA256-PREFIX` picks one when several do.
import { ApiError } from '../../../shared/api/errors.ts';
import type { BaselineInfo } from '../../../shared/api/methods/behave-schemas.ts';
import { getArtifact } from '../../store/repos/artifacts.ts';
import { getBaseline, listCaseBaselines, listLibraryBaselines, type StoredBaseline } from '../../store/repos/behave.ts';
import type { CoreContext } from '../context.ts';
import type { Baseline } from './baseline.ts';

/** Which rows a baseline's probes came from, so a comparison can supply them again. */
export interface BaselineProbeData {
  /** The dataset artifact (case baselines) or the file name (library baselines). */
  artifactId: string | null;
  name: string;
  input: string;
  columns: string[] | null;
  maxRows: number;
}

/** What the store keeps beside a baseline document, for listings. */
export interface BaselineMeta {
  rows: number;
  outputs: string[];
  fingerprint: string | null;
  probeData: BaselineProbeData | null;
}

export function baselineMeta(b: Baseline, probeData: BaselineProbeData | null): BaselineMeta {
  return {
    rows: b.outputs[0]?.rows ?? 0,
    outputs: b.outputs.map((o) => o.name),
    fingerprint: b.fingerprint?.digest ?? null,
    probeData,
  };
}

export function baselineInfo(ctx: CoreContext, s: StoredBaseline<BaselineMeta, unknown>, viewing: { caseId: string; artifactId: string } | null): BaselineInfo {
  const scope = s.artifactId === null ? 'library' : s.artifactId === viewing?.artifactId ? 'artifact' : 'case';
  return {
    id: s.id,
    name: s.name,
    scope,
    caseId: s.caseId,
    artifactId: s.artifactId,
    artifactName: s.artifactId ? (getArtifact(ctx.db, s.artifactId)?.displayName ?? null) : null,
    modelSha256: s.modelSha256,
    createdAt: s.createdAt,
    createdBy: s.createdBy,
    rows: s.info.rows,
    outputs: s.info.outputs,
    fingerprint: s.info.fingerprint,
    probeSource: s.info.probeData ? 'dataset' : 'generated',
  };
}

/** Baselines an artifact can be compared with: its case's (its own first), then the library. */
export function listBaselines(ctx: CoreContext, viewing: { caseId: string; artifactId: string } | null): BaselineInfo[] {
  const library = listLibraryBaselines<BaselineMeta>(ctx.db).map((s) => baselineInfo(ctx, s, viewing));
  if (!viewing) return library;
  const inCase = listCaseBaselines<BaselineMeta>(ctx.db, viewing.caseId).map((s) => baselineInfo(ctx, s, viewing));
  return [...inCase.filter((b) => b.scope === 'artifact'), ...inCase.filter((b) => b.scope === 'case'), ...library];
}

/** A baseline with its document, if the viewer may use it (its case's or the library's). */
export function requireBaseline(ctx: CoreContext, id: string, caseId: string): StoredBaseline<BaselineMeta, Baseline> {
  const b = getBaseline<BaselineMeta, Baseline>(ctx.db, id);
  if (!b || (b.caseId !== null && b.caseId !== caseId)) throw new ApiError('not_found', `no baseline with id ${id} in this case or the model library`);
  return b;
}

/** Resolves NAME or NAME@SHA256-PREFIX in the model library for a model. */
export function resolveLibraryBaseline(ctx: CoreContext, ref: string, modelSha256: string): StoredBaseline<BaselineMeta, Baseline> {
  const at = ref.lastIndexOf('@');
  const name = at > 0 ? ref.slice(0, at) : ref;
  const prefix = at > 0 ? ref.slice(at + 1).toLowerCase() : null;
  const all = listLibraryBaselines<BaselineMeta>(ctx.db, name);
  if (all.length === 0) throw new ApiError('not_found', `the model library has no baseline named "${name}" (record one with --baseline ${name}; list them with \`assay behave baselines\`)`);
  let pick: StoredBaseline<BaselineMeta, null> | undefined;
  if (prefix !== null) {
    const matches = all.filter((b) => b.modelSha256.startsWith(prefix));
    if (matches.length !== 1) throw new ApiError('not_found', `${matches.length === 0 ? 'no' : 'more than one'} baseline "${name}" belongs to a model whose SHA-256 starts with ${prefix}`);
    pick = matches[0];
  } else {
    pick = all.find((b) => b.modelSha256 === modelSha256) ?? (all.length === 1 ? all[0] : undefined);
    if (!pick) {
      throw new ApiError('invalid_input', `${all.length} models have a baseline named "${name}"; name one as ${name}@SHA256-PREFIX: ${all.map((b) => `${name}@${b.modelSha256.slice(0, 12)} (${b.createdAt})`).join(', ')}`);
    }
  }
  return getBaseline<BaselineMeta, Baseline>(ctx.db, pick!.id)!;
}
