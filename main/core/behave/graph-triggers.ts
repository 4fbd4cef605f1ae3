// Static inspection for architectural backdoors (stage 1 of the backdoor suite): comparisons
// between a graph input (or slices, gathers, reshapes, reductions and affine rescalings of it)
// and a constant, whose result reaches an output, gating it through Where, If, an arithmetic
// mask, or directly. For each such site the input elements the comparison reads are traced back
// to offsets in the input row, so stage 2 can write the constant into probes and see whether
// predictions flip.
import type { GraphProto, ModelProto, NodeProto, TensorProto } from '../formats/onnx/proto.ts';
import { toNumber } from '../formats/onnx/proto.ts';
import { constantNodeTensor, tensorValues } from './onnx-tensors.ts';
import type { ResolvedInput, ResolvedProbeSet } from './probe-spec.ts';
import { nodeLabel } from './probe-spec.ts';

export type Relation = 'equal' | 'below' | 'above';
export type Gate = 'where' | 'if' | 'control-flow' | 'mask' | 'output';

export interface TriggerValues {
  /** Offsets in the flattened input row (batch dimension excluded) and the values to write there. */
  offsets: number[];
  values: number[];
}

export interface GraphTriggerSite {
  /** The comparison node (or the Abs of a distance |x - c|). */
  node: string;
  op: string;
  /** The graph input the comparison reads. */
  input: string;
  /** Operators between the input and the comparison, input first. */
  path: string[];
  constant: { name: string; dims: number[]; values: number[]; count: number };
  /** What makes the comparison true: the input-derived value equal to, below or above the constant. */
  relation: Relation;
  gates: Gate[];
  /** Graph outputs the comparison's result reaches. */
  outputs: string[];
  /** Nodes from the comparison to the outputs, in graph order (at most 60). */
  subgraph: string[];
  /** Input values that make the comparison true, when the path could be traced to input offsets. */
  trigger: TriggerValues | null;
  /** Values that make it false (inequalities only: a trigger may fire on either side). */
  opposite: TriggerValues | null;
  /** Why no trigger values could be computed. */
  unresolved?: string;
}

const COMPARISONS: Record<string, { rel: 'eq' | 'lt' | 'le' | 'gt' | 'ge' }> = {
  Equal: { rel: 'eq' }, Less: { rel: 'lt' }, LessOrEqual: { rel: 'le' }, Greater: { rel: 'gt' }, GreaterOrEqual: { rel: 'ge' },
};
/** Operators through which an input stays a view of itself (selection, layout, affine rescaling). */
const VIEW_OPS = new Set([
  'Identity', 'Cast', 'Dropout', 'Reshape', 'Flatten', 'Squeeze', 'Unsqueeze', 'Transpose', 'Slice', 'Gather',
  'ReduceMean', 'ReduceMax', 'ReduceMin', 'ReduceSum', 'Mul', 'Div', 'Add', 'Sub', 'Neg',
]);
const AFFINE_OPS = new Set(['Mul', 'Div', 'Add', 'Sub']);
const MAX_ELEMENTS = 1 << 18;
/** Sites analysed per model: a graph stuffed with comparisons must not stall the host. */
const MAX_SITES = 64;
const MAX_SUBGRAPH = 60;

interface Const {
  name: string;
  dims: number[];
  values: Float64Array;
}

interface Member {
  off: number;
  a: number;
  b: number;
}

/** One element of a traced view: value = A * agg(a_i * x[off_i] + b_i) + B. */
interface Elem {
  m: Member[];
  agg: 'one' | 'mean' | 'max' | 'min' | 'sum';
  A: number;
  B: number;
}

interface ViewT {
  shape: number[];
  elems: Elem[];
}

class Unresolved extends Error {}

function prod(dims: readonly number[]): number {
  return dims.reduce((a, d) => a * d, 1);
}

function strides(shape: readonly number[]): number[] {
  const s = new Array<number>(shape.length).fill(1);
  for (let i = shape.length - 2; i >= 0; i--) s[i] = s[i + 1]! * shape[i + 1]!;
  return s;
}

