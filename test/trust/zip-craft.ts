// Writes zips byte by byte so tests can build structures no zip library would: climbing and
// absolute names, duplicates, overlapping entries, lying sizes, link and encryption flags.
import { deflateRawSync } from 'node:zlib';

const CRC_TABLE = (() => {
  const t = new Uint32Array(256);
  for (let n = 0; n < 256; n++) {
    let c = n;
    for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
    t[n] = c >>> 0;
  }
  return t;
})();

export function crc32(b: Uint8Array): number {
  let c = 0xffffffff;
  for (const x of b) c = CRC_TABLE[(c ^ x) & 0xff]! ^ (c >>> 8);
  return (c ^ 0xffffffff) >>> 0;
}

export interface CraftEntry {
  name: string;
  data: Uint8Array;
  deflate?: boolean;
  /** Override the declared uncompressed size (central and local). */
  declaredSize?: number;
  flags?: number;
  /** Unix mode in the external attributes (e.g. 0o120777 for a link). */
  mode?: number;
  /** Point this central entry at the local header of an earlier entry (overlap). */
  sameLocalAs?: number;
}

export function craftZip(entries: readonly CraftEntry[]): Buffer {
  const locals: Buffer[] = [];
  const central: Buffer[] = [];
  const offsets: number[] = [];
  let offset = 0;
  entries.forEach((e) => {
    const name = Buffer.from(e.name, 'utf8');
    const body = e.deflate ? deflateRawSync(e.data) : Buffer.from(e.data);
    const size = e.declaredSize ?? e.data.length;
    const flags = (e.flags ?? 0) | 0x800;
    const crc = crc32(e.data);
    let localOffset = offset;
    if (e.sameLocalAs !== undefined) localOffset = offsets[e.sameLocalAs]!;
    else {
      const lh = Buffer.alloc(30);
      lh.writeUInt32LE(0x04034b50, 0);
      lh.writeUInt16LE(20, 4);
      lh.writeUInt16LE(flags, 6);
      lh.writeUInt16LE(e.deflate ? 8 : 0, 8);
      lh.writeUInt16LE(0, 10);
      lh.writeUInt16LE(0x21, 12);
      lh.writeUInt32LE(crc, 14);
      lh.writeUInt32LE(body.length, 18);
      lh.writeUInt32LE(size, 22);
      lh.writeUInt16LE(name.length, 26);
      lh.writeUInt16LE(0, 28);
      locals.push(lh, name, body);
      offset += 30 + name.length + body.length;
    }
    offsets.push(localOffset);
    const ch = Buffer.alloc(46);
    ch.writeUInt32LE(0x02014b50, 0);
    ch.writeUInt16LE((3 << 8) | 20, 4);
    ch.writeUInt16LE(20, 6);
    ch.writeUInt16LE(flags, 8);
    ch.writeUInt16LE(e.deflate ? 8 : 0, 10);
    ch.writeUInt16LE(0, 12);
    ch.writeUInt16LE(0x21, 14);
    ch.writeUInt32LE(crc, 16);
    ch.writeUInt32LE(e.sameLocalAs !== undefined ? (entries[e.sameLocalAs]!.deflate ? deflateRawSync(entries[e.sameLocalAs]!.data).length : entries[e.sameLocalAs]!.data.length) : body.length, 20);
    ch.writeUInt32LE(e.sameLocalAs !== undefined ? entries[e.sameLocalAs]!.data.length : size, 24);
    ch.writeUInt16LE(name.length, 28);
    ch.writeUInt16LE(0, 30);
    ch.writeUInt16LE(0, 32);
    ch.writeUInt16LE(0, 34);
    ch.writeUInt16LE(0, 36);
    ch.writeUInt32LE(((e.mode ?? 0o100644) << 16) >>> 0, 38);
    ch.writeUInt32LE(localOffset, 42);
    central.push(ch, name);
  });
  const cd = Buffer.concat(central);
  const eocd = Buffer.alloc(22);
  eocd.writeUInt32LE(0x06054b50, 0);
  eocd.writeUInt16LE(entries.length, 8);
  eocd.writeUInt16LE(entries.length, 10);
  eocd.writeUInt32LE(cd.length, 12);
  eocd.writeUInt32LE(offset, 16);
  return Buffer.concat([...locals, cd, eocd]);
}
