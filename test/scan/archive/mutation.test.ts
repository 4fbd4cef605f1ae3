// Hostile-input robustness: every fixture is truncated, bit-flipped, spliced and given inflated
// length fields, and each mutant goes through the whole engine. No mutant may throw, take more
// than a second, or make memory grow without bound; every one gets a verdict.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { gzipSync } from 'node:zlib';
import { BufferSource } from '../../../main/core/io/byte-source.ts';
import { scanSource } from '../../../main/core/scan/engine.ts';
import { VERDICTS } from '../../../shared/findings.ts';
import { seededRandom } from '../../../shared/seeded-random.ts';
import { fuzzSeed } from '../../fixtures/fuzz-seed.ts';
import { buildTar } from './fixtures/tar.ts';
import { benignCheckpoint, legacyTorchTar, LINEAR, tensorBytes, torchPickle, torchZip } from './fixtures/torch.ts';
import { buildZip, elfBytes, text } from './fixtures/zip.ts';

/** Offsets of every zip record signature, where length fields live. */
function signatures(b: Uint8Array): number[] {
  const out: number[] = [];
  for (let i = 0; i + 4 <= b.length; i++) {
    if (b[i] === 0x50 && b[i + 1] === 0x4b && [1, 3, 5, 6, 7].includes(b[i + 2]!)) out.push(i);
  }
  return out;
}

function* mutants(base: Uint8Array, seed: number, count: number): Generator<{ what: string; bytes: Uint8Array }> {
  const r = seededRandom(fuzzSeed(seed));
  const at = (n = base.length) => Math.floor(r() * n);
  for (let i = 0; i < count / 4; i++) {
    const cut = at();
    yield { what: `truncate at ${cut}`, bytes: base.subarray(0, cut) };
  }
  for (let i = 0; i < count / 4; i++) {
    const m = Uint8Array.from(base);
    const flips = 1 + at(4);
    for (let k = 0; k < flips; k++) {
      const j = at();
      m[j] = m[j]! ^ (1 << at(8));
    }
    yield { what: `flip ${flips} bits (seed ${seed}, #${i})`, bytes: m };
  }
  for (let i = 0; i < count / 8; i++) {
    const from = at();
    const len = Math.min(base.length - from, 1 + at(256));
    const to = at();
    const m = Uint8Array.from(base);
    m.set(base.subarray(from, from + len).subarray(0, m.length - to), to);
    yield { what: `overwrite ${len} bytes at ${to} with bytes from ${from}`, bytes: m };
    const inserted = Buffer.concat([base.subarray(0, to), base.subarray(from, from + len), base.subarray(to)]);
    yield { what: `insert ${len} bytes from ${from} at ${to}`, bytes: inserted };
  }
  const sigs = signatures(base);
  for (let i = 0; i < count / 4 && sigs.length > 0; i++) {
    const s = sigs[at(sigs.length)]!;
    const field = s + 4 + 2 * at(12);
    const m = Uint8Array.from(base);
    const v = new DataView(m.buffer);
    if (field + 4 <= m.length) v.setUint32(field, r() < 0.5 ? 0xffffffff : Math.floor(r() * 0xfffffff), true);
    yield { what: `inflate the field at ${field} of the record at ${s}`, bytes: m };
  }
  // tar headers: size fields of every 512-byte block that looks like a header
  for (let h = 0; h + 512 <= base.length && h < 64 * 512; h += 512) {
    if (base[h + 257] !== 0x75) continue; // "ustar"
    const m = Uint8Array.from(base);
    m.set(new TextEncoder().encode('77777777777\0'), h + 124);
    yield { what: `tar size field at ${h + 124} set to 8 GiB`, bytes: m };
  }
}

const FIXTURES: { name: string; bytes: () => Uint8Array }[] = [
  { name: 'bundle.zip', bytes: () => buildZip([{ name: 'README.txt', data: text('hello\n'.repeat(50)), method: 8 }, { name: 'nested.zip', data: buildZip([{ name: 'a.txt', data: text('x') }]).bytes }, { name: 'tool', data: elfBytes() }]).bytes },
  { name: 'model.pt', bytes: () => benignCheckpoint() },
  { name: 'deflated.pt', bytes: () => torchZip({ dataPkl: torchPickle(LINEAR), storages: { '0': tensorBytes(LINEAR[0]!), '1': tensorBytes(LINEAR[1]!) }, tweak: (m) => ({ ...m, method: 8 }) }) },
  { name: 'bundle.tar', bytes: () => buildTar([{ name: 'model/config.txt', data: text('a=1\n') }, { name: 'model/long', paxPath: `model/${'y'.repeat(120)}`, data: text('b\n') }, { name: 'link', type: '2', linkName: '../x' }]).bytes },
  { name: 'bundle.tar.gz', bytes: () => gzipSync(buildTar([{ name: 'a.txt', data: text('hello\n') }, { name: 'b.zip', data: buildZip([{ name: 'c.txt', data: text('c') }]).bytes }]).bytes) },
  { name: 'legacy.tar', bytes: () => legacyTorchTar() },
];

for (const [i, fixture] of FIXTURES.entries()) {
  test(`mutants of ${fixture.name} never crash, hang or run away with memory`, async () => {
    const base = fixture.bytes();
    const rssBefore = process.memoryUsage().rss;
    let n = 0;
    for (const m of mutants(base, 1000 + i, 128)) {
      const t0 = performance.now();
      const report = await scanSource(new BufferSource(m.bytes), { name: fixture.name, limits: { maxMillis: 5000 } });
      const ms = performance.now() - t0;
      assert.ok(VERDICTS.includes(report.verdict), `${m.what}: no verdict`);
      assert.ok(ms < 1000, `${m.what}: took ${ms.toFixed(0)} ms`);
      n++;
    }
    const grown = process.memoryUsage().rss - rssBefore;
    assert.ok(grown < 512 * 1024 * 1024, `memory grew by ${(grown / 2 ** 20).toFixed(0)} MiB over ${n} mutants`);
    assert.ok(n >= 80, `only ${n} mutants`);
  });
}
