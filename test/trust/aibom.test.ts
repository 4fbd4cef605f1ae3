import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Spec, Validation } from '@cyclonedx/cyclonedx-library';
import { buildAibom, deterministicUuid } from '../../main/core/trust/bundle/aibom.ts';
import { exportBundle } from '../../main/core/trust/bundle/export.ts';
import { readZip } from '../../main/core/trust/bundle/zip-read.ts';
import { generateSigningKey, signerFromPrivateKey } from '../../main/core/trust/keys.ts';
import { makeSnapshot } from './fixtures.ts';

const validator = new Validation.JsonStrictValidator(Spec.Version.v1dot6);

type Json = Record<string, any>;

test('the AIBOM is valid CycloneDX 1.6: model with hashes and model card, datasets as data, findings as vulnerabilities', async () => {
  const s = makeSnapshot({ artifacts: 4, findings: 6 });
  s.findings[1] = { ...s.findings[1]!, status: 'accepted', justification: 'Known helper script, reviewed.', reviewedBy: 'bob', reviewedAt: '2025-03-02T00:00:00.000Z' };
  s.findings[2] = { ...s.findings[2]!, status: 'false_positive', justification: 'Test data.', reviewedBy: 'bob', reviewedAt: '2025-03-02T00:00:00.000Z' };
  const bom = buildAibom(s) as Json;
  assert.equal(await validator.validate(JSON.stringify(bom)), null);
  assert.equal(bom.specVersion, '1.6');
  assert.match(bom.serialNumber, /^urn:uuid:[0-9a-f]{8}-[0-9a-f]{4}-5[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
  const model = bom.components.find((c: Json) => c.type === 'machine-learning-model');
  assert.equal(model.name, 'tiny-bert');
  assert.deepEqual(model.hashes, [{ alg: 'SHA-256', content: s.artifactSets[0]!.rootDigest }]);
  assert.equal(model.components.length, 3);
  assert.deepEqual(model.components[0].hashes, [{ alg: 'SHA-256', content: s.artifacts[0]!.sha256 }]);
  assert.equal(model.modelCard.modelParameters.modelArchitecture, 'safetensors');
  assert.deepEqual(model.modelCard.modelParameters.datasets, [{ ref: 'artifact:art000003' }]);
  assert.ok(model.modelCard.considerations.technicalLimitations.some((l: string) => /finding number 0/.test(l)));
  assert.ok(model.modelCard.properties.some((p: Json) => p.name === 'assay:signature' && /^verified/.test(p.value)));
  const data = bom.components.find((c: Json) => c.type === 'data');
  assert.equal(data.name, 'train.csv');
  assert.equal(data.data[0].type, 'dataset');
  assert.equal(bom.vulnerabilities.length, 6);
  assert.deepEqual(bom.vulnerabilities.map((v: Json) => v.analysis.state), ['in_triage', 'exploitable', 'false_positive', 'in_triage', 'in_triage', 'in_triage']);
  assert.deepEqual(bom.vulnerabilities[1].analysis.response, ['will_not_fix']);
  assert.equal(bom.vulnerabilities[0].ratings[0].severity, s.findings[0]!.severity);
  assert.equal(bom.vulnerabilities[0].affects[0].ref, 'artifact:art000000');
  assert.equal(bom.vulnerabilities[0].recommendation.length > 0, true);
});

test('a loose model file becomes its own model component; the BOM in the bundle validates', async () => {
  const s = makeSnapshot({ artifacts: 1, findings: 0 });
  s.artifacts[0] = { ...s.artifacts[0]!, setId: null, relPath: null };
  s.artifactSets = [];
  const bom = buildAibom(s) as Json;
  assert.equal(await validator.validate(JSON.stringify(bom)), null);
  assert.equal(bom.components[0].type, 'machine-learning-model');
  assert.deepEqual(bom.components[0].modelCard.considerations.technicalLimitations, ['No open finding from the Assay audit.']);
  const bytes = (await exportBundle(makeSnapshot(), signerFromPrivateKey(generateSigningKey()))).bytes;
  const entry = (await readZip(bytes, (n) => n === 'aibom.cdx.json')).members.find((m) => m.name === 'aibom.cdx.json')!;
  assert.equal(await validator.validate(entry.bytes!.toString()), null);
});

test('an invalid BOM is caught by the validator (the check can fail)', async () => {
  const bom = buildAibom(makeSnapshot()) as Json;
  bom.components[0].type = 'ml-model';
  assert.notEqual(await validator.validate(JSON.stringify(bom)), null);
  assert.equal(deterministicUuid('a'), deterministicUuid('a'));
  assert.notEqual(deterministicUuid('a'), deterministicUuid('b'));
});
