// The frame every sandboxed operation shares: validate the model, open a worker, run the
// operation's body, and turn whatever goes wrong inside the worker into findings. The app
// carries on after any of them; only an environment that cannot start a worker at all
// (SandboxUnavailableError) or a cancellation is thrown.
import { createHash } from 'node:crypto';
import type { Finding } from '../../../shared/findings.ts';
import type { DType, InputPlan } from '../../sandbox/protocol.ts';
import { allocate, fillFrom } from '../../sandbox/probes.ts';
import { behaveFinding } from './findings.ts';
import type { RuntimePaths } from './launcher.ts';
import type { ProbeSpec, ResolvedProbeSet } from './probe-spec.ts';
import { generatedInputs, resolveProbeSet } from './probe-spec.ts';
import { SandboxFailure, SandboxSession } from './session.ts';
import type {
  IsolationChoice, IsolationReport, ProbeRows, ProgressCallback, SandboxFailureInfo, SandboxLimits, Timings,
} from './types.ts';
import { prepareModel, type PreparedModel } from './validate.ts';

/** Options every sandboxed operation takes. */
export interface BehaveOptions {
  /** Display name of the model file, for the scanner and messages. */
  name: string;
  /** External data files by the `location` the model names (read from the reviewed folder by the caller). */
  externalData?: Record<string, Uint8Array>;
  isolation?: IsolationChoice;
  limits?: Partial<SandboxLimits>;
  runtime?: Partial<RuntimePaths>;
  signal?: AbortSignal;
  onProgress?: ProgressCallback;
  /** Record what the worker is denied by attempting it at start-up (default true). */
  selfTest?: boolean;
  /** When the whole operation must end (a `performance.now()` time); passing it kills the worker as a timeout. */
  deadline?: number;
}

const FAILURE_RULES: Record<SandboxFailureInfo['kind'], string> = {
  refused: 'behave.refused',
  timeout: 'behave.sandbox-timeout',
  crash: 'behave.sandbox-crash',
  'out-of-memory': 'behave.sandbox-out-of-memory',
  'output-limit': 'behave.output-limit',
  'load-failed': 'behave.model-load-failed',
  'inference-failed': 'behave.inference-failed',
  protocol: 'behave.protocol-violation',
};

export function failureFinding(info: SandboxFailureInfo, isolation: IsolationReport | null): Finding {
  const exit = info.exit ? (info.exit.signal ? `signal ${info.exit.signal}` : `exit code ${info.exit.code}`) : null;
  return behaveFinding(FAILURE_RULES[info.kind], `${info.message}${info.kind === 'timeout' ? '' : ` (after ${info.elapsedMs} ms)`}`, {
    evidence: {
      kind: info.kind,
      phase: info.phase,
      exit,
      elapsedMs: info.elapsedMs,
      stderrTail: info.stderrTail.split('\n').slice(-12).join('\n'),
      isolationLevel: isolation?.level ?? null,
      limits: isolation?.limits ?? null,
    },
  });
}

export function degradedFinding(isolation: IsolationReport): Finding | null {
  if (isolation.level === 'bubblewrap') return null;
  const allowed = isolation.checks.filter((c) => !c.denied).map((c) => c.id);
  const why = isolation.fallbacks.map((f) => `${f.level}: ${f.reason}`).join('; ');
  return behaveFinding('behave.isolation-degraded', `the worker ran at isolation level "${isolation.level}"${why ? ` (${why})` : isolation.wanted !== 'auto' ? ' (chosen explicitly)' : ''}${allowed.length > 0 ? `; not denied: ${allowed.join(', ')}` : ''}`, {
    evidence: { level: isolation.level, fallbacks: isolation.fallbacks, notDenied: allowed },
  });
}

export function sha256(bytes: Uint8Array): string {
  return createHash('sha256').update(bytes).digest('hex');
}

export interface SandboxContext {
  session: SandboxSession;
  prepared: PreparedModel;
  probe: ResolvedProbeSet;
  progress: ProgressCallback;
  signal: AbortSignal | undefined;
  /** Findings the body adds; failure findings are added by the frame. */
  findings: Finding[];
}

export interface SandboxedOutcome<T> {
  value: T | null;
  findings: Finding[];
  isolation: IsolationReport | null;
  failure: SandboxFailureInfo | null;
  prepared: PreparedModel | null;
  probe: ResolvedProbeSet | null;
  timings: Timings;
  modelSha256: string;
}

