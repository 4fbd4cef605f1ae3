// Strict signatures for content that has no business inside raw tensor bytes. Tensor data is
// arbitrary, so loose magic numbers would fire on ordinary weights (an int64 tensor starting
// with 23117 begins with "MZ"); each test here demands a structure random data does not have,
// and a pickle only counts when the pickle machine runs it to its STOP opcode.
import type { ByteSource } from '../../io/byte-source.ts';
import type { BudgetTracker } from '../types.ts';
import { latin1, startsWithBytes, u32 } from '../archive/bytes.ts';
import { walkPickle } from '../pickle/index.ts';

/** Bytes read from a storage to decide. */
export const SNIFF_BYTES = 4096;

interface Signature {
  label: string;
  test: (h: Uint8Array) => boolean;
}

const SIGNATURES: readonly Signature[] = [
  { label: 'an ELF executable', test: (h) => startsWithBytes(h, [0x7f, 0x45, 0x4c, 0x46]) && (h[4] === 1 || h[4] === 2) && (h[5] === 1 || h[5] === 2) && h[6] === 1 },
  {
    label: 'a Windows PE executable',
    test: (h) => {
      if (!startsWithBytes(h, [0x4d, 0x5a])) return false;
      const pe = u32(h, 0x3c);
      return pe !== null && pe >= 0x40 && startsWithBytes(h, [0x50, 0x45, 0, 0], pe);
    },
  },
  {
    label: 'a Mach-O executable',
    test: (h) => {
      const big = startsWithBytes(h, [0xfe, 0xed, 0xfa, 0xce]) || startsWithBytes(h, [0xfe, 0xed, 0xfa, 0xcf]);
      const little = startsWithBytes(h, [0xce, 0xfa, 0xed, 0xfe]) || startsWithBytes(h, [0xcf, 0xfa, 0xed, 0xfe]);
      if ((!big && !little) || h.length < 16) return false;
      const fileType = big ? ((h[12]! << 24) | (h[13]! << 16) | (h[14]! << 8) | h[15]!) >>> 0 : u32(h, 12)!;
      return fileType >= 1 && fileType <= 12; // MH_OBJECT .. MH_FILESET
    },
  },
  { label: 'a script with an interpreter line', test: (h) => startsWithBytes(h, [0x23, 0x21, 0x2f]) || startsWithBytes(h, [0x23, 0x21, 0x20, 0x2f]) },
  { label: 'a zip archive', test: (h) => startsWithBytes(h, [0x50, 0x4b, 0x03, 0x04]) && h[4]! <= 63 && h[5] === 0 },
  { label: 'a gzip stream', test: (h) => startsWithBytes(h, [0x1f, 0x8b, 0x08]) && (h[3]! & 0xe0) === 0 },
  { label: 'a 7-Zip archive', test: (h) => startsWithBytes(h, [0x37, 0x7a, 0xbc, 0xaf, 0x27, 0x1c]) },
  { label: 'an xz stream', test: (h) => startsWithBytes(h, [0xfd, 0x37, 0x7a, 0x58, 0x5a, 0x00]) },
  { label: 'a bzip2 stream', test: (h) => startsWithBytes(h, [0x42, 0x5a, 0x68]) && h[3]! >= 0x31 && h[3]! <= 0x39 && startsWithBytes(h, [0x31, 0x41, 0x59, 0x26, 0x53, 0x59], 4) },
];

/** Opcodes a pickle may open with after its PROTO opcode (protocol 2+). */
const PICKLE_SECOND = new Set([0x95, 0x63, 0x93, 0x8c, 0x58, 0x7d, 0x5d, 0x28, 0x29, 0x4b, 0x4a, 0x4d, 0x8a, 0x4e, 0x88, 0x89, 0x43, 0x42, 0x47, 0x55, 0x54, 0x8f]);

/** A pickle hidden in a storage must parse to STOP within this many bytes to count. */
const PICKLE_PROBE = 16 * 1024 * 1024;

const PROTO0_GLOBAL = /^c[A-Za-z_][\w.]*\n[A-Za-z_][\w.]*\n/;

/** What raw bytes at `offset` of `src` really are, when they are a known kind of payload; null otherwise. */
export async function sniffPayload(src: ByteSource, offset: number, budget: BudgetTracker): Promise<string | null> {
  if (offset >= src.size) return null;
  const head = await src.read(offset, Math.min(SNIFF_BYTES, src.size - offset));
  const hit = SIGNATURES.find((s) => s.test(head));
  if (hit) return hit.label;
  const framed = head[0] === 0x80 && head[1]! >= 2 && head[1]! <= 5 && PICKLE_SECOND.has(head[2]!);
  // Protocol 0/1 pickles have no header; the usual opening is GLOBAL `c<module>\n<name>\n`.
  const text = !framed && head[0] === 0x63 && PROTO0_GLOBAL.test(latin1(head.subarray(0, 256)));
  if (framed || text) {
    const walk = await walkPickle(src, { budget, start: offset, end: Math.min(src.size, offset + PICKLE_PROBE), maxStreams: 1 });
    const s = walk.streams[0];
    if (s && !s.error && !s.limit && s.opcodeCount >= 3) return 'a pickle';
  }
  return null;
}
