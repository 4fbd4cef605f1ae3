// The unpickler memo, bounded. A 500 MB pickle of small objects memoizes tens of millions of
// values; keeping them all would need gigabytes. Recent entries live in a ring indexed by key
// (picklers number memo entries sequentially); globals, dtypes and entries fetched when already
// old are also kept in a "sticky" map, so a class memoized at the start and fetched throughout
// stays known. An entry that fell out of both is returned as EVICTED: the machine treats it as
// unknown, which can only make a verdict stricter, never hide a call. A key that was never stored
// is reported as such, as the real unpickler would fail there.
import { ASCII_TEXT_MAX, asciiText } from './ascii.ts';
import {
  BytesVal, CallVal, DictVal, EVICTED, K, ListVal, OpaqueVal, SetVal, TupleVal, type Value,
} from './values.ts';

// Plain-data containers are stored as kind codes, not as objects: a fetch materialises a fresh,
// empty container of the same kind (enough for what later opcodes do with it), so the ring keeps
// no object graph alive. Objects that matter for security are stored whole.
class Code extends OpaqueVal {
  constructor(why: string, readonly make: () => Value) { super(why); }
}
const OPAQUE_INSTANCE = new OpaqueVal('an object fetched back from the memo');
const OPAQUE_TUPLE = new OpaqueVal('a tuple of plain data fetched back from the memo');
const BYTES_ELIDED = new BytesVal(-1, 0, 0, null, 'bytes', false);
const BYTEARRAY_ELIDED = new BytesVal(-1, 0, 0, null, 'bytearray', false);
const DICT_CODE = new Code('a dict', () => new DictVal());
const LIST_CODE = new Code('a list', () => new ListVal());
const SET_CODE = new Code('a set', () => new SetVal(false));
const FROZENSET_CODE = new Code('a frozenset', () => new SetVal(true));
const PERS_CODE = new OpaqueVal('an object returned by persistent_load, fetched back from the memo');
/** Stands for a tuple of at most NUM_TUPLE numbers, stored in typed arrays beside the ring. */
const NUM_TUPLE_CODE = new OpaqueVal('a tuple of numbers');
const NUM_TUPLE = 4;
/**
 * Stands for a short ASCII str stored as bytes beside the ring. Keeping millions of memoized
 * strings as JS strings made each one survive two young-generation collections before dying in
 * the old one; as bytes they cost the collector nothing, and a fetch rebuilds the string.
 */
const TEXT_CODE = new OpaqueVal('a short str');
const TEXT_BYTES = ASCII_TEXT_MAX;

/** The length of s when it is ASCII of at most TEXT_BYTES characters, else -1. */
function shortAsciiLength(s: string): number {
  const n = s.length;
  if (n > TEXT_BYTES) return -1;
  for (let i = 0; i < n; i++) if (s.charCodeAt(i) >= 0x80) return -1;
  return n;
}

/** The numbers of a small all-number tuple, or null (shapes and strides: the commonest memoized tuples). */
function numericTuple(v: Value): TupleVal | null {
  if (v === null || typeof v !== 'object' || v.k !== K.Tuple) return null;
  const t = v as TupleVal;
  if (t.size > NUM_TUPLE || t.kept !== t.size) return null;
  for (let i = 0; i < t.size; i++) if (typeof t.item(i) !== 'number') return null;
  return t;
}

function interesting(v: Value): boolean {
  if (v === null || typeof v !== 'object') return false;
  switch (v.k) {
    case K.Global: case K.Module: case K.Text: return true;
    case K.Bytes: return (v as BytesVal).pickleHint || (v as BytesVal).inline !== null;
    case K.Call: { const c = v as CallVal; return c.resolved !== null || c.getter !== null || c.keep; }
    case K.Dict: return (v as DictVal).dunderKey !== null;
    default: return false;
  }
}

/** What the ring stores for a value: the value itself, or a code for plain data. */
function compact(v: Value, key: number): Value {
  if (v === null || typeof v !== 'object') return v;
  switch (v.k) {
    case K.Dict: {
      const d = v as DictVal;
      if (d.dunderKey !== null) return d;
      d.memoKey = key;
      return DICT_CODE;
    }
    case K.List: return LIST_CODE;
    case K.Set: return (v as SetVal).frozen ? FROZENSET_CODE : SET_CODE;
    case K.Tuple: {
      // Small tuples are kept whole: shapes fetched back by joblib wrappers, call arguments.
      const t = v as TupleVal;
      if (t.kept <= 8) return v;
      for (let i = 0; i < 8; i++) if (interesting(t.item(i)!)) return v;
      return OPAQUE_TUPLE;
    }
    case K.Call: return interesting(v) ? v : OPAQUE_INSTANCE;
    case K.Bytes: return interesting(v) ? v : (v as BytesVal).typeName === 'bytearray' ? BYTEARRAY_ELIDED : BYTES_ELIDED;
    case K.Pers: return PERS_CODE;
    default: return v;
  }
}

