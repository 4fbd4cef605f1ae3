// Handlers of the behaviour methods: long runs go through the job registry (progress, cancel);
// the behaviour itself is in main/core/behave.
import type { behaveMethods } from '../../../shared/api/methods/behave.ts';
import { listBaselines } from '../behave/baselines.ts';
import { backdoorArtifact, compareVersions, compareWithBaseline, inspectArtifact, probeArtifact, requireOnnxArtifact, runsOf } from '../behave/case-runs.ts';
import { behaveFile } from '../behave/file-runs.ts';
import type { HandlersFor } from './types.ts';

export const behaveHandlers: HandlersFor<typeof behaveMethods> = {
  'behave.inspect': (ctx, input) => inspectArtifact(ctx, input),
  'behave.probe': (ctx, input) => ctx.jobs.run('Behaviour probes', input.jobId, (job) => probeArtifact(ctx, input, job)),
  'behave.backdoor': (ctx, input) => ctx.jobs.run('Backdoor suite', input.jobId, (job) => backdoorArtifact(ctx, input, job)),
  'behave.baselines.record': (ctx, input) => ctx.jobs.run(`Recording baseline "${input.name}"`, input.jobId, (job) => probeArtifact(ctx, input, job, input.name)),
  'behave.baselines.compare': (ctx, input) => ctx.jobs.run('Comparing with a baseline', input.jobId, (job) => compareWithBaseline(ctx, input, job)),
  'behave.baselines.list': (ctx, input) => {
    if (!input.artifactId) return listBaselines(ctx, null);
    const a = requireOnnxArtifact(ctx, input.artifactId);
    return listBaselines(ctx, { caseId: a.caseId, artifactId: a.id });
  },
  'behave.compareVersions': (ctx, input) => ctx.jobs.run('Comparing two model versions', input.jobId, (job) => compareVersions(ctx, input, job)),
  'behave.runs': (ctx, input) => runsOf(ctx, input),
  'behave.file': (ctx, input) => ctx.jobs.run(input.mode === 'backdoor' ? 'Backdoor suite' : 'Behaviour probes', input.jobId, (job) => behaveFile(ctx, input, job)),
};
