// A bounded reader for the part of HDF5 that carries Keras code: the superblock and the root
// group's attributes (`model_config`, `training_config`, `keras_version`...).
//
// Why not jsfive (installed): it needs the whole file as one ArrayBuffer, and `.h5` weight files
// run to gigabytes. The root group's attributes sit in its object header near the start of the
// file, so reading the superblock, that header (with its continuation blocks) and, for
// variable-length strings, one global heap collection touches a few kilobytes whatever the file
// size. Every address and size is checked against the file before it is read.
//
// Supported: superblock versions 0-3, object header versions 1 and 2, attribute messages
// versions 1-3 with compact storage, fixed-length and variable-length string datatypes.
// Dense attribute storage (fractal heaps) and shared datatypes are reported as unsupported.
import type { ByteSource } from '../../../io/byte-source.ts';
import { WindowReader } from '../common/read.ts';

export class Hdf5Error extends Error {
  constructor(message: string, readonly at: number) {
    super(message);
    this.name = 'Hdf5Error';
  }
}

export interface Hdf5Attribute {
  name: string;
  /** Byte offset of the attribute message. */
  at: number;
  /** The first element as text when the attribute is a string; null otherwise. */
  value: string | null;
}

export interface RootAttributes {
  superblockVersion: number;
  attributes: Hdf5Attribute[];
  /** Why some attributes could not be read (dense storage, shared datatypes...). */
  unsupported: string[];
}

const SIGNATURE = [0x89, 0x48, 0x44, 0x46, 0x0d, 0x0a, 0x1a, 0x0a];
const MAX_CHUNKS = 64;
const MAX_MESSAGES = 10_000;
const MAX_CHUNK_BYTES = 64 * 1024 * 1024;
const MAX_STRING_BYTES = 64 * 1024 * 1024;

const MSG_ATTRIBUTE = 0x0c;
const MSG_CONTINUATION = 0x10;
const MSG_ATTRIBUTE_INFO = 0x15;

interface Sizes {
  offsets: number;
  lengths: number;
  base: number;
}

export async function readRootAttributes(source: ByteSource): Promise<RootAttributes> {
  const r = new WindowReader(source, 64 * 1024);
  const at = await findSignature(r);
  const version = (await r.bytes(at + 8, 1))[0]!;
  let sizes: Sizes;
  let rootHeader: number;
  if (version === 0 || version === 1) {
    const fixed = await r.bytes(at, 24);
    sizes = { offsets: fixed[13]!, lengths: fixed[14]!, base: 0 };
    checkSizes(sizes, at);
    let p = at + (version === 1 ? 28 : 24);
    const base = await readAddress(r, p, sizes.offsets);
    p += sizes.offsets * 4; // base, free-space info, end of file, driver info
    // Root group symbol table entry: link name offset, then the object header address.
    const header = await readAddress(r, p + sizes.offsets, sizes.offsets);
    sizes.base = toOffset(base, source.size, at, 'base address');
    rootHeader = resolve(header, sizes, source.size, p, 'root group object header');
  } else if (version === 2 || version === 3) {
    const fixed = await r.bytes(at, 12);
    sizes = { offsets: fixed[9]!, lengths: fixed[10]!, base: 0 };
    checkSizes(sizes, at);
    const base = await readAddress(r, at + 12, sizes.offsets);
    const header = await readAddress(r, at + 12 + sizes.offsets * 3, sizes.offsets);
    sizes.base = toOffset(base, source.size, at, 'base address');
    rootHeader = resolve(header, sizes, source.size, at + 12, 'root group object header');
  } else {
    throw new Hdf5Error(`superblock version ${version} is unknown`, at + 8);
  }
  const result: RootAttributes = { superblockVersion: version, attributes: [], unsupported: [] };
  await readObjectHeader(r, rootHeader, sizes, result);
  return result;
}

async function findSignature(r: WindowReader): Promise<number> {
  for (let at = 0; at + 8 <= r.size && at <= 1 << 20; at = at === 0 ? 512 : at * 2) {
    const b = await r.bytes(at, 8);
    if (SIGNATURE.every((x, i) => b[i] === x)) return at;
  }
  throw new Hdf5Error('no HDF5 signature at 0 or any power-of-two offset from 512 bytes', 0);
}

function checkSizes(s: Sizes, at: number): void {
  if (![2, 4, 8].includes(s.offsets) || ![2, 4, 8].includes(s.lengths)) {
    throw new Hdf5Error(`superblock declares ${s.offsets}-byte offsets and ${s.lengths}-byte lengths (2, 4 or 8 allowed)`, at);
  }
}

async function readAddress(r: WindowReader, at: number, width: number): Promise<bigint | null> {
  const b = await r.bytes(at, width);
  let v = 0n;
  let allOnes = true;
  for (let i = width - 1; i >= 0; i--) {
    v = (v << 8n) | BigInt(b[i]!);
    if (b[i] !== 0xff) allOnes = false;
  }
  return allOnes ? null : v; // all ones: the undefined address
}

