// Scans a tabular dataset (CSV, TSV, JSON Lines, JSON array, Parquet) and assembles its report.
import type { Finding } from '../../../shared/findings.ts';
import { labelCharts, imbalanceFinding } from './charts.ts';
import {
  duplicateFinding, makeFinding, nearDuplicateFinding, numericFindings, piiFinding, triggerFinding, unicodeFinding,
} from './findings.ts';
import { analyseNumeric, type NumericAnalysis } from './poison/numeric.ts';
import type { ReadSummary, TableReader } from './read/types.ts';
import { TableAnalysis } from './table-analysis.ts';
import type { ColumnRole, ColumnSchema, DatasetLimits, DatasetReport, IndicatorCoverage, ScanDatasetOptions } from './types.ts';

export async function scanTable(reader: TableReader, name: string, options: ScanDatasetOptions, limits: DatasetLimits): Promise<{ report: DatasetReport; summary: ReadSummary }> {
  const started = Date.now();
  const scannerOptions = { ...(options.phoneRegion ? { phoneRegion: options.phoneRegion } : {}), ...(options.detectors ? { detectors: options.detectors } : {}) };
  const a = new TableAnalysis(limits, options.label, scannerOptions);
  const readOptions = { ...(options.signal ? { signal: options.signal } : {}), ...(options.onProgress ? { onProgress: options.onProgress } : {}) };
  const summary = await reader.read(a, readOptions);
  a.end();
  const report = buildTableReport(a, summary, name, limits);
  report.durationMs = Date.now() - started;
  return { report, summary };
}

function roleOf(a: TableAnalysis, i: number): ColumnRole {
  const r = a.roles!;
  if (r.label.column === i) return 'label';
  if (r.idColumns.has(i)) return 'id';
  if (r.textColumns.includes(i)) return 'text';
  if (r.numericFeatures.includes(i)) return 'feature';
  return 'other';
}

