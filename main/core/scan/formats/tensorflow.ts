// TensorFlow SavedModel (`saved_model.pb`) and GraphDef: inventories the ops of every graph and of
// every function in its library, and reports the ones that run Python, touch files or print.
import type { Severity } from '../../../../shared/findings.ts';
import type { ByteSource } from '../../io/byte-source.ts';
import type { Analyzer, ScanContext } from '../types.ts';
import { CappedReporter } from './common/capped-report.ts';
import { errorText, WindowReader } from './common/read.ts';
import { TF, type DecodedNode } from './tensorflow/proto.ts';
import { lengthDelimitedFields, WireError } from './tensorflow/walk.ts';

interface OpRule {
  matches(op: string): boolean;
  ruleId: string;
  severity: Severity;
  what: string;
}

const named = (...ops: string[]): ((op: string) => boolean) => {
  const set = new Set(ops);
  return (op) => set.has(op);
};

/** The first matching rule decides; ops matching none are inventoried only. */
const OP_RULES: readonly OpRule[] = [
  { matches: named('PyFunc', 'PyFuncStateless', 'EagerPyFunc'), ruleId: 'scan.tensorflow.pyfunc', severity: 'high', what: 'calls a Python function registered in the serving process' },
  {
    matches: named('ReadFile', 'WriteFile', 'MatchingFiles', 'LoadAndRemapMatrix', 'ImmutableConst', 'WholeFileReader', 'WholeFileReaderV2',
      'TextLineReader', 'TextLineReaderV2', 'FixedLengthRecordReader', 'FixedLengthRecordReaderV2', 'TFRecordReader', 'TFRecordReaderV2', 'LMDBReader'),
    ruleId: 'scan.tensorflow.file-access', severity: 'medium', what: 'reads, writes or lists files',
  },
  // Checkpoint and lookup-table initialisation ops are in every SavedModel that has variables or
  // vocabularies: listed for review, not raised.
  { matches: (op) => /^(Save|Restore)/.test(op) || op === 'MergeV2Checkpoints', ruleId: 'scan.tensorflow.file-access', severity: 'low', what: 'saves or restores a checkpoint' },
  { matches: (op) => op.startsWith('InitializeTable'), ruleId: 'scan.tensorflow.file-access', severity: 'low', what: 'initialises a lookup table, possibly from a file' },
  { matches: named('Print', 'PrintV2', 'Assert'), ruleId: 'scan.tensorflow.debug-op', severity: 'low', what: 'prints or asserts at run time' },
];

type Container = 'SavedModel' | 'MetaGraphDef' | 'GraphDef' | 'FunctionDefLibrary' | 'FunctionDef';
type Child = { container: Container } | { leaf: 'NodeDef' | 'OpDef' };

/** Which fields of each container hold what (field numbers from the TensorFlow protos). */
const SCHEMA: Record<Container, Record<number, Child>> = {
  SavedModel: { 2: { container: 'MetaGraphDef' } },
  MetaGraphDef: { 2: { container: 'GraphDef' } },
  GraphDef: { 1: { leaf: 'NodeDef' }, 2: { container: 'FunctionDefLibrary' } },
  FunctionDefLibrary: { 1: { container: 'FunctionDef' } },
  FunctionDef: { 1: { leaf: 'OpDef' }, 3: { leaf: 'NodeDef' } },
};

/** NodeDefs up to this size are decoded whole; larger ones (big constants) only for name and op. */
const MAX_DECODED_NODE = 16 * 1024 * 1024;
const MAX_DEPTH = 16;

interface Hit {
  node: string;
  fn: string | null;
  token?: string;
}

class Inventory {
  readonly ops = new Map<string, number>();
  readonly hits = new Map<string, Hit[]>();
  nodes = 0;
  functions = 0;

  add(node: DecodedNode, fn: string | null): void {
    const op = node.op ?? '';
    this.nodes++;
    this.ops.set(op, (this.ops.get(op) ?? 0) + 1);
    if (!OP_RULES.some((r) => r.matches(op))) return;
    const list = this.hits.get(op) ?? [];
    if (list.length < 50) {
      const token = node.attr?.token?.s;
      list.push({ node: node.name ?? '', fn, ...(token ? { token: new TextDecoder().decode(token) } : {}) });
    }
    this.hits.set(op, list);
  }
}

