// Which analyzer handles which detected format. A table, not a chain of ifs: each analyzer module
// adds itself here. Formats without an analyzer are reported as not scanned, never as clean.
import type { Analyzer } from './types.ts';

export const ANALYZERS: readonly Analyzer[] = [];
