// ONNX models: opsets, custom operator domains (custom ops are native code), external-data
// locations that leave the model's folder, tensors whose data does not match their shape, and the
// graph summary kept for the behaviour tests. Decoding is main/core/formats/onnx/decode.ts.
import { allGraphs, decodeOnnxModel, summarizeModel } from '../../formats/onnx/decode.ts';
import { onnx, type ModelProto, type NodeProto, type TensorProto } from '../../formats/onnx/proto.ts';
import type { ByteSource } from '../../io/byte-source.ts';
import type { Analyzer, ScanContext } from '../types.ts';
import { CappedReporter } from './common/capped-report.ts';
import { readExactly } from './common/read.ts';

/**
 * Models above this are not decoded: decoding needs the whole file in memory. Models this large
 * normally keep their weights in external data files, which keeps the graph itself small.
 */
export const MAX_ONNX_BYTES = 1024 * 1024 * 1024;

/** Highest opset version Assay knows per standard domain ('' is the default ai.onnx domain). */
const KNOWN_OPSETS: Readonly<Record<string, number>> = {
  '': 25, 'ai.onnx': 25, 'ai.onnx.ml': 5, 'ai.onnx.training': 1, 'ai.onnx.preview.training': 1,
};

/** ONNX Runtime's contrib domains: built into the runtime, no separate native library. */
const RUNTIME_DOMAIN = /^(com\.microsoft(\..+)?|com\.ms\.internal\.nhwc)$/;

/** Bits per element of TensorProto.DataType values (strings have no fixed size). */
const ELEMENT_BITS: Readonly<Record<number, number>> = {
  1: 32, 2: 8, 3: 8, 4: 16, 5: 16, 6: 32, 7: 64, 9: 8, 10: 16, 11: 64, 12: 32, 13: 64, 14: 64, 15: 128, 16: 16,
  17: 8, 18: 8, 19: 8, 20: 8, 21: 4, 22: 4, 23: 4, 24: 8,
};

/** Which typed field holds the values of each element type, and how many entries per element. */
const TYPED_FIELD: Readonly<Record<number, { field: TypedField; perElement: number }>> = {
  1: { field: 'floatData', perElement: 1 }, 14: { field: 'floatData', perElement: 2 },
  2: { field: 'int32Data', perElement: 1 }, 3: { field: 'int32Data', perElement: 1 }, 4: { field: 'int32Data', perElement: 1 },
  5: { field: 'int32Data', perElement: 1 }, 6: { field: 'int32Data', perElement: 1 }, 9: { field: 'int32Data', perElement: 1 },
  10: { field: 'int32Data', perElement: 1 }, 16: { field: 'int32Data', perElement: 1 },
  17: { field: 'int32Data', perElement: 1 }, 18: { field: 'int32Data', perElement: 1 }, 19: { field: 'int32Data', perElement: 1 }, 20: { field: 'int32Data', perElement: 1 },
  7: { field: 'int64Data', perElement: 1 }, 8: { field: 'stringData', perElement: 1 },
  11: { field: 'doubleData', perElement: 1 }, 15: { field: 'doubleData', perElement: 2 },
  12: { field: 'uint64Data', perElement: 1 }, 13: { field: 'uint64Data', perElement: 1 },
};
type TypedField = 'floatData' | 'int32Data' | 'int64Data' | 'stringData' | 'doubleData' | 'uint64Data';
const TYPED_FIELDS: readonly TypedField[] = ['floatData', 'int32Data', 'int64Data', 'stringData', 'doubleData', 'uint64Data'];

type Long = { toString(): string };

export async function analyzeOnnx(source: ByteSource, ctx: ScanContext): Promise<void> {
  if (source.size > MAX_ONNX_BYTES) {
    ctx.report({ ruleId: 'scan.onnx.too-large', severity: 'low', message: `model of ${source.size} bytes is above the ${MAX_ONNX_BYTES}-byte in-memory decoding limit` });
    return;
  }
  const decoded = decodeOnnxModel(await readExactly(source, 0, source.size));
  if (!decoded.ok) {
    ctx.report({ ruleId: 'scan.onnx.malformed', severity: 'medium', message: `ONNX model does not decode: ${decoded.error}` });
    return;
  }
  const model = decoded.model;
  ctx.detail('onnx', summarizeModel(model));
  const out = new CappedReporter(ctx);
  const nodes = allNodes(model);
  checkOpsets(model, nodes, out);
  checkDomains(model, nodes, out);
  checkTensors(model, out);
  out.flush();
}

interface PlacedNode {
  node: NodeProto;
  /** Name of the model-local function the node belongs to, if any. */
  fn: string | null;
}