function unravel(flat: number, shape: readonly number[]): number[] {
  const idx = new Array<number>(shape.length).fill(0);
  for (let i = shape.length - 1; i >= 0; i--) {
    const d = shape[i]!;
    idx[i] = flat % d;
    flat = Math.floor(flat / d);
  }
  return idx;
}

/** numpy broadcasting of two shapes, or null when they do not broadcast. */
function broadcastShape(a: readonly number[], b: readonly number[]): number[] | null {
  const n = Math.max(a.length, b.length);
  const out: number[] = [];
  for (let i = 0; i < n; i++) {
    const x = a[a.length - n + i] ?? 1;
    const y = b[b.length - n + i] ?? 1;
    if (x !== y && x !== 1 && y !== 1) return null;
    out.push(Math.max(x, y));
  }
  return out;
}

/** Flat index into `inShape` of the element broadcast to multi-index `idx` of a larger shape. */
function broadcastFlat(idx: readonly number[], inShape: readonly number[]): number {
  const st = strides(inShape);
  let flat = 0;
  const off = idx.length - inShape.length;
  for (let i = 0; i < inShape.length; i++) flat += (inShape[i] === 1 ? 0 : idx[off + i]!) * st[i]!;
  return flat;
}

function attrInts(n: NodeProto, name: string): number[] | null {
  const a = (n.attribute ?? []).find((x) => x.name === name);
  return a ? (a.ints ?? []).map((v) => toNumber(v)) : null;
}

function attrInt(n: NodeProto, name: string, fallback: number): number {
  const a = (n.attribute ?? []).find((x) => x.name === name);
  return a && a.i !== undefined && a.i !== null ? toNumber(a.i) : fallback;
}

function normAxis(axis: number, rank: number): number {
  const a = axis < 0 ? axis + rank : axis;
  if (a < 0 || a >= rank) throw new Unresolved(`axis ${axis} outside rank ${rank}`);
  return a;
}

class GraphIndex {
  readonly producer = new Map<string, NodeProto>();
  readonly consumers = new Map<string, NodeProto[]>();
  /** Names a node reads, including names its subgraphs read from the outer scope. */
  readonly reads = new Map<NodeProto, string[]>();
  readonly inputs: Set<string>;
  readonly outputs: Set<string>;
  readonly order = new Map<NodeProto, number>();
  private readonly inits: Map<string, TensorProto>;
  private readonly constCache = new Map<string, Const | null>();
  readonly tainted = new Set<string>();

  constructor(readonly model: ModelProto) {
    const g = model.graph ?? {};
    this.inits = new Map((g.initializer ?? []).map((t) => [t.name ?? '', t]));
    this.inputs = new Set((g.input ?? []).map((i) => i.name ?? '').filter((n) => !this.inits.has(n)));
    this.outputs = new Set((g.output ?? []).map((o) => o.name ?? ''));
    (g.node ?? []).forEach((n, i) => {
      this.order.set(n, i);
      for (const o of n.output ?? []) if (o) this.producer.set(o, n);
      const reads = [...(n.input ?? []).filter(Boolean), ...outerReads(n)];
      this.reads.set(n, reads);
      for (const r of reads) {
        const list = this.consumers.get(r) ?? [];
        list.push(n);
        this.consumers.set(r, list);
      }
    });
    // Which tensors depend on a graph input. onnxruntime sorts the graph itself, so a file need
    // not list nodes in order: iterate to a fixed point.
    for (const i of this.inputs) this.tainted.add(i);
    for (let changed = true, pass = 0; changed && pass < 1000; pass++) {
      changed = false;
      for (const n of g.node ?? []) {
        if (!(this.reads.get(n) ?? []).some((r) => this.tainted.has(r))) continue;
        for (const o of n.output ?? []) {
          if (o && !this.tainted.has(o)) {
            this.tainted.add(o);
            changed = true;
          }
        }
      }
    }
  }

