// `assay behave`: sandboxed behaviour tests of an ONNX file outside any case (probe run with
// fingerprint, baselines in the workstation's model library, the backdoor suite), and
// `assay behave baselines` to list that library. Exit 0: nothing at or above high; 1: something
// was (a crash, hang or refusal of a hostile model is such a finding); 2: usage or I/O error.
import { readFile } from 'node:fs/promises';
import type { MethodInput } from '../../../shared/api/contract.ts';
import type { BehaveRun } from '../../../shared/api/methods/behave-schemas.ts';
import { atLeast, formatLocation } from '../../../shared/findings.ts';
import { printJson, table, withProgress } from '../output.ts';
import { EXIT, UsageError, type CliContext, type Command, type ExitCode } from '../types.ts';

const pct = (x: number | null | undefined): string => (x === null || x === undefined ? '?' : `${(x * 100).toFixed(0)}%`);
const num = (x: number | null | undefined, digits = 3): string => (x === null || x === undefined ? '∞' : Number(x.toPrecision(digits)).toString());
const shape = (s: (number | string | null)[] | null): string => (s ? `[${s.map((d) => (d === null ? '?' : String(d))).join(', ')}]` : '[?]');

function seconds(value: unknown, option: string, allowZero: boolean): number | undefined {
  if (value === undefined) return undefined;
  const n = Number(value);
  if (!Number.isFinite(n) || n < 0 || (!allowZero && n === 0)) throw new UsageError(`--${option} takes a number of seconds${allowZero ? ' (0 for no limit)' : ''}`);
  return Math.round(n * 1000);
}

async function probeSpec(value: unknown): Promise<unknown> {
  if (typeof value !== 'string') return undefined;
  let text = value.trim();
  if (!text.startsWith('{')) {
    try {
      text = await readFile(value, 'utf8');
    } catch (e) {
      throw new UsageError(`--probes takes a JSON probe specification or a file holding one: ${e instanceof Error ? e.message : String(e)}`);
    }
  }
  try {
    return JSON.parse(text) as unknown;
  } catch {
    throw new UsageError('--probes is not valid JSON (e.g. {"seed": 1, "rows": 128, "inputs": {"input": {"distribution": {"kind": "uniform", "min": 0, "max": 1}}}})');
  }
}

function isolationLines(run: BehaveRun): string[] {
  const iso = run.isolation;
  if (!iso) return ['isolation: no worker was started'];
  const denied = iso.checks.filter((c) => c.denied).length;
  const allowed = iso.checks.filter((c) => !c.denied).map((c) => c.id);
  const as = iso.limits.addressSpaceBytes;
  return [
    `isolation: ${iso.level}${iso.fallbacks.length > 0 ? ` (not ${iso.fallbacks.map((f) => f.level).join(', ')}: ${iso.fallbacks[0]!.reason})` : ''}; ${denied}/${iso.checks.length} forbidden operations denied${allowed.length > 0 ? `, allowed: ${allowed.join(', ')}` : ''}`,
    `limits: ${as !== null ? `address space ${(as / 1024 ** 3).toFixed(2)} GiB, ` : ''}watchdog ${Math.round((iso.limits.timeoutMs ?? 0) / 1000)} s without progress, operation ${run.deadline.ms > 0 ? `${Math.round(run.deadline.ms / 1000)} s` : 'unlimited'}, ${iso.runtime.node}, ${iso.runtime.onnxruntime}`,
  ];
}

function probeLines(run: BehaveRun): string[] {
  const lines: string[] = [];
  if (run.signature) {
    for (const x of run.signature.inputs) lines.push(`input   ${x.name}  ${x.dtype} ${shape(x.shape)}`);
    for (const x of run.signature.outputs) lines.push(`output  ${x.name}  ${x.dtype} ${shape(x.shape)}`);
  }
  const p = run.probe;
  if (p) lines.push(`probes: ${p.rows} rows, ${p.source === 'dataset' ? `from ${p.dataset?.name} (${p.dataset?.columns?.length ?? 'all'} columns)` : `generated, seed ${p.seed}`}, batch ${p.batchSize}`);
  if (run.determinism) lines.push(`determinism: ${run.determinism.deterministic ? 'identical over two runs' : `DIFFERS over two runs (max |diff| ${num(run.determinism.maxAbsDiff)})`}`);
  if (run.fingerprint) lines.push(`fingerprint: ${run.fingerprint.digest} (${run.fingerprint.scheme}, ${run.fingerprint.rows} canonical rows)`);
  if (run.throughput !== null) lines.push(`throughput: ${Math.round(run.throughput)} rows/s in the sandbox`);
  for (const o of run.outputs) {
    const classes = o.classCounts ? `; predicted classes ${o.classCounts.map((n, k) => (n > 0 ? `${k}:${n}` : '')).filter(Boolean).join(' ')}` : '';
    lines.push(`  ${o.name}: ${o.rows} rows of ${shape(o.rowShape)}, min ${num(o.min)} max ${num(o.max)} mean ${num(o.mean)}${classes}`);
  }
  if (run.baseline) lines.push(`baseline "${run.baseline.name}" recorded in the model library (${run.baseline.rows} rows, outputs ${run.baseline.outputs.join(', ')})`);
  const c = run.comparison;
  if (c) {
    lines.push(`compared with baseline "${c.baseline.name}" (${c.baseline.createdAt}, ${c.sameModelDigest ? 'this exact model' : `model ${c.baseline.modelSha256.slice(0, 12)}…`}): ${c.withinTolerance ? 'WITHIN TOLERANCE' : 'DIFFERS'}`);
    lines.push(`  max |difference| ${num(c.outputs.maxAbsDiff)} (tolerance ${c.tolerance.maxAbsDiff}), top-1 agreement ${pct(c.outputs.top1Agreement)} (at least ${pct(c.tolerance.minTop1Agreement)}), fingerprint ${c.fingerprint?.verdict ?? 'not compared'}`);
  }
  return lines;
}

