// safetensors structural validation: the 8-byte little-endian header length, a strict UTF-8 JSON
// header (duplicate keys detected), known dtypes, shape x dtype size equal to each byte range
// (BigInt arithmetic, no overflow), offsets inside the data section, and a data section covered
// exactly once (no overlaps, gaps or trailing bytes, where a polyglot payload would hide).
import { SliceSource, type ByteSource } from '../../io/byte-source.ts';
import type { Analyzer, ScanContext } from '../types.ts';
import { CappedReporter } from './common/capped-report.ts';
import { appendPath } from './common/json-path.ts';
import { decodeUtf8, errorText, readExactly } from './common/read.ts';
import { isJsonObject, JsonNumber, JsonSyntaxError, parseStrictJson, type JsonValue } from './common/strict-json.ts';

/** The reference implementation refuses headers above 100 MB. */
export const MAX_HEADER_BYTES = 100_000_000;

/** Bits per element of every dtype the format defines. */
export const SAFETENSORS_DTYPE_BITS: Readonly<Record<string, number>> = {
  BOOL: 8, U8: 8, I8: 8, F8_E5M2: 8, F8_E4M3: 8, F8_E8M0: 8, F8_E4M3FNUZ: 8, F8_E5M2FNUZ: 8,
  I16: 16, U16: 16, F16: 16, BF16: 16,
  I32: 32, U32: 32, F32: 32,
  I64: 64, U64: 64, F64: 64, C64: 64,
  F4: 4, F6_E2M3: 6, F6_E3M2: 6,
};

interface Placed {
  name: string;
  begin: bigint;
  end: bigint;
}

/** Unowned regions of the data section handed to the engine as nested units, at most this many. */
const MAX_NESTED_REGIONS = 4;

export async function analyzeSafetensors(source: ByteSource, ctx: ScanContext): Promise<void> {
  const out = new CappedReporter(ctx);
  const header = (message: string, byteOffset?: number): void =>
    out.report({ ruleId: 'scan.safetensors.header', severity: 'medium', message, location: byteOffset === undefined ? {} : { byteOffset } });
  try {
    await validate(source, ctx, out, header);
  } finally {
    out.flush();
  }
}

