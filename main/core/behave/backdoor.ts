// The backdoor suite, strongest evidence first, all in one sandboxed worker:
//  1. static graph inspection for architectural triggers (graph-triggers.ts);
//  2. graph-guided confirmation: write the compared constants into probes and measure how often
//     the prediction flips, against writing random values at the same positions;
//  3. trigger sweeps for triggers trained into weights: extreme-value patches over a grid of
//     positions (image inputs), or candidate tokens inserted (token inputs);
//  4. STRIP: entropy of predictions on superimposed inputs, clean versus carrying the best
//     candidate trigger (with the auditor's clean samples when given);
// plus a robustness curve (agreement under growing input noise). An exact-value trigger built
// into the graph survives random probes and STRIP unchanged, which is why 1 and 2 come first.
import type { Finding } from '../../../shared/findings.ts';
import type { Edit } from '../../sandbox/protocol.ts';
import { mix32 } from '../../sandbox/probes.ts';
import {
  DEFAULT_THRESHOLDS, type BackdoorOptions, type BackdoorReport, type BackdoorStage, type BackdoorThresholds, type SuiteState,
} from './backdoor-types.ts';
import { behaveFinding } from './findings.ts';
import { findGraphTriggers, type GraphTriggerSite, type TriggerValues } from './graph-triggers.ts';
import { generatedInputs, type ResolvedProbeSet } from './probe-spec.ts';
import { effect, enoughRows, pickOutput, Prober, setEdit, successRate } from './prober.ts';
import { robustnessStage } from './robustness.ts';
import { runSandboxed, uploadRows, type BehaveOptions } from './sandboxed.ts';
import { stripFinding, stripStage } from './strip.ts';
import { patchSweep, sweepFindings, tokenSweep } from './sweep.ts';

export * from './backdoor-types.ts';

function unionTriggers(list: TriggerValues[]): TriggerValues {
  const m = new Map<number, number>();
  for (const t of list) t.offsets.forEach((o, i) => {
    if (!m.has(o)) m.set(o, t.values[i]!);
  });
  const offsets = [...m.keys()];
  return { offsets, values: offsets.map((o) => m.get(o)!) };
}

function brief(t: TriggerValues): Record<string, unknown> {
  return { offsets: t.offsets.slice(0, 32), values: t.values.slice(0, 32), count: t.offsets.length };
}

