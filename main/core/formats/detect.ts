// Format detection from content: magic bytes first, then structure. Never from the file name.
// The detectors form an ordered table; the first that matches decides.
import type { ByteSource } from '../io/byte-source.ts';
import type { FormatId } from './catalogue.ts';
import { peekZipNames } from './zip-directory.ts';

export const HEAD_BYTES = 64 * 1024;

export interface Sniff {
  head: Uint8Array;
  size: number;
  source: ByteSource;
}

export interface Detection {
  format: FormatId;
  /** A short note on what decided it, e.g. `pickle protocol 4` or `zip with archive/data.pkl`. */
  detail: string;
}

type Detector = (s: Sniff) => Promise<Detection | null> | Detection | null;

const ascii = (s: string) => Uint8Array.from(s, (c) => c.charCodeAt(0));

function startsWith(head: Uint8Array, sig: Uint8Array | number[], at = 0): boolean {
  if (head.length < at + sig.length) return false;
  for (let i = 0; i < sig.length; i++) if (head[at + i] !== sig[i]) return false;
  return true;
}

function u32le(b: Uint8Array, at: number): number {
  return new DataView(b.buffer, b.byteOffset, b.byteLength).getUint32(at, true);
}

function indexOfBytes(hay: Uint8Array, needle: Uint8Array): number {
  outer: for (let i = 0; i + needle.length <= hay.length; i++) {
    for (let j = 0; j < needle.length; j++) if (hay[i + j] !== needle[j]) continue outer;
    return i;
  }
  return -1;
}

// The pickle written by legacy torch.save first: protocol 2, LONG1 of the magic number 0x1950a86a20f9469cfc6c.
const TORCH_LEGACY_MAGIC = [0x80, 0x02, 0x8a, 0x0a, 0x6c, 0xfc, 0x9c, 0x46, 0xf9, 0x20, 0x6a, 0xa8, 0x50, 0x19];
const JOBLIB_MARK = ascii('joblib.numpy_pickle');
const JOBLIB_MARK_SHORT = ascii('NumpyArrayWrapper');

/** Opcodes a protocol 0/1 pickle plausibly starts with. */
const PROTO0_FIRST = new Set(Array.from('(}])cNIFLSVKJMTUXGq', (c) => c.charCodeAt(0)));

async function detectZip(s: Sniff): Promise<Detection | null> {
  if (!startsWith(s.head, [0x50, 0x4b, 0x03, 0x04]) && !startsWith(s.head, [0x50, 0x4b, 0x05, 0x06])) return null;
  const peek = await peekZipNames(s.source).catch(() => null);
  const names = peek?.names ?? [];
  // torch takes the folder of the first member as the archive folder and reads only inside it, so
  // members elsewhere do not make a checkpoint any less one (the analyzer reports them).
  const first = names[0] ?? '';
  const top = first.indexOf('/') > 0 ? first.slice(0, first.indexOf('/') + 1) : null;
  if (top !== null && names.includes(`${top}data.pkl`)) {
    const hasCode = names.includes(`${top}constants.pkl`) || names.some((n) => n.startsWith(`${top}code/`));
    return hasCode
      ? { format: 'torchscript', detail: 'zip with code/ and data.pkl' }
      : { format: 'pytorch-zip', detail: 'zip whose first folder holds data.pkl' };
  }
  if (names.includes('config.json') && (names.includes('model.weights.h5') || names.includes('metadata.json'))) {
    return { format: 'keras-v3', detail: 'zip with config.json and Keras weights/metadata' };
  }
  if (names.length > 0 && names.every((n) => n.endsWith('.npy'))) {
    return { format: 'numpy-npz', detail: 'zip whose members are all .npy arrays' };
  }
  return { format: 'zip', detail: peek ? `zip with ${names.length}${peek.truncated ? '+' : ''} members` : 'zip local header, no readable directory' };
}

