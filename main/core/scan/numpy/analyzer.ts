// NumPy `.npy` arrays: the header is parsed with bounds; an object dtype means the data is a
// pickle, scanned with the pickle machine; any other dtype must have exactly shape × item size
// bytes of data. `.npz` archives reach this analyzer member by member through the archive scanner.
import { SliceSource } from '../../io/byte-source.ts';
import type { Analyzer } from '../types.ts';
import { finishPickleScan } from '../pickle/analyzer.ts';
import { walkPickle } from '../pickle/walk.ts';
import { parseDescr, shapeCount } from './dtype.ts';
import { NUMPY_DEFAULT_MAX_HEADER, NpyHeaderError, readNpyHeader } from './header.ts';

export interface NpyDetail {
  version: string;
  header: string;
  shape: number[];
  fortranOrder: boolean;
  itemsize: number | null;
  objectArray: boolean;
  dataOffset: number;
  dataLength: number;
  expectedLength: number | null;
}

export const npyAnalyzer: Analyzer = {
  formats: ['numpy-npy'],
  async analyze(source, ctx) {
    let header;
    try {
      header = await readNpyHeader(source);
    } catch (e) {
      if (!(e instanceof NpyHeaderError)) throw e;
      ctx.report({ ruleId: 'scan.numpy.header-malformed', severity: 'medium', message: `.npy header: ${e.message}`, location: { byteOffset: 0 } });
      return;
    }
    const dataLength = source.size - header.dataOffset;
    const info = parseDescr(header.descr);
    const count = shapeCount(header.shape);
    const detail: NpyDetail = {
      version: `${header.major}.${header.minor}`, header: header.text, shape: header.shape as number[], fortranOrder: header.fortranOrder,
      itemsize: info?.itemsize ?? null, objectArray: info?.object ?? false, dataOffset: header.dataOffset, dataLength, expectedLength: null,
    };
    ctx.detail('numpy', detail);
    if (header.headerLength > NUMPY_DEFAULT_MAX_HEADER) {
      ctx.report({ ruleId: 'scan.numpy.header-malformed', severity: 'medium', message: `.npy header of ${header.headerLength} bytes is longer than numpy.load accepts by default (${NUMPY_DEFAULT_MAX_HEADER})`, location: { byteOffset: 8 } });
    }
    if (!info) {
      ctx.report({ ruleId: 'scan.numpy.header-malformed', severity: 'medium', message: `.npy descr ${JSON.stringify(header.descr)} is not a dtype Assay can decode`, location: { byteOffset: 10 } });
      return;
    }
    if (count === null) {
      ctx.report({ ruleId: 'scan.numpy.header-malformed', severity: 'medium', message: `.npy shape (${header.shape.join(', ')}) has too many elements`, location: { byteOffset: 10 } });
      return;
    }
    const data = new SliceSource(source, header.dataOffset, dataLength);
    if (info.object) {
      ctx.report({
        ruleId: 'scan.numpy.object-array', severity: 'low',
        message: `the array holds Python objects (descr ${JSON.stringify(header.descr)}): its ${dataLength} data bytes are a pickle, which numpy.load runs only with allow_pickle=True; the pickle was scanned`,
        location: { byteOffset: header.dataOffset },
      });
      const result = await walkPickle(data, { budget: ctx.budget });
      await finishPickleScan(result, data, ctx, { offsetBase: header.dataOffset, prefix: 'object array data: ' });
      return;
    }
    const expected = count * info.itemsize;
    detail.expectedLength = expected;
    if (!Number.isSafeInteger(expected) || expected !== dataLength) {
      const extra = dataLength - expected;
      ctx.report({
        ruleId: 'scan.numpy.size-mismatch', severity: 'medium',
        message: extra < 0
          ? `shape (${header.shape.join(', ')}) × ${info.itemsize}-byte items needs ${expected} data bytes but the file has ${dataLength}: the array is truncated`
          : `${extra} bytes follow the ${expected} data bytes that shape (${header.shape.join(', ')}) × ${info.itemsize}-byte items need`,
        location: { byteOffset: extra < 0 ? source.size : header.dataOffset + expected },
        evidence: { expected, actual: dataLength },
      });
      if (extra > 1 && Number.isSafeInteger(expected)) {
        // Bytes appended after the array: numpy ignores them, another loader may unpickle them.
        const tail = new SliceSource(source, header.dataOffset + expected, extra);
        const head = await tail.read(0, 2);
        if (head[0] === 0x80 && head[1]! >= 2 && head[1]! <= 5) {
          const result = await walkPickle(tail, { budget: ctx.budget });
          await finishPickleScan(result, tail, ctx, { offsetBase: header.dataOffset + expected, prefix: 'bytes after the array: ' });
        }
      }
    }
  },
};