export async function detectBackdoors(bytes: Uint8Array, options: BackdoorOptions): Promise<BackdoorReport> {
  const th: BackdoorThresholds = { ...DEFAULT_THRESHOLDS, ...options.thresholds };
  const on = (s: BackdoorStage) => options.stages?.[s] ?? true;
  const report: SuiteState = {
    output: null, graph: [], confirmations: [], sweep: null, strip: null, robustness: null, skipped: [],
  };
  const o = await runSandboxed(bytes, options, options.probes, async (ctx) => {
    const { session, probe, progress } = ctx;
    const output = pickOutput(session.io.outputs, options.output);
    if (!output) {
      ctx.findings.push(behaveFinding('behave.not-probed', `${options.name}: no numeric output to analyse${options.output ? ` (asked for ${options.output})` : ''}`));
      return false;
    }
    report.output = output;
    let inputs = generatedInputs(probe);
    let datasetRows: number | null = null;
    const clean = options.cleanRows && Object.keys(options.cleanRows).length > 0;
    if (clean) {
      const up = await uploadRows(session, probe, options.cleanRows!, 'clean');
      inputs = up.plans;
      datasetRows = up.rows;
    }
    const prober = new Prober(session, probe, output, inputs, datasetRows);

    // Stage 1: static graph inspection (no inference).
    if (on('graph')) {
      progress({ stage: 'graph', done: 0, total: 1 });
      report.graph = findGraphTriggers(ctx.prepared.model, probe);
    } else {
      report.skipped.push({ stage: 'graph', reason: 'disabled' });
    }

    // Stage 2: graph-guided confirmation.
    const confirmable = report.graph.map((s, i) => ({ s, i })).filter(({ s }) => s.trigger && s.trigger.offsets.length > 0);
    if (on('confirm') && confirmable.length > 0) {
      await confirmStage(prober, probe, report, confirmable, th, options.confirmRows ?? 128, progress);
    } else if (report.graph.length > 0) {
      report.skipped.push({ stage: 'confirm', reason: on('confirm') ? 'no site could be traced to input values' : 'disabled' });
    }
    graphFindings(ctx.findings, report);

    // Stage 3: trigger sweep.
    if (on('sweep')) {
      const image = probe.inputs.find((x) => x.kind === 'image');
      const tokens = probe.inputs.find((x) => x.kind === 'tokens');
      if (image) report.sweep = await patchSweep(prober, image, options.sweep ?? {}, th, progress);
      else if (tokens) report.sweep = await tokenSweep(prober, tokens, options.sweep ?? {}, th, progress);
      else report.skipped.push({ stage: 'sweep', reason: 'no image-shaped or token-id input' });
      if (report.sweep) sweepFindings(ctx.findings, report.sweep);
    } else {
      report.skipped.push({ stage: 'sweep', reason: 'disabled' });
    }

    // Stage 4: STRIP.
    const stripInput = probe.inputs.find((x) => x.name === report.sweep?.input && x.dtype.startsWith('float')) ?? probe.inputs.find((x) => x.dtype.startsWith('float'));
    if (!on('strip')) report.skipped.push({ stage: 'strip', reason: 'disabled' });
    else if (output.mode !== 'argmax') report.skipped.push({ stage: 'strip', reason: 'the output has no class axis' });
    else if (!stripInput) report.skipped.push({ stage: 'strip', reason: 'no float input to superimpose' });
    else {
      report.strip = await stripStage(prober, stripInput, report, options, th, Boolean(options.cleanRows?.[stripInput.name]), progress);
      if (report.strip.flagged) stripFinding(ctx.findings, report.strip);
    }

    // Robustness curve.
    const noisy = stripInput ?? probe.inputs.find((x) => x.dtype.startsWith('float'));
    if (!on('robustness')) report.skipped.push({ stage: 'robustness', reason: 'disabled' });
    else if (!noisy) report.skipped.push({ stage: 'robustness', reason: 'no float input' });
    else report.robustness = await robustnessStage(prober, noisy, options.robustness ?? {}, progress);
    return true;
  });
  return {
    ok: o.value === true,
    findings: o.findings,
    isolation: o.isolation,
    failure: o.failure,
    timings: o.timings,
    modelSha256: o.modelSha256,
    ...report,
  };
}

async function confirmStage(
  prober: Prober, probe: ResolvedProbeSet, report: SuiteState,
  confirmable: { s: GraphTriggerSite; i: number }[], th: BackdoorThresholds, wantedRows: number,
  progress: BehaveOptions['onProgress'] & object,
): Promise<void> {
  const rows = prober.rowsFor(wantedRows);
  type Trial = { site: number | null; input: string; variant: 'satisfy' | 'opposite'; trigger: TriggerValues; t: number; c: number };
  const variants: Edit[][] = [[]];
  const trials: Trial[] = [];
  const add = (site: number | null, input: string, variant: 'satisfy' | 'opposite', trigger: TriggerValues, seed: number) => {
    const res = probe.inputs.find((x) => x.name === input)!;
    variants.push([setEdit(input, trigger)]);
    variants.push([{ kind: 'set-random', input, offsets: trigger.offsets, distribution: res.distribution, seed: mix32(probe.seed, seed) }]);
    trials.push({ site, input, variant, trigger, t: variants.length - 2, c: variants.length - 1 });
  };
  confirmable.forEach(({ s, i }) => {
    add(i, s.input, 'satisfy', s.trigger!, 1000 + i);
    if (s.opposite && s.opposite.offsets.length > 0) add(i, s.input, 'opposite', s.opposite, 2000 + i);
  });
  // All sites on one input together: a trigger may need several comparisons true at once.
  const byInput = new Map<string, TriggerValues[]>();
  for (const { s } of confirmable) byInput.set(s.input, [...(byInput.get(s.input) ?? []), s.trigger!]);
  for (const [input, list] of byInput) if (list.length > 1) add(null, input, 'satisfy', unionTriggers(list), 3000);
  progress({ stage: 'confirm', done: 0, total: rows * variants.length });
  const preds = await prober.predict(rows, variants, (done, total) => progress({ stage: 'confirm', done, total }));
  const base = preds[0]!;
  for (const t of trials) {
    const trig = effect(prober, base, preds[t.t]!);
    const control = preds[t.c]!;
    const controlSuccessRate = prober.output.mode === 'value' ? prober.flips(base, control) : successRate(base, control, trig.targetClass).rate;
    report.confirmations.push({
      site: t.site, input: t.input, variant: t.variant, trigger: t.trigger,
      triggerFlipRate: trig.flipRate, controlFlipRate: prober.flips(base, control),
      targetClass: trig.targetClass, targetShare: trig.targetShare,
      triggerSuccessRate: trig.successRate, controlSuccessRate, eligible: trig.eligible, rows,
      confirmed: enoughRows(trig.eligible, rows, th) && trig.successRate >= th.confirmMinSuccess && trig.successRate - controlSuccessRate >= th.confirmGap,
    });
  }
}

