// Demo sample for the trust layer: a model folder signed by a (generated) publisher key in
// OpenSSF Model Signing format, with the publisher's public key attached to P11; the demo
// verifies the signature, so P11 shows real evidence and a signed bundle can be exported.
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { mlpClassifier } from '../formats/onnx/build.ts';
import { generateSigningKey, publicKeyPem, signerFromPrivateKey } from '../trust/keys.ts';
import { signModel } from '../trust/oms/sign.ts';
import type { DemoSample } from './samples.ts';

export const signedModelSample: DemoSample = {
  name: 'a publisher-signed model folder',
  async write(dir) {
    const folder = join(dir, 'publisher-signed-classifier');
    await mkdir(folder, { recursive: true });
    await writeFile(join(folder, 'spam-filter.onnx'), mlpClassifier([8, 4, 2], 11));
    await writeFile(join(folder, 'config.json'), `${JSON.stringify({ architecture: 'mlp', inputs: 8, labels: ['benign', 'spam'] }, null, 2)}\n`);
    await writeFile(join(folder, 'README.md'), '# publisher-signed-classifier\n\nA two-class spam filter over 8 features.\nPublisher: Example Research Lab. Signed with OpenSSF Model Signing (model.sig).\n');
    // The publisher's key lives only for the demo; its public half is what an auditor receives.
    const publisher = signerFromPrivateKey(generateSigningKey('P-256'));
    const signaturePath = join(folder, 'model.sig');
    const { json } = await signModel(folder, publisher, { signaturePath });
    await writeFile(signaturePath, json);
    const keyPath = join(dir, 'example-research-lab.pub.pem');
    await writeFile(keyPath, publicKeyPem(publisher.publicKey));
    return [
      { kind: 'add', paths: [folder] },
      { kind: 'attach', pointId: 'P11', path: keyPath },
      { kind: 'verify-signature', model: folder, signature: signaturePath, publicKey: keyPath },
      {
        kind: 'checklist', pointId: 'P11', status: 'not_reviewed',
        notes: 'Publisher signature received as model.sig inside the folder and verified with the publisher\u2019s public key (attached). Decide whether to trust that key before passing this point.',
      },
    ];
  },
};
