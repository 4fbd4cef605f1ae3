// Intake cost of a large PyTorch checkpoint: hashing it (sha256File) and scanning it (scanSource)
// against `sha256sum` of the same file in the same run. The checkpoint is written the way
// torch.save lays it out (one folder, small data.pkl, stored 64-byte-aligned storage records with
// data descriptors): the scanner must read the directory, the pickle and a few bytes of each
// storage, never the tensor blobs, so scanning adds almost nothing to the hash.
import { execFileSync, spawnSync } from 'node:child_process';
import { createWriteStream } from 'node:fs';
import { join } from 'node:path';
import { crc32 } from 'node:zlib';
import { FileSource } from '../../main/core/io/byte-source.ts';
import { sha256File } from '../../main/core/intake/hash.ts';
import { scanSource } from '../../main/core/scan/engine.ts';
import type { Bench, BenchContext, BenchResult } from './types.ts';

const TOTAL = 2 * 1024 ** 3;
const TENSORS = 32;
const CHUNK = 32 * 1024 * 1024;
const RUNS = 3;

/** data.pkl as torch.save writes it, for TENSORS float tensors of `numel` elements each. */
function dataPkl(numel: number): Uint8Array {
  const script = String.raw`
import sys, pickle, types, collections
torch = types.ModuleType('torch'); utils = types.ModuleType('torch._utils'); torch._utils = utils
sys.modules['torch'] = torch; sys.modules['torch._utils'] = utils
FloatStorage = type('FloatStorage', (), {}); FloatStorage.__module__ = 'torch'; torch.FloatStorage = FloatStorage
def _rebuild_tensor_v2(*a): pass
_rebuild_tensor_v2.__module__ = 'torch._utils'; utils._rebuild_tensor_v2 = _rebuild_tensor_v2
class S:
    def __init__(self, k): self.k = k
class T:
    def __init__(self, k): self.s = S(k)
    def __reduce_ex__(self, p): return (_rebuild_tensor_v2, (self.s, 0, (NUMEL,), (1,), False, collections.OrderedDict()))
class P(pickle.Pickler):
    def persistent_id(self, o): return ('storage', FloatStorage, o.k, 'cpu', NUMEL) if isinstance(o, S) else None
sd = collections.OrderedDict((f'layers.{i}.weight', T(str(i))) for i in range(TENSORS))
P(sys.stdout.buffer, protocol=2).dump(sd)
`.replace(/NUMEL/g, String(numel)).replace('TENSORS', String(TENSORS));
  return execFileSync('python3', ['-c', script]);
}

/** Writes the checkpoint with a streaming zip writer (stored records, FB padding, data descriptors). */
async function writeCheckpoint(path: string): Promise<number> {
  const out = createWriteStream(path);
  let pos = 0;
  const write = (b: Uint8Array) => new Promise<void>((resolve, reject) => {
    pos += b.length;
    out.write(b, (e) => (e ? reject(e) : resolve()));
  });
  const central: Buffer[] = [];
  const record = async (name: string, size: number, fill: (chunk: Buffer, offset: number) => void) => {
    const nameBytes = Buffer.from(`archive/${name}`);
    const start = pos + 30 + nameBytes.length + 4;
    const pad = (64 - (start % 64)) % 64;
    const local = Buffer.alloc(30 + nameBytes.length + 4 + pad, 0x5a);
    local.writeUInt32LE(0x04034b50, 0); local.writeUInt16LE(20, 4); local.writeUInt16LE(8, 6); local.writeUInt16LE(0, 8);
    local.fill(0, 10, 26);
    local.writeUInt16LE(nameBytes.length, 26); local.writeUInt16LE(4 + pad, 28);
    nameBytes.copy(local, 30);
    local.write('FB', 30 + nameBytes.length, 'latin1'); local.writeUInt16LE(pad, 32 + nameBytes.length);
    const offset = pos;
    await write(local);
    let crc = 0;
    for (let done = 0; done < size; done += CHUNK) {
      const chunk = Buffer.allocUnsafe(Math.min(CHUNK, size - done));
      fill(chunk, done);
      crc = crc32(chunk, crc);
      await write(chunk);
    }
    const desc = Buffer.alloc(16);
    desc.writeUInt32LE(0x08074b50, 0); desc.writeUInt32LE(crc, 4); desc.writeUInt32LE(size, 8); desc.writeUInt32LE(size, 12);
    await write(desc);
    const c = Buffer.alloc(46 + nameBytes.length);
    c.writeUInt32LE(0x02014b50, 0); c.writeUInt16LE(20, 4); c.writeUInt16LE(20, 6); c.writeUInt16LE(8, 8);
    c.writeUInt32LE(crc, 16); c.writeUInt32LE(size, 20); c.writeUInt32LE(size, 24); c.writeUInt16LE(nameBytes.length, 28);
    c.writeUInt32LE(offset, 42);
    nameBytes.copy(c, 46);
    central.push(c);
  };
  const blob = Math.floor(TOTAL / TENSORS / 4) * 4;
  const pkl = dataPkl(blob / 4);
  await record('data.pkl', pkl.length, (chunk) => chunk.set(pkl));
  await record('byteorder', 6, (chunk) => chunk.write('little'));
  // One chunk of pseudo-random small floats, written again and again with its first word changed:
  // incompressible enough to make hashing honest, cheap enough to write 2 GiB quickly.
  const pattern = Buffer.allocUnsafe(CHUNK);
  const floats = new Float32Array(pattern.buffer, pattern.byteOffset, CHUNK / 4);
  let x = 12345;
  for (let k = 0; k < floats.length; k++) { x = (x * 1103515245 + 12345) >>> 0; floats[k] = (x / 4294967296 - 0.5) * 0.05; }
  let serial = 0;
  for (let i = 0; i < TENSORS; i++) {
    await record(`data/${i}`, blob, (chunk) => {
      pattern.copy(chunk, 0, 0, chunk.length);
      chunk.writeUInt32LE(serial++, 0);
    });
  }
  await record('.data/version', 2, (chunk) => chunk.write('3\n'));
  const cdStart = pos;
  const cd = Buffer.concat(central);
  await write(cd);
  const end = Buffer.alloc(22);
  end.writeUInt32LE(0x06054b50, 0); end.writeUInt16LE(central.length, 8); end.writeUInt16LE(central.length, 10);
  end.writeUInt32LE(cd.length, 12); end.writeUInt32LE(cdStart, 16);
  await write(end);
  await new Promise<void>((resolve, reject) => out.end((e?: Error | null) => (e ? reject(e) : resolve())));
  return pos;
}

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)]!;
}