/** The ring starts small for short streams (many files hold many tiny ones) and doubles up to this size. */
export const MEMO_RING = 1 << 16;
const RING_START = 1 << 10;
const STICKY_LIMIT = 1 << 17;
/** Keys below this are tracked exactly in a bitset (32 MB at most). */
const BITSET_KEYS = 1 << 28;
const SPARSE_LIMIT = 1 << 20;

function keepAlways(v: Value): boolean {
  if (v === null || typeof v !== 'object') return false;
  return v.k === K.Global || v.k === K.Module || (v.k === K.Call && (v as { keep?: boolean }).keep === true);
}

/** Keys below this are kept permanently in a plain table: BINGET can only reach keys < 256, so
 * the values a pickle fetches over and over (dict keys, module names, classes) sit here. */
const LOW_KEYS = 1 << 12;

export class BoundedMemo {
  /**
   * Values of keys below LOW_KEYS, read directly by the machine's BINGET fast path. An entry
   * whose kind is K.Opaque is a code (or a numeric tuple) that `get` must materialise.
   */
  readonly low: Array<Value | undefined> = new Array<Value | undefined>(LOW_KEYS).fill(undefined);
  private readonly lowNums = new Float64Array(LOW_KEYS * NUM_TUPLE);
  private readonly lowNumLen = new Int8Array(LOW_KEYS);
  private ringNums = new Float64Array(0);
  /** Per slot: how many numbers a numeric tuple holds, or how many bytes a short str. */
  private ringLen = new Int8Array(0);
  private ringText = new Uint8Array(0);
  private ringMask = 0;
  private ringKeys = new Float64Array(0);
  private ringSerial = new Float64Array(0);
  /** 1 when the slot's value is also in the sticky map (so hot fetches skip the map). */
  private ringStuck = new Uint8Array(0);
  private ringVals: Value[] = [];
  private readonly sticky = new Map<number, Value>();
  private seen = new Uint8Array(0);
  private readonly sparseSeen = new Set<number>();
  private sparseOverflow = false;
  private serial = 0;
  /** Distinct keys stored so far: the unpickler's memo length, which MEMOIZE uses as its key. */
  size = 0;
  /** True once any entry was dropped: a later lookup may then return EVICTED. */
  evictedAny = false;
  /** The ring's first size: a long stream starts with the whole ring rather than doubling into it. */
  private readonly ringStart: number;

  /** streamBytes: the most bytes the stream can have, which bounds how many entries it can store. */
  constructor(streamBytes = 0) {
    let n = RING_START;
    while (n < MEMO_RING && n * 16 < streamBytes) n *= 2;
    this.ringStart = n;
  }

  put(key: number, value: Value): void {
    if (key < LOW_KEYS) {
      if (this.low[key] === undefined) this.size++;
      const nums = numericTuple(value);
      if (nums) {
        this.low[key] = NUM_TUPLE_CODE;
        this.lowNumLen[key] = nums.size;
        for (let i = 0; i < nums.size; i++) this.lowNums[key * NUM_TUPLE + i] = nums.item(i) as number;
      } else {
        this.low[key] = compact(value, key);
      }
      return;
    }
    const slot = this.claim(key);
    if (typeof value === 'string') {
      const n = shortAsciiLength(value);
      if (n >= 0) {
        const at = slot * TEXT_BYTES;
        for (let i = 0; i < n; i++) this.ringText[at + i] = value.charCodeAt(i);
        this.ringLen[slot] = n;
        this.ringVals[slot] = TEXT_CODE;
        return;
      }
    }
    const nums = numericTuple(value);
    if (nums) {
      this.ringVals[slot] = NUM_TUPLE_CODE;
      this.ringLen[slot] = nums.size;
      for (let i = 0; i < nums.size; i++) this.ringNums[slot * NUM_TUPLE + i] = nums.item(i) as number;
      return;
    }
    this.ringVals[slot] = compact(value, key);
    if (typeof value === 'object' && value !== null && keepAlways(value)) this.stick(slot, key, value);
  }

