// Mutations of every fixture (truncation, flipped bytes, splices, inflated length fields, inserted
// bytes): the scanner never throws and never takes a second, and, checked against CPython's own
// unpickler run with inert stubs, never misses a call the real unpickler would make.
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { BufferSource } from '../../../main/core/io/byte-source.ts';
import { disassemble, walkPickle } from '../../../main/core/scan/pickle/index.ts';
import { VERDICTS } from '../../../shared/findings.ts';
import { seededRandom } from '../../../shared/seeded-random.ts';
import { fuzzSeed } from '../../fixtures/fuzz-seed.ts';
import { fixture, manifest, scanBytes } from './fixtures.ts';

const ORACLE = new URL('../../fixtures/pickle/oracle.py', import.meta.url).pathname;

const LENGTH_WIDTH: Readonly<Record<string, number>> = {
  SHORT_BINUNICODE: 1, SHORT_BINBYTES: 1, SHORT_BINSTRING: 1, LONG1: 1,
  BINUNICODE: 4, BINBYTES: 4, BINSTRING: 4, LONG4: 4,
  BINUNICODE8: 8, BINBYTES8: 8, BYTEARRAY8: 8, FRAME: 8,
};

interface Mutant {
  label: string;
  bytes: Uint8Array;
}

async function mutants(name: string, bytes: Uint8Array, other: Uint8Array, rand: () => number): Promise<Mutant[]> {
  const n = bytes.length;
  const out: Mutant[] = [];
  const pick = (k: number): number => Math.floor(rand() * k);
  for (const cut of [1, Math.floor(n / 2), n - 1, pick(n)]) {
    if (cut > 0 && cut < n) out.push({ label: `truncate@${cut}`, bytes: bytes.slice(0, cut) });
  }
  for (let i = 0; i < 3; i++) {
    const b = bytes.slice();
    const at = pick(n);
    b[at] = b[at]! ^ (1 + pick(255));
    out.push({ label: `flip@${at}`, bytes: b });
  }
  const a = pick(n);
  const z = pick(other.length);
  const spliced = new Uint8Array(a + other.length - z);
  spliced.set(bytes.subarray(0, a));
  spliced.set(other.subarray(z), a);
  out.push({ label: `splice@${a}+${z}`, bytes: spliced });
  const ins = pick(n);
  const junk = Uint8Array.from({ length: 1 + pick(8) }, () => pick(256));
  const inserted = new Uint8Array(n + junk.length);
  inserted.set(bytes.subarray(0, ins));
  inserted.set(junk, ins);
  inserted.set(bytes.subarray(ins), ins + junk.length);
  out.push({ label: `insert@${ins}`, bytes: inserted });
  // Inflate declared lengths of the first length-prefixed opcodes.
  const { entries } = await disassemble(new BufferSource(bytes), { start: 0, end: n, maxOps: 400 });
  const lengthOps = entries.filter((e) => LENGTH_WIDTH[e.op] !== undefined).slice(0, 2);
  for (const e of lengthOps) {
    const width = LENGTH_WIDTH[e.op]!;
    for (const value of [0x7fffffff, n + 1000, 2 ** 53]) {
      const b = bytes.slice();
      const view = new DataView(b.buffer);
      const at = e.byteOffset + 1;
      if (at + width > n) continue;
      if (width === 1) b[at] = Math.min(value, 0xff);
      else if (width === 4) view.setUint32(at, Math.min(value, 0xffffffff), true);
      else view.setBigUint64(at, BigInt(value), true);
      out.push({ label: `inflate ${e.op}@${e.byteOffset}=${value}`, bytes: b });
    }
  }
  void name;
  return out;
}