function allNodes(model: ModelProto): PlacedNode[] {
  const out: PlacedNode[] = [];
  if (model.graph) for (const g of allGraphs(model.graph)) for (const node of g.node ?? []) out.push({ node, fn: null });
  for (const f of model.functions ?? []) for (const node of f.node ?? []) out.push({ node, fn: f.name ?? '' });
  return out;
}

const isDefaultDomain = (d: string): boolean => d === '' || d === 'ai.onnx';

function checkOpsets(model: ModelProto, nodes: PlacedNode[], out: CappedReporter): void {
  const imports = model.opsetImport ?? [];
  const usesDefault = nodes.some((n) => isDefaultDomain(n.node.domain ?? ''));
  if (usesDefault && !imports.some((o) => isDefaultDomain(o.domain ?? ''))) {
    out.report({ ruleId: 'scan.onnx.opset-missing', severity: 'medium', message: 'the model uses standard ONNX operators but imports no opset for the default domain' });
  }
  for (const o of imports) {
    const domain = o.domain ?? '';
    const version = toBig(o.version);
    const known = KNOWN_OPSETS[domain];
    if (version <= 0n || (known !== undefined && version > BigInt(known))) {
      out.report({
        ruleId: 'scan.onnx.opset-unknown', severity: 'low',
        message: `opset ${version} for domain ${JSON.stringify(domain || 'ai.onnx')} is ${version <= 0n ? 'not a valid version' : `newer than the latest Assay knows (${known})`}`,
        evidence: { domain, version: String(version) },
      });
    }
  }
}

function checkDomains(model: ModelProto, nodes: PlacedNode[], out: CappedReporter): void {
  const STANDARD = new Set(Object.keys(KNOWN_OPSETS));
  // A node calling a model-local function is not a custom op: the function body is in the model.
  const localFunctions = new Set((model.functions ?? []).map((f) => `${f.domain ?? ''}::${f.name ?? ''}`));
  const byDomain = new Map<string, { ops: Set<string>; count: number; first: string }>();
  for (const { node } of nodes) {
    const domain = node.domain ?? '';
    if (STANDARD.has(domain) || localFunctions.has(`${domain}::${node.opType ?? ''}`)) continue;
    const entry = byDomain.get(domain) ?? { ops: new Set<string>(), count: 0, first: node.name || node.opType || '' };
    entry.ops.add(node.opType ?? '');
    entry.count++;
    byDomain.set(domain, entry);
  }
  for (const [domain, e] of byDomain) {
    const runtime = RUNTIME_DOMAIN.test(domain);
    const ops = [...e.ops].slice(0, 10).join(', ');
    out.report({
      ruleId: 'scan.onnx.custom-domain',
      severity: runtime ? 'low' : 'medium',
      message: runtime
        ? `${e.count} node${e.count === 1 ? '' : 's'} use ONNX Runtime contrib domain ${domain} (${ops}); these ops ship with onnxruntime`
        : `${e.count} node${e.count === 1 ? '' : 's'} use custom operator domain ${JSON.stringify(domain)} (${ops}); running them needs a native custom-op library`,
      location: { node: e.first },
      evidence: { domain, ops: [...e.ops], count: e.count },
    });
  }
}

interface NamedTensor {
  tensor: TensorProto;
  where: string;
}

function* tensorsOf(model: ModelProto): Generator<NamedTensor> {
  const fromNodes = function* (nodes: NodeProto[]): Generator<NamedTensor> {
    for (const node of nodes) {
      for (const attr of node.attribute ?? []) {
        const where = `attribute ${attr.name ?? ''} of node ${node.name || node.opType || ''}`;
        if (attr.t) yield { tensor: attr.t, where };
        for (const t of attr.tensors ?? []) yield { tensor: t, where };
      }
    }
  };
  if (model.graph) {
    for (const g of allGraphs(model.graph)) {
      for (const t of g.initializer ?? []) yield { tensor: t, where: 'initializer' };
      yield* fromNodes(g.node ?? []);
    }
  }
  for (const f of model.functions ?? []) yield* fromNodes(f.node ?? []);
}