  /**
   * put(key, text) for ASCII text of at most ASCII_TEXT_MAX characters whose bytes are at
   * bytes[at..at+n): the machine memoizing a string it just decoded copies the bytes directly.
   */
  putText(key: number, text: string, bytes: Uint8Array, at: number, n: number): void {
    if (key < LOW_KEYS || n > TEXT_BYTES) {
      this.put(key, text);
      return;
    }
    const slot = this.claim(key);
    const base = slot * TEXT_BYTES;
    const ring = this.ringText;
    for (let i = 0; i < n; i++) ring[base + i] = bytes[at + i]!;
    this.ringLen[slot] = n;
    this.ringVals[slot] = TEXT_CODE;
  }

  /** put(key, dict) for a dict just made by EMPTY_DICT: past the low table the ring keeps only its kind. */
  putNewDict(key: number, dict: DictVal): void {
    if (key < LOW_KEYS || dict.dunderKey !== null) {
      this.put(key, dict);
      return;
    }
    const slot = this.claim(key);
    dict.memoKey = key;
    this.ringVals[slot] = DICT_CODE;
  }

  /** The ring slot for a key at or above LOW_KEYS, recorded as stored now (its value is set next). */
  private claim(key: number): number {
    if (this.ringKeys.length === 0) this.allocate(this.ringStart);
    const fresh = this.markSeen(key);
    if (fresh) this.size++;
    else if (this.sticky.size > 0) this.sticky.delete(key);
    let slot = key & this.ringMask;
    let old = this.ringKeys[slot]!;
    if (old >= 0 && old !== key && this.ringKeys.length < MEMO_RING) {
      this.grow();
      slot = key & this.ringMask;
      old = this.ringKeys[slot]!;
    }
    if (old >= 0 && old !== key && this.ringStuck[slot] === 0) this.evictedAny = true;
    this.ringKeys[slot] = key;
    this.ringSerial[slot] = this.serial++;
    this.ringStuck[slot] = 0;
    return slot;
  }

  /** A dict stored as a code gained a dunder key: store the dict itself so a later fetch sees it. */
  upgrade(key: number, value: DictVal): void {
    if (key < LOW_KEYS) {
      if (this.low[key] === DICT_CODE) this.low[key] = value;
      return;
    }
    const slot = key & this.ringMask;
    if (this.ringKeys.length > 0 && this.ringKeys[slot] === key && this.ringVals[slot] === DICT_CODE) this.ringVals[slot] = value;
  }

  /** The stored value without materialising codes or refreshing it (for identity checks). */
  peek(key: number): Value | undefined {
    if (key < LOW_KEYS) return this.low[key];
    const slot = key & this.ringMask;
    if (this.ringKeys.length > 0 && this.ringKeys[slot] === key) {
      const v = this.ringVals[slot];
      return v === TEXT_CODE ? this.text(slot) : v;
    }
    return this.sticky.get(key);
  }

  /** Keeps an entry however old (strings that named a global are fetched again for the next one). */
  pin(key: number): void {
    if (key < LOW_KEYS || this.ringKeys.length === 0) return;
    const slot = key & this.ringMask;
    if (this.ringKeys[slot] === key && this.ringStuck[slot] === 0) {
      this.stick(slot, key, this.ringValue(slot));
    }
  }

  /** The value, EVICTED when it was dropped by the bound, undefined when the key was never stored. */
  get(key: number): Value | undefined {
    if (key < LOW_KEYS) {
      const v = this.low[key];
      if (v === NUM_TUPLE_CODE) return this.numTuple(this.lowNums, this.lowNumLen, key);
      return v instanceof Code ? v.make() : v;
    }
    if (this.ringKeys.length > 0) {
      const slot = key & this.ringMask;
      if (this.ringKeys[slot] === key) {
        const v = this.ringValue(slot);
        // Old entries are about to be overwritten by newer keys: keep the ones still in use.
        if (this.ringStuck[slot] === 0 && this.serial - this.ringSerial[slot]! > MEMO_RING / 2) this.stick(slot, key, v);
        return v instanceof Code ? v.make() : v;
      }
    }
    const s = this.sticky.get(key);
    if (s !== undefined) return s instanceof Code ? s.make() : s;
    if (this.wasSeen(key)) return EVICTED;
    return undefined;
  }