  constant(name: string, depth = 0): Const | null {
    if (this.constCache.has(name)) return this.constCache.get(name)!;
    if (depth > 64) return null;
    this.constCache.set(name, null); // cycle guard
    let c: Const | null = null;
    const init = this.inits.get(name);
    if (init) {
      const v = tensorValues(init);
      if (v) c = { name, dims: v.dims, values: v.values };
    } else {
      const p = this.producer.get(name);
      if (p?.opType === 'Constant') {
        const t = constantNodeTensor(p);
        const v = t ? tensorValues(t) : null;
        if (v) c = { name, dims: v.dims, values: v.values };
      } else if (p && (p.opType === 'Identity' || p.opType === 'Cast')) {
        const inner = this.constant(p.input?.[0] ?? '', depth + 1);
        if (inner) c = { ...inner, name };
      } else if (p && (p.opType === 'Reshape' || p.opType === 'Unsqueeze' || p.opType === 'Squeeze')) {
        const inner = this.constant(p.input?.[0] ?? '', depth + 1);
        if (inner) {
          try {
            const v = applyView(p, { shape: inner.dims, elems: [] }, this, true);
            c = { name, dims: v.shape, values: inner.values };
          } catch {
            c = null;
          }
        }
      }
    }
    this.constCache.set(name, c);
    return c;
  }
}

/** Names a node's subgraphs read from the enclosing scope. */
function outerReads(n: NodeProto): string[] {
  const out = new Set<string>();
  const visit = (g: GraphProto, depth: number) => {
    if (depth > 16) return;
    const defined = new Set<string>([
      ...(g.input ?? []).map((i) => i.name ?? ''),
      ...(g.initializer ?? []).map((t) => t.name ?? ''),
      ...(g.node ?? []).flatMap((x) => x.output ?? []),
    ]);
    for (const x of g.node ?? []) {
      for (const i of x.input ?? []) if (i && !defined.has(i)) out.add(i);
      for (const a of x.attribute ?? []) {
        if (a.g) visit(a.g, depth + 1);
        for (const s of a.graphs ?? []) visit(s, depth + 1);
      }
    }
  };
  for (const a of n.attribute ?? []) {
    if (a.g) visit(a.g, 0);
    for (const s of a.graphs ?? []) visit(s, 0);
  }
  return [...out];
}

function constInput(n: NodeProto, i: number, idx: GraphIndex): number[] | null {
  const name = n.input?.[i];
  if (!name) return null;
  const c = idx.constant(name);
  if (!c) throw new Unresolved(`${nodeLabel(n)}: input ${i} is not a constant`);
  return Array.from(c.values);
}

function gatherElems(v: ViewT, outShape: number[], source: (outIdx: number[]) => number): ViewT {
  const n = prod(outShape);
  if (n > MAX_ELEMENTS) throw new Unresolved('view too large to trace');
  const elems: Elem[] = new Array(n);
  for (let f = 0; f < n; f++) elems[f] = v.elems[source(unravel(f, outShape))]!;
  return { shape: outShape, elems };
}

