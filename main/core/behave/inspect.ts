// Static introspection of an ONNX model for the behaviour tab, without running it: inputs and
// outputs with element types and shapes (symbolic dimensions by name), the graph summary, the
// probes the sandbox would generate by default, and the static trigger sites of stage 1.
import { decodeOnnxModel, summarizeModel, type GraphSummary, type TensorSignature } from '../formats/onnx/decode.ts';
import { findGraphTriggers, type GraphTriggerSite } from './graph-triggers.ts';
import { graphInputs, graphOutputs, resolveProbeSet, type ProbeSpec, type ResolvedProbeSet } from './probe-spec.ts';

export interface ModelInspection {
  ok: boolean;
  error: string | null;
  inputs: TensorSignature[];
  outputs: TensorSignature[];
  summary: GraphSummary | null;
  /** The probe set a run would use, or why none can be generated. */
  probes: ResolvedProbeSet | null;
  probeError: string | null;
  graphTriggers: GraphTriggerSite[];
}

export function inspectModel(bytes: Uint8Array, spec?: ProbeSpec): ModelInspection {
  const decoded = decodeOnnxModel(bytes);
  if (!decoded.ok) {
    return { ok: false, error: decoded.error, inputs: [], outputs: [], summary: null, probes: null, probeError: null, graphTriggers: [] };
  }
  const model = decoded.model;
  const resolved = resolveProbeSet(model, spec);
  return {
    ok: true,
    error: null,
    inputs: graphInputs(model),
    outputs: graphOutputs(model),
    summary: summarizeModel(model),
    probes: resolved.ok ? resolved.probe : null,
    probeError: resolved.ok ? null : resolved.reason,
    graphTriggers: resolved.ok ? findGraphTriggers(model, resolved.probe) : [],
  };
}