test('mutated fixtures never crash or stall the scanner, and no call CPython would make goes unreported', async () => {
  const names = Object.keys(manifest()).sort();
  const rand = seededRandom(fuzzSeed(0x5eed));
  const dir = mkdtempSync(join(tmpdir(), 'assay-pickle-mut-'));
  try {
    const t0 = performance.now();
    const oracleCases: Array<{ file: string; label: string; bytes: Uint8Array }> = [];
    let count = 0;
    let slowest = { ms: 0, label: '' };
    for (const [i, name] of names.entries()) {
      const bytes = fixture(name);
      const other = fixture(names[(i * 7 + 3) % names.length]!);
      // Plain pickles are compared with CPython; joblib, legacy torch and .npy are read differently by their loaders.
      const plain = !/joblib|legacy|\.npy$|\.pt$/.test(name);
      for (const m of await mutants(name, bytes, other, rand)) {
        const started = performance.now();
        let r;
        try {
          r = await scanBytes(m.bytes, name);
        } catch (e) {
          assert.fail(`${name} ${m.label}: the scan threw ${String(e)}`);
        }
        const ms = performance.now() - started;
        if (ms > slowest.ms) slowest = { ms, label: `${name} ${m.label}` };
        assert.ok(ms < 1000, `${name} ${m.label}: ${ms.toFixed(0)} ms`);
        assert.ok((VERDICTS as readonly string[]).includes(r.verdict));
        count++;
        if (plain) {
          const file = join(dir, `${oracleCases.length}.pkl`);
          writeFileSync(file, m.bytes);
          oracleCases.push({ file, label: `${name} ${m.label}`, bytes: m.bytes });
        }
      }
    }
    assert.ok(count > 1500, `mutants: ${count}`);
    if (process.env.ASSAY_TIMING) console.error(`scanned ${count} mutants in ${(performance.now() - t0).toFixed(0)} ms`);
    assert.ok(slowest.ms < 1000, `slowest ${slowest.label}`);

    const list = join(dir, 'files.txt');
    writeFileSync(list, oracleCases.map((c) => c.file).join('\n'));
    const truth = JSON.parse(execFileSync('python3', [ORACLE, `@${list}`], { maxBuffer: 64 * 1024 * 1024 }).toString()) as Record<string, { ok: boolean; error: string; calls: Array<[string, string]>; result_calls: number }>;
    if (process.env.ASSAY_TIMING) console.error(`oracle done at ${(performance.now() - t0).toFixed(0)} ms`);
    let compared = 0;
    let pythonCalls = 0;
    for (const c of oracleCases) {
      const t = truth[c.file]!;
      const w = await walkPickle(new BufferSource(c.bytes), { maxStreams: 1 });
      const s0 = w.streams[0]!;
      const called = new Set(w.globals.filter((g) => g.use.calls + g.use.embeddedCalls > 0).map((g) => `${g.module}.${g.name}`));
      for (const [m, n] of t.calls) {
        pythonCalls++;
        assert.ok(called.has(`${m}.${n}`), `${c.label}: CPython calls ${m}.${n}, the machine did not report it (called: ${[...called].join(', ')}; stream error: ${s0.error?.message})`);
      }
      if (t.result_calls > 0) {
        // CPython called an object computed while loading: the machine must have resolved it (a
        // derived global such as `os.system` reached through getattr) or reported it unresolved.
        const computed = w.issues.some((x) => x.ruleId === 'scan.pickle.unresolved-call') || w.globals.some((g) => g.via !== null);
        assert.ok(computed, `${c.label}: CPython calls a computed value; the machine reported no unresolved or derived call`);
      }
      // The oracle reads from io.BytesIO; a stream that differs when read that way was also walked that way.
      const fileReading = w.issues.some((x) => x.ruleId === 'scan.pickle.frame-violation' && /without peek/.test(x.message));
      if (t.ok && !fileReading) assert.equal(s0.error, null, `${c.label}: CPython loads it but the machine stopped: ${s0.error?.message}`);
      compared++;
    }
    assert.ok(compared > 1000 && pythonCalls > 200, `compared ${compared} mutants, ${pythonCalls} CPython calls`);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