/** Applies one view operator to a traced view. With shapeOnly, elements are ignored. */
function applyView(n: NodeProto, v: ViewT, idx: GraphIndex, shapeOnly = false, dataInput = 0): ViewT {
  const op = n.opType ?? '';
  const rank = v.shape.length;
  switch (op) {
    case 'Identity': case 'Cast': case 'Dropout':
      return v;
    case 'Reshape': {
      const target = constInput(n, 1, idx) ?? [];
      const allowZero = attrInt(n, 'allowzero', 0) === 1;
      const dims = target.map((d, i) => (d === 0 && !allowZero ? v.shape[i] ?? 0 : d));
      const known = dims.filter((d) => d !== -1).reduce((a, d) => a * d, 1);
      const out = dims.map((d) => (d === -1 ? prod(v.shape) / (known || 1) : d));
      if (prod(out) !== prod(v.shape) || out.some((d) => !Number.isInteger(d))) throw new Unresolved('Reshape does not fit');
      return { shape: out, elems: v.elems };
    }
    case 'Flatten': {
      const axis = normAxis(attrInt(n, 'axis', 1), rank + 1);
      return { shape: [prod(v.shape.slice(0, axis)), prod(v.shape.slice(axis))], elems: v.elems };
    }
    case 'Squeeze': {
      const axes = (attrInts(n, 'axes') ?? constInput(n, 1, idx) ?? v.shape.map((d, i) => (d === 1 ? i : -999)).filter((i) => i >= 0)).map((a) => normAxis(a, rank));
      return { shape: v.shape.filter((_, i) => !axes.includes(i)), elems: v.elems };
    }
    case 'Unsqueeze': {
      const raw = attrInts(n, 'axes') ?? constInput(n, 1, idx) ?? [];
      const outRank = rank + raw.length;
      const axes = raw.map((a) => normAxis(a, outRank)).sort((a, b) => a - b);
      const out = [...v.shape];
      for (const a of axes) out.splice(a, 0, 1);
      return { shape: out, elems: v.elems };
    }
    case 'Transpose': {
      const perm = attrInts(n, 'perm') ?? v.shape.map((_, i) => rank - 1 - i);
      const outShape = perm.map((p) => v.shape[p]!);
      if (shapeOnly) return { shape: outShape, elems: [] };
      const st = strides(v.shape);
      return gatherElems(v, outShape, (o) => o.reduce((f, x, i) => f + x * st[perm[i]!]!, 0));
    }
    case 'Slice': {
      const opset10 = (n.input ?? []).length > 1;
      const starts = opset10 ? constInput(n, 1, idx)! : attrInts(n, 'starts') ?? [];
      const ends = opset10 ? constInput(n, 2, idx)! : attrInts(n, 'ends') ?? [];
      const axesRaw = (opset10 ? constInput(n, 3, idx) : attrInts(n, 'axes')) ?? starts.map((_, i) => i);
      const steps = (opset10 ? constInput(n, 4, idx) : null) ?? starts.map(() => 1);
      const pick: number[][] = v.shape.map((d) => Array.from({ length: d }, (_, i) => i));
      axesRaw.forEach((ar, k) => {
        const a = normAxis(ar, rank);
        const d = v.shape[a]!;
        const step = steps[k] ?? 1;
        if (step === 0) throw new Unresolved('Slice step 0');
        const clampIdx = (x: number, lo: number, hi: number) => Math.min(hi, Math.max(lo, x < 0 ? x + d : x));
        const s = step > 0 ? clampIdx(starts[k]!, 0, d) : clampIdx(starts[k]!, -1, d - 1);
        const e = step > 0 ? clampIdx(ends[k]!, 0, d) : clampIdx(ends[k]!, -1, d - 1);
        const list: number[] = [];
        for (let i = s; step > 0 ? i < e : i > e; i += step) list.push(i);
        pick[a] = list;
      });
      const outShape = pick.map((p) => p.length);
      if (shapeOnly) return { shape: outShape, elems: [] };
      const st = strides(v.shape);
      return gatherElems(v, outShape, (o) => o.reduce((f, x, i) => f + pick[i]![x]! * st[i]!, 0));
    }
    case 'Gather': {
      const axis = normAxis(attrInt(n, 'axis', 0), rank);
      const c = idx.constant(n.input?.[1] ?? '');
      if (!c) throw new Unresolved('Gather indices are not constant');
      const d = v.shape[axis]!;
      const indices = Array.from(c.values, (i) => (i < 0 ? i + d : i));
      if (indices.some((i) => i < 0 || i >= d)) throw new Unresolved('Gather index out of range');
      const outShape = [...v.shape.slice(0, axis), ...c.dims, ...v.shape.slice(axis + 1)];
      if (shapeOnly) return { shape: outShape, elems: [] };
      const st = strides(v.shape);
      const ir = c.dims.length;
      return gatherElems(v, outShape, (o) => {
        const before = o.slice(0, axis);
        const idxPos = o.slice(axis, axis + ir);
        const after = o.slice(axis + ir);
        const k = indices[c.dims.length === 0 ? 0 : broadcastFlat(idxPos, c.dims)]!;
        return [...before, k, ...after].reduce((f, x, i) => f + x * st[i]!, 0);
      });
    }
    case 'ReduceMean': case 'ReduceMax': case 'ReduceMin': case 'ReduceSum': {
      const keep = attrInt(n, 'keepdims', 1) === 1;
      const raw = attrInts(n, 'axes') ?? ((n.input ?? []).length > 1 ? constInput(n, 1, idx) : null);
      const noop = attrInt(n, 'noop_with_empty_axes', 0) === 1;
      if ((!raw || raw.length === 0) && noop) return v;
      const axes = (raw && raw.length > 0 ? raw : v.shape.map((_, i) => i)).map((a) => normAxis(a, rank));
      const outKeep = v.shape.map((d, i) => (axes.includes(i) ? 1 : d));
      const outShape = keep ? outKeep : v.shape.filter((_, i) => !axes.includes(i));
      if (shapeOnly) return { shape: outShape, elems: [] };
      const agg = op === 'ReduceMean' ? 'mean' : op === 'ReduceMax' ? 'max' : op === 'ReduceMin' ? 'min' : 'sum';
      const groups: Member[][] = Array.from({ length: prod(outKeep) }, () => []);
      v.elems.forEach((e, f) => {
        if (e.agg !== 'one') throw new Unresolved('nested reductions');
        const o = unravel(f, v.shape).map((x, i) => (axes.includes(i) ? 0 : x));
        const g = groups[broadcastFlat(o, outKeep)]!;
        for (const m of e.m) g.push({ off: m.off, a: e.A * m.a, b: e.A * m.b + e.B });
      });
      return { shape: outShape, elems: groups.map((m) => ({ m, agg, A: 1, B: 0 })) };
    }
    case 'Neg':
      return { shape: v.shape, elems: v.elems.map((e) => ({ ...e, A: -e.A, B: -e.B })) };
    case 'Mul': case 'Div': case 'Add': case 'Sub': {
      const other = n.input?.[1 - dataInput] ?? '';
      const c = idx.constant(other);
      if (!c) throw new Unresolved(`${nodeLabel(n)} combines the input with a non-constant`);
      const out = broadcastShape(v.shape, c.dims);
      if (!out || prod(out) !== prod(v.shape)) throw new Unresolved(`${nodeLabel(n)}: the constant widens the view`);
      if (op === 'Div' && dataInput === 1) throw new Unresolved('constant divided by the input is not affine');
      const elems = v.elems.map((e, f) => {
        const k = c.values[broadcastFlat(unravel(f, v.shape), c.dims)]!;
        if (op === 'Mul') return { ...e, A: e.A * k, B: e.B * k };
        if (op === 'Div') return { ...e, A: e.A / k, B: e.B / k };
        if (op === 'Add') return { ...e, B: e.B + k };
        return dataInput === 0 ? { ...e, B: e.B - k } : { ...e, A: -e.A, B: k - e.B };
      });
      return { shape: v.shape, elems };
    }
    default:
      throw new Unresolved(`operator ${op} is not traced`);
  }
}

