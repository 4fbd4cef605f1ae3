// Just enough of the zip end records to list member names for format detection. The scanner's
// archive analyzer does the full, hostile-input-aware reading.
import type { ByteSource } from '../io/byte-source.ts';

const EOCD_SIG = 0x06054b50;
const ZIP64_LOCATOR_SIG = 0x07064b50;
const ZIP64_EOCD_SIG = 0x06064b50;
const CD_ENTRY_SIG = 0x02014b50;
const MAX_DIRECTORY_BYTES = 8 * 1024 * 1024;

export interface ZipDirectoryPeek {
  names: string[];
  /** True when the directory was larger than the peek bound and `names` is a prefix. */
  truncated: boolean;
}

/** Lists up to `maxNames` member names, or returns null when no end-of-central-directory is found. */
export async function peekZipNames(src: ByteSource, maxNames = 5000): Promise<ZipDirectoryPeek | null> {
  if (src.size < 22) return null;
  const tailLen = Math.min(src.size, 22 + 65535 + 20);
  const tailStart = src.size - tailLen;
  const tail = await src.read(tailStart, tailLen);
  const view = new DataView(tail.buffer, tail.byteOffset, tail.byteLength);
  let eocd = -1;
  for (let i = tail.length - 22; i >= 0; i--) {
    if (view.getUint32(i, true) === EOCD_SIG) { eocd = i; break; }
  }
  if (eocd < 0) return null;
  let entries = view.getUint16(eocd + 10, true);
  let cdSize = view.getUint32(eocd + 12, true);
  let cdOffset = view.getUint32(eocd + 16, true);
  if ((cdOffset === 0xffffffff || cdSize === 0xffffffff || entries === 0xffff) && eocd >= 20
      && view.getUint32(eocd - 20, true) === ZIP64_LOCATOR_SIG) {
    const z64Offset = Number(view.getBigUint64(eocd - 20 + 8, true));
    if (z64Offset + 56 <= src.size) {
      const rec = await src.read(z64Offset, 56);
      const rv = new DataView(rec.buffer, rec.byteOffset, rec.byteLength);
      if (rec.length === 56 && rv.getUint32(0, true) === ZIP64_EOCD_SIG) {
        entries = Number(rv.getBigUint64(32, true));
        cdSize = Number(rv.getBigUint64(40, true));
        cdOffset = Number(rv.getBigUint64(48, true));
      }
    }
  }
  if (cdOffset > src.size) return null;
  const readLen = Math.min(cdSize, MAX_DIRECTORY_BYTES, src.size - cdOffset);
  const cd = await src.read(cdOffset, readLen);
  const cv = new DataView(cd.buffer, cd.byteOffset, cd.byteLength);
  const names: string[] = [];
  const decoder = new TextDecoder('utf-8', { fatal: false });
  let p = 0;
  while (p + 46 <= cd.length && names.length < Math.min(entries, maxNames)) {
    if (cv.getUint32(p, true) !== CD_ENTRY_SIG) break;
    const nameLen = cv.getUint16(p + 28, true);
    const extraLen = cv.getUint16(p + 30, true);
    const commentLen = cv.getUint16(p + 32, true);
    if (p + 46 + nameLen > cd.length) break;
    names.push(decoder.decode(cd.subarray(p + 46, p + 46 + nameLen)));
    p += 46 + nameLen + extraLen + commentLen;
  }
  return { names, truncated: names.length < entries };
}
