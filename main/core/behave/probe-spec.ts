// Turns a model's input signature and the auditor's probe specification into concrete probe
// inputs: dtype, row shape (symbolic dimensions resolved), value distribution, and what kind
// of input it is (image with its layout, token ids with their vocabulary, plain vector).
import type { Distribution, DType, InputPlan } from '../../sandbox/protocol.ts';
import { isDType } from '../../sandbox/protocol.ts';
import { mix32 } from '../../sandbox/probes.ts';
import { signatureOf, type TensorSignature } from '../formats/onnx/decode.ts';
import type { ModelProto, NodeProto } from '../formats/onnx/proto.ts';
import { tensorDims } from './onnx-tensors.ts';

export type ImageLayout = 'NCHW' | 'NHWC' | 'HW';

export interface InputProbeSpec {
  distribution?: Distribution;
  /** The dimensions after the batch dimension, overriding the signature. */
  rowShape?: number[];
  /** Image layout for trigger sweeps; inferred from the shape when omitted, 'none' disables. */
  layout?: ImageLayout | 'none';
}

export interface ProbeSpec {
  seed?: number;
  rows?: number;
  batchSize?: number;
  /** Values of symbolic dimensions by name, e.g. { sequence: 32 }. */
  dims?: Record<string, number>;
  inputs?: Record<string, InputProbeSpec>;
}

export interface ImageGeometry {
  layout: ImageLayout;
  channels: number;
  height: number;
  width: number;
}

export interface ResolvedInput {
  name: string;
  dtype: DType;
  rowShape: number[];
  distribution: Distribution;
  /** The signature's fixed batch dimension, or null when it is free. */
  fixedBatch: number | null;
  kind: 'image' | 'tokens' | 'vector' | 'tensor';
  image: ImageGeometry | null;
  /** Rows of the embedding table the input indexes, when the graph shows one. */
  vocab: number | null;
  /** The distribution's range: extreme patches use its ends, noise scales with its width. */
  range: { min: number; max: number };
  /** The signature as declared (symbolic dimensions by name). */
  declared: TensorSignature;
}

export interface ResolvedProbeSet {
  seed: number;
  rows: number;
  batchSize: number;
  inputs: ResolvedInput[];
}

export type Resolution = { ok: true; probe: ResolvedProbeSet } | { ok: false; reason: string };

export const DEFAULT_SEED = 20240611;
export const DEFAULT_ROWS = 64;
export const DEFAULT_BATCH = 64;
/** Value of a symbolic dimension after the batch one when the specification names none. */
export const DEFAULT_FREE_DIM = 16;
const MAX_ROW_ELEMENTS = 64 * 1024 * 1024;

/** Inputs of the main graph that are not initializers (IR < 4 lists initializers as inputs). */
export function graphInputs(model: ModelProto): TensorSignature[] {
  const g = model.graph ?? {};
  const inits = new Set((g.initializer ?? []).map((t) => t.name ?? ''));
  return (g.input ?? []).filter((i) => !inits.has(i.name ?? '')).map(signatureOf);
}

export function graphOutputs(model: ModelProto): TensorSignature[] {
  return (model.graph?.output ?? []).map(signatureOf);
}

/** Rows of an embedding table a token input indexes: Gather(table, input) with table an initializer. */
export function inferVocab(model: ModelProto, input: string): number | null {
  const g = model.graph ?? {};
  const inits = new Map((g.initializer ?? []).map((t) => [t.name ?? '', t]));
  const passThrough = new Set(['Cast', 'Identity', 'Reshape', 'Unsqueeze', 'Squeeze', 'Flatten']);
  const names = new Set([input]);
  let found: number | null = null;
  // Follow the input through shape-only ops, then look for it as Gather's indices.
  for (let pass = 0; pass < 4; pass++) {
    for (const n of g.node ?? []) {
      const ins = n.input ?? [];
      if (passThrough.has(n.opType ?? '') && names.has(ins[0] ?? '')) for (const o of n.output ?? []) names.add(o);
      if (n.opType === 'Gather' && names.has(ins[1] ?? '')) {
        const table = inits.get(ins[0] ?? '');
        const rows = table ? tensorDims(table)[0] : undefined;
        if (rows !== undefined && rows > 0) found = found === null ? rows : Math.min(found, rows);
      }
    }
  }
  return found;
}

