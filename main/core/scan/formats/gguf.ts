// GGUF (versions 1 to 3): every count and length is checked against the bytes that remain before
// it is used, value types and ggml tensor types must be known, tensor data must be aligned, inside
// the file and not overlap. Chat templates in the metadata are handed to the template checks.
import type { ByteSource } from '../../io/byte-source.ts';
import type { Analyzer, ScanContext } from '../types.ts';
import { CappedReporter } from './common/capped-report.ts';
import { appendPath } from './common/json-path.ts';
import { decodeUtf8, errorText, WindowReader } from './common/read.ts';
import { reportTemplate } from './template/report.ts';

/** Byte size of each scalar metadata value type (GGUF spec). 8 = string and 9 = array are variable. */
const SCALAR_SIZES: Readonly<Record<number, number>> = { 0: 1, 1: 1, 2: 2, 3: 2, 4: 4, 5: 4, 6: 4, 7: 1, 10: 8, 11: 8, 12: 8 };
const TYPE_NAMES: Readonly<Record<number, string>> = {
  0: 'uint8', 1: 'int8', 2: 'uint16', 3: 'int16', 4: 'uint32', 5: 'int32', 6: 'float32', 7: 'bool', 8: 'string', 9: 'array', 10: 'uint64', 11: 'int64', 12: 'float64',
};
const STRING = 8;
const ARRAY = 9;

/** ggml tensor types: [elements per block, bytes per block]. Retired repacked types are kept for old files. */
export const GGML_TYPES: Readonly<Record<number, { name: string; block: number; bytes: number }>> = {
  0: { name: 'F32', block: 1, bytes: 4 }, 1: { name: 'F16', block: 1, bytes: 2 },
  2: { name: 'Q4_0', block: 32, bytes: 18 }, 3: { name: 'Q4_1', block: 32, bytes: 20 },
  6: { name: 'Q5_0', block: 32, bytes: 22 }, 7: { name: 'Q5_1', block: 32, bytes: 24 },
  8: { name: 'Q8_0', block: 32, bytes: 34 }, 9: { name: 'Q8_1', block: 32, bytes: 40 },
  10: { name: 'Q2_K', block: 256, bytes: 84 }, 11: { name: 'Q3_K', block: 256, bytes: 110 },
  12: { name: 'Q4_K', block: 256, bytes: 144 }, 13: { name: 'Q5_K', block: 256, bytes: 176 },
  14: { name: 'Q6_K', block: 256, bytes: 210 }, 15: { name: 'Q8_K', block: 256, bytes: 292 },
  16: { name: 'IQ2_XXS', block: 256, bytes: 66 }, 17: { name: 'IQ2_XS', block: 256, bytes: 74 },
  18: { name: 'IQ3_XXS', block: 256, bytes: 98 }, 19: { name: 'IQ1_S', block: 256, bytes: 50 },
  20: { name: 'IQ4_NL', block: 32, bytes: 18 }, 21: { name: 'IQ3_S', block: 256, bytes: 110 },
  22: { name: 'IQ2_S', block: 256, bytes: 82 }, 23: { name: 'IQ4_XS', block: 256, bytes: 136 },
  24: { name: 'I8', block: 1, bytes: 1 }, 25: { name: 'I16', block: 1, bytes: 2 },
  26: { name: 'I32', block: 1, bytes: 4 }, 27: { name: 'I64', block: 1, bytes: 8 },
  28: { name: 'F64', block: 1, bytes: 8 }, 29: { name: 'IQ1_M', block: 256, bytes: 56 },
  30: { name: 'BF16', block: 1, bytes: 2 },
  31: { name: 'Q4_0_4_4', block: 32, bytes: 18 }, 32: { name: 'Q4_0_4_8', block: 32, bytes: 18 }, 33: { name: 'Q4_0_8_8', block: 32, bytes: 18 },
  34: { name: 'TQ1_0', block: 256, bytes: 54 }, 35: { name: 'TQ2_0', block: 256, bytes: 66 },
  36: { name: 'IQ4_NL_4_4', block: 32, bytes: 18 }, 37: { name: 'IQ4_NL_4_8', block: 32, bytes: 18 }, 38: { name: 'IQ4_NL_8_8', block: 32, bytes: 18 },
  39: { name: 'MXFP4', block: 32, bytes: 17 },
};

const MAX_DIMS = 4; // GGML_MAX_DIMS
const MAX_NAME_BYTES = 63; // GGML_MAX_NAME is 64 including the terminating zero
const MAX_ARRAY_DEPTH = 3;
/** Strings longer than this are skipped, not decoded (chat templates are a few kilobytes). */
const MAX_KEPT_STRING = 4 * 1024 * 1024;
const DEFAULT_ALIGNMENT = 32;
const INT64_MAX = (1n << 63n) - 1n;

