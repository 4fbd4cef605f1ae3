// Legacy (non-zip) `torch.save` files: five stacked pickles (magic number, protocol version,
// sys_info, the model, the sorted storage keys), then for each key an 8-byte element count and the
// storage's raw bytes. The pickles are scanned like any other; the storage records are checked
// against the persistent ids the model pickle declared and parsed past, never run.
import type { ByteSource } from '../../io/byte-source.ts';
import type { Analyzer, ScanContext } from '../types.ts';
import { finishPickleScan } from './analyzer.ts';
import type { StreamOutcome } from './machine.ts';
import { DictVal, ListVal, render } from './values.ts';
import { PickleWalker } from './walk.ts';

export const LEGACY_MAGIC = 0x1950a86a20f9469cfc6cn;
export const LEGACY_PROTOCOL_VERSION = 1001;

/** Bytes per element of the storage classes legacy checkpoints name. */
const ELEMENT_SIZE: Readonly<Record<string, number>> = {
  FloatStorage: 4, DoubleStorage: 8, HalfStorage: 2, BFloat16Storage: 2, LongStorage: 8, IntStorage: 4,
  ShortStorage: 2, CharStorage: 1, ByteStorage: 1, BoolStorage: 1, ComplexFloatStorage: 8,
  ComplexDoubleStorage: 16, QInt8Storage: 1, QUInt8Storage: 1, QInt32Storage: 4, QUInt4x2Storage: 1,
  QUInt2x4Storage: 1, UntypedStorage: 1,
};

export function storageElementSize(typeName: string): number | null {
  const last = typeName.split('.').pop() ?? '';
  return ELEMENT_SIZE[last] ?? null;
}

export interface LegacyTorchDetail {
  magicOk: boolean;
  protocolVersion: number | null;
  storages: number;
  storageBytes: number;
  dataStart: number | null;
  dataEnd: number | null;
  problems: string[];
}

const MAX_PROBLEMS = 20;
const HEADER_STREAMS = 5;

async function checkStorages(source: ByteSource, walker: PickleWalker, keysStream: StreamOutcome, modelStream: StreamOutcome,
  detail: LegacyTorchDetail, ctx: ScanContext): Promise<number> {
  const problem = (message: string, byteOffset: number): void => {
    if (detail.problems.length < MAX_PROBLEMS) detail.problems.push(message);
    ctx.report({ ruleId: 'scan.pickle.legacy-storage', severity: 'medium', message, location: { byteOffset } });
  };
  const declared = new Map<string, { type: string; numel: number | null }>();
  for (const p of walker.rec.persistentIds) {
    if (p.at.stream === modelStream.index && p.storage) declared.set(p.storage.key, { type: p.storage.type, numel: p.storage.numel });
  }
  const keysValue = keysStream.stopValue;
  let keys: string[];
  if (keysValue instanceof ListVal && keysValue.items.length === keysValue.size && keysValue.items.every((k) => typeof k === 'string')) {
    keys = keysValue.items as string[];
  } else if (keysValue instanceof ListVal && keysValue.items.length < keysValue.size) {
    keys = [...declared.keys()].sort(); // more keys than the machine keeps: torch writes them sorted
  } else {
    problem(`the storage key list (stream ${keysStream.index}) is ${render(keysValue ?? null, 80)}, not a list of strings; the data after it was not checked`, keysStream.start);
    return source.size;
  }
  for (const k of declared.keys()) {
    if (!keys.includes(k)) problem(`storage '${k}' is used by the model pickle but has no data record`, keysStream.start);
  }
  let offset = keysStream.end;
  detail.dataStart = offset;
  for (const key of keys) {
    ctx.budget.checkTime();
    const d = declared.get(key);
    if (!d) {
      problem(`storage key '${key}' has no persistent id in the model pickle, so its size is unknown; the data after byte ${offset} was not checked`, offset);
      return source.size;
    }
    const es = storageElementSize(d.type);
    if (es === null) {
      problem(`storage '${key}' has type ${d.type}, whose element size is unknown; the data after byte ${offset} was not checked`, offset);
      return source.size;
    }
    if (offset + 8 > source.size) {
      problem(`storage '${key}': its record header at byte ${offset} is past the end of the file`, offset);
      return source.size;
    }
    const head = await source.read(offset, 8);
    const numel = Number(Buffer.from(head.buffer, head.byteOffset, 8).readBigInt64LE(0));
    if (!Number.isSafeInteger(numel) || numel < 0) {
      problem(`storage '${key}' declares ${numel} elements; the data after byte ${offset} was not checked`, offset);
      return source.size;
    }
    if (d.numel !== null && d.numel !== numel) problem(`storage '${key}' is declared with ${d.numel} elements but its record has ${numel}`, offset);
    const bytes = numel * es;
    if (!Number.isSafeInteger(bytes) || offset + 8 + bytes > source.size) {
      problem(`storage '${key}': ${numel} elements of ${es} bytes run past the end of the file`, offset);
      return source.size;
    }
    walker.rec.rawRegion({ byteOffset: offset, length: 8 + bytes, what: `storage '${key}' (${numel} × ${d.type})` });
    detail.storages++;
    detail.storageBytes += bytes;
    offset += 8 + bytes;
  }
  detail.dataEnd = offset;
  return offset;
}