interface Trace {
  input: string;
  chain: { node: NodeProto; dataInput: number }[];
}

/** Walks back from a tensor to a graph input through view operators only. */
function traceBack(name: string, idx: GraphIndex): Trace | null {
  const chain: { node: NodeProto; dataInput: number }[] = [];
  let cur = name;
  for (let depth = 0; depth < 64; depth++) {
    if (idx.inputs.has(cur)) return { input: cur, chain: chain.reverse() };
    const p = idx.producer.get(cur);
    if (!p || !VIEW_OPS.has(p.opType ?? '')) return null;
    let dataInput = 0;
    if (AFFINE_OPS.has(p.opType ?? '')) {
      const [a = '', b = ''] = p.input ?? [];
      const ta = idx.tainted.has(a);
      const tb = idx.tainted.has(b);
      if (ta === tb) return null;
      dataInput = ta ? 0 : 1;
    } else if (!idx.tainted.has(p.input?.[0] ?? '')) {
      return null;
    }
    chain.push({ node: p, dataInput });
    cur = p.input?.[dataInput] ?? '';
  }
  return null;
}

function identityView(input: ResolvedInput): ViewT {
  const n = prod(input.rowShape);
  if (n > MAX_ELEMENTS) throw new Unresolved('input row too large to trace');
  const elems: Elem[] = new Array(n);
  for (let i = 0; i < n; i++) elems[i] = { m: [{ off: i, a: 1, b: 0 }], agg: 'one', A: 1, B: 0 };
  return { shape: [1, ...input.rowShape], elems };
}

