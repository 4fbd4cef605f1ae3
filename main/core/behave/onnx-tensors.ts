// Reading ONNX tensors for the host's checks and the static graph analysis: every tensor a
// model holds (wherever it hides), and the numeric values of small constants.
import { onnx, toNumber, type GraphProto, type ModelProto, type NodeProto, type TensorProto } from '../formats/onnx/proto.ts';

export function isExternal(t: TensorProto): boolean {
  return t.dataLocation === onnx.TensorProto.DataLocation.EXTERNAL || (t.externalData ?? []).length > 0;
}

/** Every graph of a model: the main graph, control-flow bodies, functions' nodes' graphs, training graphs. */
export function modelGraphs(model: ModelProto, maxGraphs = 10_000): GraphProto[] {
  const roots: GraphProto[] = [];
  if (model.graph) roots.push(model.graph);
  for (const ti of model.trainingInfo ?? []) {
    if (ti.initialization) roots.push(ti.initialization);
    if (ti.algorithm) roots.push(ti.algorithm);
  }
  // Function bodies are node lists; wrap them so one walk covers them.
  for (const f of model.functions ?? []) roots.push({ name: `function ${f.name ?? ''}`, node: f.node ?? [] });
  const out: GraphProto[] = [];
  const stack = [...roots];
  while (stack.length > 0 && out.length < maxGraphs) {
    const g = stack.pop()!;
    out.push(g);
    for (const n of g.node ?? []) {
      for (const a of n.attribute ?? []) {
        if (a.g) stack.push(a.g);
        for (const sub of a.graphs ?? []) stack.push(sub);
      }
    }
  }
  return out;
}

/** Visits every TensorProto: initializers, sparse initializers, and tensors in node attributes. */
export function forEachTensor(model: ModelProto, visit: (t: TensorProto, where: string) => void): void {
  for (const g of modelGraphs(model)) {
    const gname = g.name ?? '';
    for (const t of g.initializer ?? []) visit(t, `graph ${gname} initializer ${t.name ?? ''}`);
    for (const s of g.sparseInitializer ?? []) {
      if (s.values) visit(s.values, `graph ${gname} sparse initializer ${s.values.name ?? ''} values`);
      if (s.indices) visit(s.indices, `graph ${gname} sparse initializer ${s.values?.name ?? ''} indices`);
    }
    for (const n of g.node ?? []) {
      for (const a of n.attribute ?? []) {
        const where = `node ${n.name ?? n.opType ?? ''} attribute ${a.name ?? ''}`;
        if (a.t) visit(a.t, where);
        for (const t of a.tensors ?? []) visit(t, where);
        for (const s of [a.sparseTensor, ...(a.sparseTensors ?? [])]) {
          if (s?.values) visit(s.values, where);
          if (s?.indices) visit(s.indices, where);
        }
      }
    }
  }
}

/** Bytes per element of numeric TensorProto data types (string and complex excluded). */
export const TENSOR_BYTES: Record<number, number> = { 1: 4, 2: 1, 3: 1, 4: 2, 5: 2, 6: 4, 7: 8, 9: 1, 10: 2, 11: 8, 12: 4, 13: 8, 16: 2 };

export function tensorDims(t: TensorProto): number[] {
  return (t.dims ?? []).map((d) => toNumber(d));
}

function float16(bits: number): number {
  const s = bits & 0x8000 ? -1 : 1;
  const e = (bits >> 10) & 0x1f;
  const f = bits & 0x3ff;
  if (e === 0) return s * 2 ** -14 * (f / 1024);
  if (e === 31) return f ? NaN : s * Infinity;
  return s * 2 ** (e - 15) * (1 + f / 1024);
}

function bfloat16(bits: number): number {
  const b = new DataView(new ArrayBuffer(4));
  b.setUint32(0, bits << 16);
  return b.getFloat32(0);
}

/** Numeric values of an in-model tensor, or null when it is external, non-numeric or too large. */
export function tensorValues(t: TensorProto, maxElements = 1 << 20): { dims: number[]; values: Float64Array } | null {
  if (isExternal(t)) return null;
  const dims = tensorDims(t);
  if (dims.some((d) => !Number.isSafeInteger(d) || d < 0)) return null;
  const n = dims.reduce((a, d) => a * d, 1);
  if (n > maxElements) return null;
  const type = t.dataType ?? 0;
  const out = new Float64Array(n);
  const raw = t.rawData;
  if (raw && raw.byteLength > 0) {
    const size = TENSOR_BYTES[type];
    if (!size || raw.byteLength !== n * size) return null;
    const v = new DataView(raw.buffer, raw.byteOffset, raw.byteLength);
    for (let i = 0; i < n; i++) {
      const o = i * size;
      switch (type) {
        case 1: out[i] = v.getFloat32(o, true); break;
        case 2: out[i] = v.getUint8(o); break;
        case 3: out[i] = v.getInt8(o); break;
        case 4: out[i] = v.getUint16(o, true); break;
        case 5: out[i] = v.getInt16(o, true); break;
        case 6: out[i] = v.getInt32(o, true); break;
        case 7: out[i] = Number(v.getBigInt64(o, true)); break;
        case 9: out[i] = v.getUint8(o) ? 1 : 0; break;
        case 10: out[i] = float16(v.getUint16(o, true)); break;
        case 11: out[i] = v.getFloat64(o, true); break;
        case 12: out[i] = v.getUint32(o, true); break;
        case 13: out[i] = Number(v.getBigUint64(o, true)); break;
        case 16: out[i] = bfloat16(v.getUint16(o, true)); break;
        default: return null;
      }
    }
    return { dims, values: out };
  }
  const field: ArrayLike<unknown> | null | undefined =
    type === 1 ? t.floatData
      : type === 11 ? t.doubleData
        : type === 7 ? t.int64Data
          : type === 13 || type === 12 ? t.uint64Data
            : [2, 3, 4, 5, 6, 9].includes(type) ? t.int32Data
              : type === 10 || type === 16 ? t.int32Data
                : null;
  if (!field) return n === 0 ? { dims, values: out } : null;
  if (field.length !== n) return null;
  for (let i = 0; i < n; i++) {
    const x = field[i] as number | { toNumber(): number };
    const num = typeof x === 'number' ? x : x.toNumber();
    out[i] = type === 10 ? float16(num) : type === 16 ? bfloat16(num) : num;
  }
  return { dims, values: out };
}

/** The value of a Constant node (its `value*` attribute), as a tensor. */
export function constantNodeTensor(n: NodeProto): TensorProto | null {
  for (const a of n.attribute ?? []) {
    switch (a.name) {
      case 'value': return a.t ?? null;
      case 'value_float': return { dims: [], dataType: 1, floatData: [a.f ?? 0] };
      case 'value_floats': return { dims: [(a.floats ?? []).length], dataType: 1, floatData: a.floats ?? [] };
      case 'value_int': return { dims: [], dataType: 7, int64Data: [a.i ?? 0] };
      case 'value_ints': return { dims: [(a.ints ?? []).length], dataType: 7, int64Data: a.ints ?? [] };
      default: break;
    }
  }
  return null;
}
