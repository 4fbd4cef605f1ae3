// Decodes an ONNX ModelProto from bytes with protobufjs and summarises its graph. The decoder
// checks every length against the buffer; what it cannot decode becomes an error message here.
import type { ExternalDataRef, OnnxGraphSummary, TensorSignature } from '../../../../shared/scan-details.ts';
import { ELEMENT_TYPES, onnx, toNumber, type GraphProto, type ModelProto, type TensorProto, type ValueInfoProto } from './proto.ts';

export type DecodeResult = { ok: true; model: ModelProto } | { ok: false; error: string };

export function decodeOnnxModel(bytes: Uint8Array): DecodeResult {
  try {
    const model = onnx.ModelProto.decode(bytes);
    if (!model.graph) return { ok: false, error: 'ModelProto has no graph' };
    return { ok: true, model };
  } catch (e) {
    // protobufjs throws on out-of-range lengths and bad wire types; deep nesting overflows the stack.
    return { ok: false, error: e instanceof Error ? e.message : String(e) };
  }
}

export type { ExternalDataRef, TensorSignature } from '../../../../shared/scan-details.ts';
export type GraphSummary = OnnxGraphSummary;

const STANDARD_DOMAINS = new Set(['', 'ai.onnx', 'ai.onnx.ml', 'ai.onnx.training', 'ai.onnx.preview.training']);

export function signatureOf(v: ValueInfoProto): TensorSignature {
  const tensor = v.type?.tensorType;
  const elementType = tensor ? (ELEMENT_TYPES[tensor.elemType ?? 0]?.name ?? `type${tensor.elemType}`) : 'non-tensor';
  const dims = tensor?.shape?.dim;
  const shape = dims
    ? dims.map((d) => (d.dimParam ? d.dimParam : d.dimValue !== undefined && d.dimValue !== null ? toNumber(d.dimValue) : null))
    : null;
  return { name: v.name ?? '', elementType, shape };
}

export function elementCount(t: TensorProto): number {
  return (t.dims ?? []).reduce<number>((n, d) => n * toNumber(d), 1);
}

/** Every graph in the model, the main one first, then subgraphs of If/Loop/Scan attributes. */
export function allGraphs(root: GraphProto, maxGraphs = 10_000): GraphProto[] {
  const out: GraphProto[] = [];
  const stack: GraphProto[] = [root];
  while (stack.length > 0 && out.length < maxGraphs) {
    const g = stack.pop()!;
    out.push(g);
    for (const node of g.node ?? []) {
      for (const attr of node.attribute ?? []) {
        if (attr.g) stack.push(attr.g);
        for (const sub of attr.graphs ?? []) stack.push(sub);
      }
    }
  }
  return out;
}

export function summarizeModel(model: ModelProto): GraphSummary {
  const graph = model.graph ?? {};
  const graphs = allGraphs(graph);
  // A node may call a function defined in the model itself: its domain is not a custom op library.
  const localFunctions = new Set((model.functions ?? []).map((f) => `${f.domain ?? ''}::${f.name ?? ''}`));
  const isLocal = (domain: string, op: string) => localFunctions.has(`${domain}::${op}`);
  const operators: Record<string, number> = {};
  const domains = new Set<string>();
  let nodeCount = 0;
  let initializerCount = 0;
  let parameterCount = 0;
  const externalData: ExternalDataRef[] = [];
  for (const g of graphs) {
    for (const node of g.node ?? []) {
      nodeCount++;
      const domain = node.domain ?? '';
      if (!STANDARD_DOMAINS.has(domain) && !isLocal(domain, node.opType ?? '')) domains.add(domain);
      const key = domain && domain !== 'ai.onnx' ? `${domain}::${node.opType}` : (node.opType ?? '?');
      operators[key] = (operators[key] ?? 0) + 1;
    }
    for (const t of g.initializer ?? []) {
      initializerCount++;
      parameterCount += elementCount(t);
      if (t.dataLocation === onnx.TensorProto.DataLocation.EXTERNAL || (t.externalData ?? []).length > 0) {
        const kv = new Map((t.externalData ?? []).map((e) => [e.key ?? '', e.value ?? '']));
        const num = (k: string) => (kv.has(k) ? Number(kv.get(k)) : null);
        externalData.push({ tensor: t.name ?? '', location: kv.get('location') ?? '', offset: num('offset'), length: num('length') });
      }
    }
  }
  const localDomains = new Set((model.functions ?? []).map((f) => f.domain ?? ''));
  for (const o of model.opsetImport ?? []) {
    const d = o.domain ?? '';
    if (!STANDARD_DOMAINS.has(d) && !localDomains.has(d)) domains.add(d);
  }
  return {
    irVersion: toNumber(model.irVersion),
    producer: [model.producerName, model.producerVersion].filter(Boolean).join(' '),
    opsets: (model.opsetImport ?? []).map((o) => ({ domain: o.domain ?? '', version: toNumber(o.version) })),
    inputs: (graph.input ?? [])
      .filter((i) => !(graph.initializer ?? []).some((t) => t.name === i.name))
      .map(signatureOf),
    outputs: (graph.output ?? []).map(signatureOf),
    operators,
    nodeCount,
    subgraphCount: graphs.length - 1,
    initializerCount,
    parameterCount,
    customDomains: [...domains].sort(),
    externalData,
  };
}
