// Builds ONNX models in code: the demo case's sample model and the test fixtures (no model can be
// downloaded here). Thin helpers over the onnx-proto classes; each returns plain protobuf
// objects so graphs compose freely.
import { seededRandom } from '../../../../shared/seeded-random.ts';
import { onnx, type AttributeProto, type GraphProto, type NodeProto, type TensorProto, type ValueInfoProto } from './proto.ts';

export const FLOAT = 1;
export const INT64 = 7;
export const BOOL = 9;

export type Dim = number | string;

export function valueInfo(name: string, dims: Dim[], elemType = FLOAT): ValueInfoProto {
  return {
    name,
    type: {
      tensorType: {
        elemType,
        shape: { dim: dims.map((d) => (typeof d === 'string' ? { dimParam: d } : { dimValue: d })) },
      },
    },
  };
}

export function floatTensor(name: string, dims: number[], values: ArrayLike<number>): TensorProto {
  const data = Float32Array.from(values);
  return { name, dims, dataType: FLOAT, rawData: new Uint8Array(data.buffer) };
}

export function int64Tensor(name: string, dims: number[], values: ArrayLike<number>): TensorProto {
  const data = BigInt64Array.from(Array.from(values, (v) => BigInt(v)));
  return { name, dims, dataType: INT64, rawData: new Uint8Array(data.buffer) };
}

type AttrValue = number | number[] | string | TensorProto | { graph: GraphProto };

export function node(opType: string, inputs: string[], outputs: string[], attrs: Record<string, AttrValue> = {}, domain = ''): NodeProto {
  const attribute = Object.entries(attrs).map(([name, v]): AttributeProto => {
    const A = onnx.AttributeProto.AttributeType;
    if (typeof v === 'number') return Number.isInteger(v) ? { name, type: A.INT, i: v } : { name, type: A.FLOAT, f: v };
    if (typeof v === 'string') return { name, type: A.STRING, s: new TextEncoder().encode(v) };
    if (Array.isArray(v)) return v.every(Number.isInteger) ? { name, type: A.INTS, ints: v } : { name, type: A.FLOATS, floats: v };
    if ('graph' in v) return { name, type: A.GRAPH, g: v.graph };
    return { name, type: A.TENSOR, t: v };
  });
  return { opType, input: inputs, output: outputs, name: `${opType}_${outputs[0] ?? ''}`, attribute, domain };
}

export interface ModelSpec {
  inputs: ValueInfoProto[];
  outputs: ValueInfoProto[];
  nodes: NodeProto[];
  initializers?: TensorProto[];
  opset?: number;
  extraOpsets?: { domain: string; version: number }[];
  irVersion?: number;
  name?: string;
}

export function buildModel(spec: ModelSpec): Uint8Array {
  const model = onnx.ModelProto.create({
    irVersion: spec.irVersion ?? 8,
    producerName: 'assay-tests',
    opsetImport: [{ domain: '', version: spec.opset ?? 17 }, ...(spec.extraOpsets ?? [])],
    graph: {
      name: spec.name ?? 'graph',
      input: spec.inputs,
      output: spec.outputs,
      node: spec.nodes,
      initializer: spec.initializers ?? [],
    },
  });
  return onnx.ModelProto.encode(model).finish();
}

export { seededRandom };

/** A dense ReLU MLP classifier with softmax output, weights from a seed. */
export function mlpClassifier(sizes: number[], seed = 1): Uint8Array {
  const rand = seededRandom(seed);
  const nodes: NodeProto[] = [];
  const inits: TensorProto[] = [];
  let prev = 'input';
  for (let i = 0; i < sizes.length - 1; i++) {
    const fanIn = sizes[i]!;
    const fanOut = sizes[i + 1]!;
    const scale = Math.sqrt(2 / fanIn);
    inits.push(floatTensor(`W${i}`, [fanIn, fanOut], Array.from({ length: fanIn * fanOut }, () => (rand() * 2 - 1) * scale)));
    inits.push(floatTensor(`B${i}`, [fanOut], Array.from({ length: fanOut }, () => (rand() * 2 - 1) * 0.1)));
    nodes.push(node('Gemm', [prev, `W${i}`, `B${i}`], [`h${i}`]));
    prev = `h${i}`;
    if (i < sizes.length - 2) {
      nodes.push(node('Relu', [prev], [`r${i}`]));
      prev = `r${i}`;
    }
  }
  nodes.push(node('Softmax', [prev], ['probabilities'], { axis: 1 }));
  return buildModel({
    inputs: [valueInfo('input', ['batch', sizes[0]!])],
    outputs: [valueInfo('probabilities', ['batch', sizes[sizes.length - 1]!])],
    nodes,
    initializers: inits,
  });
}
