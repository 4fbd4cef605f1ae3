// A streaming walk over protobuf wire format on a ByteSource. The containers of a TensorFlow
// model (SavedModel > MetaGraphDef > GraphDef > FunctionDefLibrary > FunctionDef) can hold
// gigabytes of constants, so we walk their fields in place and decode only the small leaf
// messages (NodeDef, OpDef) with protobufjs, each from its own bounded read.
import type { WindowReader } from '../common/read.ts';

export class WireError extends Error {
  constructor(message: string, readonly at: number) {
    super(message);
    this.name = 'WireError';
  }
}

export interface LengthDelimited {
  field: number;
  /** Offset of the payload and its end (exclusive). */
  start: number;
  end: number;
  /** Offset of the field's tag. */
  at: number;
}

async function varint(r: WindowReader, pos: number, end: number): Promise<[value: bigint, next: number]> {
  const b = await r.bytes(pos, Math.min(10, end - pos));
  let v = 0n;
  for (let i = 0; i < b.length; i++) {
    v |= BigInt(b[i]! & 0x7f) << BigInt(7 * i);
    if ((b[i]! & 0x80) === 0) return [v, pos + i + 1];
  }
  throw new WireError(b.length < 10 ? 'message ends inside a varint' : 'varint longer than 10 bytes', pos);
}

/** Yields every length-delimited field in [start, end); other wire types are checked and skipped. */
export async function* lengthDelimitedFields(r: WindowReader, start: number, end: number): AsyncGenerator<LengthDelimited> {
  let pos = start;
  while (pos < end) {
    const at = pos;
    const [tag, afterTag] = await varint(r, pos, end);
    const field = Number(tag >> 3n);
    const wire = Number(tag & 7n);
    if (field === 0) throw new WireError('field number 0', at);
    pos = afterTag;
    switch (wire) {
      case 0:
        pos = (await varint(r, pos, end))[1];
        break;
      case 1:
        pos += 8;
        break;
      case 5:
        pos += 4;
        break;
      case 2: {
        const [len, next] = await varint(r, pos, end);
        if (len > BigInt(end - next)) throw new WireError(`field ${field} declares ${len} bytes but its message has ${end - next} left`, at);
        pos = next + Number(len);
        yield { field, start: next, end: pos, at };
        break;
      }
      default:
        throw new WireError(`wire type ${wire} (field ${field}) is not used by TensorFlow messages`, at);
    }
    if (pos > end) throw new WireError(`field ${field} runs past the end of its message`, at);
  }
}
