import { ApiError } from '../../../shared/api/errors.ts';
import type { scanMethods } from '../../../shared/api/methods/scan.ts';
import { getArtifact } from '../../store/repos/artifacts.ts';
import { getScanReport } from '../../store/repos/scans.ts';
import { rescanArtifacts, scanPaths } from '../scan/service.ts';
import type { HandlersFor } from './types.ts';

export const scanHandlers: HandlersFor<typeof scanMethods> = {
  'scan.paths': (ctx, input) => ctx.jobs.run(`Scanning ${input.paths.length} path${input.paths.length === 1 ? '' : 's'}`, input.jobId, (job) => scanPaths(ctx, input.paths, job)),
  'scan.report': (ctx, input) => {
    if (!getArtifact(ctx.db, input.artifactId)) throw new ApiError('not_found', `no artifact with id ${input.artifactId}`);
    return getScanReport(ctx.db, input.artifactId);
  },
  'scan.rescan': (ctx, input) => ctx.jobs.run('Scanning the case again', input.jobId, (job) => rescanArtifacts(ctx, input.caseId, input.artifactIds, job)),
};
