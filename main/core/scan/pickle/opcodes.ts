// The pickle opcode set (protocols 0–5) as data: name, the protocol that introduced it, and how
// its inline argument is encoded. The machine (machine.ts) implements the semantics; this table
// serves the disassembler, the UI listing and the tests.

/** How an opcode's inline argument is laid out after the opcode byte. */
export type ArgKind =
  | 'none'
  | 'u1' | 'u2' | 'i4' | 'u4' | 'u8'
  | 'f8'
  | 'line' // one newline-terminated line
  | 'line2' // two lines (module, name)
  | 'len1' | 'len4' | 'slen4' | 'len8' // length prefix (u1, u4, signed i4, u8) then that many bytes
  | 'long1' | 'long4'; // length prefix then a little-endian two's complement integer

export interface OpcodeInfo {
  code: number;
  name: string;
  proto: number;
  arg: ArgKind;
}

const TABLE: ReadonlyArray<readonly [string, string, number, ArgKind]> = [
  ['(', 'MARK', 0, 'none'],
  ['.', 'STOP', 0, 'none'],
  ['0', 'POP', 0, 'none'],
  ['1', 'POP_MARK', 1, 'none'],
  ['2', 'DUP', 0, 'none'],
  ['F', 'FLOAT', 0, 'line'],
  ['I', 'INT', 0, 'line'],
  ['J', 'BININT', 1, 'i4'],
  ['K', 'BININT1', 1, 'u1'],
  ['L', 'LONG', 0, 'line'],
  ['M', 'BININT2', 1, 'u2'],
  ['N', 'NONE', 0, 'none'],
  ['P', 'PERSID', 0, 'line'],
  ['Q', 'BINPERSID', 1, 'none'],
  ['R', 'REDUCE', 0, 'none'],
  ['S', 'STRING', 0, 'line'],
  ['T', 'BINSTRING', 1, 'slen4'],
  ['U', 'SHORT_BINSTRING', 1, 'len1'],
  ['V', 'UNICODE', 0, 'line'],
  ['X', 'BINUNICODE', 1, 'len4'],
  ['a', 'APPEND', 0, 'none'],
  ['b', 'BUILD', 0, 'none'],
  ['c', 'GLOBAL', 0, 'line2'],
  ['d', 'DICT', 0, 'none'],
  ['}', 'EMPTY_DICT', 1, 'none'],
  ['e', 'APPENDS', 1, 'none'],
  ['g', 'GET', 0, 'line'],
  ['h', 'BINGET', 1, 'u1'],
  ['i', 'INST', 0, 'line2'],
  ['j', 'LONG_BINGET', 1, 'u4'],
  ['l', 'LIST', 0, 'none'],
  [']', 'EMPTY_LIST', 1, 'none'],
  ['o', 'OBJ', 1, 'none'],
  ['p', 'PUT', 0, 'line'],
  ['q', 'BINPUT', 1, 'u1'],
  ['r', 'LONG_BINPUT', 1, 'u4'],
  ['s', 'SETITEM', 0, 'none'],
  ['t', 'TUPLE', 0, 'none'],
  [')', 'EMPTY_TUPLE', 1, 'none'],
  ['u', 'SETITEMS', 1, 'none'],
  ['G', 'BINFLOAT', 1, 'f8'],
  ['\x80', 'PROTO', 2, 'u1'],
  ['\x81', 'NEWOBJ', 2, 'none'],
  ['\x82', 'EXT1', 2, 'u1'],
  ['\x83', 'EXT2', 2, 'u2'],
  ['\x84', 'EXT4', 2, 'i4'],
  ['\x85', 'TUPLE1', 2, 'none'],
  ['\x86', 'TUPLE2', 2, 'none'],
  ['\x87', 'TUPLE3', 2, 'none'],
  ['\x88', 'NEWTRUE', 2, 'none'],
  ['\x89', 'NEWFALSE', 2, 'none'],
  ['\x8a', 'LONG1', 2, 'long1'],
  ['\x8b', 'LONG4', 2, 'long4'],
  ['B', 'BINBYTES', 3, 'len4'],
  ['C', 'SHORT_BINBYTES', 3, 'len1'],
  ['\x8c', 'SHORT_BINUNICODE', 4, 'len1'],
  ['\x8d', 'BINUNICODE8', 4, 'len8'],
  ['\x8e', 'BINBYTES8', 4, 'len8'],
  ['\x8f', 'EMPTY_SET', 4, 'none'],
  ['\x90', 'ADDITEMS', 4, 'none'],
  ['\x91', 'FROZENSET', 4, 'none'],
  ['\x92', 'NEWOBJ_EX', 4, 'none'],
  ['\x93', 'STACK_GLOBAL', 4, 'none'],
  ['\x94', 'MEMOIZE', 4, 'none'],
  ['\x95', 'FRAME', 4, 'u8'],
  ['\x96', 'BYTEARRAY8', 5, 'len8'],
  ['\x97', 'NEXT_BUFFER', 5, 'none'],
  ['\x98', 'READONLY_BUFFER', 5, 'none'],
];

/** Indexed by opcode byte; undefined for bytes that are not opcodes. */
export const OPCODES: ReadonlyArray<OpcodeInfo | undefined> = (() => {
  const out: Array<OpcodeInfo | undefined> = new Array<OpcodeInfo | undefined>(256).fill(undefined);
  for (const [ch, name, proto, arg] of TABLE) {
    const code = ch.charCodeAt(0);
    out[code] = { code, name, proto, arg };
  }
  return out;
})();

export function opcodeName(code: number): string {
  return OPCODES[code]?.name ?? `0x${code.toString(16).padStart(2, '0')}`;
}

/** Opcodes that call something while loading (the callable is resolved by the machine). */
export const CALL_OPCODES: ReadonlySet<string> = new Set(['REDUCE', 'NEWOBJ', 'NEWOBJ_EX', 'OBJ', 'INST', 'BUILD', 'BINPERSID', 'PERSID']);

export const HIGHEST_PROTOCOL = 5;