function detectPickle(s: Sniff): Detection | null {
  const h = s.head;
  if (h.length >= 2 && h[0] === 0x80 && h[1]! >= 2 && h[1]! <= 5) {
    if (startsWith(h, TORCH_LEGACY_MAGIC)) return { format: 'pytorch-legacy', detail: 'legacy torch.save magic number' };
    if (indexOfBytes(h, JOBLIB_MARK) >= 0 || indexOfBytes(h, JOBLIB_MARK_SHORT) >= 0) {
      return { format: 'joblib', detail: `pickle protocol ${h[1]} with joblib array wrappers` };
    }
    return { format: 'pickle', detail: `pickle protocol ${h[1]}` };
  }
  // Protocols 0 and 1 have no header: a plausible first opcode and a STOP at the very end.
  if (h.length >= 2 && PROTO0_FIRST.has(h[0]!) && s.size <= h.length && h[h.length - 1] === 0x2e) {
    if (h[0] === 0x63 && !/^c[A-Za-z_][\w.]*\n[A-Za-z_][\w.]*\n/.test(latin1(h.subarray(0, 256)))) return null;
    return { format: 'pickle', detail: 'pickle protocol 0/1 (no header)' };
  }
  if (h.length >= 2 && PROTO0_FIRST.has(h[0]!) && s.size > h.length && h[0] === 0x63
      && /^c[A-Za-z_][\w.]*\n[A-Za-z_][\w.]*\n/.test(latin1(h.subarray(0, 256)))) {
    return { format: 'pickle', detail: 'pickle protocol 0/1 starting with GLOBAL' };
  }
  return null;
}

function latin1(b: Uint8Array): string {
  let s = '';
  for (const x of b) s += String.fromCharCode(x);
  return s;
}

function detectSafetensors(s: Sniff): Detection | null {
  if (s.head.length < 10) return null;
  const n = new DataView(s.head.buffer, s.head.byteOffset, 8).getBigUint64(0, true);
  if (n < 2n || s.head[8] !== 0x7b) return null; // '{'
  if (n <= BigInt(s.size - 8)) return { format: 'safetensors', detail: `header of ${n} bytes` };
  // A header length past the end of the file is a malformed (truncated or inflated) safetensors
  // file when a JSON object follows and the length is binary (under 4 GiB, so not eight bytes
  // of text): the analyzer reports it rather than the file going unanalysed.
  if (n <= 0xffffffffn && (s.head[9] === 0x22 || s.head[9] === 0x7d)) {
    return { format: 'safetensors', detail: `header of ${n} bytes, past the end of the file` };
  }
  return null;
}

function readVarint(b: Uint8Array, at: number): [value: number, next: number] | null {
  let v = 0;
  let mul = 1;
  for (let i = at; i < Math.min(b.length, at + 10); i++) {
    const byte = b[i]!;
    v += (byte & 0x7f) * mul;
    mul *= 128;
    if ((byte & 0x80) === 0) return [v, i + 1];
  }
  return null;
}

function detectProtobufModels(s: Sniff): Detection | null {
  const h = s.head;
  if (h.length < 4) return null;
  if (h[0] === 0x08) {
    const v = readVarint(h, 1);
    if (!v) return null;
    const [first, next] = v;
    const tag = h[next];
    // SavedModel: schema version 1, then meta_graphs (field 2) whose first field is meta_info_def.
    if (first === 1 && tag === 0x12) {
      const len = readVarint(h, next + 1);
      if (len && h[len[1]] === 0x0a) return { format: 'tf-savedmodel', detail: 'SavedModel protobuf (schema version 1)' };
    }
    // ONNX ModelProto: ir_version, then producer_name / graph / opset_import / other known fields.
    if (first >= 1 && first <= 20 && tag !== undefined && [0x12, 0x1a, 0x22, 0x28, 0x32, 0x3a, 0x42, 0x4a, 0x52, 0x72, 0x7a].includes(tag)) {
      return { format: 'onnx', detail: `ONNX ModelProto, IR version ${first}` };
    }
  }
  // GraphDef: repeated NodeDef (field 1) whose own first field is a name, then an op (field 2).
  if (h[0] === 0x0a) {
    const outer = readVarint(h, 1);
    if (outer && h[outer[1]] === 0x0a) {
      const nameLen = readVarint(h, outer[1] + 1);
      if (nameLen && nameLen[0] < 1024 && h[nameLen[1] + nameLen[0]] === 0x12) {
        return { format: 'tf-graphdef', detail: 'GraphDef protobuf (NodeDef name, op)' };
      }
    }
  }
  return null;
}