/** Image geometry of a row shape: [C,H,W], [H,W,C], [H,W], or a flattened square [H*W]. */
export function imageGeometry(rowShape: readonly number[], hint?: ImageLayout | 'none'): ImageGeometry | null {
  if (hint === 'none') return null;
  const isChannels = (c: number) => c === 1 || c === 3 || c === 4;
  const big = (n: number) => n >= 8;
  if (rowShape.length === 3) {
    const [a, b, c] = rowShape as [number, number, number];
    if ((hint === 'NCHW' || (!hint && isChannels(a))) && big(b) && big(c)) return { layout: 'NCHW', channels: a, height: b, width: c };
    if ((hint === 'NHWC' || (!hint && isChannels(c))) && big(a) && big(b)) return { layout: 'NHWC', channels: c, height: a, width: b };
    return null;
  }
  if (rowShape.length === 2) {
    const [h, w] = rowShape as [number, number];
    return big(h) && big(w) ? { layout: 'HW', channels: 1, height: h, width: w } : null;
  }
  if (rowShape.length === 1) {
    const side = Math.round(Math.sqrt(rowShape[0]!));
    return side >= 8 && side * side === rowShape[0] && (hint === 'HW' || !hint) ? { layout: 'HW', channels: 1, height: side, width: side } : null;
  }
  return null;
}

/** Flat offset of pixel (channel, y, x) in a row of this geometry. */
export function pixelOffset(g: ImageGeometry, channel: number, y: number, x: number): number {
  if (g.layout === 'NCHW') return (channel * g.height + y) * g.width + x;
  if (g.layout === 'NHWC') return (y * g.width + x) * g.channels + channel;
  return y * g.width + x;
}

export function rangeOf(d: Distribution): { min: number; max: number } {
  switch (d.kind) {
    case 'uniform': return { min: d.min, max: d.max };
    case 'normal': return { min: d.min ?? d.mean - 3 * d.std, max: d.max ?? d.mean + 3 * d.std };
    case 'integers': return { min: d.min, max: d.max };
    case 'constant': return { min: d.value, max: d.value };
  }
}

function defaultDistribution(dtype: DType, name: string, vocab: number | null): Distribution {
  if (dtype === 'float32' || dtype === 'float64') return { kind: 'uniform', min: 0, max: 1 };
  if (dtype === 'bool') return { kind: 'integers', min: 0, max: 1 };
  // Conventional auxiliary inputs of token models: all positions attended, one segment.
  if (/mask/i.test(name)) return { kind: 'constant', value: 1 };
  if (/type_ids|segment/i.test(name)) return { kind: 'constant', value: 0 };
  const top = dtype === 'uint8' || dtype === 'int8' ? 100 : 1000;
  return { kind: 'integers', min: 0, max: (vocab ?? top) - 1 };
}

function checkDistribution(d: Distribution): string | null {
  const finite = (...xs: (number | undefined)[]) => xs.every((x) => x === undefined || Number.isFinite(x));
  switch (d.kind) {
    case 'uniform': return finite(d.min, d.max) && d.min <= d.max ? null : 'uniform needs finite min <= max';
    case 'normal': return finite(d.mean, d.std, d.min, d.max) && d.std >= 0 ? null : 'normal needs a finite mean and std >= 0';
    case 'integers': return finite(d.min, d.max) && d.min <= d.max ? null : 'integers needs finite min <= max';
    case 'constant': return finite(d.value) ? null : 'constant needs a finite value';
  }
}

