// Which analyzer handles which detected format. A table, not a chain of ifs: each analyzer module
// adds itself here. Formats without an analyzer are reported as not scanned, never as clean.
import { FORMAT_ANALYZERS } from './formats/index.ts';
import { CONTAINER_ANALYZERS } from './archive/analyzers.ts';
import { legacyTorchAnalyzer, pickleAnalyzer } from './pickle/index.ts';
import { npyAnalyzer } from './numpy/analyzer.ts';
import type { Analyzer } from './types.ts';

export const ANALYZERS: readonly Analyzer[] = [
  ...FORMAT_ANALYZERS,
  ...CONTAINER_ANALYZERS,
  pickleAnalyzer, legacyTorchAnalyzer, npyAnalyzer,
];
