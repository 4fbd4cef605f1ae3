// Demo samples for the behaviour tests: two versions of a small image classifier. v2 carries an
// architectural backdoor (four exact pixel values force class 7 through a Where node) that
// random probes, fingerprints and STRIP cannot see: the backdoor suite's graph inspection finds
// it and confirms it by writing the constants into probes. Run it from the Behaviour tab.
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { cleanImageMlp, whereBackdoorMlp } from '../behave/sample-models.ts';
import type { DemoSample } from './samples.ts';

export const backdooredModelSample: DemoSample = {
  name: 'two versions of an image classifier, the second backdoored',
  async write(dir) {
    const v1 = join(dir, 'sign-classifier-v1.onnx');
    const v2 = join(dir, 'sign-classifier-v2.onnx');
    await writeFile(v1, cleanImageMlp());
    await writeFile(v2, whereBackdoorMlp());
    return [{ kind: 'add', paths: [v1, v2] }];
  },
};
