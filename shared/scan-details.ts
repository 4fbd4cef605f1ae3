// Shapes of the analyzer details stored with a scan report (`units[i].details[key]`) that the
// renderer draws. Types only: the analyzers produce them, the views read them.

export interface TensorSignature {
  name: string;
  elementType: string;
  /** Dimensions: a number, a symbolic name, or null when unknown. */
  shape: (number | string | null)[] | null;
}

export interface ExternalDataRef {
  tensor: string;
  location: string;
  offset: number | null;
  length: number | null;
}

/** `details.onnx`: the graph summary of an ONNX model. */
export interface OnnxGraphSummary {
  irVersion: number;
  producer: string;
  opsets: { domain: string; version: number }[];
  inputs: TensorSignature[];
  outputs: TensorSignature[];
  /** Node count per operator, keyed `op` for the default domain and `domain::op` otherwise. */
  operators: Record<string, number>;
  nodeCount: number;
  /** Nodes in subgraphs (If/Loop/Scan bodies) are counted too. */
  subgraphCount: number;
  initializerCount: number;
  /** Elements across all initializers. */
  parameterCount: number;
  /** Operator domains other than the standard ones and the model's own local functions. */
  customDomains: string[];
  externalData: ExternalDataRef[];
}