/** Legacy PyTorch checkpoints (stacked pickles and raw storages). */
export const legacyTorchAnalyzer: Analyzer = {
  formats: ['pytorch-legacy'],
  async analyze(source, ctx) {
    const walker = new PickleWalker(source, ctx.budget);
    const detail: LegacyTorchDetail = { magicOk: false, protocolVersion: null, storages: 0, storageBytes: 0, dataStart: null, dataEnd: null, problems: [] };
    const header: StreamOutcome[] = [];
    let pos = 0;
    let broken = false;
    for (let i = 0; i < HEADER_STREAMS; i++) {
      if (pos >= source.size) break;
      const out = await walker.stream(pos);
      header.push(out);
      pos = out.end;
      if (out.error || out.limit) {
        broken = true;
        break;
      }
    }
    let trailing: { byteOffset: number; length: number } | null = null;
    if (!broken) {
      const [magic, proto, sysInfo, model, keys] = header;
      detail.magicOk = magic?.stopValue === LEGACY_MAGIC;
      if (!detail.magicOk) ctx.report({ ruleId: 'scan.pickle.legacy-storage', severity: 'medium', message: `the first pickle holds ${render(magic?.stopValue ?? null, 60)}, not the legacy torch.save magic number`, location: { byteOffset: 0 } });
      detail.protocolVersion = typeof proto?.stopValue === 'number' ? proto.stopValue : null;
      if (proto && detail.protocolVersion !== LEGACY_PROTOCOL_VERSION) {
        ctx.report({ ruleId: 'scan.pickle.legacy-storage', severity: 'medium', message: `the protocol-version pickle holds ${render(proto.stopValue ?? null, 40)}, not ${LEGACY_PROTOCOL_VERSION}`, location: { byteOffset: proto.start } });
      }
      if (sysInfo && !(sysInfo.stopValue instanceof DictVal)) {
        ctx.report({ ruleId: 'scan.pickle.legacy-storage', severity: 'medium', message: `the sys_info pickle holds ${render(sysInfo.stopValue ?? null, 60)}, not a dict`, location: { byteOffset: sysInfo.start } });
      }
      if (model && keys) {
        pos = await checkStorages(source, walker, keys, model, detail, ctx);
      } else {
        ctx.report({ ruleId: 'scan.pickle.legacy-storage', severity: 'medium', message: `the file ends after ${header.length} of the ${HEADER_STREAMS} pickles a legacy checkpoint holds`, location: { byteOffset: pos } });
      }
      // Whatever follows the storages is not read by torch.load; stacked pickles there are still scanned.
      while (pos < source.size && !walker.limit) {
        ctx.budget.consumeEntry();
        const out = await walker.tryStream(pos);
        if (!out) {
          trailing = { byteOffset: pos, length: source.size - pos };
          break;
        }
        pos = out.end;
        if (out.error || out.limit) break;
      }
    }
    await walker.probeJoblibArrays();
    await finishPickleScan(walker.result(pos, trailing), source, ctx, { extraDetail: { legacy: detail } });
  },
};
