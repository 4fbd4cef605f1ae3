// A plain disassembler for the opcode listing of the view: decodes the first opcodes of a stream
// with their inline arguments (no semantics), skipping the byte ranges the machine found to be raw
// data (joblib arrays, inline streams). Bounded in opcodes, bytes and line length.
import type { ByteSource } from '../../io/byte-source.ts';
import type { PickleOpcodeEntry } from './detail.ts';
import { OPCODES, opcodeName } from './opcodes.ts';

const CHUNK = 256 * 1024;
const MAX_LINE = 64 * 1024;
const SHOW = 80;

export interface DisasmOptions {
  start: number;
  end: number;
  maxOps: number;
  /** Byte ranges that are not opcodes: jumped over when reached. */
  skip?: ReadonlyArray<{ byteOffset: number; length: number }>;
}

function quote(s: string): string {
  const cut = s.length > SHOW ? `${s.slice(0, SHOW)}…` : s;
  return `'${cut.replace(/\\/g, '\\\\').replace(/'/g, "\\'").replace(/[\x00-\x1f\x7f-\x9f]/g, (c) => `\\x${c.charCodeAt(0).toString(16).padStart(2, '0')}`)}'`;
}

function hexPreview(b: Uint8Array): string {
  return Array.from(b.subarray(0, 16), (x) => x.toString(16).padStart(2, '0')).join(' ') + (b.length > 16 ? ' …' : '');
}

class Reader {
  private buf: Uint8Array = new Uint8Array(0);
  private base = 0;
  constructor(private readonly src: ByteSource, private readonly end: number) {}

  /** Bytes [at, at+n) when they exist before `end` (n bounded by the caller). */
  async bytes(at: number, n: number): Promise<Uint8Array | null> {
    if (at + n > this.end) return null;
    if (at < this.base || at + n > this.base + this.buf.length) {
      this.buf = await this.src.read(at, Math.min(Math.max(CHUNK, n), this.end - at));
      this.base = at;
      if (at + n > this.base + this.buf.length) return null;
    }
    return this.buf.subarray(at - this.base, at - this.base + n);
  }

  /** A newline-terminated line at `at`: its content and the offset after the newline. */
  async line(at: number): Promise<{ text: string; next: number } | null> {
    const n = Math.min(MAX_LINE, this.end - at);
    const b = await this.bytes(at, n);
    if (!b) return null;
    const nl = b.indexOf(10);
    if (nl < 0) return null;
    return { text: Buffer.from(b.buffer, b.byteOffset, nl).toString('latin1'), next: at + nl + 1 };
  }
}

function u(b: Uint8Array, n: number): number {
  let v = 0;
  for (let i = n - 1; i >= 0; i--) v = v * 256 + b[i]!;
  return v;
}

/** Lists the opcodes of one stream from `start` up to STOP, `maxOps`, or the first undecodable byte. */
export async function disassemble(src: ByteSource, options: DisasmOptions): Promise<{ entries: PickleOpcodeEntry[]; complete: boolean }> {
  const r = new Reader(src, Math.min(options.end, src.size));
  const skip = [...(options.skip ?? [])].sort((a, b) => a.byteOffset - b.byteOffset);
  const entries: PickleOpcodeEntry[] = [];
  let at = options.start;
  for (let index = 0; index < options.maxOps; index++) {
    for (const s of skip) if (s.byteOffset === at) at += s.length;
    const opb = await r.bytes(at, 1);
    if (!opb) return { entries, complete: false };
    const code = opb[0]!;
    const info = OPCODES[code];
    const entry: PickleOpcodeEntry = { index, byteOffset: at, op: opcodeName(code) };
    entries.push(entry);
    if (!info) return { entries, complete: false };
    let next = at + 1;
    switch (info.arg) {
      case 'none':
        break;
      case 'u1': case 'u2': case 'u4': case 'u8': case 'i4': case 'f8': {
        const n = info.arg === 'u1' ? 1 : info.arg === 'u2' ? 2 : info.arg === 'u8' || info.arg === 'f8' ? 8 : 4;
        const b = await r.bytes(next, n);
        if (!b) return { entries, complete: false };
        if (info.arg === 'f8') entry.arg = String(Buffer.from(b.buffer, b.byteOffset, 8).readDoubleBE(0));
        else if (info.arg === 'i4') entry.arg = String(Buffer.from(b.buffer, b.byteOffset, 4).readInt32LE(0));
        else entry.arg = String(u(b, n));
        next += n;
        break;
      }
      case 'line': case 'line2': {
        const l1 = await r.line(next);
        if (!l1) return { entries, complete: false };
        next = l1.next;
        entry.arg = l1.text.length > SHOW ? `${l1.text.slice(0, SHOW)}…` : l1.text;
        if (info.arg === 'line2') {
          const l2 = await r.line(next);
          if (!l2) return { entries, complete: false };
          next = l2.next;
          entry.arg = `${entry.arg} ${l2.text.length > SHOW ? `${l2.text.slice(0, SHOW)}…` : l2.text}`;
        }
        break;
      }
      case 'len1': case 'len4': case 'slen4': case 'len8': {
        const h = info.arg === 'len1' ? 1 : info.arg === 'len8' ? 8 : 4;
        const hb = await r.bytes(next, h);
        if (!hb) return { entries, complete: false };
        const n = u(hb, h);
        next += h;
        const shown = await r.bytes(next, Math.min(n, SHOW * 4));
        if (!shown || next + n > options.end) {
          entry.arg = `<${n} bytes, past the end>`;
          return { entries, complete: false };
        }
        const isText = /UNICODE/.test(info.name);
        const isStr = /STRING/.test(info.name);
        if (isText) entry.arg = quote(Buffer.from(shown.buffer, shown.byteOffset, shown.length).toString('utf8')) + (n > shown.length ? ` (${n} bytes)` : '');
        else if (isStr) entry.arg = quote(Buffer.from(shown.buffer, shown.byteOffset, shown.length).toString('latin1')) + (n > shown.length ? ` (${n} bytes)` : '');
        else entry.arg = `<${n} bytes> ${hexPreview(shown)}`;
        next += n;
        break;
      }
      case 'long1': case 'long4': {
        const h = info.arg === 'long1' ? 1 : 4;
        const hb = await r.bytes(next, h);
        if (!hb) return { entries, complete: false };
        const n = u(hb, h);
        next += h;
        if (n <= 8) {
          const b = await r.bytes(next, n);
          if (!b) return { entries, complete: false };
          let v = 0n;
          for (let i = n - 1; i >= 0; i--) v = (v << 8n) | BigInt(b[i]!);
          if (n > 0 && b[n - 1]! & 0x80) v -= 1n << BigInt(8 * n);
          entry.arg = v.toString();
        } else {
          entry.arg = `<${n}-byte integer>`;
        }
        next += n;
        break;
      }
    }
    at = next;
    if (info.name === 'STOP') return { entries, complete: true };
  }
  return { entries, complete: false };
}
