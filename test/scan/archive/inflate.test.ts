import { test } from 'node:test';
import assert from 'node:assert/strict';
import { deflateRawSync } from 'node:zlib';
import { BufferSource } from '../../../main/core/io/byte-source.ts';
import { InflatedSource, InflateReader, inflateToBuffer } from '../../../main/core/scan/archive/inflate.ts';
import { BudgetExceeded, type BudgetTracker } from '../../../main/core/scan/types.ts';

function meter(limit = Infinity): BudgetTracker & { bytes: number } {
  return {
    bytes: 0,
    consumeBytes(n: number) {
      this.bytes += n;
      if (this.bytes > limit) throw new BudgetExceeded('bytes', 'over');
    },
    consumeEntry() {},
    checkTime() {},
  };
}

function content(n: number): Uint8Array {
  const b = new Uint8Array(n);
  let x = 7;
  for (let i = 0; i < n; i++) { x = (x * 1103515245 + 12345) >>> 0; b[i] = (x >>> 24) & 0x3f; }
  return b;
}

test('random reads of an inflated source return exactly the bytes of the content, forwards and backwards', async () => {
  const plain = content(12 * 1024 * 1024 + 321);
  const comp = new BufferSource(deflateRawSync(plain));
  const budget = meter();
  const src = new InflatedSource(() => new InflateReader(comp, 0, comp.size, 'raw', budget), plain.length);
  let x = 99;
  const next = (n: number) => { x = (x * 1664525 + 1013904223) >>> 0; return x % n; };
  for (let i = 0; i < 60; i++) {
    const off = next(plain.length);
    const len = next(300_000);
    const got = await src.read(off, len);
    assert.equal(got.length, Math.min(len, plain.length - off));
    assert.ok(Buffer.from(got).equals(Buffer.from(plain.subarray(off, off + got.length))), `read ${off}+${len}`);
  }
  const tail = await src.read(plain.length - 10, 100);
  assert.equal(tail.length, 10);
  assert.equal(src.actualSize === null || src.actualSize === plain.length, true);
  assert.ok(budget.bytes > 0, 'inflated bytes are charged to the budget');
});

test('a stream shorter or longer than its declared size is noticed', async () => {
  const plain = content(100_000);
  const comp = new BufferSource(deflateRawSync(plain));
  const short = new InflatedSource(() => new InflateReader(comp, 0, comp.size, 'raw', meter()), 150_000);
  const got = await short.read(90_000, 50_000);
  assert.equal(got.length, 10_000);
  assert.equal(short.actualSize, 100_000);

  const long = new InflatedSource(() => new InflateReader(comp, 0, comp.size, 'raw', meter()), 50_000);
  await long.read(0, 50_000);
  await long.read(49_999, 10);
  assert.equal(long.longer, true);
});

test('inflation into memory stops at its cap and at the byte budget', async () => {
  const comp = new BufferSource(deflateRawSync(new Uint8Array(8 * 1024 * 1024)));
  const capped = await inflateToBuffer(new InflateReader(comp, 0, comp.size, 'raw', meter()), 1000);
  assert.equal(capped.bytes.length, 1000);
  assert.equal(capped.overflow, true);
  await assert.rejects(inflateToBuffer(new InflateReader(comp, 0, comp.size, 'raw', meter(1024 * 1024)), 16 * 1024 * 1024), BudgetExceeded);
});

test('damaged deflate data ends the stream with an error instead of throwing', async () => {
  const comp = deflateRawSync(content(50_000));
  const broken = Uint8Array.from(comp);
  broken.fill(0xff, 100, 140);
  const r = new InflateReader(new BufferSource(broken), 0, broken.length, 'raw', meter());
  const out = await inflateToBuffer(r, 1_000_000);
  assert.ok(out.end.error, 'an error is recorded');
  const truncated = new InflateReader(new BufferSource(comp.subarray(0, comp.length / 2)), 0, comp.length / 2, 'raw', meter());
  assert.match((await inflateToBuffer(truncated, 1_000_000)).end.error ?? '', /unexpected end/);
});