const INT_RANGES: Record<string, [number, number]> = {
  int8: [-128, 127], uint8: [0, 255], int16: [-32768, 32767], uint16: [0, 65535], int32: [-(2 ** 31), 2 ** 31 - 1],
  uint32: [0, 2 ** 32 - 1], int64: [-(2 ** 53), 2 ** 53], uint64: [0, 2 ** 53], bool: [0, 1],
};

/** Input values making each view element equal to / below / above its constant. */
function solve(view: ViewT, c: Const, relation: Relation, input: ResolvedInput): TriggerValues {
  const isInt = input.dtype in INT_RANGES;
  const out = broadcastShape(view.shape, c.dims);
  if (!out) throw new Unresolved('the constant does not broadcast against the input');
  const assigned = new Map<number, number>();
  const n = prod(out);
  if (n > MAX_ELEMENTS) throw new Unresolved('comparison too large to trace');
  const done = new Set<number>();
  for (let f = 0; f < n; f++) {
    const o = unravel(f, out);
    const vi = broadcastFlat(o, view.shape);
    if (done.has(vi)) continue;
    done.add(vi);
    const e = view.elems[vi]!;
    const k = c.values[broadcastFlat(o, c.dims)]!;
    const delta = isInt ? 1 : Math.max(1e-3, Math.abs(k) * 1e-3);
    // The value the comparison sees, then the aggregate, then each input element.
    const target = relation === 'equal' ? k : relation === 'below' ? k - delta : k + delta;
    if (e.A === 0) continue;
    const aggTarget = (target - e.B) / e.A;
    const per = e.agg === 'sum' ? aggTarget / e.m.length : aggTarget;
    for (const m of e.m) {
      if (m.a === 0 || assigned.has(m.off)) continue;
      let x = (per - m.b) / m.a;
      if (isInt) {
        const [lo, hi] = INT_RANGES[input.dtype]!;
        x = Math.min(hi, Math.max(lo, relation === 'below' ? Math.floor(x) : relation === 'above' ? Math.ceil(x) : Math.round(x)));
      }
      assigned.set(m.off, x);
    }
  }
  const offsets = [...assigned.keys()];
  return { offsets, values: offsets.map((o) => assigned.get(o)!) };
}

function relationOf(op: 'eq' | 'lt' | 'le' | 'gt' | 'ge', viewFirst: boolean): Relation {
  if (op === 'eq') return 'equal';
  const less = op === 'lt' || op === 'le';
  // Less(view, c): view below c; Less(c, view): view above c.
  return less === viewFirst ? 'below' : 'above';
}

function gatesFrom(start: string, idx: GraphIndex): { gates: Gate[]; outputs: string[]; subgraph: string[] } {
  const reached = new Set<string>([start]);
  const nodes = new Set<NodeProto>();
  const queue = [start];
  for (let head = 0; head < queue.length; head++) {
    const t = queue[head]!;
    for (const c of idx.consumers.get(t) ?? []) {
      if (nodes.has(c)) continue;
      nodes.add(c);
      for (const o of c.output ?? []) if (o && !reached.has(o)) {
        reached.add(o);
        queue.push(o);
      }
    }
  }
  const gates = new Set<Gate>();
  for (const c of nodes) {
    const op = c.opType ?? '';
    const ins = c.input ?? [];
    if (op === 'Where' && reached.has(ins[0] ?? '')) gates.add('where');
    else if (op === 'If' && reached.has(ins[0] ?? '')) gates.add('if');
    else if (op === 'If' || op === 'Loop' || op === 'Scan') gates.add('control-flow');
    else if ((op === 'Mul' || op === 'Add' || op === 'Sub' || op === 'Div') && ins.some((i) => reached.has(i)) && ins.some((i) => !reached.has(i) && idx.tainted.has(i))) gates.add('mask');
  }
  const outputs = [...reached].filter((t) => idx.outputs.has(t));
  if (outputs.length > 0) gates.add('output');
  const subgraph = [...nodes].sort((a, b) => (idx.order.get(a) ?? 0) - (idx.order.get(b) ?? 0)).slice(0, MAX_SUBGRAPH).map(nodeLabel);
  return { gates: [...gates], outputs, subgraph };
}