/** Resolves the probe set for a model; fails with a reason when an input cannot be probed. */
export function resolveProbeSet(model: ModelProto, spec: ProbeSpec = {}): Resolution {
  const sigs = graphInputs(model);
  if (sigs.length === 0) return { ok: false, reason: 'the model has no inputs' };
  const inputs: ResolvedInput[] = [];
  const seed = spec.seed ?? DEFAULT_SEED;
  for (const sig of sigs) {
    const own = spec.inputs?.[sig.name] ?? {};
    const dtype = sig.elementType;
    if (!isDType(dtype)) return { ok: false, reason: `input ${sig.name} has element type ${dtype}, which the sandbox cannot generate` };
    if (!sig.shape || sig.shape.length === 0) return { ok: false, reason: `input ${sig.name} has no batch dimension (shape ${sig.shape ? '[]' : 'unknown'})` };
    const [batch, ...rest] = sig.shape;
    const fixedBatch = typeof batch === 'number' && batch > 0 ? batch : null;
    let rowShape: number[];
    if (own.rowShape) {
      rowShape = own.rowShape;
    } else {
      rowShape = rest.map((d) => (typeof d === 'number' && d > 0 ? d : typeof d === 'string' && spec.dims?.[d] !== undefined ? spec.dims[d]! : DEFAULT_FREE_DIM));
    }
    if (!rowShape.every((d) => Number.isSafeInteger(d) && d >= 1)) return { ok: false, reason: `input ${sig.name}: row shape [${rowShape.join(', ')}] must be positive integers` };
    const elements = rowShape.reduce((a, d) => a * d, 1);
    if (elements > MAX_ROW_ELEMENTS) return { ok: false, reason: `input ${sig.name}: rows of ${elements} values are larger than the sandbox generates` };
    const vocab = dtype.startsWith('int') || dtype.startsWith('uint') ? inferVocab(model, sig.name) : null;
    const distribution = own.distribution ?? defaultDistribution(dtype, sig.name, vocab);
    const bad = checkDistribution(distribution);
    if (bad) return { ok: false, reason: `input ${sig.name}: ${bad}` };
    const isFloat = dtype === 'float32' || dtype === 'float64';
    const image = isFloat ? imageGeometry(rowShape, own.layout) : null;
    const tokenLike = !isFloat && dtype !== 'bool' && rowShape.length === 1 && distribution.kind === 'integers';
    const kind = image ? 'image' : tokenLike ? 'tokens' : rowShape.length === 1 ? 'vector' : 'tensor';
    inputs.push({ name: sig.name, dtype, rowShape, distribution, fixedBatch, kind, image, vocab, range: rangeOf(distribution), declared: sig });
  }
  const fixed = [...new Set(inputs.map((x) => x.fixedBatch).filter((b): b is number => b !== null))];
  if (fixed.length > 1) return { ok: false, reason: `inputs declare different fixed batch sizes (${fixed.join(', ')})` };
  const batchSize = fixed[0] ?? Math.max(1, Math.trunc(spec.batchSize ?? DEFAULT_BATCH));
  const wanted = Math.max(1, Math.trunc(spec.rows ?? DEFAULT_ROWS));
  // A fixed batch dimension takes exactly that many rows per call: round up to whole batches.
  const rows = fixed[0] ? Math.ceil(wanted / batchSize) * batchSize : wanted;
  return { ok: true, probe: { seed, rows, batchSize, inputs } };
}

/** The generate plans of a probe set: one seeded pool per input. */
export function generatedInputs(probe: ResolvedProbeSet, seed = probe.seed): Record<string, InputPlan> {
  const out: Record<string, InputPlan> = {};
  probe.inputs.forEach((x, i) => {
    out[x.name] = { source: 'generate', dtype: x.dtype, rowShape: x.rowShape, distribution: x.distribution, seed: mix32(seed, i + 1) };
  });
  return out;
}

/** Names the node that consumes a tensor, for messages. */
export function nodeLabel(n: NodeProto): string {
  return n.name ? `${n.name} (${n.opType ?? '?'})` : (n.opType ?? '?');
}
