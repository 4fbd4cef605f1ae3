// Decodes the base64 marshalled bytecode a Keras Lambda layer carries, far enough to tell an
// auditor what it references. The marshal layout of code objects changes between Python
// versions, so rather than parse the object we collect its string objects (names, attribute
// names, constants): marshal writes them with a type byte and a length, whatever the version.

export interface LambdaCode {
  /** Decoded length in bytes. */
  bytes: number;
  /** The first object is a marshalled code object. */
  isCode: boolean;
  /** Identifier-like strings referenced by the code (names, attributes, globals), in order. */
  names: string[];
  /** Other printable string constants. */
  strings: string[];
  /** Names from the code that reach the OS, processes, imports or dynamic evaluation. */
  dangerous: string[];
}

const DANGEROUS = new Set([
  'os', 'posix', 'nt', 'system', 'popen', 'spawn', 'spawnv', 'execv', 'execve', 'subprocess', 'Popen', 'check_output', 'check_call',
  'eval', 'exec', 'compile', '__import__', 'import_module', 'importlib', 'builtins', '__builtins__', 'getattr', 'setattr',
  'open', 'socket', 'shutil', 'rmtree', 'pty', 'ctypes', 'CDLL', 'pickle', 'marshal', 'urllib', 'urlopen', 'requests',
  'webbrowser', 'sys', 'globals', 'unlink', 'chmod', 'environ', 'getenv',
]);

// Marshal type codes (with or without the FLAG_REF bit 0x80) for strings with their length width.
const STRING_TYPES: Readonly<Record<number, 1 | 4>> = {
  0x7a: 1, // 'z' short ASCII
  0x5a: 1, // 'Z' short ASCII, interned
  0x61: 4, // 'a' ASCII
  0x41: 4, // 'A' ASCII, interned
  0x75: 4, // 'u' unicode (UTF-8)
  0x74: 4, // 't' interned (older versions)
};
const CODE_TYPE = 0x63; // 'c'
const MAX_COLLECTED = 200;

const IDENTIFIER = /^[A-Za-z_][A-Za-z0-9_.]*$/;
const PRINTABLE = /^[\x20-\x7e\t\n\r]+$/;

/** Null when the text is not base64 at all. */
export function decodeLambdaCode(encoded: string): LambdaCode | null {
  const compact = encoded.replace(/\s+/g, '');
  if (compact.length === 0 || !/^[A-Za-z0-9+/]+={0,2}$/.test(compact)) return null;
  const bytes = Uint8Array.from(Buffer.from(compact, 'base64'));
  const isCode = bytes.length > 0 && (bytes[0]! & 0x7f) === CODE_TYPE;
  const names: string[] = [];
  const strings: string[] = [];
  const seen = new Set<string>();
  const decoder = new TextDecoder('utf-8', { fatal: true });
  for (let i = 0; i < bytes.length && names.length + strings.length < MAX_COLLECTED; i++) {
    const width = STRING_TYPES[bytes[i]! & 0x7f];
    if (width === undefined) continue;
    const lenAt = i + 1;
    if (lenAt + width > bytes.length) continue;
    const len = width === 1 ? bytes[lenAt]! : new DataView(bytes.buffer, bytes.byteOffset + lenAt, 4).getUint32(0, true);
    const start = lenAt + width;
    if (len === 0 || len > 4096 || start + len > bytes.length) continue;
    let s: string;
    try {
      s = decoder.decode(bytes.subarray(start, start + len));
    } catch {
      continue;
    }
    if (!PRINTABLE.test(s)) continue;
    i = start + len - 1;
    if (seen.has(s)) continue;
    seen.add(s);
    (IDENTIFIER.test(s) ? names : strings).push(s);
  }
  const dangerous = names.filter((n) => n.split('.').some((part) => DANGEROUS.has(part)));
  return { bytes: bytes.length, isCode, names, strings, dangerous };
}
