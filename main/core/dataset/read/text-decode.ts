// Encoding from the byte-order mark: UTF-8 (with or without BOM), UTF-16 LE/BE with BOM.
import { TextDecoder } from 'node:util';
import type { TextEncodingName } from './types.ts';

export interface EncodingSniff {
  encoding: TextEncodingName;
  bomBytes: number;
}

export function sniffEncoding(head: Uint8Array): EncodingSniff {
  if (head[0] === 0xef && head[1] === 0xbb && head[2] === 0xbf) return { encoding: 'utf-8', bomBytes: 3 };
  if (head[0] === 0xff && head[1] === 0xfe) return { encoding: 'utf-16le', bomBytes: 2 };
  if (head[0] === 0xfe && head[1] === 0xff) return { encoding: 'utf-16be', bomBytes: 2 };
  return { encoding: 'utf-8', bomBytes: 0 };
}

/**
 * A streaming decoder that drops the BOM and keeps multi-byte sequences split across chunks.
 * Invalid bytes become U+FFFD rather than failing the scan.
 */
export class ChunkDecoder {
  private readonly decoder: TextDecoder;
  private skip: number;
  constructor(sniff: EncodingSniff) {
    this.decoder = new TextDecoder(sniff.encoding, { fatal: false, ignoreBOM: true });
    this.skip = sniff.bomBytes;
  }
  decode(chunk: Uint8Array): string {
    let bytes = chunk;
    if (this.skip > 0) {
      const n = Math.min(this.skip, bytes.length);
      bytes = bytes.subarray(n);
      this.skip -= n;
    }
    return this.decoder.decode(bytes, { stream: true });
  }
  end(): string {
    return this.decoder.decode();
  }
}

/** Decodes a head sample completely (a cut multi-byte sequence at the end is dropped). */
export function decodeSample(head: Uint8Array, sniff: EncodingSniff): string {
  const d = new ChunkDecoder(sniff);
  return d.decode(head);
}