function detectTar(s: Sniff): Detection | null {
  const h = s.head;
  if (h.length < 512) return null;
  if (startsWith(h, ascii('ustar'), 257)) return { format: 'tar', detail: 'ustar header' };
  // Old (v7) tar: no magic; the header checksum must match.
  const stored = parseInt(latin1(h.subarray(148, 156)).replace(/[\0 ]+$/g, '').trim(), 8);
  if (!Number.isFinite(stored) || h[0] === 0) return null;
  let sum = 0;
  for (let i = 0; i < 512; i++) sum += i >= 148 && i < 156 ? 0x20 : h[i]!;
  return sum === stored ? { format: 'tar', detail: 'v7 tar header (checksum valid)' } : null;
}

function magic(format: FormatId, sig: number[] | string, detail: string, at = 0): Detector {
  const bytes = typeof sig === 'string' ? ascii(sig) : Uint8Array.from(sig);
  return (s) => (startsWith(s.head, bytes, at) ? { format, detail } : null);
}

function detectPe(s: Sniff): Detection | null {
  if (!startsWith(s.head, ascii('MZ')) || s.head.length < 64) return null;
  const peOffset = u32le(s.head, 0x3c);
  if (peOffset + 4 <= s.head.length && startsWith(s.head, ascii('PE\0\0'), peOffset)) return { format: 'pe', detail: 'MZ and PE headers' };
  return { format: 'pe', detail: 'MZ header' };
}

function detectMacho(s: Sniff): Detection | null {
  const h = s.head;
  if (h.length < 8) return null;
  const m = u32le(h, 0);
  if ([0xfeedface, 0xfeedfacf, 0xcefaedfe, 0xcffaedfe].includes(m)) return { format: 'macho', detail: 'Mach-O header' };
  // 0xCAFEBABE is both a fat Mach-O and a Java class; a fat binary has a small arch count.
  if (startsWith(h, [0xca, 0xfe, 0xba, 0xbe]) && h[4] === 0 && h[5] === 0 && h[6] === 0 && h[7]! > 0 && h[7]! < 20) {
    return { format: 'macho', detail: 'fat Mach-O header' };
  }
  return null;
}

function detectZlib(s: Sniff): Detection | null {
  const h = s.head;
  if (h.length < 2) return null;
  const cmf = h[0]!;
  const flg = h[1]!;
  if ((cmf & 0x0f) === 8 && cmf >> 4 <= 7 && ((cmf << 8) | flg) % 31 === 0 && (flg & 0x20) === 0) {
    return { format: 'zlib', detail: 'zlib header' };
  }
  return null;
}

function detectHdf5(s: Sniff): Detection | null {
  const sig = [0x89, 0x48, 0x44, 0x46, 0x0d, 0x0a, 0x1a, 0x0a];
  // The superblock may follow a user block of 512, 1024, 2048... bytes.
  for (const at of [0, 512, 1024, 2048, 4096, 8192, 16384, 32768]) {
    if (startsWith(s.head, sig, at)) return { format: 'hdf5', detail: at === 0 ? 'HDF5 superblock' : `HDF5 superblock after a ${at}-byte user block` };
  }
  return null;
}

function detectParquet(s: Sniff): Detection | null {
  return startsWith(s.head, ascii('PAR1')) ? { format: 'parquet', detail: 'PAR1 magic' } : null;
}

const utf8 = new TextDecoder('utf-8', { fatal: true });

/** Decodes the head as text when it is UTF-8 (a sequence cut at the end is allowed) or UTF-16 with BOM. */
function headText(head: Uint8Array): string | null {
  if (startsWith(head, [0xff, 0xfe]) || startsWith(head, [0xfe, 0xff])) {
    return new TextDecoder(head[0] === 0xff ? 'utf-16le' : 'utf-16be').decode(head.subarray(2, head.length - (head.length % 2)));
  }
  const b = startsWith(head, [0xef, 0xbb, 0xbf]) ? head.subarray(3) : head;
  // A multi-byte sequence may be cut by the sniff window: allow up to 3 trailing bytes.
  for (let cut = 0; cut < 4 && cut <= b.length; cut++) {
    try {
      const text = utf8.decode(b.subarray(0, b.length - cut));
      // Control characters other than whitespace mean binary.
      return /[\u0000-\u0008\u000e-\u001a\u001c-\u001f]/.test(text) ? null : text;
    } catch {
      // try a shorter cut
    }
  }
  return null;
}