function backdoorLines(run: BehaveRun): string[] {
  const b = run.backdoor;
  if (!b) return [];
  const lines: string[] = [];
  if (b.output) lines.push(`output analysed: ${b.output.name} (${b.output.mode})`);
  lines.push(`1. graph inspection: ${b.graph.length === 0 ? 'no comparison of an input with a constant gates an output' : `${b.graph.length} site(s)`}`);
  for (const s of b.graph.slice(0, 8)) lines.push(`   ${s.op} ${s.node}: ${s.input} ${s.relation} ${s.constant.name} [${s.constant.values.slice(0, 4).map((v) => num(v, 4)).join(', ')}${s.constant.count > 4 ? ', …' : ''}] → ${s.gates.join(', ')} → ${s.outputs.join(', ')}`);
  if (b.confirmations.length > 0) lines.push('2. graph-guided confirmation:');
  for (const c of b.confirmations.slice(0, 8)) {
    lines.push(`   ${c.site === null ? 'all sites' : `site ${c.site}`} (${c.variant}): trigger success ${pct(c.triggerSuccessRate)} vs random control ${pct(c.controlSuccessRate)} → class ${c.targetClass}${c.confirmed ? '  CONFIRMED' : ''}`);
  }
  const sw = b.sweep;
  if (sw) {
    lines.push(`3. ${sw.kind} sweep on ${sw.input}: ${sw.candidates.length} candidates over ${sw.rows} rows, ${sw.flagged.length} flagged`);
    for (const f of sw.flagged.slice(0, 5)) {
      const where = sw.kind === 'patch' ? `${f.pattern} patch at y ${f.y}, x ${f.x}` : `token ${f.token} at ${f.position}`;
      lines.push(`   ${where}: success ${pct(f.successRate)} → class ${f.targetClass} (${pct(f.targetShare)} of triggered rows)`);
    }
  }
  if (b.strip) lines.push(`4. STRIP on ${b.strip.input}: clean median entropy ${num(b.strip.clean.median)}${b.strip.triggered ? `, with ${b.strip.candidate}: ${num(b.strip.triggered.median)}` : ''}${b.strip.flagged ? '  FLAGGED' : ''}`);
  if (b.robustness) lines.push(`robustness (${b.robustness.input}): ${b.robustness.points.map((p) => `noise ${pct(p.relativeStd)} → ${pct(p.agreement)}`).join(' · ')}`);
  for (const s of b.skipped) lines.push(`skipped ${s.stage}: ${s.reason}`);
  return lines;
}

export function behaveText(run: BehaveRun): string {
  const lines = [`${run.modelName}  sha256 ${run.modelSha256}  (${run.kind === 'backdoor' ? 'backdoor suite' : 'probe run'})`];
  lines.push(...isolationLines(run));
  lines.push(...(run.kind === 'backdoor' ? backdoorLines(run) : probeLines(run)));
  if (run.failure) lines.push(`run ended: ${run.failure.kind} during ${run.failure.phase}: ${run.failure.message}`);
  if (run.deadline.hit) lines.push(`the operation's ${Math.round(run.deadline.ms / 1000)} s limit ended it; raise --command-timeout for a large model`);
  lines.push(run.findings.length === 0 ? 'no findings' : `${run.findings.length} finding${run.findings.length === 1 ? '' : 's'}:`);
  for (const f of run.findings) {
    const where = formatLocation(f.location);
    lines.push(`  ${f.severity.padEnd(8)} ${f.ruleId}${where ? ` @ ${where}` : ''}: ${f.message}`);
  }
  return `${lines.join('\n')}\n`;
}