async function validate(
  source: ByteSource, ctx: ScanContext, out: CappedReporter, header: (m: string, at?: number) => void,
): Promise<void> {
  if (source.size < 8) return header(`file is ${source.size} bytes, shorter than the 8-byte header length`, 0);
  const lenBytes = await readExactly(source, 0, 8);
  const declared = new DataView(lenBytes.buffer, lenBytes.byteOffset, 8).getBigUint64(0, true);
  if (declared > BigInt(MAX_HEADER_BYTES)) {
    return header(`header length ${declared} exceeds the ${MAX_HEADER_BYTES}-byte limit of the format`, 0);
  }
  if (declared > BigInt(source.size - 8)) {
    return header(`header length ${declared} runs past the end of the ${source.size}-byte file`, 0);
  }
  const n = Number(declared);
  const raw = await readExactly(source, 8, n);
  const text = decodeUtf8(raw);
  if (text === null) return header('header bytes are not valid UTF-8', 8);
  if (!text.startsWith('{')) return header('header does not start with "{"', 8);

  let parsed;
  try {
    parsed = parseStrictJson(text);
  } catch (e) {
    const at = e instanceof JsonSyntaxError ? 8 + e.offset : 8;
    return header(`header is not valid JSON: ${errorText(e)}`, at);
  }
  for (const d of parsed.duplicates) {
    out.report({
      ruleId: 'scan.safetensors.duplicate-key', severity: 'medium',
      message: `key ${JSON.stringify(d.key)} appears more than once in ${d.path}; loaders disagree on which value counts`,
      location: { jsonPath: appendPath(d.path, d.key), byteOffset: 8 + d.offset },
      evidence: { key: d.key },
    });
  }
  const root = parsed.value;
  if (!isJsonObject(root)) return header('header is not a JSON object', 8);

  const dataStart = 8 + n;
  const dataLength = BigInt(source.size - dataStart);
  const placed: Placed[] = [];
  const dtypes: Record<string, number> = {};

  for (const [name, entry] of root) {
    const path = appendPath('$', name);
    if (name === '__metadata__') {
      checkMetadata(entry, path, out);
      continue;
    }
    const tensor = readEntry(entry, path, name, out);
    if (!tensor) continue;
    dtypes[tensor.dtype] = (dtypes[tensor.dtype] ?? 0) + 1;
    const { begin, end } = tensor;
    if (begin > end) {
      out.report({
        ruleId: 'scan.safetensors.offsets', severity: 'medium',
        message: `tensor ${JSON.stringify(name)}: data_offsets end ${end} is before begin ${begin}`,
        location: { jsonPath: appendPath(path, 'data_offsets') }, evidence: { begin: String(begin), end: String(end) },
      });
      continue;
    }
    if (end > dataLength) {
      out.report({
        ruleId: 'scan.safetensors.offsets', severity: 'medium',
        message: `tensor ${JSON.stringify(name)}: data_offsets end ${end} is past the ${dataLength}-byte data section`,
        location: { jsonPath: appendPath(path, 'data_offsets') }, evidence: { end: String(end), dataLength: String(dataLength) },
      });
      continue;
    }
    const bits = SAFETENSORS_DTYPE_BITS[tensor.dtype];
    if (bits === undefined) {
      out.report({
        ruleId: 'scan.safetensors.dtype', severity: 'medium',
        message: `tensor ${JSON.stringify(name)}: dtype ${JSON.stringify(tensor.dtype)} is not a safetensors dtype`,
        location: { jsonPath: appendPath(path, 'dtype') }, evidence: { dtype: tensor.dtype },
      });
    } else {
      const elements = tensor.shape.reduce((a, b) => a * b, 1n);
      const totalBits = elements * BigInt(bits);
      const expected = totalBits / 8n;
      if (totalBits % 8n !== 0n || expected !== end - begin) {
        out.report({
          ruleId: 'scan.safetensors.size-mismatch', severity: 'medium',
          message: `tensor ${JSON.stringify(name)}: shape [${tensor.shape.join(', ')}] of ${tensor.dtype} needs ${totalBits % 8n === 0n ? `${expected} bytes` : `${totalBits} bits (not whole bytes)`} but data_offsets span ${end - begin}`,
          location: { jsonPath: appendPath(path, 'data_offsets') },
          evidence: { expectedBytes: String(expected), actualBytes: String(end - begin) },
        });
      }
    }
    placed.push({ name, begin, end });
  }

  const unowned = checkLayout(placed, dataStart, dataLength, out);
  ctx.detail('safetensors', { headerBytes: n, tensors: placed.length, dtypes, dataBytes: Number(dataLength) });
  // Bytes no tensor owns are where a polyglot hides its second file: let the engine look at them.
  for (const region of unowned.slice(0, MAX_NESTED_REGIONS)) {
    const start = dataStart + Number(region.begin);
    await ctx.scanNested(`unowned bytes ${region.begin}-${region.end}`, new SliceSource(source, start, Number(region.end - region.begin)));
  }
}

function checkMetadata(entry: JsonValue, path: string, out: CappedReporter): void {
  if (!isJsonObject(entry)) {
    out.report({ ruleId: 'scan.safetensors.metadata', severity: 'medium', message: '__metadata__ is not an object', location: { jsonPath: path } });
    return;
  }
  for (const [k, v] of entry) {
    if (typeof v !== 'string') {
      out.report({
        ruleId: 'scan.safetensors.metadata', severity: 'medium',
        message: `__metadata__ value for ${JSON.stringify(k)} is ${describe(v)}, not a string`,
        location: { jsonPath: appendPath(path, k) },
      });
    }
  }
}

interface TensorEntry {
  dtype: string;
  shape: bigint[];
  begin: bigint;
  end: bigint;
}

