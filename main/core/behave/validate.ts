// What the host checks before a model may enter the sandbox: the scanner's verdict (its ONNX
// checks), a decodable graph, standard operator domains only (a custom domain needs a native
// library, which the sandbox never loads), and external data supplied by the caller as
// buffers. External data is inlined here, so onnxruntime never sees a path to resolve.
import type { Finding } from '../../../shared/findings.ts';
import { atLeast } from '../../../shared/findings.ts';
import { decodeOnnxModel, summarizeModel, type GraphSummary } from '../formats/onnx/decode.ts';
import { onnx, type ModelProto } from '../formats/onnx/proto.ts';
import { BufferSource } from '../io/byte-source.ts';
import { scanSource } from '../scan/engine.ts';
import { behaveFinding } from './findings.ts';
import { forEachTensor, isExternal, modelGraphs, TENSOR_BYTES, tensorDims } from './onnx-tensors.ts';

export interface PrepareOptions {
  /** Display name of the model file (the scanner compares its extension with the content). */
  name: string;
  /** External data files by the `location` the model names, read by the caller from the reviewed folder. */
  externalData?: Record<string, Uint8Array>;
  signal?: AbortSignal;
}

export interface PreparedModel {
  /** The bytes the worker receives: the model with any external data inlined. */
  bytes: Uint8Array;
  model: ModelProto;
  summary: GraphSummary;
  /** External data locations that were inlined. */
  inlined: string[];
  /** Findings of the scanner on the original bytes (none of them high or worse). */
  scanFindings: Finding[];
}

export type Preparation =
  | { ok: true; prepared: PreparedModel }
  | { ok: false; findings: Finding[]; scanFindings: Finding[] };

/** Domains onnxruntime implements itself; any other needs a custom-op library (com.microsoft holds its contrib ops). */
const RUNTIME_DOMAINS = /^(|ai\.onnx|ai\.onnx\.ml|ai\.onnx\.preview\.training|com\.microsoft(\..+)?|com\.ms\.internal\.nhwc)$/;

/** Operator domains nodes use that onnxruntime does not implement, calls to the model's own functions excepted. */
function customDomains(model: ModelProto): string[] {
  const local = new Set((model.functions ?? []).map((f) => `${f.domain ?? ''}::${f.name ?? ''}`));
  const found = new Set<string>();
  for (const g of modelGraphs(model)) {
    for (const n of g.node ?? []) {
      const domain = n.domain ?? '';
      if (!RUNTIME_DOMAINS.test(domain) && !local.has(`${domain}::${n.opType ?? ''}`)) found.add(domain);
    }
  }
  return [...found].sort();
}

/** A relative path that stays inside the model's folder: no root, drive, backslash, `.` or `..` segment. */
export function isContainedLocation(location: string): boolean {
  if (location.length === 0 || location.length > 1024 || location.includes('\0') || location.includes('\\') || location.includes(':')) return false;
  if (location.startsWith('/')) return false;
  return location.split('/').every((seg) => seg.length > 0 && seg !== '.' && seg !== '..');
}

function refuse(message: string, evidence: Record<string, unknown>, scanFindings: Finding[]): Preparation {
  return { ok: false, findings: [behaveFinding('behave.refused', message, { evidence })], scanFindings };
}

function brief(f: Finding): Record<string, unknown> {
  return { ruleId: f.ruleId, severity: f.severity, message: f.message };
}

export async function prepareModel(bytes: Uint8Array, options: PrepareOptions): Promise<Preparation> {
  const report = await scanSource(new BufferSource(bytes), { name: options.name, ...(options.signal ? { signal: options.signal } : {}) });
  const scanFindings = report.findings;
  if (report.format !== 'onnx') {
    return refuse(`${options.name} is not an ONNX model (its content is ${report.formatDetail}); the sandbox runs ONNX models only`, { format: report.format }, scanFindings);
  }
  const serious = scanFindings.filter((f) => atLeast(f.severity, 'high'));
  if (serious.length > 0 || report.verdict === 'malicious' || report.verdict === 'malformed') {
    const first = serious[0] ?? scanFindings[0];
    return refuse(
      `the scanner judged ${options.name} ${report.verdict}${first ? ` (${first.ruleId}: ${first.message})` : ''}; it was not run`,
      { verdict: report.verdict, scanFindings: (serious.length > 0 ? serious : scanFindings).slice(0, 20).map(brief) },
      scanFindings,
    );
  }
  const decoded = decodeOnnxModel(bytes);
  if (!decoded.ok) return refuse(`${options.name} cannot be decoded as an ONNX model: ${decoded.error}`, { error: decoded.error }, scanFindings);
  const model = decoded.model;
  const summary = summarizeModel(model);
  const domains = customDomains(model);
  if (domains.length > 0) {
    return refuse(
      `${options.name} uses operator domain(s) ${domains.join(', ')}, which need a custom-op library; the sandbox never loads native libraries`,
      { domains },
      scanFindings,
    );
  }

  const inlined = new Set<string>();
  const problems: string[] = [];
  forEachTensor(model, (t, where) => {
    if (!isExternal(t)) return;
    const kv = new Map((t.externalData ?? []).map((e) => [e.key ?? '', e.value ?? '']));
    const location = kv.get('location') ?? '';
    if (!isContainedLocation(location)) {
      problems.push(`${where} reads external data from "${location}", outside the model's folder`);
      return;
    }
    const data = options.externalData?.[location];
    if (!data) {
      problems.push(`${where} needs external data "${location}", which was not supplied`);
      return;
    }
    const size = TENSOR_BYTES[t.dataType ?? 0];
    const elements = tensorDims(t).reduce((a, d) => a * d, 1);
    const offset = kv.has('offset') ? Number(kv.get('offset')) : 0;
    const expected = size !== undefined ? elements * size : NaN;
    const length = kv.has('length') ? Number(kv.get('length')) : expected;
    if (!Number.isSafeInteger(offset) || !Number.isSafeInteger(length) || offset < 0 || length < 0 || length !== expected || offset + length > data.byteLength) {
      problems.push(`${where}: external data "${location}" offset ${kv.get('offset') ?? 0} length ${kv.get('length') ?? '(all)'} does not fit the ${data.byteLength}-byte file or the tensor's ${expected} bytes`);
      return;
    }
    t.rawData = data.slice(offset, offset + length);
    t.externalData = [];
    t.dataLocation = onnx.TensorProto.DataLocation.DEFAULT;
    inlined.add(location);
  });
  if (problems.length > 0) {
    return refuse(`${options.name}: ${problems[0]}${problems.length > 1 ? ` (and ${problems.length - 1} more)` : ''}`, { externalData: problems.slice(0, 20) }, scanFindings);
  }
  const out = inlined.size > 0 ? onnx.ModelProto.encode(model).finish() : bytes;
  return { ok: true, prepared: { bytes: out, model, summary, inlined: [...inlined], scanFindings } };
}