/** `numeric`: the numeric indicators when already computed (a parallel scan splits them between threads). */
export function buildTableReport(a: TableAnalysis, summary: ReadSummary, name: string, limits: DatasetLimits, numeric?: NumericAnalysis): DatasetReport {
  const roles = a.roles!;
  const cap = limits.maxRowsPerFinding;
  const names = a.names;
  const labelName = (id: number) => (id < 0 ? '(none)' : a.labelNames[id] ?? `#${id}`);
  const labelOf = (row: number) => a.labelOfRow(row);
  const findings: Finding[] = [];
  const labelled = roles.label.column !== null;

  // Schema
  const columns: ColumnSchema[] = a.profilers.map((p, i) => ({ ...p.finish(), role: roleOf(a, i), pii: a.tally.detectorsIn(i) }));

  // PII and secrets
  const pii = a.tally.summaries(names);
  for (const s of pii) {
    const col = names.indexOf(s.column);
    const rows = a.tally.statsFor(col, s.detector)?.rows ?? [];
    findings.push(piiFinding(s, rows, cap));
  }

  // Poisoning indicators
  const textColumn = roles.textColumns.length === 1 ? names[roles.textColumns[0]!] : undefined;
  const inputColumn = roles.inputColumns.length === 1 ? names[roles.inputColumns[0]!] : undefined;
  const indicators: IndicatorCoverage[] = [];
  const rows = a.rowCount;
  if (labelled && roles.inputColumns.length > 0) {
    const dup = a.duplicates.finish(labelOf);
    const f = duplicateFinding(dup, labelName, inputColumn, roles.inputColumns.map((i) => names[i]!), cap);
    if (f) findings.push(f);
    indicators.push({ name: 'label-conflicting duplicates', ran: true, examined: rows, note: `inputs compared on ${roles.inputColumns.map((i) => `"${names[i]}"`).join(', ')}${dup.saturated ? '; the table of distinct inputs was full, later new inputs were not added' : ''}` });
  } else {
    indicators.push({ name: 'label-conflicting duplicates', ran: false, examined: 0, note: labelled ? 'no input columns' : 'no label column' });
  }
  if (labelled && roles.textColumns.length > 0) {
    const near = a.nearDuplicateClusters();
    const f = nearDuplicateFinding(near, labelName, textColumn, cap);
    if (f) findings.push(f);
    indicators.push({ name: 'near-duplicate clusters', ran: true, examined: near.indexedRows, note: `MinHash over word pairs of ${roles.textColumns.map((i) => `"${names[i]}"`).join(', ')}${near.saturated ? '; index full, later rows not indexed' : ''}` });
    for (const c of a.triggerCandidates()) {
      const matches = a.scanner.scan(c.text, a.scanner.columnHints({ name: '' }));
      const shown = a.scanner.maskText(c.text, matches);
      findings.push(triggerFinding(c, shown, labelName, textColumn, cap));
    }
    indicators.push({ name: 'trigger tokens', ran: true, examined: rows, note: `tokens and word pairs in at least ${limits.triggerMinSupport} rows, ≥90% one label, one-sided binomial test with Bonferroni bound${a.triggers.pruned ? '; rare tokens were pruned to bound memory' : ''}` });
  } else {
    indicators.push({ name: 'near-duplicate clusters', ran: false, examined: 0, note: labelled ? 'no free-text column' : 'no label column' });
    indicators.push({ name: 'trigger tokens', ran: false, examined: 0, note: labelled ? 'no free-text column' : 'no label column' });
  }
  for (const t of a.unicode.values()) findings.push(unicodeFinding(t.issue, names[t.column] ?? `#${t.column}`, t.rows, t.rowCount, t.what, cap));
  indicators.push({ name: 'invisible and deceptive characters', ran: true, examined: rows, note: 'every text value' });

  let outlierScores: DatasetReport['charts']['outlierScores'] = null;
  if (a.features) {
    const featureNames = roles.numericFeatures.map((i) => names[i]!);
    numeric ??= analyseNumeric(a.features, featureNames, labelled);
    findings.push(...numericFindings(numeric, labelName, cap));
    if (numeric.forest) outlierScores = { bins: numeric.forest.histogram, threshold: numeric.forest.threshold };
    const sampled = numeric.sampled ? `; a uniform sample of ${numeric.storedRows} rows` : '';
    indicators.push({ name: 'numeric outliers', ran: true, examined: numeric.storedRows, note: `robust z-score and isolation forest over ${featureNames.map((n) => `"${n}"`).join(', ')}${sampled}` });
    indicators.push({ name: 'nearest-neighbour label disagreement', ran: numeric.knn !== null, examined: numeric.knn ? numeric.knn.examined : 0, note: numeric.knn ? `k = ${numeric.knn.k}${numeric.knn.examined < numeric.storedRows ? `; neighbours examined for an evenly spread ${numeric.knn.examined} of ${numeric.storedRows} rows` : ''}${numeric.knn.standsDown ? '; stood down: the features do not separate the labels' : ''}` : 'needs a label and at least 50 rows' });
  } else {
    indicators.push({ name: 'numeric outliers', ran: false, examined: 0, note: 'no numeric feature columns' });
  }

  const charts = { ...labelCharts(a.labelNames, a.labelCounts, a.unlabelled), outlierScores };
  const imbalance = imbalanceFinding(charts, roles.label.name);
  if (imbalance) findings.push(imbalance);

  // Reading problems
  const p = a.problems;
  if (p.raggedCount > 0) {
    findings.push(makeFinding('dataset.ragged-rows', `${p.raggedCount.toLocaleString('en-US')} rows have a different number of fields than the header`, p.raggedRows.length > 0 ? { rows: p.raggedRows } : {}, { count: p.raggedCount }));
  }
  if (p.malformedCount > 0) {
    findings.push(makeFinding('dataset.malformed-records', `${p.malformedCount.toLocaleString('en-US')} records could not be parsed and were skipped`, {},
      { count: p.malformedCount, lines: p.malformedLines.slice(0, 100), reasons: Object.fromEntries(p.malformedDetails) }));
  }
  for (const l of p.limits) findings.push(makeFinding('dataset.scan-limit', l, {}));
  if (a.scanner.nlpBudget.skipped > 0) {
    findings.push(makeFinding('dataset.scan-limit', `language analysis for person names in free text stopped after ${limits.nlpCalls} values; ${a.scanner.nlpBudget.skipped.toLocaleString('en-US')} further text values were checked for names after honorifics and introductions only`, {}, { skipped: a.scanner.nlpBudget.skipped }));
  }

  return {
    dataset: {
      name,
      format: summary.format,
      formatDetail: summary.detail,
      ...(summary.encoding ? { encoding: summary.encoding } : {}),
      ...(summary.delimiter !== undefined ? { delimiter: summary.delimiter } : {}),
      ...(summary.hasHeader !== undefined ? { hasHeader: summary.hasHeader } : {}),
      rowCount: summary.rows,
      size: summary.size,
      sha256: summary.sha256,
      columns,
      label: roles.label,
    },
    pii,
    findings,
    charts,
    indicators,
    durationMs: 0,
  };
}