  /** The ring's value in a slot, with numeric tuples and short strings rebuilt. */
  private ringValue(slot: number): Value {
    const v = this.ringVals[slot]!;
    if (v === NUM_TUPLE_CODE) return this.numTuple(this.ringNums, this.ringLen, slot);
    if (v === TEXT_CODE) return this.text(slot);
    return v;
  }

  private text(slot: number): string {
    return asciiText(this.ringText, slot * TEXT_BYTES, this.ringLen[slot]!);
  }

  private numTuple(nums: Float64Array, lens: Int8Array, i: number): TupleVal {
    const n = lens[i]!;
    const items: Value[] = new Array<Value>(n);
    for (let j = 0; j < n; j++) items[j] = nums[i * NUM_TUPLE + j]!;
    return new TupleVal(items, n);
  }

  private allocate(n: number): void {
    this.ringNums = new Float64Array(n * NUM_TUPLE);
    this.ringLen = new Int8Array(n);
    this.ringText = new Uint8Array(n * TEXT_BYTES);
    this.ringMask = n - 1;
    this.ringKeys = new Float64Array(n).fill(-1);
    this.ringSerial = new Float64Array(n);
    this.ringStuck = new Uint8Array(n);
    this.ringVals = new Array<Value>(n).fill(null);
  }

  /** Doubles the ring, keeping every entry (the newer one wins a shared slot). */
  private grow(): void {
    const keys = this.ringKeys;
    const serials = this.ringSerial;
    const stuck = this.ringStuck;
    const vals = this.ringVals;
    const nums = this.ringNums;
    const lens = this.ringLen;
    const text = this.ringText;
    this.allocate(keys.length * 2);
    for (let i = 0; i < keys.length; i++) {
      const k = keys[i]!;
      if (k < 0) continue;
      const slot = k & this.ringMask;
      if (this.ringKeys[slot]! >= 0) {
        if (this.ringSerial[slot]! > serials[i]!) {
          if (stuck[i] === 0) this.evictedAny = true;
          continue;
        }
        if (this.ringStuck[slot] === 0) this.evictedAny = true;
      }
      this.ringKeys[slot] = k;
      this.ringSerial[slot] = serials[i]!;
      this.ringStuck[slot] = stuck[i]!;
      this.ringVals[slot] = vals[i]!;
      this.ringLen[slot] = lens[i]!;
      for (let j = 0; j < NUM_TUPLE; j++) this.ringNums[slot * NUM_TUPLE + j] = nums[i * NUM_TUPLE + j]!;
      for (let j = 0; j < TEXT_BYTES; j++) this.ringText[slot * TEXT_BYTES + j] = text[i * TEXT_BYTES + j]!;
    }
  }

  private stick(slot: number, key: number, value: Value): void {
    if (!this.sticky.has(key) && this.sticky.size >= STICKY_LIMIT) {
      const oldest = this.sticky.keys().next();
      if (!oldest.done) {
        this.sticky.delete(oldest.value);
        const s = oldest.value & this.ringMask;
        if (this.ringKeys[s] === oldest.value) this.ringStuck[s] = 0;
      }
      this.evictedAny = true;
    }
    this.sticky.set(key, value);
    this.ringStuck[slot] = 1;
  }

  /** Records the key; true when it was not stored before. */
  private markSeen(key: number): boolean {
    if (key < BITSET_KEYS) {
      const byte = key >>> 3;
      if (byte >= this.seen.length) {
        let n = Math.max(1024, this.seen.length);
        while (n <= byte) n *= 2;
        const grown = new Uint8Array(Math.min(n, BITSET_KEYS >>> 3));
        grown.set(this.seen);
        this.seen = grown;
      }
      const bit = 1 << (key & 7);
      const was = (this.seen[byte]! & bit) !== 0;
      this.seen[byte] = this.seen[byte]! | bit;
      return !was;
    }
    if (this.sparseSeen.has(key)) return false;
    if (this.sparseSeen.size < SPARSE_LIMIT) this.sparseSeen.add(key);
    else this.sparseOverflow = true;
    return true;
  }

  private wasSeen(key: number): boolean {
    if (key < BITSET_KEYS) {
      const byte = key >>> 3;
      return byte < this.seen.length && (this.seen[byte]! & (1 << (key & 7))) !== 0;
    }
    return this.sparseSeen.has(key) || this.sparseOverflow;
  }
}