export async function analyzeTensorflow(source: ByteSource, ctx: ScanContext): Promise<void> {
  const r = new WindowReader(source);
  const inv = new Inventory();
  const out = new CappedReporter(ctx);
  const top: Container = ctx.format === 'tf-savedmodel' ? 'SavedModel' : 'GraphDef';
  try {
    await walk(r, top, 0, source.size, null, inv, ctx, out, 0);
  } catch (e) {
    if (!(e instanceof WireError || e instanceof RangeError)) throw e;
    out.report({
      ruleId: 'scan.tensorflow.malformed', severity: 'medium',
      message: `${top} protobuf is malformed: ${errorText(e)}; ops after this point were not inventoried`,
      location: e instanceof WireError ? { byteOffset: e.at } : {},
    });
  }
  reportHits(inv, out, ctx.format);
  out.flush();
  ctx.detail('tensorflow', { container: top, nodes: inv.nodes, functions: inv.functions, ops: Object.fromEntries([...inv.ops].sort((a, b) => b[1] - a[1])) });
}

async function walk(
  r: WindowReader, type: Container, start: number, end: number, fn: string | null,
  inv: Inventory, ctx: ScanContext, out: CappedReporter, depth: number,
): Promise<void> {
  if (depth > MAX_DEPTH) throw new WireError('messages nested deeper than any TensorFlow model needs', start);
  let currentFn = fn;
  if (type === 'FunctionDef') inv.functions++;
  for await (const f of lengthDelimitedFields(r, start, end)) {
    ctx.budget.checkTime();
    const child = SCHEMA[type][f.field];
    if (!child) continue;
    if ('container' in child) {
      await walk(r, child.container, f.start, f.end, currentFn, inv, ctx, out, depth + 1);
      continue;
    }
    if (child.leaf === 'OpDef') {
      currentFn = await decodeOpName(r, f.start, f.end);
      continue;
    }
    const node = await decodeNode(r, f.start, f.end, currentFn, out);
    if (node) inv.add(node, currentFn);
  }
}

async function decodeOpName(r: WindowReader, start: number, end: number): Promise<string | null> {
  if (end - start > 1024 * 1024) return null;
  try {
    const op = TF.OpDef.toObject(TF.OpDef.decode(await r.bytes(start, end - start))) as { name?: string };
    return op.name ?? null;
  } catch {
    return null;
  }
}

async function decodeNode(r: WindowReader, start: number, end: number, fn: string | null, out: CappedReporter): Promise<DecodedNode | null> {
  const size = end - start;
  if (size > MAX_DECODED_NODE) return decodeNameAndOp(r, start, end);
  try {
    return TF.NodeDef.toObject(TF.NodeDef.decode(await r.bytes(start, size)), { defaults: false }) as DecodedNode;
  } catch (e) {
    out.report({
      ruleId: 'scan.tensorflow.malformed', severity: 'medium',
      message: `a NodeDef${fn ? ` in function ${fn}` : ''} does not decode: ${errorText(e)}`,
      location: { byteOffset: start },
    });
    return null;
  }
}

/** Name and op of a very large NodeDef, read field by field without loading its constants. */
async function decodeNameAndOp(r: WindowReader, start: number, end: number): Promise<DecodedNode> {
  const node: DecodedNode = {};
  for await (const f of lengthDelimitedFields(r, start, end)) {
    if ((f.field !== 1 && f.field !== 2) || f.end - f.start > 65536) continue;
    const text = new TextDecoder().decode(await r.bytes(f.start, f.end - f.start));
    if (f.field === 1) node.name = text;
    else node.op = text;
  }
  return node;
}

function reportHits(inv: Inventory, out: CappedReporter, format: string): void {
  for (const [op, hits] of inv.hits) {
    const rule = OP_RULES.find((r) => r.matches(op))!;
    const count = inv.ops.get(op) ?? hits.length;
    const where = hits.slice(0, 5).map((h) => (h.fn ? `${h.node} in function ${h.fn}` : h.node)).join(', ');
    const tokens = [...new Set(hits.map((h) => h.token).filter((t): t is string => t !== undefined))];
    const first = hits[0];
    out.report({
      ruleId: rule.ruleId,
      severity: rule.severity,
      message: `${count} ${op} op${count === 1 ? '' : 's'} in the ${format === 'tf-savedmodel' ? 'SavedModel' : 'graph'} (${where}${count > 5 ? ', ...' : ''}): ${rule.what}${tokens.length > 0 ? `; registered Python functions: ${tokens.join(', ')}` : ''}`,
      location: first ? { node: first.node } : {},
      evidence: { op, count, nodes: hits.map((h) => ({ node: h.node, function: h.fn })), ...(tokens.length > 0 ? { pythonFunctions: tokens } : {}) },
    });
  }
}

export const tensorflowAnalyzer: Analyzer = {
  formats: ['tf-savedmodel', 'tf-graphdef'],
  analyze: analyzeTensorflow,
};
