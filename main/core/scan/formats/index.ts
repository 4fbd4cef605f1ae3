// The analyzers of main/core/scan/formats, registered together in ../analyzers.ts.
import type { Analyzer } from '../types.ts';
import { ggufAnalyzer } from './gguf.ts';
import { hdf5Analyzer } from './hdf5.ts';
import { jinjaAnalyzer } from './jinja.ts';
import { jsonAnalyzer } from './json.ts';
import { onnxAnalyzer } from './onnx.ts';
import { safetensorsAnalyzer } from './safetensors.ts';
import { tensorflowAnalyzer } from './tensorflow.ts';

export const FORMAT_ANALYZERS: readonly Analyzer[] = [
  safetensorsAnalyzer, ggufAnalyzer, jinjaAnalyzer, jsonAnalyzer, hdf5Analyzer, tensorflowAnalyzer, onnxAnalyzer,
];
