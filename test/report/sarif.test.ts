import assert from 'node:assert/strict';
import { createRequire } from 'node:module';
import { test } from 'node:test';
import Ajv from 'ajv-draft-04';
import type { Finding } from '../../shared/findings.ts';
import { toSarif } from '../../main/core/report/sarif.ts';

const require = createRequire(import.meta.url);
// The OASIS SARIF 2.1.0 (rtm.5) JSON schema, as shipped by @microsoft/jest-sarif.
const schema = require('@microsoft/jest-sarif/lib/schemas/sarif-2.1.0-rtm.5.json') as object;

const findings: Finding[] = [
  { ruleId: 'scan.executable-payload', severity: 'high', message: 'helper is an ELF executable', location: {}, checklist: ['P10'] },
  { ruleId: 'scan.extension-mismatch', severity: 'medium', message: 'weights.safetensors is a pickle', location: { members: ['archive/weights.safetensors'], byteOffset: 0 }, checklist: ['P08', 'P10'] },
  { ruleId: 'scan.analyzer-error', severity: 'medium', message: 'bad template', location: { line: 3, column: 7 }, checklist: ['P10'] },
];

function validate(doc: unknown): string[] {
  // The schema's language pattern is not valid in unicode mode; the schema predates that flag.
  const ajv = new Ajv({ allErrors: true, strict: false, unicodeRegExp: false });
  const check = ajv.compile(schema);
  return check(doc) ? [] : (check.errors ?? []).map((e) => `${e.instancePath} ${e.message}`);
}

test('SARIF output validates against the OASIS 2.1.0 schema', () => {
  const log = toSarif([{ path: 'models/bert/model.zip', sha256: 'a'.repeat(64), findings }, { path: 'clean.onnx', sha256: 'b'.repeat(64), findings: [] }], { name: 'Assay', version: '0.1.0' });
  assert.deepEqual(validate(log), []);
  // The validator is not vacuous: a broken document fails.
  assert.ok(validate({ version: '2.1.0', runs: [{ results: [{ level: 'fatal' }] }] }).length > 0);
});

test('rules carry stable ids and security-severity; results carry stable fingerprints', () => {
  const a = toSarif([{ path: 'm.zip', sha256: 'c'.repeat(64), findings }], { name: 'Assay', version: '0.1.0' });
  const b = toSarif([{ path: 'elsewhere/m.zip', sha256: 'c'.repeat(64), findings: [...findings].reverse() }], { name: 'Assay', version: '0.1.1' });
  const run = a.runs[0]!;
  assert.deepEqual(run.tool.driver.rules.map((r) => r.id), ['scan.executable-payload', 'scan.extension-mismatch', 'scan.analyzer-error']);
  assert.equal(run.tool.driver.rules[0]!.properties['security-severity'], '8.0');
  assert.equal(run.results[0]!.level, 'error');
  assert.equal(run.results[1]!.level, 'warning');
  const fp = (log: typeof a, ruleId: string) => log.runs[0]!.results.find((r) => r.ruleId === ruleId)!.partialFingerprints['assayFinding/v1'];
  for (const f of findings) assert.equal(fp(a, f.ruleId), fp(b, f.ruleId), f.ruleId);
  // A member finding names the member logically and has no misleading region.
  const nested = run.results[1]!.locations[0]!;
  assert.equal(nested.logicalLocations?.[0]?.fullyQualifiedName, 'm.zip!archive/weights.safetensors');
  assert.equal(nested.physicalLocation.region, undefined);
  assert.deepEqual(run.results[2]!.locations[0]!.physicalLocation.region, { startLine: 3, startColumn: 7 });
});