function graphFindings(findings: Finding[], report: SuiteState): void {
  const inputs = [...new Set(report.graph.map((s) => s.input))];
  for (const input of inputs) {
    const sites = report.graph.map((s, i) => ({ s, i })).filter(({ s }) => s.input === input);
    const confirmed = report.confirmations
      .filter((c) => c.input === input && c.confirmed)
      .sort((a, b) => b.triggerSuccessRate - b.controlSuccessRate - (a.triggerSuccessRate - a.controlSuccessRate))[0];
    const first = sites[0]!.s;
    const evidence = {
      input,
      sites: sites.map(({ s }) => ({ node: s.node, op: s.op, path: s.path, relation: s.relation, constant: s.constant, gates: s.gates, outputs: s.outputs, subgraph: s.subgraph, unresolved: s.unresolved ?? null })),
      confirmation: confirmed ?? null,
    };
    const ops = [...new Set(sites.map(({ s }) => s.op))].join(', ');
    const gates = [...new Set(sites.flatMap(({ s }) => s.gates))].filter((g) => g !== 'output');
    const consts = sites.slice(0, 3).map(({ s }) => `${s.constant.name}=${s.constant.values.slice(0, 4).map((v) => +v.toPrecision(6)).join(',')}${s.constant.count > 4 ? '…' : ''}`).join('; ');
    if (confirmed) {
      findings.push(behaveFinding('behave.graph-trigger-confirmed',
        `writing the constants ${sites.length > 1 ? `of ${sites.length} comparisons` : `of ${first.node}`} into input ${input} sent ${(confirmed.triggerSuccessRate * 100).toFixed(0)}% of the other rows to class ${confirmed.targetClass} (random values at the same ${confirmed.trigger.offsets.length} positions: ${(confirmed.controlSuccessRate * 100).toFixed(0)}%); ${(confirmed.targetShare * 100).toFixed(0)}% of triggered rows predict it`,
        { location: { node: first.node, field: input }, evidence: { ...evidence, trigger: brief(confirmed.trigger), targetClass: confirmed.targetClass } }));
    } else {
      const tested = report.confirmations.some((c) => c.input === input);
      findings.push(behaveFinding('behave.graph-trigger',
        `${sites.length} comparison(s) (${ops}) between input ${input} and constants (${consts}) reach output(s) ${[...new Set(sites.flatMap(({ s }) => s.outputs))].join(', ')}${gates.length > 0 ? ` through ${gates.join(', ')}` : ''}; ${tested ? 'writing the constants into probes did not flip predictions beyond the random control' : 'not confirmed by probes'}`,
        { location: { node: first.node, field: input }, evidence }));
    }
  }
}
