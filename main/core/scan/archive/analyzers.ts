// The container analyzers with the PyTorch profiles wired in: one entry to add to ANALYZERS.
import type { Analyzer } from '../types.ts';
import { legacyTorchTarProfile } from '../pytorch/legacy-tar.ts';
import { pytorchZipProfile } from '../pytorch/zip-profile.ts';
import { createStreamAnalyzer } from './stream-analyzer.ts';
import { createTarAnalyzer } from './tar-analyzer.ts';
import { createZipAnalyzer } from './zip-analyzer.ts';

export const CONTAINER_ANALYZERS: readonly Analyzer[] = [
  createZipAnalyzer({ 'pytorch-zip': pytorchZipProfile, torchscript: pytorchZipProfile }),
  createTarAnalyzer([legacyTorchTarProfile]),
  createStreamAnalyzer(),
];
