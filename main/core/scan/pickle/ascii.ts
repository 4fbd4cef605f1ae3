// Short ASCII text built in JavaScript: for a few bytes, a call into the string decoder's binding
// costs more than the characters. Used for dict keys and names, and for the memo's short strings.
// Unrolled per length: the bytes are read once, both to check that they are ASCII and to build
// the string (this runs for most strings of a large pickle).

/** Most bytes the functions below take. */
export const ASCII_TEXT_MAX = 12;

/** The text of n ≤ ASCII_TEXT_MAX bytes at b[p], or null when one of them is not ASCII. */
export function asciiOrNull(b: Uint8Array, p: number, n: number): string | null {
  const c = String.fromCharCode;
  switch (n) {
    case 0: return '';
    case 1: {
      const x0 = b[p]!;
      return (x0) < 0x80 ? c(x0) : null;
    }
    case 2: {
      const x0 = b[p]!, x1 = b[p + 1]!;
      return (x0 | x1) < 0x80 ? c(x0, x1) : null;
    }
    case 3: {
      const x0 = b[p]!, x1 = b[p + 1]!, x2 = b[p + 2]!;
      return (x0 | x1 | x2) < 0x80 ? c(x0, x1, x2) : null;
    }
    case 4: {
      const x0 = b[p]!, x1 = b[p + 1]!, x2 = b[p + 2]!, x3 = b[p + 3]!;
      return (x0 | x1 | x2 | x3) < 0x80 ? c(x0, x1, x2, x3) : null;
    }
    case 5: {
      const x0 = b[p]!, x1 = b[p + 1]!, x2 = b[p + 2]!, x3 = b[p + 3]!, x4 = b[p + 4]!;
      return (x0 | x1 | x2 | x3 | x4) < 0x80 ? c(x0, x1, x2, x3, x4) : null;
    }
    case 6: {
      const x0 = b[p]!, x1 = b[p + 1]!, x2 = b[p + 2]!, x3 = b[p + 3]!, x4 = b[p + 4]!, x5 = b[p + 5]!;
      return (x0 | x1 | x2 | x3 | x4 | x5) < 0x80 ? c(x0, x1, x2, x3, x4, x5) : null;
    }
    case 7: {
      const x0 = b[p]!, x1 = b[p + 1]!, x2 = b[p + 2]!, x3 = b[p + 3]!, x4 = b[p + 4]!, x5 = b[p + 5]!, x6 = b[p + 6]!;
      return (x0 | x1 | x2 | x3 | x4 | x5 | x6) < 0x80 ? c(x0, x1, x2, x3, x4, x5, x6) : null;
    }
    case 8: {
      const x0 = b[p]!, x1 = b[p + 1]!, x2 = b[p + 2]!, x3 = b[p + 3]!, x4 = b[p + 4]!, x5 = b[p + 5]!, x6 = b[p + 6]!, x7 = b[p + 7]!;
      return (x0 | x1 | x2 | x3 | x4 | x5 | x6 | x7) < 0x80 ? c(x0, x1, x2, x3, x4, x5, x6, x7) : null;
    }
    case 9: {
      const x0 = b[p]!, x1 = b[p + 1]!, x2 = b[p + 2]!, x3 = b[p + 3]!, x4 = b[p + 4]!, x5 = b[p + 5]!, x6 = b[p + 6]!, x7 = b[p + 7]!, x8 = b[p + 8]!;
      return (x0 | x1 | x2 | x3 | x4 | x5 | x6 | x7 | x8) < 0x80 ? c(x0, x1, x2, x3, x4, x5, x6, x7, x8) : null;
    }
    case 10: {
      const x0 = b[p]!, x1 = b[p + 1]!, x2 = b[p + 2]!, x3 = b[p + 3]!, x4 = b[p + 4]!, x5 = b[p + 5]!, x6 = b[p + 6]!, x7 = b[p + 7]!, x8 = b[p + 8]!, x9 = b[p + 9]!;
      return (x0 | x1 | x2 | x3 | x4 | x5 | x6 | x7 | x8 | x9) < 0x80 ? c(x0, x1, x2, x3, x4, x5, x6, x7, x8, x9) : null;
    }
    case 11: {
      const x0 = b[p]!, x1 = b[p + 1]!, x2 = b[p + 2]!, x3 = b[p + 3]!, x4 = b[p + 4]!, x5 = b[p + 5]!, x6 = b[p + 6]!, x7 = b[p + 7]!, x8 = b[p + 8]!, x9 = b[p + 9]!, x10 = b[p + 10]!;
      return (x0 | x1 | x2 | x3 | x4 | x5 | x6 | x7 | x8 | x9 | x10) < 0x80 ? c(x0, x1, x2, x3, x4, x5, x6, x7, x8, x9, x10) : null;
    }
    case 12: {
      const x0 = b[p]!, x1 = b[p + 1]!, x2 = b[p + 2]!, x3 = b[p + 3]!, x4 = b[p + 4]!, x5 = b[p + 5]!, x6 = b[p + 6]!, x7 = b[p + 7]!, x8 = b[p + 8]!, x9 = b[p + 9]!, x10 = b[p + 10]!, x11 = b[p + 11]!;
      return (x0 | x1 | x2 | x3 | x4 | x5 | x6 | x7 | x8 | x9 | x10 | x11) < 0x80 ? c(x0, x1, x2, x3, x4, x5, x6, x7, x8, x9, x10, x11) : null;
    }
    default: return null;
  }
}

/** ASCII text of n ≤ ASCII_TEXT_MAX bytes known to be ASCII (the memo's stored strings). */
export function asciiText(b: Uint8Array, p: number, n: number): string {
  return asciiOrNull(b, p, n) ?? '';
}
