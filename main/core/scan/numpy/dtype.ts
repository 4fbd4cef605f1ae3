// NumPy dtype strings as they appear in `.npy` headers (`'<f8'`, `'|O'`, `'<U10'`, structured
// descriptions) and in pickled dtypes (`numpy.dtype('f8', False, True)`): item size in bytes and
// whether the array holds Python objects (whose data is then a pickle).

export interface DtypeInfo {
  /** Bytes per element; 0 for unsized flexible types (`'S'`, `'U'`, `'V'` without a size). */
  itemsize: number;
  /** True when elements are Python objects: the data is a pickle, not raw bytes. */
  object: boolean;
}

/** One-character type codes (numpy `dtype.char`), sizes on the 64-bit platforms that write models. */
const CHAR_CODES: Readonly<Record<string, number>> = {
  '?': 1, b: 1, B: 1, h: 2, H: 2, i: 4, I: 4, l: 8, L: 8, q: 8, Q: 8, p: 8, P: 8, n: 8, N: 8,
  e: 2, f: 4, d: 8, g: 16, F: 8, D: 16, G: 32, M: 8, m: 8, S: 0, a: 0, U: 0, V: 0, O: 8,
};

/** Kinds whose digits give the size: bytes, except `U` (UCS-4 characters). */
const KIND_MULTIPLIER: Readonly<Record<string, number>> = {
  b: 1, i: 1, u: 1, f: 1, c: 1, S: 1, a: 1, V: 1, M: 1, m: 1, O: 1, U: 4,
};

/** Parses a simple (non-structured) dtype string; null when it is not one. */
export function parseTypeString(input: string): DtypeInfo | null {
  let s = input.trim();
  if (s.length === 0 || s.length > 64) return null;
  if ('<>|=!'.includes(s[0]!)) s = s.slice(1);
  // Datetime units: 'M8[ns]', 'm8[D]', '<M8[15s]'.
  s = s.replace(/\[[0-9]*[A-Za-z]+\]$/, '');
  if (s.length === 1) {
    const size = CHAR_CODES[s];
    return size === undefined ? null : { itemsize: size, object: s === 'O' };
  }
  const m = /^([a-zA-Z])(\d{1,12})$/.exec(s);
  if (!m) return null;
  const kind = m[1]!;
  const mult = KIND_MULTIPLIER[kind];
  if (mult === undefined) return null;
  const n = Number(m[2]);
  if (!Number.isSafeInteger(n * mult)) return null;
  return { itemsize: n * mult, object: kind === 'O' };
}

/** A parsed Python literal, as the `.npy` header parser produces it. */
export type PyLiteral = string | number | boolean | null | PyLiteral[] | { tuple: PyLiteral[] } | Map<string, PyLiteral>;

export function isTuple(v: PyLiteral): v is { tuple: PyLiteral[] } {
  return typeof v === 'object' && v !== null && !Array.isArray(v) && !(v instanceof Map);
}

function items(v: PyLiteral): PyLiteral[] | null {
  if (Array.isArray(v)) return v;
  if (isTuple(v)) return v.tuple;
  return null;
}

/** Product of a shape, or null when an entry is not a non-negative integer or it overflows. */
export function shapeCount(shape: readonly PyLiteral[]): number | null {
  let n = 1;
  for (const d of shape) {
    if (typeof d !== 'number' || !Number.isInteger(d) || d < 0) return null;
    n *= d;
    if (!Number.isSafeInteger(n)) return null;
  }
  return n;
}

/**
 * The `descr` of a `.npy` header: a type string, or a list of fields `(name, descr[, shape])`
 * (possibly nested, possibly with `(title, name)` pairs as names). Null when malformed.
 */
export function parseDescr(descr: PyLiteral, depth = 0): DtypeInfo | null {
  if (depth > 16) return null;
  if (typeof descr === 'string') return parseTypeString(descr);
  const fields = items(descr);
  if (!fields || !Array.isArray(descr)) return null;
  let itemsize = 0;
  let object = false;
  for (const f of fields) {
    const parts = items(f);
    if (!parts || parts.length < 2 || parts.length > 3) return null;
    const name = parts[0]!;
    if (typeof name !== 'string' && !isTuple(name)) return null;
    const inner = parseDescr(parts[1]!, depth + 1);
    if (!inner) return null;
    let count = 1;
    if (parts.length === 3) {
      const sh = parts[2]!;
      const dims = typeof sh === 'number' ? [sh] : items(sh);
      if (!dims) return null;
      const c = shapeCount(dims);
      if (c === null) return null;
      count = c;
    }
    itemsize += inner.itemsize * count;
    if (!Number.isSafeInteger(itemsize)) return null;
    object ||= inner.object;
  }
  return { itemsize, object };
}
