// What counts as a word character for token-based indicators: ASCII letters, digits and `_`,
// and characters of other scripts; spaces and general or ideographic punctuation separate.
export function isWordCode(c: number): boolean {
  if (c < 128) return (c >= 48 && c <= 57) || (c >= 97 && c <= 122) || (c >= 65 && c <= 90) || c === 95;
  return !(c >= 0x2000 && c <= 0x206f) && !(c >= 0x3000 && c <= 0x303f) && c !== 0xa0 && c !== 0xfeff;
}

const FNV_OFFSET = 0x811c9dc5;
const FNV_PRIME = 0x01000193;

/** 32-bit FNV-1a of a token with ASCII letters lower-cased: the token identity both indicators use. */
export function tokenHash(text: string, start: number, end: number): number {
  let h = FNV_OFFSET;
  for (let i = start; i < end; i++) {
    let c = text.charCodeAt(i);
    if (c >= 65 && c <= 90) c += 32;
    h = Math.imul(h ^ c, FNV_PRIME);
  }
  return h >>> 0;
}

/**
 * The words of one text, found once and shared by the near-duplicate index and the trigger
 * counter: per token its hash, where it starts and ends, and how many digits it holds. The
 * arrays are reused from text to text, so tokenising allocates nothing once they are large
 * enough.
 */
export class TokenBuffer {
  count = 0;
  hash = new Int32Array(64);
  start = new Int32Array(64);
  end = new Int32Array(64);
  digits = new Int32Array(64);

  /** Tokenises `text`, replacing what the buffer held. */
  tokenize(text: string): this {
    let n = 0;
    let i = 0;
    const len = text.length;
    while (i < len) {
      while (i < len && !isWordCode(text.charCodeAt(i))) i++;
      if (i >= len) break;
      const start = i;
      let h = FNV_OFFSET;
      let digits = 0;
      while (i < len) {
        let c = text.charCodeAt(i);
        if (!isWordCode(c)) break;
        if (c >= 65 && c <= 90) c += 32;
        else if (c >= 48 && c <= 57) digits++;
        h = Math.imul(h ^ c, FNV_PRIME);
        i++;
      }
      if (n === this.hash.length) this.grow();
      this.hash[n] = h;
      this.start[n] = start;
      this.end[n] = i;
      this.digits[n] = digits;
      n++;
    }
    this.count = n;
    return this;
  }

  private grow(): void {
    const size = this.hash.length * 2;
    const more = (a: Int32Array) => { const b = new Int32Array(size); b.set(a); return b; };
    this.hash = more(this.hash);
    this.start = more(this.start);
    this.end = more(this.end);
    this.digits = more(this.digits);
  }
}
