// Deterministic JSON for the trust layer. Hashing uses the core's canonical JSON
// (main/core/util/canonical-json.ts: keys sorted by UTF-16 code units, no whitespace, ECMAScript
// number formatting — the RFC 8785 form for the values Assay writes), so a custody event, a
// bundle record and a sealed-key header are encoded by one function. `stableJson` is the same
// order pretty-printed, for files people read.
import { canonicalJson } from '../util/canonical-json.ts';

export { canonicalJson };

/** Sorted keys, two-space indent, trailing newline. */
export function stableJson(value: unknown): string {
  return `${JSON.stringify(JSON.parse(canonicalJson(value)), null, 2)}\n`;
}

/** Locale-independent string order (UTF-16 code units), for reproducible sorting. */
export function compareStrings(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