function readEntry(entry: JsonValue, path: string, name: string, out: CappedReporter): TensorEntry | null {
  const bad = (field: string | null, message: string): null => {
    out.report({
      ruleId: 'scan.safetensors.tensor-entry', severity: 'medium',
      message: `tensor ${JSON.stringify(name)}: ${message}`,
      location: { jsonPath: field ? appendPath(path, field) : path },
    });
    return null;
  };
  if (!isJsonObject(entry)) return bad(null, `entry is ${describe(entry)}, not an object`);
  const dtype = entry.get('dtype');
  if (typeof dtype !== 'string') return bad('dtype', `dtype is ${describe(dtype)}, not a string`);
  const shape = naturals(entry.get('shape'));
  if (!shape) return bad('shape', 'shape is not a list of non-negative integers');
  const offsets = naturals(entry.get('data_offsets'));
  if (!offsets || offsets.length !== 2) return bad('data_offsets', 'data_offsets is not a pair of non-negative integers');
  return { dtype, shape, begin: offsets[0]!, end: offsets[1]! };
}

function naturals(v: JsonValue | undefined): bigint[] | null {
  if (!Array.isArray(v)) return null;
  const out: bigint[] = [];
  for (const x of v) {
    const n = x instanceof JsonNumber ? x.integer() : null;
    if (n === null || n < 0n) return null;
    out.push(n);
  }
  return out;
}

function describe(v: JsonValue | undefined): string {
  if (v === undefined) return 'missing';
  if (v === null) return 'null';
  if (v instanceof JsonNumber) return `the number ${v.raw}`;
  if (Array.isArray(v)) return 'a list';
  if (v instanceof Map) return 'an object';
  return typeof v === 'string' ? 'a string' : `the value ${String(v)}`;
}

/** Reports overlaps, gaps and trailing bytes; returns the unowned regions. */
function checkLayout(placed: Placed[], dataStart: number, dataLength: bigint, out: CappedReporter): { begin: bigint; end: bigint }[] {
  const sorted = [...placed].sort((a, b) => (a.begin === b.begin ? (a.end < b.end ? -1 : a.end > b.end ? 1 : 0) : a.begin < b.begin ? -1 : 1));
  const unowned: { begin: bigint; end: bigint }[] = [];
  let cursor = 0n;
  let last: Placed | null = null;
  for (const t of sorted) {
    if (t.begin < cursor && last) {
      out.report({
        ruleId: 'scan.safetensors.layout', severity: 'medium',
        message: `tensor ${JSON.stringify(t.name)} (bytes ${t.begin}-${t.end}) overlaps tensor ${JSON.stringify(last.name)} (bytes ${last.begin}-${last.end})`,
        location: { jsonPath: appendPath(appendPath('$', t.name), 'data_offsets') },
        evidence: { tensor: t.name, overlaps: last.name },
      });
    } else if (t.begin > cursor) {
      unowned.push({ begin: cursor, end: t.begin });
      out.report({
        ruleId: 'scan.safetensors.layout', severity: 'medium',
        message: `bytes ${cursor}-${t.begin} of the data section belong to no tensor (gap before ${JSON.stringify(t.name)})`,
        location: { jsonPath: appendPath(appendPath('$', t.name), 'data_offsets') },
        evidence: { gapBytes: String(t.begin - cursor) },
      });
    }
    if (t.end > cursor) {
      cursor = t.end;
      last = t;
    } else if (!last) {
      last = t;
    }
  }
  if (cursor < dataLength) {
    unowned.push({ begin: cursor, end: dataLength });
    out.report({
      ruleId: 'scan.safetensors.layout', severity: 'medium',
      message: `${dataLength - cursor} bytes after the last tensor belong to no tensor (trailing data)`,
      location: { byteOffset: dataStart + Number(cursor) },
      evidence: { trailingBytes: String(dataLength - cursor) },
    });
  }
  return unowned;
}

export const safetensorsAnalyzer: Analyzer = {
  formats: ['safetensors'],
  analyze: analyzeSafetensors,
};