function readUint(b: Uint8Array, at: number, width: number): bigint {
  if (at + width > b.length) throw new RangeError('field past the end of its message');
  let v = 0n;
  for (let i = width - 1; i >= 0; i--) v = (v << 8n) | BigInt(b[at + i]!);
  return v;
}

function toOffset(v: bigint | null, size: number, at: number, what: string): number {
  if (v === null) return 0;
  if (v > BigInt(size)) throw new Hdf5Error(`${what} ${v} is past the end of the ${size}-byte file`, at);
  return Number(v);
}

function resolve(addr: bigint | null, s: Sizes, size: number, at: number, what: string): number {
  if (addr === null) throw new Hdf5Error(`${what} address is undefined`, at);
  const abs = BigInt(s.base) + addr;
  if (abs >= BigInt(size)) throw new Hdf5Error(`${what} at ${abs} is past the end of the ${size}-byte file`, at);
  return Number(abs);
}

interface Chunk {
  start: number;
  length: number;
}

async function readObjectHeader(r: WindowReader, at: number, s: Sizes, out: RootAttributes): Promise<void> {
  const sig = await r.bytes(at, 4);
  const v2 = sig[0] === 0x4f && sig[1] === 0x48 && sig[2] === 0x44 && sig[3] === 0x52; // "OHDR"
  const queue: Chunk[] = [];
  let trackOrder = false;
  if (v2) {
    const h = await r.bytes(at, 6);
    if (h[4] !== 2) throw new Hdf5Error(`object header version ${h[4]} is unknown`, at + 4);
    const flags = h[5]!;
    trackOrder = (flags & 0x04) !== 0;
    let p = at + 6 + (flags & 0x20 ? 16 : 0) + (flags & 0x10 ? 4 : 0);
    const width = 1 << (flags & 0x03);
    const size = Number(readUint(await r.bytes(p, width), 0, width));
    p += width;
    queue.push({ start: p, length: size });
  } else {
    const h = await r.bytes(at, 16);
    if (h[0] !== 1) throw new Hdf5Error(`object header version ${h[0]} is unknown`, at);
    const size = new DataView(h.buffer, h.byteOffset, 16).getUint32(8, true);
    queue.push({ start: at + 16, length: size });
  }
  let messages = 0;
  let chunks = 0;
  while (queue.length > 0) {
    const chunk = queue.shift()!;
    if (++chunks > MAX_CHUNKS) throw new Hdf5Error(`object header has more than ${MAX_CHUNKS} continuation blocks`, chunk.start);
    if (chunk.length > MAX_CHUNK_BYTES) throw new Hdf5Error(`object header block of ${chunk.length} bytes is implausibly large`, chunk.start);
    if (chunk.start + chunk.length > r.size) throw new Hdf5Error(`object header block (${chunk.length} bytes at ${chunk.start}) runs past the end of the file`, chunk.start);
    const block = await r.bytes(chunk.start, chunk.length);
    const prefix = v2 ? 4 + (trackOrder ? 2 : 0) : 8;
    let p = 0;
    while (p + prefix <= block.length) {
      if (++messages > MAX_MESSAGES) throw new Hdf5Error(`object header has more than ${MAX_MESSAGES} messages`, chunk.start + p);
      const dv = new DataView(block.buffer, block.byteOffset + p, prefix);
      const type = v2 ? dv.getUint8(0) : dv.getUint16(0, true);
      const size = v2 ? dv.getUint16(1, true) : dv.getUint16(2, true);
      const flags = v2 ? dv.getUint8(3) : dv.getUint8(4);
      const dataAt = p + prefix;
      if (dataAt + size > block.length) throw new Hdf5Error(`header message of type ${type} (${size} bytes) runs past its block`, chunk.start + p);
      const data = block.subarray(dataAt, dataAt + size);
      const msgAt = chunk.start + p;
      if (type === MSG_CONTINUATION) {
        const off = readUint(data, 0, s.offsets);
        const len = Number(readUint(data, s.offsets, s.lengths));
        const abs = resolve(off, s, r.size, msgAt, 'continuation block');
        // Version 2 continuation blocks start with "OCHK" and end with a checksum.
        queue.push(v2 ? { start: abs + 4, length: Math.max(0, len - 8) } : { start: abs, length: len });
      } else if (type === MSG_ATTRIBUTE) {
        if (flags & 0x02) out.unsupported.push('an attribute stored as a shared message');
        else out.attributes.push(await readAttribute(r, data, msgAt + prefix, s));
      } else if (type === MSG_ATTRIBUTE_INFO) {
        const infoFlags = data[1] ?? 0;
        const heapAt = 2 + (infoFlags & 0x01 ? 2 : 0);
        const heap = data.length >= heapAt + s.offsets ? readUint(data, heapAt, s.offsets) : 0n;
        if (heap !== (1n << BigInt(s.offsets * 8)) - 1n) out.unsupported.push('attributes kept in dense storage (fractal heap)');
      }
      p = dataAt + size;
    }
  }
}

