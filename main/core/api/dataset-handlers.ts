import type { datasetMethods } from '../../../shared/api/methods/dataset.ts';
import { requireCase } from '../cases/service.ts';
import {
  detailOf, detectorList, exportExclusions, exportMaskedInCase, listTargets, readRows, requireTarget, reviewRows,
  scanCaseDataset, scanPathForCli, setProvenance, summaryOf,
} from '../dataset/service/index.ts';
import type { HandlersFor } from './types.ts';

export const datasetHandlers: HandlersFor<typeof datasetMethods> = {
  'datasets.list': (ctx, input) => {
    requireCase(ctx, input.caseId);
    return listTargets(ctx, input.caseId).map((t) => summaryOf(ctx, t));
  },
  'datasets.get': async (ctx, input) => detailOf(ctx, requireTarget(ctx, input.datasetId), await detectorList(ctx)),
  'datasets.scan': (ctx, input) => {
    const t = requireTarget(ctx, input.datasetId);
    return ctx.jobs.run(`Scanning dataset ${t.name}`, input.jobId, (job) => scanCaseDataset(ctx, input, job));
  },
  'datasets.setRecord': (ctx, input) => {
    const { datasetId, ...provenance } = input;
    return summaryOf(ctx, setProvenance(ctx, datasetId, provenance));
  },
  'datasets.rows': (ctx, input) => {
    const t = requireTarget(ctx, input.datasetId);
    return ctx.jobs.run(`Reading rows of ${t.name}`, input.jobId, (job) => readRows(ctx, input.datasetId, input.rows, job));
  },
  'datasets.reviewRows': (ctx, input) => reviewRows(ctx, input),
  'datasets.exclusions': (ctx, input) => exportExclusions(ctx, input.datasetId, input.outPath),
  'datasets.exportMasked': (ctx, input) => {
    const t = requireTarget(ctx, input.datasetId);
    return ctx.jobs.run(`Masked export of ${t.name}`, input.jobId, (job) => exportMaskedInCase(ctx, input, job));
  },
  'datasets.scanPath': (ctx, input) => ctx.jobs.run(`Scanning dataset ${input.path}`, input.jobId, (job) => scanPathForCli(ctx, input, job)),
};
