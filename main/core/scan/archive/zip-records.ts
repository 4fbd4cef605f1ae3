// Decoders for the fixed zip records (APPNOTE 6.3: end of central directory, zip64 end record
// and locator, central directory header, local header, data descriptor, extra fields). Pure
// functions over byte arrays; they return null when a record is cut short or lacks its signature.
import { decodeName, u16, u32, u64 } from './bytes.ts';

export const SIG_LOCAL = 0x04034b50;
export const SIG_CENTRAL = 0x02014b50;
export const SIG_EOCD = 0x06054b50;
export const SIG_ZIP64_EOCD = 0x06064b50;
export const SIG_ZIP64_LOCATOR = 0x07064b50;
export const SIG_DESCRIPTOR = 0x08074b50;

export const EOCD_SIZE = 22;
export const ZIP64_LOCATOR_SIZE = 20;
export const ZIP64_EOCD_MIN = 56;
export const CENTRAL_SIZE = 46;
export const LOCAL_SIZE = 30;

export const FLAG_ENCRYPTED = 0x0001;
export const FLAG_DESCRIPTOR = 0x0008;
export const FLAG_STRONG_ENCRYPTION = 0x0040;
export const FLAG_UTF8 = 0x0800;

export const METHOD_STORED = 0;
export const METHOD_DEFLATE = 8;
export const METHOD_AES = 99;

/** Names of the compression methods a reader may meet, for messages. */
export const METHOD_NAMES: Readonly<Record<number, string>> = {
  0: 'stored', 1: 'shrink', 2: 'reduce', 3: 'reduce', 4: 'reduce', 5: 'reduce', 6: 'implode', 8: 'deflate',
  9: 'deflate64', 10: 'PKWARE DCL implode', 12: 'bzip2', 14: 'LZMA', 18: 'IBM TERSE', 19: 'IBM LZ77',
  93: 'zstd', 94: 'MP3', 95: 'xz', 96: 'JPEG', 97: 'WavPack', 98: 'PPMd', 99: 'AES-encrypted',
};

export function methodName(m: number): string {
  return METHOD_NAMES[m] ?? `unknown method ${m}`;
}

export interface EndRecord {
  disk: number;
  cdDisk: number;
  entriesOnDisk: number;
  entries: number;
  cdSize: number;
  cdOffset: number;
  commentLength: number;
}

export function decodeEndRecord(b: Uint8Array, at: number): EndRecord | null {
  if (u32(b, at) !== SIG_EOCD) return null;
  const commentLength = u16(b, at + 20);
  if (commentLength === null) return null;
  return {
    disk: u16(b, at + 4)!, cdDisk: u16(b, at + 6)!, entriesOnDisk: u16(b, at + 8)!, entries: u16(b, at + 10)!,
    cdSize: u32(b, at + 12)!, cdOffset: u32(b, at + 16)!, commentLength,
  };
}

export interface Zip64Locator {
  disk: number;
  recordOffset: number;
  disks: number;
}

export function decodeZip64Locator(b: Uint8Array, at: number): Zip64Locator | null {
  if (u32(b, at) !== SIG_ZIP64_LOCATOR || at + ZIP64_LOCATOR_SIZE > b.length) return null;
  return { disk: u32(b, at + 4)!, recordOffset: u64(b, at + 8)!, disks: u32(b, at + 16)! };
}

export interface Zip64EndRecord {
  /** Whole record length, signature included. */
  length: number;
  disk: number;
  cdDisk: number;
  entriesOnDisk: number;
  entries: number;
  cdSize: number;
  cdOffset: number;
}

export function decodeZip64EndRecord(b: Uint8Array, at: number): Zip64EndRecord | null {
  if (u32(b, at) !== SIG_ZIP64_EOCD || at + ZIP64_EOCD_MIN > b.length) return null;
  return {
    length: u64(b, at + 4)! + 12, disk: u32(b, at + 16)!, cdDisk: u32(b, at + 20)!,
    entriesOnDisk: u64(b, at + 24)!, entries: u64(b, at + 32)!, cdSize: u64(b, at + 40)!, cdOffset: u64(b, at + 48)!,
  };
}

export interface ExtraFields {
  zip64: Uint8Array | null;
  /** Info-ZIP Unicode Path (0x7075) when its checksum matches the header name. */
  unicodeName: string | null;
  /** The real method of a WinZip AES member (0x9901). */
  aesMethod: number | null;
  /** The extra block does not parse as (id, length, data) records. */
  malformed: boolean;
}