function completeLines(text: string, whole: boolean): string[] {
  const lines = text.split(/\r?\n/);
  if (!whole) lines.pop(); // the last line may be cut by the head window
  return lines.filter((l) => l.trim().length > 0);
}

function detectText(s: Sniff): Detection | null {
  const text = headText(s.head);
  if (text === null) return null;
  const whole = s.size <= s.head.length;
  const trimmed = text.trimStart();
  if (trimmed.startsWith('{') || trimmed.startsWith('[')) {
    if (whole) {
      try { JSON.parse(trimmed); return { format: 'json', detail: 'one JSON document' }; } catch { /* maybe JSONL */ }
    }
    const lines = completeLines(text, whole);
    if (lines.length >= 2 && lines.slice(0, 200).every((l) => { try { JSON.parse(l); return true; } catch { return false; } })) {
      return { format: 'jsonl', detail: 'one JSON value per line' };
    }
    // A large Jinja template also starts with '{' ('{%', '{{', '{#'): leave it to the template check below.
    if (!whole && !/^\{[%{#]/.test(trimmed)) return { format: 'json', detail: 'JSON document (larger than the sniff window)' };
  }
  if (/\{%-?\s*\w|\{\{-?\s*[\w(]/.test(text) && /%\}|\}\}/.test(text)) return { format: 'jinja', detail: 'template tags' };
  const lines = completeLines(text, whole).slice(0, 50);
  if (lines.length >= 2) {
    for (const [delim, format] of [['\t', 'tsv'], [',', 'csv'], [';', 'csv'], ['|', 'csv']] as const) {
      const counts = lines.map((l) => l.split(delim).length - 1);
      const first = counts[0]!;
      if (first >= 1 && counts.filter((c) => c === first).length >= Math.ceil(lines.length * 0.8)) {
        return { format, detail: `${first + 1} columns separated by ${delim === '\t' ? 'tabs' : `'${delim}'`}` };
      }
    }
  }
  if (startsWith(s.head, ascii('#!'))) return { format: 'script', detail: 'interpreter line' };
  return { format: 'text', detail: 'text' };
}

const DETECTORS: readonly Detector[] = [
  (s) => (s.size === 0 ? { format: 'empty', detail: 'zero bytes' } : null),
  magic('numpy-npy', [0x93, 0x4e, 0x55, 0x4d, 0x50, 0x59], 'NUMPY magic'),
  magic('gguf', 'GGUF', 'GGUF magic'),
  detectHdf5,
  detectZip,
  detectParquet,
  magic('gzip', [0x1f, 0x8b], 'gzip magic'),
  magic('bzip2', 'BZh', 'bzip2 magic'),
  magic('xz', [0xfd, 0x37, 0x7a, 0x58, 0x5a, 0x00], 'xz magic'),
  magic('zstd', [0x28, 0xb5, 0x2f, 0xfd], 'zstd magic'),
  magic('7z', [0x37, 0x7a, 0xbc, 0xaf, 0x27, 0x1c], '7z magic'),
  magic('elf', [0x7f, 0x45, 0x4c, 0x46], 'ELF magic'),
  detectPe,
  detectMacho,
  magic('pdf', '%PDF-', 'PDF header'),
  magic('png', [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a], 'PNG signature'),
  magic('jpeg', [0xff, 0xd8, 0xff], 'JPEG SOI marker'),
  magic('gif', 'GIF8', 'GIF header'),
  (s) => (startsWith(s.head, ascii('RIFF')) && startsWith(s.head, ascii('WEBP'), 8) ? { format: 'webp', detail: 'RIFF WEBP' } : null),
  detectPickle,
  detectTar,
  detectSafetensors,
  detectProtobufModels,
  detectZlib,
  detectText,
  (s) => (startsWith(s.head, ascii('BM')) && s.head.length >= 6 && u32le(s.head, 2) === s.size ? { format: 'bmp', detail: 'BMP header with matching size' } : null),
];

export async function detectFormat(source: ByteSource): Promise<Detection> {
  const head = await source.read(0, Math.min(HEAD_BYTES, source.size));
  const sniff: Sniff = { head, size: source.size, source };
  for (const detector of DETECTORS) {
    const hit = await detector(sniff);
    if (hit) return hit;
  }
  return { format: 'unknown', detail: 'no detector matched' };
}