function describeConst(c: Const): GraphTriggerSite['constant'] {
  return { name: c.name, dims: c.dims, values: Array.from(c.values.subarray(0, 64)), count: c.values.length };
}

function site(node: NodeProto, op: string, viewName: string, c: Const, relation: Relation, idx: GraphIndex, probe: ResolvedProbeSet, resultName: string): GraphTriggerSite | null {
  const trace = traceBack(viewName, idx);
  if (!trace) return null;
  const { gates, outputs, subgraph } = gatesFrom(resultName, idx);
  if (outputs.length === 0) return null;
  const base: GraphTriggerSite = {
    node: nodeLabel(node), op, input: trace.input, path: trace.chain.map((s) => s.node.opType ?? '?'),
    constant: describeConst(c), relation, gates, outputs, subgraph, trigger: null, opposite: null,
  };
  const input = probe.inputs.find((x) => x.name === trace.input);
  if (!input) return { ...base, unresolved: 'the input is not part of the probe set' };
  try {
    let view = identityView(input);
    for (const step of trace.chain) view = applyView(step.node, view, idx, false, step.dataInput);
    base.trigger = solve(view, c, relation, input);
    if (relation !== 'equal') base.opposite = solve(view, c, relation === 'below' ? 'above' : 'below', input);
  } catch (e) {
    if (!(e instanceof Unresolved)) throw e;
    base.unresolved = e.message;
  }
  return base;
}

/** Finds comparison sites between input views and constants that reach a graph output. */
export function findGraphTriggers(model: ModelProto, probe: ResolvedProbeSet): GraphTriggerSite[] {
  const idx = new GraphIndex(model);
  const sites: GraphTriggerSite[] = [];
  for (const n of model.graph?.node ?? []) {
    if (sites.length >= MAX_SITES) break;
    const op = n.opType ?? '';
    const out = n.output?.[0] ?? '';
    const cmp = COMPARISONS[op];
    if (cmp) {
      const [a = '', b = ''] = n.input ?? [];
      const ca = idx.constant(a);
      const cb = idx.constant(b);
      if (cb && !ca && idx.tainted.has(a)) {
        const s = site(n, op, a, cb, relationOf(cmp.rel, true), idx, probe, out);
        if (s) sites.push(s);
      } else if (ca && !cb && idx.tainted.has(b)) {
        const s = site(n, op, b, ca, relationOf(cmp.rel, false), idx, probe, out);
        if (s) sites.push(s);
      }
      continue;
    }
    // Distance to a constant: Abs(Sub(view, c)), or (view - c)^2 as Mul(d, d) or Pow(d, 2).
    const d = op === 'Abs' ? n.input?.[0] : op === 'Mul' && n.input?.[0] === n.input?.[1] ? n.input?.[0] : op === 'Pow' ? n.input?.[0] : undefined;
    if (!d) continue;
    if (op === 'Pow') {
      const e = idx.constant(n.input?.[1] ?? '');
      if (!e || e.values[0] !== 2) continue;
    }
    const sub = idx.producer.get(d);
    if (sub?.opType !== 'Sub') continue;
    const [x = '', y = ''] = sub.input ?? [];
    const cy = idx.constant(y);
    const cx = idx.constant(x);
    const label = `${op}(Sub)`;
    if (cy && !cx && idx.tainted.has(x)) {
      const s = site(n, label, x, cy, 'equal', idx, probe, out);
      if (s) sites.push(s);
    } else if (cx && !cy && idx.tainted.has(y)) {
      const s = site(n, label, y, cx, 'equal', idx, probe, out);
      if (s) sites.push(s);
    }
  }
  return sites;
}
