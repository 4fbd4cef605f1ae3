// What counts as a word character for token-based indicators: ASCII letters, digits and `_`,
// and characters of other scripts; spaces and general or ideographic punctuation separate.
export function isWordCode(c: number): boolean {
  if (c < 128) return (c >= 48 && c <= 57) || (c >= 97 && c <= 122) || (c >= 65 && c <= 90) || c === 95;
  return !(c >= 0x2000 && c <= 0x206f) && !(c >= 0x3000 && c <= 0x303f) && c !== 0xa0 && c !== 0xfeff;
}
