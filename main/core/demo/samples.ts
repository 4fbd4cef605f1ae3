// Sample artifacts for the demo case, generated on the spot. Each capability adds its own
// samples to DEMO_SAMPLES; the demo case is built from all of them.
import { writeFile, mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import type { ChecklistStatus, PointId } from '../../../shared/checklist/points.ts';
import { mlpClassifier, seededRandom } from '../formats/onnx/build.ts';
import { backdooredModelSample } from './behave-samples.ts';
import { poisonedDatasetSample } from './dataset-samples.ts';
import { maliciousPickleSample } from './scan-samples.ts';
import { signedModelSample } from './trust-samples.ts';

/** What a sample asks the demo to do with the files it wrote. */
export type DemoAction =
  | { kind: 'add'; paths: string[] }
  | { kind: 'attach'; pointId: PointId; path: string }
  | { kind: 'checklist'; pointId: PointId; status: ChecklistStatus; notes: string }
  /** Verifies an OpenSSF model signature of an added folder with a public key file. */
  | { kind: 'verify-signature'; model: string; signature: string; publicKey: string };

export interface DemoSample {
  name: string;
  /** Writes the sample's files under `dir` and returns what to do with them. */
  write(dir: string): Promise<DemoAction[]>;
}

const modelFolder: DemoSample = {
  name: 'a small model folder',
  async write(dir) {
    const folder = join(dir, 'sentiment-mlp');
    await mkdir(folder, { recursive: true });
    await writeFile(join(folder, 'model.onnx'), mlpClassifier([16, 8, 3], 7));
    await writeFile(join(folder, 'config.json'), `${JSON.stringify({ architecture: 'mlp', inputs: 16, labels: ['negative', 'neutral', 'positive'] }, null, 2)}\n`);
    await writeFile(join(folder, 'README.md'), '# sentiment-mlp\n\nA three-class sentiment classifier over 16 hashed text features.\nPublisher: Example Research Lab. Licence: Apache-2.0.\n');
    return [{ kind: 'add', paths: [folder] }];
  },
};

const reviewsDataset: DemoSample = {
  name: 'a labelled dataset',
  async write(dir) {
    const rand = seededRandom(42);
    const words = ['great', 'poor', 'fine', 'excellent', 'awful', 'okay', 'love', 'hate', 'decent', 'bland'];
    const labels = ['positive', 'negative', 'neutral'];
    const lines = ['id,text,label'];
    for (let i = 0; i < 200; i++) {
      const text = Array.from({ length: 6 }, () => words[Math.floor(rand() * words.length)]).join(' ');
      lines.push(`${i},"${text}",${labels[Math.floor(rand() * labels.length)]}`);
    }
    const path = join(dir, 'reviews.csv');
    await writeFile(path, `${lines.join('\n')}\n`);
    return [{ kind: 'add', paths: [path] }];
  },
};

const environmentNote: DemoSample = {
  name: 'an auditor evidence document',
  async write(dir) {
    const path = join(dir, 'training-environment.md');
    await writeFile(path, '# Training environment\n\nTrained on an isolated build host without outbound network access.\nDependencies were mirrored internally before training.\n');
    return [
      { kind: 'attach', pointId: 'P05', path },
      { kind: 'checklist', pointId: 'P05', status: 'partial', notes: 'Environment description received from the publisher; egress logs not yet provided.' },
      { kind: 'checklist', pointId: 'P01', status: 'partial', notes: 'Dataset source recorded; labeller and collection dates still to confirm.' },
    ];
  },
};

export const DEMO_SAMPLES: readonly DemoSample[] = [
  modelFolder,
  reviewsDataset,
  environmentNote,
  maliciousPickleSample,
  signedModelSample,
  backdooredModelSample,
  poisonedDatasetSample,
];