async function readAttribute(r: WindowReader, d: Uint8Array, at: number, s: Sizes): Promise<Hdf5Attribute> {
  const version = d[0];
  if (d.length < 8) throw new Hdf5Error('attribute message is too short', at);
  const dv = new DataView(d.buffer, d.byteOffset, d.length);
  const nameSize = dv.getUint16(2, true);
  const dtSize = dv.getUint16(4, true);
  const dsSize = dv.getUint16(6, true);
  const pad = (n: number): number => (version === 1 ? Math.ceil(n / 8) * 8 : n);
  let p: number;
  if (version === 1 || version === 2) p = 8;
  else if (version === 3) p = 9;
  else throw new Hdf5Error(`attribute message version ${version} is unknown`, at);
  const flags = version === 1 ? 0 : d[1]!;
  const nameEnd = p + nameSize;
  const dtAt = p + pad(nameSize);
  const dsAt = dtAt + pad(dtSize);
  const dataAt = dsAt + pad(dsSize);
  if (nameEnd > d.length || dataAt > d.length) throw new Hdf5Error('attribute name, datatype or dataspace runs past the message', at);
  const name = new TextDecoder().decode(d.subarray(p, nameEnd)).replace(/\0+$/, '');
  if (flags & 0x01) return { name, at, value: null }; // shared datatype: not a plain string
  const dt = d.subarray(dtAt, dtAt + dtSize);
  const ds = d.subarray(dsAt, dsAt + dsSize);
  const data = d.subarray(dataAt);
  if (dt.length < 8) throw new Hdf5Error(`attribute ${JSON.stringify(name)} has a truncated datatype`, at);
  const cls = dt[0]! & 0x0f;
  const elemSize = new DataView(dt.buffer, dt.byteOffset, 8).getUint32(4, true);
  const elements = dataspaceElements(ds, s, name, at);
  if (elements === 0n) return { name, at, value: null };
  if (cls === 3) {
    if (BigInt(elemSize) * elements > BigInt(data.length)) throw new Hdf5Error(`attribute ${JSON.stringify(name)} declares more data than its message holds`, at);
    const raw = data.subarray(0, elemSize);
    const nul = raw.indexOf(0);
    const text = new TextDecoder().decode(nul >= 0 ? raw.subarray(0, nul) : raw);
    return { name, at, value: (dt[1]! & 0x0f) === 2 ? text.replace(/ +$/, '') : text };
  }
  if (cls === 9 && (dt[1]! & 0x0f) === 1) {
    // Variable-length string: length, then a global heap ID (collection address, object index).
    const need = 4 + s.offsets + 4;
    if (data.length < need) throw new Hdf5Error(`attribute ${JSON.stringify(name)} has a truncated variable-length string reference`, at);
    const length = Number(readUint(data, 0, 4));
    const collection = readUint(data, 4, s.offsets);
    const index = Number(readUint(data, 4 + s.offsets, 4));
    const bytes = await readGlobalHeapObject(r, resolve(collection, s, r.size, at, 'global heap collection'), index, s, at);
    return { name, at, value: new TextDecoder().decode(bytes.subarray(0, Math.min(length, bytes.length))) };
  }
  return { name, at, value: null };
}

function dataspaceElements(ds: Uint8Array, s: Sizes, name: string, at: number): bigint {
  if (ds.length < 4) throw new Hdf5Error(`attribute ${JSON.stringify(name)} has a truncated dataspace`, at);
  const version = ds[0];
  const rank = ds[1]!;
  let p: number;
  if (version === 1) p = 8;
  else if (version === 2) {
    if (ds[3] === 2) return 0n; // null dataspace
    p = 4;
  } else throw new Hdf5Error(`attribute ${JSON.stringify(name)} has dataspace version ${version}`, at);
  let n = 1n;
  for (let i = 0; i < rank; i++) n *= readUint(ds, p + i * s.lengths, s.lengths);
  return n;
}

async function readGlobalHeapObject(r: WindowReader, at: number, index: number, s: Sizes, ref: number): Promise<Uint8Array> {
  const head = await r.bytes(at, 8 + s.lengths);
  if (head[0] !== 0x47 || head[1] !== 0x43 || head[2] !== 0x4f || head[3] !== 0x4c) throw new Hdf5Error('global heap collection signature "GCOL" is missing', at);
  const size = readUint(head, 8, s.lengths);
  if (size > BigInt(MAX_STRING_BYTES) || BigInt(at) + size > BigInt(r.size)) throw new Hdf5Error(`global heap collection of ${size} bytes runs past the end of the file or the limit`, at);
  const coll = await r.bytes(at, Number(size));
  let p = 8 + s.lengths;
  const objHeader = 8 + s.lengths;
  while (p + objHeader <= coll.length) {
    const dv = new DataView(coll.buffer, coll.byteOffset + p, 8);
    const idx = dv.getUint16(0, true);
    const objSize = Number(readUint(coll, p + 8, s.lengths));
    if (idx === 0) break; // free space runs to the end of the collection
    const dataAt = p + objHeader;
    if (dataAt + objSize > coll.length) throw new Hdf5Error(`global heap object ${idx} runs past its collection`, at + p);
    if (idx === index) return coll.subarray(dataAt, dataAt + objSize);
    p = dataAt + Math.ceil(objSize / 8) * 8;
  }
  throw new Hdf5Error(`global heap object ${index} referenced by an attribute does not exist`, ref);
}