const bench: Bench = {
  description: 'sha256File + scanSource of a 2 GiB PyTorch zip checkpoint vs sha256sum of the same file',
  async run(ctx: BenchContext): Promise<BenchResult[]> {
    const path = join(ctx.tmpDir, 'checkpoint.pt');
    let t = performance.now();
    const size = await writeCheckpoint(path);
    ctx.log(`wrote ${(size / 2 ** 30).toFixed(2)} GiB in ${((performance.now() - t) / 1000).toFixed(1)} s`);
    spawnSync('sha256sum', [path]); // warm the page cache so both sides read from memory

    const reference: number[] = [];
    const subject: number[] = [];
    const scanOnly: number[] = [];
    const hashOnly: number[] = [];
    let bytesRead = 0;
    let verdict = '';
    let rssPeak = 0;
    for (let run = 0; run < RUNS; run++) {
      t = performance.now();
      const ref = spawnSync('sha256sum', [path], { encoding: 'utf8' });
      reference.push(performance.now() - t);
      if (ref.status !== 0) throw new Error(`sha256sum failed: ${ref.stderr}`);

      t = performance.now();
      const digest = await sha256File(path);
      const t1 = performance.now();
      const source = await FileSource.open(path);
      try {
        const report = await scanSource(source, { name: 'checkpoint.pt' });
        bytesRead = report.bytesRead;
        verdict = report.verdict;
        if (report.findings.length > 0) ctx.log(`findings: ${report.findings.map((f) => `${f.ruleId} ${f.message}`).join('; ')}`);
      } finally {
        await source.close();
      }
      const t2 = performance.now();
      subject.push(t2 - t);
      scanOnly.push(t2 - t1);
      hashOnly.push(t1 - t);
      rssPeak = Math.max(rssPeak, process.memoryUsage().rss);
      if (digest.sha256 !== ref.stdout.split(' ')[0]) throw new Error('digests differ');
    }
    const ratio = median(subject) / median(reference);
    ctx.log(`sha256sum ${median(reference).toFixed(0)} ms, sha256File+scan ${median(subject).toFixed(0)} ms (scan ${median(scanOnly).toFixed(1)} ms, ${bytesRead} bytes read), verdict ${verdict}`);
    return [{
      name: 'intake of a 2 GiB PyTorch zip / sha256sum',
      value: verdict === 'clean' ? ratio : Number.POSITIVE_INFINITY,
      unit: 'ratio',
      target: { bound: 1.2, better: 'lower' },
      detail: {
        fileBytes: size, sha256sumMs: Math.round(median(reference)), hashPlusScanMs: Math.round(median(subject)),
        scanMs: Number(median(scanOnly).toFixed(1)), scanBytesRead: bytesRead, verdict, rssPeakMiB: Math.round(rssPeak / 2 ** 20),
      },
    }, {
      // coreutils sha256sum may lack the SHA extensions OpenSSL uses, which flatters the first
      // ratio; this one isolates what scanning adds to the intake's own hashing.
      name: 'sha256File + scan / sha256File alone',
      value: median(subject) / median(hashOnly),
      unit: 'ratio',
      target: { bound: 1.2, better: 'lower' },
      detail: { sha256FileMs: Math.round(median(hashOnly)), hashPlusScanMs: Math.round(median(subject)) },
    }];
  },
};

export default bench;