class Malformed extends Error {
  constructor(readonly ruleId: string, message: string, readonly at: number, readonly path?: string) {
    super(message);
  }
}

interface TensorInfo {
  name: string;
  dims: bigint[];
  type: number;
  offset: bigint;
  at: number;
}

class GgufReader {
  pos = 0;
  constructor(private readonly r: WindowReader, readonly version: number) {}

  get size(): number {
    return this.r.size;
  }
  get remaining(): number {
    return this.r.size - this.pos;
  }

  private async take(n: number, what: string): Promise<DataView> {
    if (n > this.remaining) throw new Malformed('scan.gguf.metadata', `${what} needs ${n} bytes but only ${this.remaining} remain`, this.pos);
    const v = await this.r.view(this.pos, n);
    this.pos += n;
    return v;
  }
  async u32(what: string): Promise<number> {
    return (await this.take(4, what)).getUint32(0, true);
  }
  async u64(what: string): Promise<bigint> {
    return (await this.take(8, what)).getBigUint64(0, true);
  }
  /** A count or length: u32 in version 1, u64 afterwards. */
  async size_t(what: string): Promise<bigint> {
    return this.version === 1 ? BigInt(await this.u32(what)) : this.u64(what);
  }
  async skip(n: bigint, what: string): Promise<void> {
    if (n > BigInt(this.remaining)) throw new Malformed('scan.gguf.metadata', `${what} declares ${n} bytes but only ${this.remaining} remain`, this.pos);
    this.pos += Number(n);
  }
  /** Reads a string; returns null (after skipping it) when it is longer than `keep` bytes. */
  async string(what: string, keep = MAX_KEPT_STRING): Promise<{ text: string | null; at: number; bytes: number }> {
    const len = await this.size_t(`${what} length`);
    const at = this.pos;
    if (len > BigInt(this.remaining)) throw new Malformed('scan.gguf.metadata', `${what} declares ${len} bytes but only ${this.remaining} remain`, at - (this.version === 1 ? 4 : 8));
    const n = Number(len);
    if (n > keep) {
      this.pos += n;
      return { text: null, at, bytes: n };
    }
    const bytes = await this.r.bytes(at, n);
    this.pos += n;
    return { text: decodeUtf8(bytes) ?? new TextDecoder().decode(bytes), at, bytes: n };
  }
}

type MetaValue = { kind: 'string'; text: string | null; at: number } | { kind: 'number'; value: bigint | number } | { kind: 'other' };

export async function analyzeGguf(source: ByteSource, ctx: ScanContext): Promise<void> {
  const out = new CappedReporter(ctx);
  try {
    await parse(source, ctx, out);
  } catch (e) {
    if (e instanceof Malformed) {
      out.report({ ruleId: e.ruleId, severity: 'medium', message: e.message, location: { byteOffset: e.at, ...(e.path ? { jsonPath: e.path } : {}) } });
    } else if (e instanceof RangeError) {
      out.report({ ruleId: 'scan.gguf.metadata', severity: 'medium', message: `structure runs past the end of the file: ${errorText(e)}` });
    } else {
      throw e;
    }
  } finally {
    out.flush();
  }
}

