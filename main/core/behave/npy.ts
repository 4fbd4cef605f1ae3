// Reads NumPy .npy arrays as probe rows (format versions 1-3: magic, version, header length,
// a Python-literal dict header, then the data). Only numeric little-endian (or byte-sized)
// C-order arrays; the first dimension is the row.
import type { NumericMatrix } from './types.ts';

const MAGIC = [0x93, 0x4e, 0x55, 0x4d, 0x50, 0x59]; // \x93NUMPY
const MAX_HEADER = 1 << 20;

const DESCRS: Record<string, { bytes: number; read: (v: DataView, o: number) => number }> = {
  f4: { bytes: 4, read: (v, o) => v.getFloat32(o, true) },
  f8: { bytes: 8, read: (v, o) => v.getFloat64(o, true) },
  i1: { bytes: 1, read: (v, o) => v.getInt8(o) },
  u1: { bytes: 1, read: (v, o) => v.getUint8(o) },
  b1: { bytes: 1, read: (v, o) => (v.getUint8(o) ? 1 : 0) },
  i2: { bytes: 2, read: (v, o) => v.getInt16(o, true) },
  u2: { bytes: 2, read: (v, o) => v.getUint16(o, true) },
  i4: { bytes: 4, read: (v, o) => v.getInt32(o, true) },
  u4: { bytes: 4, read: (v, o) => v.getUint32(o, true) },
  i8: { bytes: 8, read: (v, o) => Number(v.getBigInt64(o, true)) },
  u8: { bytes: 8, read: (v, o) => Number(v.getBigUint64(o, true)) },
};

export class NpyError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'NpyError';
  }
}

export interface NpyArray extends NumericMatrix {
  dtype: string;
  shape: number[];
  rowShape: number[];
  values: Float64Array;
}

export function parseNpy(bytes: Uint8Array, maxElements = 64 * 1024 * 1024): NpyArray {
  if (bytes.length < 10 || MAGIC.some((b, i) => bytes[i] !== b)) throw new NpyError('not a .npy file (magic missing)');
  const major = bytes[6]!;
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  let headerLen: number;
  let start: number;
  if (major === 1) {
    headerLen = view.getUint16(8, true);
    start = 10;
  } else if (major === 2 || major === 3) {
    if (bytes.length < 12) throw new NpyError('truncated header');
    headerLen = view.getUint32(8, true);
    start = 12;
  } else {
    throw new NpyError(`unsupported .npy version ${major}`);
  }
  if (headerLen > MAX_HEADER || start + headerLen > bytes.length) throw new NpyError('header length outside the file');
  const header = new TextDecoder(major === 3 ? 'utf-8' : 'latin1').decode(bytes.subarray(start, start + headerLen));
  const descr = /'descr'\s*:\s*'([^']*)'/.exec(header)?.[1];
  const fortran = /'fortran_order'\s*:\s*(True|False)/.exec(header)?.[1];
  const shapeText = /'shape'\s*:\s*\(([^)]*)\)/.exec(header)?.[1];
  if (descr === undefined || fortran === undefined || shapeText === undefined) throw new NpyError('header lacks descr, fortran_order or shape');
  const order = descr[0];
  const code = descr.slice(1);
  const kind = DESCRS[code];
  if (!kind || !(order === '<' || order === '|' || order === '=')) throw new NpyError(`unsupported dtype ${descr} (little-endian numeric only)`);
  if (order === '|' && kind.bytes !== 1) throw new NpyError(`unsupported dtype ${descr}`);
  const shape = shapeText.split(',').map((s) => s.trim()).filter((s) => s.length > 0).map(Number);
  if (shape.some((d) => !Number.isSafeInteger(d) || d < 0)) throw new NpyError(`bad shape (${shapeText})`);
  if (fortran === 'True' && shape.filter((d) => d > 1).length > 1) throw new NpyError('Fortran-ordered arrays are not supported');
  const count = shape.reduce((a, d) => a * d, 1);
  if (count > maxElements) throw new NpyError(`${count} elements exceed the ${maxElements} limit`);
  const dataStart = start + headerLen;
  if (dataStart + count * kind.bytes > bytes.length) throw new NpyError(`data is truncated: ${count} x ${kind.bytes} bytes expected`);
  const values = new Float64Array(count);
  for (let i = 0; i < count; i++) values[i] = kind.read(view, dataStart + i * kind.bytes);
  const rows = shape.length === 0 ? 1 : shape[0]!;
  return { dtype: descr, shape, rows, rowShape: shape.slice(1), values };
}