export function decodeExtras(b: Uint8Array, headerNameCrc: () => number): ExtraFields {
  const out: ExtraFields = { zip64: null, unicodeName: null, aesMethod: null, malformed: false };
  let p = 0;
  while (p + 4 <= b.length) {
    const id = u16(b, p)!;
    const len = u16(b, p + 2)!;
    if (p + 4 + len > b.length) { out.malformed = true; break; }
    const data = b.subarray(p + 4, p + 4 + len);
    if (id === 0x0001) out.zip64 = data;
    else if (id === 0x7075 && len >= 5 && data[0] === 1 && u32(data, 1) === headerNameCrc()) out.unicodeName = decodeName(data.subarray(5));
    else if (id === 0x9901 && len >= 7) out.aesMethod = u16(data, 5);
    p += 4 + len;
  }
  // Trailing bytes shorter than a record header are tolerated by every reader except as padding.
  if (p < b.length && b.length - p >= 4) out.malformed = true;
  return out;
}

/** Reads the zip64 replacements for the fields saturated at 0xFFFF(FFFF), in the order APPNOTE gives. */
export function applyZip64(
  z64: Uint8Array | null,
  fields: { uncompressedSize: number; compressedSize: number; localHeaderOffset?: number },
): { uncompressedSize: number; compressedSize: number; localHeaderOffset?: number; short: boolean } {
  const r = { ...fields, short: false };
  if (!z64) return r;
  let p = 0;
  const next = (): number | null => {
    const v = u64(z64, p);
    if (v === null) { r.short = true; return null; }
    p += 8;
    return v;
  };
  if (fields.uncompressedSize === 0xffffffff) r.uncompressedSize = next() ?? fields.uncompressedSize;
  if (fields.compressedSize === 0xffffffff) r.compressedSize = next() ?? fields.compressedSize;
  if (fields.localHeaderOffset === 0xffffffff) r.localHeaderOffset = next() ?? fields.localHeaderOffset;
  return r;
}

export interface CentralHeader {
  versionMadeBy: number;
  flags: number;
  method: number;
  crc32: number;
  compressedSize: number;
  uncompressedSize: number;
  nameLength: number;
  extraLength: number;
  commentLength: number;
  diskStart: number;
  externalAttrs: number;
  localHeaderOffset: number;
}

export function decodeCentralHeader(b: Uint8Array, at: number): CentralHeader | null {
  if (u32(b, at) !== SIG_CENTRAL || at + CENTRAL_SIZE > b.length) return null;
  return {
    versionMadeBy: u16(b, at + 4)!, flags: u16(b, at + 8)!, method: u16(b, at + 10)!, crc32: u32(b, at + 16)!,
    compressedSize: u32(b, at + 20)!, uncompressedSize: u32(b, at + 24)!, nameLength: u16(b, at + 28)!,
    extraLength: u16(b, at + 30)!, commentLength: u16(b, at + 32)!, diskStart: u16(b, at + 34)!,
    externalAttrs: u32(b, at + 38)!, localHeaderOffset: u32(b, at + 42)!,
  };
}

export interface LocalHeader {
  flags: number;
  method: number;
  crc32: number;
  compressedSize: number;
  uncompressedSize: number;
  nameLength: number;
  extraLength: number;
}

export function decodeLocalHeader(b: Uint8Array, at: number): LocalHeader | null {
  if (u32(b, at) !== SIG_LOCAL || at + LOCAL_SIZE > b.length) return null;
  return {
    flags: u16(b, at + 6)!, method: u16(b, at + 8)!, crc32: u32(b, at + 14)!, compressedSize: u32(b, at + 18)!,
    uncompressedSize: u32(b, at + 22)!, nameLength: u16(b, at + 26)!, extraLength: u16(b, at + 28)!,
  };
}

/** Unix file type bits of the external attributes, when the creating host is Unix-like. */
export function unixMode(versionMadeBy: number, externalAttrs: number): number | null {
  const host = versionMadeBy >> 8;
  // 3 = Unix, 19 = OS X (Darwin); both keep st_mode in the high 16 bits.
  if (host !== 3 && host !== 19) return null;
  return externalAttrs >>> 16;
}

export const S_IFMT = 0o170000;
export const S_IFLNK = 0o120000;