async function parse(source: ByteSource, ctx: ScanContext, out: CappedReporter): Promise<void> {
  const window = new WindowReader(source);
  if (source.size < 16) throw new Malformed('scan.gguf.header', `file is ${source.size} bytes, too short for a GGUF header`, 0);
  const head = await window.view(0, 8);
  if (head.getUint32(0, true) !== 0x46554747) throw new Malformed('scan.gguf.header', 'GGUF magic is missing', 0);
  const version = head.getUint32(4, true);
  if (version < 1 || version > 3) {
    ctx.report({ ruleId: 'scan.gguf.version', severity: 'low', message: `GGUF version ${version} is not one Assay can read (1 to 3); the file was not analysed`, location: { byteOffset: 4 } });
    return;
  }
  const r = new GgufReader(window, version);
  r.pos = 8;
  const tensorCount = await r.size_t('tensor count');
  const kvCount = await r.size_t('metadata count');
  // Smallest possible entries: a KV is a key length, a type and one byte of value; a tensor
  // description is a name length, a dimension count, a type and an offset.
  const lenBytes = version === 1 ? 4 : 8;
  if (kvCount * BigInt(lenBytes + 4 + 1) > BigInt(r.remaining)) {
    throw new Malformed('scan.gguf.header', `metadata count ${kvCount} cannot fit in the ${source.size}-byte file`, version === 1 ? 12 : 16);
  }
  if (tensorCount * BigInt(lenBytes + 4 + 4 + 8) > BigInt(r.remaining)) {
    throw new Malformed('scan.gguf.header', `tensor count ${tensorCount} cannot fit in the ${source.size}-byte file`, 8);
  }

  const keys = new Set<string>();
  const templates: string[] = [];
  let alignment = DEFAULT_ALIGNMENT;
  let architecture: string | null = null;
  for (let i = 0n; i < kvCount; i++) {
    ctx.budget.checkTime();
    const keyAt = r.pos;
    const key = await r.string(`metadata key ${i}`, 65536);
    const name = key.text ?? `<key of ${key.bytes} bytes>`;
    const path = appendPath('$', name);
    if (keys.has(name)) {
      out.report({ ruleId: 'scan.gguf.metadata', severity: 'medium', message: `metadata key ${JSON.stringify(name)} appears more than once`, location: { jsonPath: path, byteOffset: keyAt } });
    }
    keys.add(name);
    const typeAt = r.pos;
    const type = await r.u32(`type of ${name}`);
    const value = await withPath(path, () => readValue(r, type, name, path, typeAt, 0));
    if (name === 'general.alignment') {
      const a = value.kind === 'number' ? Number(value.value) : NaN;
      if (type !== 4 || !Number.isInteger(a) || a <= 0 || (a & (a - 1)) !== 0) {
        const found = type !== 4 ? `a value of type ${TYPE_NAMES[type] ?? type}` : String(a);
        out.report({ ruleId: 'scan.gguf.metadata', severity: 'medium', message: `general.alignment must be a power-of-two uint32, found ${found}`, location: { jsonPath: path, byteOffset: typeAt } });
      } else {
        alignment = a;
      }
    }
    if (name === 'general.architecture' && value.kind === 'string') architecture = value.text;
    if ((name === 'tokenizer.chat_template' || name.startsWith('tokenizer.chat_template.')) && value.kind === 'string') {
      templates.push(name);
      if (value.text === null) {
        ctx.report({ ruleId: 'scan.template.too-large', severity: 'low', message: `${name}: template larger than ${MAX_KEPT_STRING} bytes was not analysed`, location: { jsonPath: path, byteOffset: value.at } });
      } else {
        reportTemplate(out, value.text, { label: name, location: { jsonPath: path, byteOffset: value.at } });
      }
    }
  }

  const tensors: TensorInfo[] = [];
  const names = new Set<string>();
  for (let i = 0n; i < tensorCount; i++) {
    ctx.budget.checkTime();
    const at = r.pos;
    const name = await r.string(`tensor ${i} name`, 65536);
    const tname = name.text ?? `<tensor ${i}>`;
    const path = appendPath('$.tensors', tname);
    const bad = (message: string): void => out.report({ ruleId: 'scan.gguf.tensor-info', severity: 'medium', message: `tensor ${JSON.stringify(tname)}: ${message}`, location: { jsonPath: path, byteOffset: at } });
    if (name.bytes > MAX_NAME_BYTES) bad(`name is ${name.bytes} bytes, longer than the ${MAX_NAME_BYTES} ggml allows`);
    if (names.has(tname)) bad('name appears more than once');
    names.add(tname);
    const nDims = await r.u32(`tensor ${tname} dimension count`);
    if (nDims > MAX_DIMS) throw new Malformed('scan.gguf.tensor-info', `tensor ${JSON.stringify(tname)}: ${nDims} dimensions, ggml allows ${MAX_DIMS}`, at, path);
    const dims: bigint[] = [];
    for (let d = 0; d < nDims; d++) dims.push(version === 1 ? BigInt(await r.u32('dimension')) : await r.u64('dimension'));
    const type = await r.u32(`tensor ${tname} type`);
    const offset = await r.u64(`tensor ${tname} offset`);
    let elements = 1n;
    for (const d of dims) elements *= d;
    if (dims.some((d) => d > INT64_MAX) || elements > INT64_MAX) {
      bad(`dimensions [${dims.join(', ')}] overflow a 64-bit element count`);
      continue;
    }
    const ggml = GGML_TYPES[type];
    if (!ggml) {
      bad(`ggml type ${type} is unknown`);
      continue;
    }
    if ((dims[0] ?? 1n) % BigInt(ggml.block) !== 0n) {
      bad(`first dimension ${dims[0] ?? 1n} is not a multiple of the ${ggml.name} block size ${ggml.block}`);
      continue;
    }
    tensors.push({ name: tname, dims, type, offset, at });
  }

  const dataStart = Math.ceil(r.pos / alignment) * alignment;
  checkTensorData(tensors, dataStart, alignment, source.size, out);
  ctx.detail('gguf', {
    version, architecture, alignment, metadataCount: Number(kvCount), tensorCount: Number(tensorCount), chatTemplates: templates,
  });
}

/** Adds the JSON path of the entry being read to a structural error raised without one. */
async function withPath<T>(path: string, read: () => Promise<T>): Promise<T> {
  try {
    return await read();
  } catch (e) {
    if (e instanceof Malformed && !e.path) throw new Malformed(e.ruleId, e.message, e.at, path);
    throw e;
  }
}

