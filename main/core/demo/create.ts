// `assay demo` and the "Try the demo case" button: a filled-in case in seconds, from samples
// generated into the data directory (so the imported copies stay valid after a restart).
import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import type { Case } from '../../../shared/api/schemas.ts';
import { createCase } from '../cases/service.ts';
import { addAttachment } from '../checklist/attachments.ts';
import { setChecklistEntry } from '../checklist/service.ts';
import type { CoreContext } from '../context.ts';
import { addArtifacts } from '../intake/add.ts';
import type { Job } from '../jobs/registry.ts';
import { verifyModelInCase } from '../trust/service/verify.ts';
import { DEMO_SAMPLES } from './samples.ts';

export async function createDemoCase(ctx: CoreContext, job: Job): Promise<Case> {
  const dir = join(ctx.dataDir, 'demo', ctx.now().replace(/[:.]/g, '-'));
  await mkdir(dir, { recursive: true });
  const c = createCase(ctx, {
    name: 'Demo: sentiment-mlp intake',
    description: 'A demonstration case built from sample artifacts generated on the spot: model folders (one signed by its publisher), a pickle that would run a command, a clean and a backdoored version of an ONNX classifier, datasets and auditor evidence.',
  });
  job.update({ itemsTotal: DEMO_SAMPLES.length, itemsDone: 0 });
  for (const [i, sample] of DEMO_SAMPLES.entries()) {
    job.update({ currentItem: sample.name });
    for (const action of await sample.write(dir)) {
      job.throwIfCancelled();
      switch (action.kind) {
        case 'add':
          await addArtifacts(ctx, { caseId: c.id, paths: action.paths, storage: 'import', kind: 'auto' }, job);
          break;
        case 'attach':
          await addAttachment(ctx, { caseId: c.id, pointId: action.pointId, path: action.path });
          break;
        case 'checklist':
          setChecklistEntry(ctx, { caseId: c.id, pointId: action.pointId, status: action.status, notes: action.notes });
          break;
        case 'verify-signature':
          await verifyModelInCase(ctx, {
            caseId: c.id, target: { path: action.model }, signature: { path: action.signature },
            trust: { kind: 'key-file', path: action.publicKey },
          }, job);
          break;
      }
    }
    job.update({ itemsDone: i + 1 });
  }
  return c;
}