/** Validates, launches and runs `body` in a sandbox; never throws for anything the model does. */
export async function runSandboxed<T>(
  bytes: Uint8Array,
  options: BehaveOptions,
  spec: ProbeSpec | undefined,
  body: (ctx: SandboxContext) => Promise<T>,
): Promise<SandboxedOutcome<T>> {
  const started = performance.now();
  const progress: ProgressCallback = options.onProgress ?? (() => {});
  const modelSha256 = sha256(bytes);
  const timings: Timings = { validateMs: 0, launchMs: 0, loadMs: 0, firstResultMs: null, totalMs: 0 };
  const outcome = (partial: Partial<SandboxedOutcome<T>>): SandboxedOutcome<T> => {
    timings.totalMs = performance.now() - started;
    return { value: null, findings: [], isolation: null, failure: null, prepared: null, probe: null, timings, modelSha256, ...partial };
  };

  progress({ stage: 'validate', done: 0, total: 1 });
  const prep = await prepareModel(bytes, { name: options.name, ...(options.externalData ? { externalData: options.externalData } : {}), ...(options.signal ? { signal: options.signal } : {}) });
  timings.validateMs = performance.now() - started;
  if (!prep.ok) {
    const f = prep.findings[0]!;
    return outcome({
      findings: prep.findings,
      failure: { kind: 'refused', message: f.message, phase: 'validate', exit: null, stderrTail: '', elapsedMs: Math.round(timings.validateMs) },
    });
  }
  const prepared = prep.prepared;
  const resolved = resolveProbeSet(prepared.model, spec);
  if (!resolved.ok) {
    return outcome({ prepared, findings: [behaveFinding('behave.not-probed', `${options.name}: ${resolved.reason}`, { evidence: { reason: resolved.reason } })] });
  }
  const probe = resolved.probe;

  progress({ stage: 'launch', done: 0, total: 1 });
  let session: SandboxSession;
  try {
    session = await SandboxSession.open(prepared.bytes, {
      ...(options.isolation ? { isolation: options.isolation } : {}),
      ...(options.limits ? { limits: options.limits } : {}),
      ...(options.runtime ? { runtime: options.runtime } : {}),
      ...(options.signal ? { signal: options.signal } : {}),
      ...(options.selfTest !== undefined ? { selfTest: options.selfTest } : {}),
      ...(options.deadline !== undefined ? { deadline: options.deadline } : {}),
    });
  } catch (e) {
    if (e instanceof SandboxFailure) {
      const findings = [failureFinding(e.info, e.isolation)];
      const degraded = e.isolation ? degradedFinding(e.isolation) : null;
      if (degraded) findings.push(degraded);
      return outcome({ prepared, probe, findings, isolation: e.isolation, failure: e.info });
    }
    throw e;
  }
  timings.launchMs = session.launchMs;
  timings.loadMs = session.loadMs;
  progress({ stage: 'load', done: 1, total: 1 });
  const isolation = session.isolation!;
  const findings: Finding[] = [];
  const degraded = degradedFinding(isolation);
  if (degraded) findings.push(degraded);
  try {
    const value = await body({ session, prepared, probe, progress, signal: options.signal, findings });
    timings.firstResultMs = session.firstResultMs;
    await session.close();
    progress({ stage: 'done', done: 1, total: 1 });
    return outcome({ value, prepared, probe, findings, isolation });
  } catch (e) {
    timings.firstResultMs = session.firstResultMs;
    await session.close();
    if (e instanceof SandboxFailure) {
      findings.unshift(failureFinding(e.info, isolation));
      return outcome({ prepared, probe, findings, isolation, failure: e.info });
    }
    throw e;
  }
}

/** Checks auditor-supplied rows against the probe set and sends them to the worker as datasets. */
export async function uploadRows(session: SandboxSession, probe: ResolvedProbeSet, rows: ProbeRows, prefix = 'rows'): Promise<{ plans: Record<string, InputPlan>; rows: number; digest: string }> {
  const plans = generatedInputs(probe);
  const hash = createHash('sha256');
  let count: number | null = null;
  for (const input of probe.inputs) {
    const m = rows[input.name];
    if (!m) continue;
    const rowLen = input.rowShape.reduce((a, d) => a * d, 1);
    const declared = m.rowShape ? m.rowShape.reduce((a, d) => a * d, 1) : rowLen;
    if (declared !== rowLen || m.values.length !== m.rows * rowLen || m.rows < 1) {
      throw new RangeError(`probe rows for ${input.name}: ${m.rows} rows of ${declared} values (${m.values.length} in all) do not fit the input's rows of ${rowLen} values [${input.rowShape.join(', ')}]`);
    }
    if (count !== null && count !== m.rows) throw new RangeError(`probe rows disagree in count between inputs (${count} and ${m.rows})`);
    count = m.rows;
    const data = allocate(input.dtype as DType, m.values.length);
    fillFrom(data, m.values);
    const bytes = new Uint8Array(data.buffer, data.byteOffset, data.byteLength);
    hash.update(input.name).update(bytes);
    const name = `${prefix}:${input.name}`;
    await session.sendDataset(name, input.dtype, input.rowShape, m.rows, bytes);
    plans[input.name] = { source: 'dataset', dtype: input.dtype, rowShape: input.rowShape, dataset: name };
  }
  for (const name of Object.keys(rows)) {
    if (!probe.inputs.some((x) => x.name === name)) throw new RangeError(`probe rows given for ${name}, which is not an input of the model`);
  }
  return { plans, rows: count ?? probe.rows, digest: hash.digest('hex') };
}