async function readValue(r: GgufReader, type: number, name: string, path: string, at: number, depth: number): Promise<MetaValue> {
  const scalar = SCALAR_SIZES[type];
  if (scalar !== undefined) {
    if (scalar > r.remaining) throw new Malformed('scan.gguf.metadata', `value of ${JSON.stringify(name)} runs past the end of the file`, r.pos, path);
    if (type === 4) return { kind: 'number', value: await r.u32(name) };
    await r.skip(BigInt(scalar), name);
    return { kind: 'number', value: NaN };
  }
  if (type === STRING) {
    const s = await r.string(`value of ${JSON.stringify(name)}`);
    return { kind: 'string', text: s.text, at: s.at };
  }
  if (type === ARRAY) {
    if (depth >= MAX_ARRAY_DEPTH) throw new Malformed('scan.gguf.metadata', `${JSON.stringify(name)} nests arrays deeper than ${MAX_ARRAY_DEPTH}`, at, path);
    const elemType = await r.u32(`element type of ${name}`);
    const count = await r.size_t(`length of ${name}`);
    const elemSize = SCALAR_SIZES[elemType];
    if (elemSize !== undefined) {
      await r.skip(count * BigInt(elemSize), `array ${JSON.stringify(name)} of ${count} ${TYPE_NAMES[elemType]}`);
      return { kind: 'other' };
    }
    if (elemType !== STRING && elemType !== ARRAY) {
      throw new Malformed('scan.gguf.metadata', `array ${JSON.stringify(name)} has unknown element type ${elemType}`, at, path);
    }
    // Each string or nested array takes at least its length field.
    const minimum = elemType === STRING ? (r.version === 1 ? 4n : 8n) : (r.version === 1 ? 8n : 12n);
    if (count * minimum > BigInt(r.remaining)) {
      throw new Malformed('scan.gguf.metadata', `array ${JSON.stringify(name)} declares ${count} elements, more than the file can hold`, at, path);
    }
    for (let i = 0n; i < count; i++) {
      if (elemType === STRING) {
        const len = await r.size_t(`element ${i} of ${name}`);
        await r.skip(len, `element ${i} of ${JSON.stringify(name)}`);
      } else {
        await readValue(r, ARRAY, name, path, r.pos, depth + 1);
      }
    }
    return { kind: 'other' };
  }
  throw new Malformed('scan.gguf.metadata', `metadata ${JSON.stringify(name)} has unknown value type ${type}`, at, path);
}

function checkTensorData(tensors: TensorInfo[], dataStart: number, alignment: number, fileSize: number, out: CappedReporter): void {
  const dataLength = BigInt(Math.max(0, fileSize - dataStart));
  const placed: { name: string; begin: bigint; end: bigint; at: number }[] = [];
  for (const t of tensors) {
    const ggml = GGML_TYPES[t.type]!;
    const elements = t.dims.reduce((a, b) => a * b, 1n);
    const bytes = (elements / BigInt(ggml.block)) * BigInt(ggml.bytes);
    const path = appendPath('$.tensors', t.name);
    const bad = (message: string): void => out.report({ ruleId: 'scan.gguf.tensor-data', severity: 'medium', message: `tensor ${JSON.stringify(t.name)}: ${message}`, location: { jsonPath: path, byteOffset: t.at } });
    if (t.offset % BigInt(alignment) !== 0n) bad(`data offset ${t.offset} is not a multiple of the alignment ${alignment}`);
    if (t.offset + bytes > dataLength) {
      bad(`data (offset ${t.offset}, ${bytes} bytes of ${ggml.name}) runs past the end of the file (data section is ${dataLength} bytes)`);
      continue;
    }
    placed.push({ name: t.name, begin: t.offset, end: t.offset + bytes, at: t.at });
  }
  placed.sort((a, b) => (a.begin < b.begin ? -1 : a.begin > b.begin ? 1 : 0));
  let prev: (typeof placed)[number] | null = null;
  for (const p of placed) {
    if (prev && p.begin < prev.end && p.end > p.begin) {
      out.report({
        ruleId: 'scan.gguf.tensor-data', severity: 'medium',
        message: `tensor ${JSON.stringify(p.name)} (bytes ${p.begin}-${p.end}) overlaps tensor ${JSON.stringify(prev.name)} (bytes ${prev.begin}-${prev.end})`,
        location: { jsonPath: appendPath('$.tensors', p.name), byteOffset: p.at },
      });
    }
    if (!prev || p.end > prev.end) prev = p;
  }
}

export const ggufAnalyzer: Analyzer = {
  formats: ['gguf'],
  analyze: analyzeGguf,
};