function checkTensors(model: ModelProto, out: CappedReporter): void {
  const external: { tensor: string; location: string }[] = [];
  for (const { tensor: t, where } of tensorsOf(model)) {
    const name = t.name ?? '';
    const bad = (message: string): void => out.report({ ruleId: 'scan.onnx.tensor-size', severity: 'medium', message: `tensor ${JSON.stringify(name)} (${where}): ${message}`, location: { node: name } });
    const dims = (t.dims ?? []).map(toBig);
    if (dims.some((d) => d < 0n)) {
      bad(`dimension list [${dims.join(', ')}] has a negative value`);
      continue;
    }
    const elements = dims.reduce((a, b) => a * b, 1n);
    const isExternal = t.dataLocation === onnx.TensorProto.DataLocation.EXTERNAL || (t.externalData ?? []).length > 0;
    if (isExternal) {
      const kv = new Map((t.externalData ?? []).map((e) => [e.key ?? '', e.value ?? '']));
      const location = kv.get('location') ?? '';
      external.push({ tensor: name, location });
      checkExternalLocation(name, location, out);
      for (const key of ['offset', 'length']) {
        const v = kv.get(key);
        if (v !== undefined && !/^\d+$/.test(v)) bad(`external-data ${key} ${JSON.stringify(v)} is not a non-negative integer`);
      }
      const bits = ELEMENT_BITS[t.dataType ?? 0];
      const length = kv.get('length');
      if (bits !== undefined && length !== undefined && /^\d+$/.test(length)) {
        const expected = (elements * BigInt(bits) + 7n) / 8n;
        if (BigInt(length) !== expected) bad(`external-data length ${length} differs from the ${expected} bytes its shape needs`);
      }
      continue;
    }
    checkInlineData(t, elements, bad);
  }
  if (external.length > 0) {
    const files = [...new Set(external.map((e) => e.location))];
    out.report({
      ruleId: 'scan.onnx.external-data', severity: 'info',
      message: `${external.length} ${external.length === 1 ? 'tensor keeps its' : 'tensors keep their'} data in ${files.length} external file${files.length === 1 ? '' : 's'}: ${files.slice(0, 10).map((f) => JSON.stringify(f)).join(', ')}`,
      evidence: { files, tensors: external.length },
    });
  }
}

function checkInlineData(t: TensorProto, elements: bigint, bad: (m: string) => void): void {
  const type = t.dataType ?? 0;
  const raw = t.rawData?.length ?? 0;
  const typedCounts = TYPED_FIELDS.map((f) => [f, (t[f] as unknown[] | null | undefined)?.length ?? 0] as const).filter(([, n]) => n > 0);
  if (raw > 0) {
    const bits = ELEMENT_BITS[type];
    if (bits === undefined) return;
    const expected = (elements * BigInt(bits) + 7n) / 8n;
    if (BigInt(raw) !== expected) bad(`raw_data holds ${raw} bytes but ${elements} elements of type ${type} need ${expected}`);
    if (typedCounts.length > 0) bad(`has both raw_data and ${typedCounts.map(([f]) => f).join(', ')}`);
    return;
  }
  const spec = TYPED_FIELD[type];
  if (!spec) return;
  for (const [field, n] of typedCounts) {
    if (field !== spec.field) bad(`holds ${n} values in ${field}, which is not the field for element type ${type}`);
  }
  const n = BigInt(typedCounts.find(([f]) => f === spec.field)?.[1] ?? 0);
  const expected = elements * BigInt(spec.perElement);
  if (n !== expected) bad(`${spec.field} holds ${n} values but its shape needs ${expected}`);
}

/** Lexical check: the model's folder is its directory; nothing may point outside it. */
export function externalLocationProblem(location: string): string | null {
  if (location === '') return 'is empty';
  if (location.includes('\0')) return 'contains a NUL character';
  if (/^[A-Za-z][A-Za-z0-9+.-]*:\/\//.test(location)) return 'is a URL';
  if (location.startsWith('\\\\') || location.startsWith('//')) return 'is a UNC network path';
  if (/^[A-Za-z]:/.test(location)) return 'has a drive prefix';
  if (location.startsWith('/') || location.startsWith('\\')) return 'is an absolute path';
  const parts = location.split(/[\\/]+/);
  if (parts.includes('..')) {
    let depth = 0;
    for (const p of parts) {
      if (p === '..') depth--;
      else if (p !== '.' && p !== '') depth++;
      if (depth < 0) return 'climbs out of the model folder with ".."';
    }
    return 'contains ".."';
  }
  return null;
}

function checkExternalLocation(tensor: string, location: string, out: CappedReporter): void {
  const problem = externalLocationProblem(location);
  if (!problem) return;
  out.report({
    ruleId: 'scan.onnx.external-data-path', severity: 'high',
    message: `external-data location ${JSON.stringify(location)} of tensor ${JSON.stringify(tensor)} ${problem}; the runtime would read it from outside the model folder`,
    location: { node: tensor },
    evidence: { tensor, location },
  });
}

function toBig(v: number | Long | null | undefined): bigint {
  if (v === null || v === undefined) return 0n;
  if (typeof v === 'number') return Number.isFinite(v) ? BigInt(Math.trunc(v)) : 0n;
  try {
    return BigInt(v.toString());
  } catch {
    return 0n;
  }
}

export const onnxAnalyzer: Analyzer = {
  formats: ['onnx'],
  analyze: analyzeOnnx,
};
