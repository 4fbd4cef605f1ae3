// Behaviour tests on a model file outside any case (`assay behave FILE`): nothing is stored but
// baselines, which go to the workstation's model library (custody on the workstation chain).
import { basename } from 'node:path';
import type { z } from 'zod';
import { ApiError } from '../../../shared/api/errors.ts';
import type { behaveMethods } from '../../../shared/api/methods/behave.ts';
import type { BehaveRun } from '../../../shared/api/methods/behave-schemas.ts';
import { deleteLibraryBaseline, insertBaseline, listLibraryBaselines, type StoredBaseline } from '../../store/repos/behave.ts';
import { newId } from '../../store/ids.ts';
import type { CoreContext } from '../context.ts';
import { recordCustody } from '../custody/log.ts';
import type { Job } from '../jobs/registry.ts';
import { detectBackdoors } from './backdoor.ts';
import { compareToBaseline, recordBaseline, type Baseline, type Tolerance } from './baseline.ts';
import { baselineInfo, baselineMeta, resolveLibraryBaseline, type BaselineMeta } from './baselines.ts';
import { readFileModel } from './model-source.ts';
import { startOperation, wrapEngineErrors } from './operation.ts';
import { fileProbeRows, type LoadedRows } from './probe-rows.ts';
import type { ProbeSpec } from './probe-spec.ts';
import { backdoorRecord, jsonSafe, probeRunRecord, runRecord } from './record.ts';
import { runProbes } from './run.ts';

type FileInput = z.output<(typeof behaveMethods)['behave.file']['input']>;

function rowsCount(loaded: LoadedRows | null): { source: LoadedRows['source']; rows: number } | null {
  return loaded ? { source: loaded.source, rows: Object.values(loaded.rows)[0]?.rows ?? 0 } : null;
}

export async function behaveFile(ctx: CoreContext, input: FileInput, job: Job): Promise<BehaveRun> {
  if (input.compare && input.probes) throw new ApiError('invalid_input', 'a comparison re-runs the baseline\'s own probe set; --probes does not apply');
  const op = await startOperation(ctx, input, job, basename(input.path));
  const model = await readFileModel(input.path);
  const probes = input.probes as ProbeSpec | undefined;
  const meta = (kind: BehaveRun['kind']) => op.meta({ kind, modelName: model.name, modelSha256: model.sha256 });

  if (input.mode === 'backdoor') {
    const clean = input.probeData ? await fileProbeRows(input.probeData.path, input.probeData, model.bytes, probes, job.signal) : null;
    const report = await wrapEngineErrors(() => detectBackdoors(model.bytes, {
      ...op.options, name: model.name, externalData: model.externalData, ...(probes ? { probes } : {}), ...(clean ? { cleanRows: clean.rows } : {}),
    }));
    const record = runRecord(meta('backdoor'), report);
    record.backdoor = backdoorRecord(report);
    return record;
  }

  if (input.baseline && !input.baseline.replace && listLibraryBaselines(ctx.db, input.baseline.name).some((b) => b.modelSha256 === model.sha256)) {
    throw new ApiError('conflict', `the model library already has a baseline "${input.baseline.name}" for this model; choose another name or add --replace`);
  }
  const baseline = input.compare ? resolveLibraryBaseline(ctx, input.compare, model.sha256) : null;
  const spec = baseline ? baseline.data.probe : probes;
  let loaded: LoadedRows | null = null;
  const from = baseline?.info.probeData ?? null;
  if (baseline && from && !input.probeData) {
    throw new ApiError('invalid_input', `baseline "${baseline.name}" was recorded on rows of ${from.name}; give the same rows again with --probe-data`);
  }
  if (input.probeData) {
    const req = from ? { input: from.input, columns: from.columns ?? undefined, maxRows: from.maxRows } : input.probeData;
    loaded = await fileProbeRows(input.probeData.path, req, model.bytes, spec, job.signal);
  }
  const run = await wrapEngineErrors(() => runProbes(model.bytes, {
    ...op.options, name: model.name, externalData: model.externalData, ...(spec ? { probes: spec } : {}), ...(loaded ? { rows: loaded.rows } : {}),
  }));

  if (baseline) {
    if (loaded && run.ok && run.datasetDigest !== baseline.data.datasetDigest) {
      throw new ApiError('conflict', `the rows of ${loaded.source.name} differ from those baseline "${baseline.name}" was recorded on`);
    }
    const cmp = compareToBaseline(baseline.data, run, input.tolerance as Partial<Tolerance> | undefined);
    const record = probeRunRecord(meta('compare'), run, rowsCount(loaded), [...run.findings, ...cmp.findings]);
    record.comparison = jsonSafe({
      baseline: baselineInfo(ctx, baseline, null), sameModelDigest: cmp.sameModelDigest, outputs: cmp.outputs,
      fingerprint: cmp.fingerprint, tolerance: cmp.tolerance, withinTolerance: cmp.withinTolerance,
    });
    return record;
  }

  const record = probeRunRecord(meta(input.baseline ? 'baseline' : 'probe'), run, rowsCount(loaded));
  if (input.baseline && run.ok) {
    const name = input.baseline.name;
    const doc: Baseline = recordBaseline(name, run, ctx.now());
    const stored: StoredBaseline<BaselineMeta> = {
      id: newId(), caseId: null, artifactId: null, modelSha256: model.sha256, name, createdAt: doc.createdAt, createdBy: ctx.actor(),
      info: baselineMeta(doc, loaded ? { ...loaded.source, artifactId: null } : null), data: doc,
    };
    ctx.db.transaction(() => {
      const replaced = input.baseline!.replace ? deleteLibraryBaseline(ctx.db, model.sha256, name) > 0 : false;
      insertBaseline(ctx.db, stored);
      recordCustody(ctx, {
        caseId: null,
        action: 'behave.baseline.recorded',
        subject: stored.id,
        details: { scope: 'library', name, model: model.name, path: input.path, sha256: model.sha256, fingerprint: run.fingerprint?.digest ?? null, replaced },
      });
    }).immediate();
    ctx.events.emit({ type: 'changed', caseId: null, what: 'behave-library' });
    record.baseline = baselineInfo(ctx, stored, null);
  }
  return record;
}
