import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { writeFile } from 'node:fs/promises';
import { findRule, RULES } from '../../shared/rules/catalogue.ts';
import { TRUST_RULES } from '../../shared/rules/trust.ts';
import { BUNDLE_FAILURE_CLASSES } from '../../main/core/trust/bundle/verify.ts';
import { MAX_FINDINGS_PER_RULE, omsEvidence, omsFindings } from '../../main/core/trust/evidence.ts';
import { generateSigningKey, signerFromPrivateKey } from '../../main/core/trust/keys.ts';
import { signModel } from '../../main/core/trust/oms/sign.ts';
import { verifyModelSignature } from '../../main/core/trust/oms/verify.ts';
import { makeModel } from './fixtures.ts';

const signer = signerFromPrivateKey(generateSigningKey());
const verify = (modelPath: string, json: string, publicKey = signer.publicKey) => verifyModelSignature({ modelPath, signature: json, trust: { kind: 'key', publicKey } });

test('a verified model gives P11 and P08 evidence suggesting pass, and no findings', async () => {
  const model = await makeModel({ 'a.bin': 'A' });
  const r = await verify(model, (await signModel(model, signer)).json);
  assert.deepEqual(omsFindings(r), []);
  const ev = omsEvidence(r, 'art000001');
  assert.deepEqual(ev.map((e) => [e.pointId, e.suggestedStatus, e.source, e.artifactId]), [['P11', 'pass', 'trust', 'art000001'], ['P08', 'pass', 'trust', 'art000001']]);
  assert.match(ev[0]!.summary, /verifies; 1 file\(s\) verified/);
});

test('a modified file fails both points; a wrong key fails both; an extra file is partial', async () => {
  const model = await makeModel({ 'a.bin': 'A', 'b.bin': 'B' });
  const { json } = await signModel(model, signer);
  await writeFile(join(model, 'a.bin'), 'a');
  const modified = await verify(model, json);
  assert.deepEqual(omsEvidence(modified, null).map((e) => e.suggestedStatus), ['fail', 'fail']);
  const f = omsFindings(modified, ['tiny-bert']);
  assert.deepEqual(f.map((x) => [x.ruleId, x.severity, x.location.members]), [['trust.file-modified', 'high', ['tiny-bert', 'a.bin']]]);
  assert.deepEqual(f[0]!.checklist, ['P08', 'P11']);
  await writeFile(join(model, 'a.bin'), 'A');
  const wrongKey = await verify(model, json, signerFromPrivateKey(generateSigningKey()).publicKey);
  assert.deepEqual(omsEvidence(wrongKey, null).map((e) => e.suggestedStatus), ['fail', 'fail']);
  await writeFile(join(model, 'c.py'), 'print(1)');
  const extra = await verify(model, json);
  assert.deepEqual(omsEvidence(extra, null).map((e) => e.suggestedStatus), ['partial', 'partial']);
});

test('many files with one problem are summarised after the per-rule cap', async () => {
  const files: Record<string, string> = {};
  for (let i = 0; i < MAX_FINDINGS_PER_RULE + 5; i++) files[`f${i}.bin`] = String(i);
  const model = await makeModel(files);
  const { json } = await signModel(model, signer);
  for (let i = 0; i < MAX_FINDINGS_PER_RULE + 5; i++) await writeFile(join(model, `f${i}.bin`), `x${i}`);
  const f = omsFindings(await verify(model, json));
  assert.equal(f.length, MAX_FINDINGS_PER_RULE + 1);
  assert.match(f.at(-1)!.message, /^5 more file\(s\)/);
});

function sourceFiles(dir: string): string[] {
  return readdirSync(dir).flatMap((n) => {
    const p = join(dir, n);
    return statSync(p).isDirectory() ? sourceFiles(p) : p.endsWith('.ts') ? [p] : [];
  });
}

test('every trust rule the engine names is in the catalogue, and every bundle failure class has its rule', () => {
  const root = new URL('../../main/core/trust/', import.meta.url).pathname;
  const named = new Set<string>();
  for (const file of sourceFiles(root)) for (const m of readFileSync(file, 'utf8').matchAll(/'(trust\.[a-z0-9-]+)'/g)) named.add(m[1]!);
  assert.ok(named.size >= 10);
  for (const id of named) assert.ok(findRule(id), `${id} is in the catalogue`);
  for (const cls of BUNDLE_FAILURE_CLASSES) assert.ok(findRule(`trust.bundle-${cls}`), `trust.bundle-${cls}`);
  const ids = RULES.map((r) => r.id);
  assert.equal(new Set(ids).size, ids.length, 'rule ids are unique');
  for (const r of TRUST_RULES) {
    assert.equal(r.domain, 'trust');
    assert.match(r.id, /^trust\.[a-z0-9-]+$/);
    assert.ok(r.checklist.length > 0 && r.meaning && r.rationale && r.remediation);
  }
});
