// The `.npy` header: magic, version, header length, and a Python dict literal with `descr`,
// `fortran_order` and `shape`, parsed by a small literal reader (no evaluation) with bounds.
import type { ByteSource } from '../../io/byte-source.ts';
import { isTuple, type PyLiteral } from './dtype.ts';

export const NPY_MAGIC = [0x93, 0x4e, 0x55, 0x4d, 0x50, 0x59];
/** numpy.load refuses headers longer than this unless told otherwise (numpy >= 1.24). */
export const NUMPY_DEFAULT_MAX_HEADER = 10_000;
const MAX_HEADER = 1024 * 1024;
const MAX_DEPTH = 32;

export class NpyHeaderError extends Error {}

export interface NpyHeader {
  major: number;
  minor: number;
  headerLength: number;
  /** Offset of the array data. */
  dataOffset: number;
  descr: PyLiteral;
  fortranOrder: boolean;
  shape: PyLiteral[];
  /** The header text as written (for the view). */
  text: string;
}

/** Reads a Python literal: dicts, tuples, lists, strings, ints (with Python 2 `L`), floats, True/False/None. */
export function parsePyLiteral(src: string): PyLiteral {
  let i = 0;
  const ws = (): void => {
    while (i < src.length && /\s/.test(src[i]!)) i++;
  };
  const fail = (what: string): never => {
    throw new NpyHeaderError(`${what} at character ${i} of the header`);
  };
  const value = (depth: number): PyLiteral => {
    if (depth > MAX_DEPTH) fail('nesting too deep');
    ws();
    const c = src[i];
    if (c === undefined) return fail('unexpected end');
    if (c === '{') {
      i++;
      const m = new Map<string, PyLiteral>();
      for (;;) {
        ws();
        if (src[i] === '}') { i++; return m; }
        const k = value(depth + 1);
        if (typeof k !== 'string') fail('a dict key that is not a string');
        ws();
        if (src[i] !== ':') fail("':' expected");
        i++;
        if (m.has(k as string)) fail(`duplicate key '${k as string}'`);
        m.set(k as string, value(depth + 1));
        ws();
        if (src[i] === ',') { i++; continue; }
        if (src[i] === '}') { i++; return m; }
        fail("',' or '}' expected");
      }
    }
    if (c === '(' || c === '[') {
      const close = c === '(' ? ')' : ']';
      i++;
      const items: PyLiteral[] = [];
      let sawComma = false;
      for (;;) {
        ws();
        if (src[i] === close) { i++; break; }
        items.push(value(depth + 1));
        ws();
        if (src[i] === ',') { i++; sawComma = true; continue; }
        if (src[i] === close) { i++; break; }
        fail(`',' or '${close}' expected`);
      }
      if (c === '[') return items;
      // `(x)` is just x; `(x,)` and `()` are tuples.
      if (items.length === 1 && !sawComma) return items[0]!;
      return { tuple: items };
    }
    if (c === "'" || c === '"') {
      i++;
      let s = '';
      while (i < src.length && src[i] !== c) {
        if (src[i] === '\\') {
          const e = src[i + 1];
          const map: Record<string, string> = { n: '\n', t: '\t', r: '\r', '\\': '\\', "'": "'", '"': '"', '0': '\0' };
          if (e === undefined) fail('unterminated escape');
          if (e === 'x' || e === 'u') {
            const w = e === 'x' ? 2 : 4;
            const hex = src.slice(i + 2, i + 2 + w);
            if (!new RegExp(`^[0-9a-fA-F]{${w}}$`).test(hex)) fail('bad escape');
            s += String.fromCharCode(parseInt(hex, 16));
            i += 2 + w;
            continue;
          }
          s += map[e!] ?? `\\${e}`;
          i += 2;
          continue;
        }
        s += src[i];
        i++;
      }
      if (src[i] !== c) fail('unterminated string');
      i++;
      return s;
    }
    const word = /^(True|False|None)\b/.exec(src.slice(i, i + 5));
    if (word) {
      i += word[1]!.length;
      return word[1] === 'True' ? true : word[1] === 'False' ? false : null;
    }
    const num = /^[+-]?(\d+)(L?)(\.\d*)?([eE][+-]?\d+)?/.exec(src.slice(i, i + 64));
    if (num && num[0].length > 0) {
      i += num[0].length;
      const n = Number(num[0].replace(/L$/, ''));
      if (!Number.isFinite(n)) fail('number out of range');
      return n;
    }
    return fail(`unexpected character '${c}'`);
  };
  const v = value(0);
  ws();
  if (i !== src.length) fail('trailing characters');
  return v;
}

export async function readNpyHeader(source: ByteSource): Promise<NpyHeader> {
  const pre = await source.read(0, Math.min(12, source.size));
  if (pre.length < 10 || !NPY_MAGIC.every((b, k) => pre[k] === b)) throw new NpyHeaderError('missing NUMPY magic or truncated preamble');
  const major = pre[6]!;
  const minor = pre[7]!;
  if (major < 1 || major > 3) throw new NpyHeaderError(`unsupported format version ${major}.${minor}`);
  let headerLength: number;
  let start: number;
  if (major === 1) {
    headerLength = pre[8]! | (pre[9]! << 8);
    start = 10;
  } else {
    if (pre.length < 12) throw new NpyHeaderError('truncated preamble');
    headerLength = Buffer.from(pre.buffer, pre.byteOffset, pre.byteLength).readUInt32LE(8);
    start = 12;
  }
  if (headerLength > MAX_HEADER) throw new NpyHeaderError(`header length ${headerLength} exceeds ${MAX_HEADER} bytes`);
  if (start + headerLength > source.size) throw new NpyHeaderError(`header of ${headerLength} bytes runs past the end of the file`);
  const raw = await source.read(start, headerLength);
  const text = Buffer.from(raw.buffer, raw.byteOffset, raw.byteLength).toString(major === 3 ? 'utf8' : 'latin1');
  const d = parsePyLiteral(text);
  if (!(d instanceof Map)) throw new NpyHeaderError('the header is not a dict');
  const keys = [...d.keys()].sort().join(',');
  if (keys !== 'descr,fortran_order,shape') throw new NpyHeaderError(`the header has keys ${keys || '(none)'}, not exactly descr, fortran_order, shape`);
  const shape = d.get('shape')!;
  const fortran = d.get('fortran_order')!;
  if (typeof fortran !== 'boolean') throw new NpyHeaderError('fortran_order is not a bool');
  if (!isTuple(shape)) throw new NpyHeaderError('shape is not a tuple');
  for (const x of shape.tuple) {
    if (typeof x !== 'number' || !Number.isInteger(x) || x < 0) throw new NpyHeaderError(`shape entry ${JSON.stringify(x)} is not a non-negative integer`);
  }
  return { major, minor, headerLength, dataOffset: start + headerLength, descr: d.get('descr')!, fortranOrder: fortran, shape: shape.tuple, text: text.trimEnd() };
}