async function runBehave(ctx: CliContext, input: MethodInput<'behave.file'>): Promise<ExitCode> {
  const run = await withProgress(ctx, () => ctx.core().invoke('behave.file', input, { face: 'cli' }));
  if (ctx.json) printJson(ctx, run);
  else ctx.io.out(behaveText(run));
  return run.findings.some((f) => atLeast(f.severity, 'high')) ? EXIT.checkFailed : EXIT.ok;
}

const behave: Command = {
  path: ['behave'],
  usage: 'assay behave MODEL.onnx [--backdoor] [--probes SPEC] [--probe-data FILE [--input NAME] [--columns A,B] [--max-rows N]] [--baseline NAME [--replace] | --compare NAME[@SHA256]] [--timeout S] [--command-timeout S]',
  summary: 'Run an ONNX model in the sandbox: probes with a behavioural fingerprint (optionally recording or comparing a baseline in the model library), or with --backdoor the backdoor suite. Exit 0: nothing at or above high; 1: something was (a crash, hang or refusal counts); 2: usage or I/O error.',
  options: {
    backdoor: { type: 'boolean' },
    probes: { type: 'string' },
    'probe-data': { type: 'string' },
    input: { type: 'string' },
    columns: { type: 'string' },
    'max-rows': { type: 'string' },
    baseline: { type: 'string' },
    replace: { type: 'boolean' },
    compare: { type: 'string' },
    timeout: { type: 'string' },
    'command-timeout': { type: 'string' },
  },
  async run(ctx, args) {
    const [path, ...extra] = args.positionals;
    if (!path) throw new UsageError('give the ONNX model file to run');
    if (extra.length > 0) throw new UsageError(`one model at a time (got ${args.positionals.length} paths)`);
    const v = args.values;
    const backdoor = v.backdoor === true;
    if (backdoor && (v.baseline !== undefined || v.compare !== undefined)) throw new UsageError('--baseline and --compare go with probe runs, not --backdoor');
    if (v.baseline !== undefined && v.compare !== undefined) throw new UsageError('use --baseline NAME to record, or --compare NAME to compare, not both');
    if (v.replace === true && v.baseline === undefined) throw new UsageError('--replace goes with --baseline NAME');
    const dataOnly = ['input', 'columns', 'max-rows'].filter((k) => v[k] !== undefined);
    if (dataOnly.length > 0 && v['probe-data'] === undefined) throw new UsageError(`--${dataOnly[0]} goes with --probe-data FILE`);
    const maxRows = v['max-rows'] === undefined ? undefined : Number(v['max-rows']);
    if (maxRows !== undefined && !(Number.isInteger(maxRows) && maxRows > 0)) throw new UsageError('--max-rows takes a positive whole number');
    const timeoutMs = seconds(v.timeout, 'timeout', false);
    const deadlineMs = seconds(v['command-timeout'], 'command-timeout', true);
    const probes = await probeSpec(v.probes);
    const input: MethodInput<'behave.file'> = {
      path,
      mode: backdoor ? 'backdoor' : 'probe',
      ...(probes !== undefined ? { probes: probes as MethodInput<'behave.file'>['probes'] } : {}),
      ...(typeof v['probe-data'] === 'string'
        ? {
          probeData: {
            path: v['probe-data'],
            ...(typeof v.input === 'string' ? { input: v.input } : {}),
            ...(typeof v.columns === 'string' ? { columns: v.columns.split(',').map((c) => c.trim()).filter(Boolean) } : {}),
            ...(maxRows !== undefined ? { maxRows } : {}),
          },
        }
        : {}),
      ...(typeof v.baseline === 'string' ? { baseline: { name: v.baseline, replace: v.replace === true } } : {}),
      ...(typeof v.compare === 'string' ? { compare: v.compare } : {}),
      ...(timeoutMs !== undefined ? { limits: { timeoutMs } } : {}),
      ...(deadlineMs !== undefined ? { deadlineMs } : {}),
    };
    return runBehave(ctx, input);
  },
};

const baselines: Command = {
  path: ['behave', 'baselines'],
  usage: 'assay behave baselines',
  summary: 'List the baselines of the model library (recorded with `assay behave MODEL --baseline NAME`).',
  async run(ctx, args) {
    if (args.positionals.length > 0) throw new UsageError('assay behave baselines takes no arguments');
    const list = await ctx.core().invoke('behave.baselines.list', {}, { face: 'cli' });
    if (ctx.json) printJson(ctx, list);
    else if (list.length === 0) ctx.io.out('the model library has no baselines yet\n');
    else ctx.io.out(table(list.map((b) => [b.name, `${b.modelSha256.slice(0, 16)}…`, b.createdAt, b.createdBy, String(b.rows), b.probeSource, b.fingerprint ? `${b.fingerprint.slice(0, 16)}…` : '-']), ['NAME', 'MODEL SHA-256', 'RECORDED', 'BY', 'ROWS', 'PROBES', 'FINGERPRINT']));
    return EXIT.ok;
  },
};

export const BEHAVE_COMMANDS: Command[] = [behave, baselines];
