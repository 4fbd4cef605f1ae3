// Handlers of the foundation's methods: app, cases, artifacts, checklist, custody, jobs.
// Domain modules hold the behaviour; this table only routes.
import { ApiError } from '../../../shared/api/errors.ts';
import { FORMATS, type FormatId } from '../formats/catalogue.ts';
import { getArtifact, listArtifacts, countArtifacts, listSets, toApiArtifact } from '../../store/repos/artifacts.ts';
import { listAttachments, listEvidence } from '../../store/repos/evidence.ts';
import { artifactSeverityCounts, listFindings } from '../../store/repos/findings.ts';
import { countChain, listChain } from '../../store/repos/custody.ts';
import { setSetting } from '../../store/repos/settings.ts';
import { schemaVersion } from '../../store/db.ts';
import { createCase, editCase, listCaseSummaries, requireCase, summarize } from '../cases/service.ts';
import { addAttachment } from '../checklist/attachments.ts';
import { getChecklistView, setChecklistEntry } from '../checklist/service.ts';
import { caseChain } from '../custody/chain.ts';
import { verifyCaseCustody } from '../custody/log.ts';
import { createDemoCase } from '../demo/create.ts';
import { reviewFinding } from '../findings/service.ts';
import { addArtifacts } from '../intake/add.ts';
import type { appMethods } from '../../../shared/api/methods/app.ts';
import type { artifactMethods } from '../../../shared/api/methods/artifacts.ts';
import type { caseMethods } from '../../../shared/api/methods/cases.ts';
import type { checklistMethods } from '../../../shared/api/methods/checklist.ts';
import type { custodyMethods } from '../../../shared/api/methods/custody.ts';
import type { HandlersFor } from './types.ts';

type FoundationMethods = typeof appMethods & typeof caseMethods & typeof artifactMethods & typeof checklistMethods & typeof custodyMethods;

export const foundationHandlers: HandlersFor<FoundationMethods> = {
  'app.info': (ctx) => ({ name: 'Assay', version: ctx.version, dataDir: ctx.dataDir, schemaVersion: schemaVersion(ctx.db), auditor: ctx.actor() }),
  'app.setAuditor': (ctx, input) => {
    setSetting(ctx.db, 'auditor', input.auditor);
    return { auditor: ctx.actor() };
  },
  'demo.create': (ctx, input) => ctx.jobs.run('Creating the demo case', input.jobId, (job) => createDemoCase(ctx, job)),

  'cases.list': (ctx) => listCaseSummaries(ctx),
  'cases.create': (ctx, input) => createCase(ctx, input),
  'cases.get': (ctx, input) => summarize(ctx, requireCase(ctx, input.caseId)),
  'cases.update': (ctx, input) => editCase(ctx, input.caseId, input),

  'artifacts.add': (ctx, input) => ctx.jobs.run(`Adding ${input.paths.length} item${input.paths.length === 1 ? '' : 's'}`, input.jobId, (job) => addArtifacts(ctx, input, job)),
  'artifacts.list': (ctx, input) => {
    requireCase(ctx, input.caseId);
    const counts = artifactSeverityCounts(ctx.db, input.caseId);
    return {
      total: countArtifacts(ctx.db, input.caseId),
      items: listArtifacts(ctx.db, input.caseId, input.offset, input.limit)
        .map((r) => toApiArtifact(r, counts.get(r.id), FORMATS[r.format as FormatId]?.label ?? r.format)),
      sets: listSets(ctx.db, input.caseId),
    };
  },
  'artifacts.get': (ctx, input) => {
    const r = getArtifact(ctx.db, input.artifactId);
    if (!r) throw new ApiError('not_found', `no artifact with id ${input.artifactId}`);
    const findings = listFindings(ctx.db, r.caseId, r.id);
    return {
      artifact: toApiArtifact(r, artifactSeverityCounts(ctx.db, r.caseId).get(r.id), FORMATS[r.format as FormatId]?.label ?? r.format),
      findings,
    };
  },

  'checklist.get': (ctx, input) => getChecklistView(ctx, input.caseId),
  'checklist.set': (ctx, input) => setChecklistEntry(ctx, input),
  'attachments.add': (ctx, input) => addAttachment(ctx, input),
  'attachments.list': (ctx, input) => {
    requireCase(ctx, input.caseId);
    return listAttachments(ctx.db, input.caseId);
  },
  'evidence.list': (ctx, input) => {
    requireCase(ctx, input.caseId);
    return listEvidence(ctx.db, input.caseId, input.pointId);
  },
  'findings.list': (ctx, input) => {
    requireCase(ctx, input.caseId);
    return listFindings(ctx.db, input.caseId, input.artifactId);
  },
  'findings.review': (ctx, input) => reviewFinding(ctx, input),

  'custody.list': (ctx, input) => {
    requireCase(ctx, input.caseId);
    const chain = caseChain(input.caseId);
    return { total: countChain(ctx.db, chain), events: listChain(ctx.db, chain, input.offset, input.limit).map(({ chain: _c, ...e }) => e) };
  },
  'custody.verify': (ctx, input) => {
    requireCase(ctx, input.caseId);
    return verifyCaseCustody(ctx, input.caseId);
  },
  'jobs.list': (ctx) => ctx.jobs.list(),
  'jobs.cancel': (ctx, input) => ({ cancelled: ctx.jobs.cancel(input.jobId) }),
};
