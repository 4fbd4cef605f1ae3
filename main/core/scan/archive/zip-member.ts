// Opens the content of one zip member as a ByteSource, never extracting to disk. Small members
// are read (or inflated) into memory and checked at once against their CRC and declared size;
// large ones are served lazily (a window of the archive, or an inflating source), so a 2 GB
// stored tensor costs nothing until someone reads it, and then only what is read.
import { crc32 } from 'node:zlib';
import { BufferSource, SliceSource, type ByteSource } from '../../io/byte-source.ts';
import type { BudgetTracker } from '../types.ts';
import type { ArchiveIssue } from './issues.ts';
import { InflatedSource, InflateReader, inflateToBuffer } from './inflate.ts';
import { METHOD_DEFLATE, METHOD_STORED } from './zip-records.ts';

/** Members up to this size are held in memory and fully verified. */
export const IN_MEMORY_MEMBER = 16 * 1024 * 1024;

/** What a reader needs to know about the bytes of one member (one header's view of it). */
export interface MemberSpec {
  name: string;
  method: number;
  dataOffset: number;
  compressedSize: number;
  uncompressedSize: number;
  crc32: number;
  /** Offset of the header that declared these values, for locations. */
  headerOffset: number;
}

export interface OpenedMember {
  source: ByteSource;
  /** Fully read and checked (CRC, size) already. */
  verified: boolean;
  /** Anomalies seen in the content; for lazy members, complete only after the content was read. */
  problems(): ArchiveIssue[];
}

export function canDecode(method: number): boolean {
  return method === METHOD_STORED || method === METHOD_DEFLATE;
}

/** Opens a stored or deflated member; the caller has checked the method and that the data lies inside the file. */
export async function openMember(src: ByteSource, m: MemberSpec, budget: BudgetTracker): Promise<OpenedMember> {
  const available = Math.max(0, Math.min(m.compressedSize, src.size - m.dataOffset));
  const at = m.headerOffset;
  if (m.method === METHOD_STORED) {
    const sizeIssue: ArchiveIssue[] = m.uncompressedSize !== m.compressedSize
      ? [{ ruleId: 'scan.archive.size-mismatch', byteOffset: at, message: `${m.name}: stored member declares ${m.uncompressedSize} bytes but holds ${m.compressedSize}` }]
      : [];
    if (available <= IN_MEMORY_MEMBER) {
      const bytes = await src.read(m.dataOffset, available);
      const issues = [...sizeIssue, ...crcIssue(m, bytes)];
      return { source: new BufferSource(bytes), verified: true, problems: () => issues };
    }
    return { source: new SliceSource(src, m.dataOffset, available), verified: false, problems: () => sizeIssue };
  }

  const open = () => new InflateReader(src, m.dataOffset, m.dataOffset + available, 'raw', budget);
  if (m.uncompressedSize <= IN_MEMORY_MEMBER) {
    const reader = open();
    const out = await inflateToBuffer(reader, m.uncompressedSize);
    const issues: ArchiveIssue[] = [];
    if (out.end.error) {
      issues.push({ ruleId: 'scan.archive.malformed-stream', byteOffset: at, message: `${m.name}: the deflate data is damaged after ${out.bytes.length} bytes (${out.end.error})` });
    } else if (out.overflow) {
      issues.push({ ruleId: 'scan.archive.size-mismatch', byteOffset: at, message: `${m.name}: the deflate data inflates to more than the ${m.uncompressedSize} bytes declared; readers that trust the stream see more than readers that trust the header` });
    } else {
      if (out.bytes.length < m.uncompressedSize) {
        issues.push({ ruleId: 'scan.archive.size-mismatch', byteOffset: at, message: `${m.name}: inflates to ${out.bytes.length} bytes, not the ${m.uncompressedSize} declared` });
      }
      if (out.end.consumed < available) {
        issues.push({ ruleId: 'scan.archive.size-mismatch', byteOffset: at, message: `${m.name}: ${available - out.end.consumed} bytes after the end of the deflate stream are part of the member but never read by a decompressor`, evidence: { unusedBytes: available - out.end.consumed } });
      }
      issues.push(...crcIssue(m, out.bytes));
    }
    return { source: new BufferSource(out.bytes), verified: true, problems: () => issues };
  }

  const lazy = new InflatedSource(open, m.uncompressedSize);
  return {
    source: lazy,
    verified: false,
    problems: () => {
      const issues: ArchiveIssue[] = [];
      if (lazy.failure) issues.push({ ruleId: 'scan.archive.malformed-stream', byteOffset: at, message: `${m.name}: the deflate data is damaged (${lazy.failure})` });
      else if (lazy.actualSize !== null && lazy.actualSize < m.uncompressedSize) {
        issues.push({ ruleId: 'scan.archive.size-mismatch', byteOffset: at, message: `${m.name}: inflates to ${lazy.actualSize} bytes, not the ${m.uncompressedSize} declared` });
      }
      if (lazy.longer) issues.push({ ruleId: 'scan.archive.size-mismatch', byteOffset: at, message: `${m.name}: the deflate data inflates to more than the ${m.uncompressedSize} bytes declared` });
      return issues;
    },
  };
}

function crcIssue(m: MemberSpec, bytes: Uint8Array): ArchiveIssue[] {
  const actual = crc32(bytes);
  if (actual === m.crc32) return [];
  return [{
    ruleId: 'scan.archive.crc-mismatch', byteOffset: m.headerOffset,
    message: `${m.name}: content CRC-32 is 0x${actual.toString(16).padStart(8, '0')}, the header says 0x${m.crc32.toString(16).padStart(8, '0')}`,
    evidence: { member: m.name, declared: m.crc32, actual },
  }];
}

/**
 * For a member flagged as encrypted: does its data read as cleartext? Stored data must match
 * its CRC; deflated data must inflate cleanly and match its CRC. Large members are judged on
 * their first bytes (a deflate stream of ciphertext fails within the first blocks).
 */
export async function readsAsCleartext(src: ByteSource, m: MemberSpec, budget: BudgetTracker): Promise<boolean> {
  if (!canDecode(m.method)) return false;
  if (m.uncompressedSize <= IN_MEMORY_MEMBER && m.compressedSize <= IN_MEMORY_MEMBER) {
    const opened = await openMember(src, m, budget);
    return opened.problems().every((p) => p.ruleId !== 'scan.archive.crc-mismatch' && p.ruleId !== 'scan.archive.malformed-stream');
  }
  if (m.method === METHOD_STORED) return false;
  const reader = new InflateReader(src, m.dataOffset, m.dataOffset + m.compressedSize, 'raw', budget);
  try {
    let got = 0;
    for (let c = await reader.next(); c && got < 256 * 1024; c = await reader.next()) got += c.length;
    return reader.error() === null && got > 0;
  } finally {
    reader.close();
  }
}
