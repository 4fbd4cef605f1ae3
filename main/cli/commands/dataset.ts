// `assay data …`: dataset auditing. `data scan PATH` works without a case (exit 1 when a finding
// is high or critical); the other commands work on the datasets of a case: scan, provenance
// record, masked rows, row reviews, the exclusion list and masked exports.
import { resolve } from 'node:path';
import type { MethodInput, MethodOutput } from '../../../shared/api/contract.ts';
import { MASK_MODES, PROVENANCE_FIELDS, ROW_REVIEW_ACTIONS, type DatasetSummary, type Provenance } from '../../../shared/api/methods/dataset.ts';
import { atLeast, formatLocation } from '../../../shared/findings.ts';
import { formatBytes, printJson, table, withProgress } from '../output.ts';
import { resolveCase } from '../resolve.ts';
import { EXIT, UsageError, type CliContext, type Command, type ExitCode, type ParsedArgs } from '../types.ts';

const FORMATS = ['text', 'json'] as const;
/** Rows one command may name (the API takes 10,000 per review call, 200 per read). */
const MAX_ROWS = 10_000;

const str = (v: unknown): string | undefined => (typeof v === 'string' ? v : undefined);

function oneOf<T extends string>(value: unknown, allowed: readonly T[], option: string): T | undefined {
  if (value === undefined) return undefined;
  if (typeof value !== 'string' || !(allowed as readonly string[]).includes(value)) throw new UsageError(`--${option} must be one of ${allowed.join(', ')}`);
  return value as T;
}

function detectorsOption(value: unknown): string[] | 'all' {
  const s = str(value);
  if (s === undefined || s === 'all') return 'all';
  const list = s.split(',').map((d) => d.trim()).filter(Boolean);
  if (list.length === 0) throw new UsageError('--detectors takes a comma-separated list of detector ids, or all');
  return list;
}

/** `3,7,10-14` → [3, 7, 10, 11, 12, 13, 14]. */
export function parseRows(text: string | undefined): number[] {
  if (!text) throw new UsageError('--rows takes 0-based row numbers, e.g. 3,7,10-14');
  const out = new Set<number>();
  for (const part of text.split(',').map((p) => p.trim()).filter(Boolean)) {
    const m = /^(\d+)(?:-(\d+))?$/.exec(part);
    if (!m) throw new UsageError(`--rows: "${part}" is not a row number or range (e.g. 3,7,10-14)`);
    const from = Number(m[1]);
    const to = m[2] === undefined ? from : Number(m[2]);
    if (to < from) throw new UsageError(`--rows: the range ${part} runs backwards`);
    if (to - from + out.size >= MAX_ROWS) throw new UsageError(`--rows names more than ${MAX_ROWS} rows`);
    for (let r = from; r <= to; r++) out.add(r);
  }
  if (out.size === 0) throw new UsageError('--rows names no row');
  return [...out].sort((a, b) => a - b);
}

/** A dataset of a case named by its id, a unique id prefix (4+ characters) or its name. */
async function resolveDataset(ctx: CliContext, caseRef: string | undefined, ref: string | undefined): Promise<DatasetSummary> {
  const c = await resolveCase(ctx, caseRef);
  if (!ref) throw new UsageError('name the dataset (its id, an id prefix, or its file or folder name; see `assay data list CASE`)');
  const all = await ctx.core().invoke('datasets.list', { caseId: c.id }, { face: 'cli' });
  const exact = all.find((d) => d.id === ref || d.artifactId === ref);
  if (exact) return exact;
  const named = all.filter((d) => d.name === ref);
  const matches = named.length > 0 ? named : ref.length >= 4 ? all.filter((d) => d.id.startsWith(ref)) : [];
  if (matches.length === 1) return matches[0]!;
  if (matches.length === 0) throw new UsageError(`case ${c.name} has no dataset "${ref}" (see \`assay data list ${c.id}\`)`);
  throw new UsageError(`"${ref}" matches ${matches.length} datasets: ${matches.map((d) => d.id).join(', ')}; use the id`);
}

function outputFormat(ctx: CliContext, args: ParsedArgs): 'text' | 'json' {
  return oneOf(args.values.format, FORMATS, 'format') ?? (ctx.json ? 'json' : 'text');
}

type Detail = MethodOutput<'datasets.get'>;

/** The `{dataset, findings}` document for a dataset of a case (findings with their ids and review state). */
function caseDocument(d: Detail): unknown {
  return {
    dataset: d.report ? { ...d.report.dataset, pii: d.report.pii, charts: d.report.charts } : null,
    findings: d.findings.map((f) => ({
      id: f.id, ruleId: f.ruleId, severity: f.severity, status: f.status, message: f.message,
      column: f.location.field ?? null, rows: f.location.rows ?? [], checklist: f.checklist,
    })),
    provenance: d.summary.provenance,
    reviews: d.summary.reviews,
  };
}

function caseText(d: Detail): string {
  const s = d.summary;
  const lines = [`${s.name} (${s.id}): ${d.report?.dataset.formatDetail ?? s.format}; ${s.scan ? `${s.scan.rowCount.toLocaleString('en-US')} rows; label ${s.scan.label ?? '(none)'}${s.scan.labelGuessed ? ' (guessed)' : ''}` : 'not scanned'}`];
  for (const c of d.report?.dataset.columns ?? []) {
    lines.push(`  ${c.name} [${c.type}${c.role !== 'other' ? `, ${c.role}` : ''}]${c.pii.length > 0 ? ` PII: ${c.pii.join(', ')}` : ''}${c.examples.length > 0 ? `; e.g. ${c.examples.join(' | ')}` : ''}`);
  }
  if (d.findings.length === 0) lines.push('no findings');
  for (const f of d.findings) {
    const where = formatLocation(f.location);
    lines.push(`${f.severity.toUpperCase()} ${f.ruleId} [${f.status}] ${f.id}${where ? ` @ ${where}` : ''}: ${f.message}`);
  }
  lines.push(`provenance ${s.completeness.filled}/${s.completeness.total}${s.completeness.missing.length > 0 ? ` (missing: ${s.completeness.missing.join(', ')})` : ''}; rows reviewed ${s.reviews.reviewed}, excluded ${s.reviews.excluded}`);
  return `${lines.join('\n')}\n`;
}

async function scanInCase(ctx: CliContext, args: ParsedArgs): Promise<ExitCode> {
  if (args.values['masked-out'] !== undefined || args.values['key-file'] !== undefined) throw new UsageError('in a case, write a masked copy with `assay data mask CASE DATASET`');
  const [ref, ...extra] = args.positionals;
  if (extra.length > 0) throw new UsageError('one dataset at a time');
  const ds = await resolveDataset(ctx, str(args.values.case), ref);
  const format = outputFormat(ctx, args);
  const label = str(args.values.label);
  const region = str(args.values['phone-region']);
  const d = await withProgress(ctx, () => ctx.core().invoke('datasets.scan', {
    datasetId: ds.id, ...(label !== undefined ? { label } : {}), ...(region ? { phoneRegion: region } : {}),
  }, { face: 'cli' }));
  if (format === 'json') printJson(ctx, caseDocument(d));
  else ctx.io.out(caseText(d));
  return d.findings.some((f) => f.status !== 'false_positive' && atLeast(f.severity, 'high')) ? EXIT.checkFailed : EXIT.ok;
}

const scan: Command = {
  path: ['data', 'scan'],
  usage: 'assay data scan PATH [--label COLUMN] [--format text|json] [--masked-out FILE [--mask pseudonym|redact] [--detectors LIST] [--key-file FILE]] [--phone-region CC]  |  assay data scan --case CASE DATASET [--label COLUMN]',
  summary: 'Audit a dataset (CSV, TSV, JSON Lines, JSON, Parquet, or a folder of images in class subfolders): schema, PII and secrets (P03), poisoning indicators (P02). --masked-out writes a copy with detected values replaced (pseudonyms keyed by the workstation key or --key-file). With --case the dataset of a case is scanned and the result stored. Exit 0: nothing high or critical; 1: something is; 2: usage or I/O error; 3: not a dataset Assay can read.',
  options: {
    label: { type: 'string' }, format: { type: 'string' }, 'masked-out': { type: 'string' }, mask: { type: 'string' },
    detectors: { type: 'string' }, 'key-file': { type: 'string' }, 'phone-region': { type: 'string' }, case: { type: 'string' },
  },
  async run(ctx, args) {
    if (args.values.case !== undefined) return scanInCase(ctx, args);
    const [path, ...extra] = args.positionals;
    if (!path) throw new UsageError('give the dataset file or image folder to scan');
    if (extra.length > 0) throw new UsageError(`one dataset at a time (got ${args.positionals.length} paths)`);
    const format = outputFormat(ctx, args);
    const maskedOut = str(args.values['masked-out']);
    const mask = oneOf(args.values.mask, MASK_MODES, 'mask');
    if (!maskedOut && (mask !== undefined || args.values.detectors !== undefined || args.values['key-file'] !== undefined)) {
      throw new UsageError('--mask, --detectors and --key-file go with --masked-out FILE');
    }
    const label = str(args.values.label);
    const region = str(args.values['phone-region']);
    const keyFile = str(args.values['key-file']);
    const input: MethodInput<'datasets.scanPath'> = {
      path: resolve(path),
      ...(label !== undefined ? { label } : {}),
      ...(region ? { phoneRegion: region } : {}),
      ...(maskedOut ? { maskedOut: resolve(maskedOut), detectors: detectorsOption(args.values.detectors) } : {}),
      ...(mask ? { mask } : {}),
      ...(keyFile ? { keyFile: resolve(keyFile) } : {}),
    };
    const r = await withProgress(ctx, () => ctx.core().invoke('datasets.scanPath', input, { face: 'cli' }));
    if (format === 'json') printJson(ctx, r.export ? { ...r.document, maskedExport: r.export } : r.document);
    else {
      ctx.io.out(r.text);
      if (r.export) ctx.io.out(`masked copy: ${r.export.path} (${r.export.rows} rows, ${r.export.replaced} values replaced, sha256 ${r.export.outputSha256})\n`);
    }
    if (r.exitCode === 1) return EXIT.checkFailed;
    // Nothing in an unreadable file was checked: not a pass (as `assay scan` does).
    return r.document.findings.some((f) => f.ruleId === 'dataset.unreadable') ? EXIT.nothingScannable : EXIT.ok;
  },
};

const list: Command = {
  path: ['data', 'list'],
  usage: 'assay data list CASE',
  summary: 'The datasets of a case: rows, findings, PII columns, provenance completeness, reviewed and excluded rows.',
  async run(ctx, args) {
    const c = await resolveCase(ctx, args.positionals[0]);
    const all = await ctx.core().invoke('datasets.list', { caseId: c.id }, { face: 'cli' });
    if (ctx.json) printJson(ctx, all);
    else if (all.length === 0) ctx.io.out(`case ${c.name} has no datasets (add one with \`assay add ${c.id} FILE --kind dataset\`)\n`);
    else {
      ctx.io.out(table(all.map((d) => [
        d.id, d.name, d.kind === 'image-folder' ? `${d.fileCount} files` : formatBytes(d.size),
        d.scan ? `${d.scan.rowCount}` : 'not scanned',
        d.scan ? `${d.scan.findings.critical + d.scan.findings.high} high+, ${d.scan.findings.medium} medium` : '-',
        d.scan ? String(d.scan.piiColumns) : '-',
        `${d.completeness.filled}/${d.completeness.total}`,
        `${d.reviews.reviewed}/${d.reviews.excluded}`,
        d.derivedFrom ? `masked copy of ${d.derivedFrom.name}` : '',
      ]), ['ID', 'NAME', 'SIZE', 'ROWS', 'FINDINGS', 'PII COLUMNS', 'PROVENANCE', 'REVIEWED/EXCLUDED', 'LINEAGE']));
    }
    return EXIT.ok;
  },
};

const RECORD_OPTIONS: Record<string, keyof Provenance> = {
  source: 'source', licence: 'licence', collector: 'collector', labeller: 'labeller',
  'collected-from': 'collectedFrom', 'collected-to': 'collectedTo', 'access-notes': 'accessNotes',
};

const record: Command = {
  path: ['data', 'record'],
  usage: 'assay data record CASE DATASET [--source T] [--licence T] [--collector T] [--labeller T] [--collected-from YYYY-MM-DD] [--collected-to YYYY-MM-DD] [--access-notes T]',
  summary: 'Show the provenance record of a dataset (P01), or change the fields given (an empty value clears one). Custody-logged.',
  options: Object.fromEntries(Object.keys(RECORD_OPTIONS).map((k) => [k, { type: 'string' as const }])),
  async run(ctx, args) {
    const [caseRef, ref, ...extra] = args.positionals;
    if (extra.length > 0) throw new UsageError('one dataset at a time');
    const ds = await resolveDataset(ctx, caseRef, ref);
    const given = Object.entries(RECORD_OPTIONS).filter(([opt]) => args.values[opt] !== undefined);
    let summary = ds;
    if (given.length > 0) {
      const next: Provenance = { ...ds.provenance };
      for (const [opt, field] of given) {
        const v = String(args.values[opt]).trim();
        if (field === 'collectedFrom' || field === 'collectedTo') next[field] = v === '' ? null : v;
        else next[field] = v;
      }
      summary = await ctx.core().invoke('datasets.setRecord', { datasetId: ds.id, ...next }, { face: 'cli' });
    }
    if (ctx.json) printJson(ctx, { id: summary.id, name: summary.name, provenance: summary.provenance, completeness: summary.completeness, sha256: summary.sha256 });
    else {
      const p = summary.provenance;
      ctx.io.out(table(PROVENANCE_FIELDS.map((f) => [f, p[f] ?? '']), ['FIELD', 'VALUE']));
      ctx.io.out(`sha256 ${summary.sha256}; ${summary.completeness.filled}/${summary.completeness.total} recorded${summary.completeness.missing.length > 0 ? ` (missing: ${summary.completeness.missing.join(', ')})` : ''}\n`);
    }
    return EXIT.ok;
  },
};

const rows: Command = {
  path: ['data', 'rows'],
  usage: 'assay data rows CASE DATASET --rows LIST',
  summary: 'Show rows of a scanned dataset (0-based, e.g. 3,7,10-14; at most 200) with PII and secrets masked and invisible characters shown.',
  options: { rows: { type: 'string' } },
  async run(ctx, args) {
    const [caseRef, ref] = args.positionals;
    const ds = await resolveDataset(ctx, caseRef, ref);
    const wanted = parseRows(str(args.values.rows));
    if (wanted.length > 200) throw new UsageError('--rows: at most 200 rows at a time');
    const r = await withProgress(ctx, () => ctx.core().invoke('datasets.rows', { datasetId: ds.id, rows: wanted }, { face: 'cli' }));
    if (ctx.json) printJson(ctx, r);
    else {
      ctx.io.out(table(r.rows.map((x) => [String(x.row), ...x.cells.map((c) => (c ?? '').replace(/\s+/g, ' '))]), ['ROW', ...r.columns]));
      if (r.missing.length > 0) ctx.io.err(`not in the dataset: rows ${r.missing.join(', ')}\n`);
    }
    return EXIT.ok;
  },
};

const review: Command = {
  path: ['data', 'review'],
  usage: 'assay data review CASE DATASET --rows LIST --status reviewed|excluded|open [--rule RULE_ID]... [--note TEXT]',
  summary: 'Mark rows of a scanned dataset reviewed or excluded (or open again), with the rules that flagged them. Custody-logged.',
  options: { rows: { type: 'string' }, status: { type: 'string' }, rule: { type: 'string', multiple: true }, note: { type: 'string' } },
  async run(ctx, args) {
    const [caseRef, ref] = args.positionals;
    const status = oneOf(args.values.status, ROW_REVIEW_ACTIONS, 'status');
    if (!status) throw new UsageError(`--status must be one of ${ROW_REVIEW_ACTIONS.join(', ')}`);
    const wanted = parseRows(str(args.values.rows));
    const ds = await resolveDataset(ctx, caseRef, ref);
    const rules = (args.values.rule as string[] | undefined) ?? [];
    const r = await ctx.core().invoke('datasets.reviewRows', { datasetId: ds.id, rows: wanted, status, ruleIds: rules, note: str(args.values.note) ?? '' }, { face: 'cli' });
    if (ctx.json) printJson(ctx, r);
    else ctx.io.out(`${r.updated} row${r.updated === 1 ? '' : 's'} changed; ${ds.name} now has ${r.reviews.reviewed} reviewed and ${r.reviews.excluded} excluded\n`);
    return EXIT.ok;
  },
};

const exclusions: Command = {
  path: ['data', 'exclusions'],
  usage: 'assay data exclusions CASE DATASET [--out FILE]',
  summary: 'The exclusion list of a dataset as CSV (row, rules, note): printed, or written to a new file (custody-logged as an export).',
  options: { out: { type: 'string' } },
  async run(ctx, args) {
    const [caseRef, ref] = args.positionals;
    const ds = await resolveDataset(ctx, caseRef, ref);
    const out = str(args.values.out);
    const r = await ctx.core().invoke('datasets.exclusions', { datasetId: ds.id, ...(out ? { outPath: resolve(out) } : {}) }, { face: 'cli' });
    if (ctx.json) printJson(ctx, r);
    else if (r.path) ctx.io.out(`${r.rows} excluded row${r.rows === 1 ? '' : 's'} written to ${r.path} (sha256 ${r.sha256})\n`);
    else ctx.io.out(r.csv);
    return EXIT.ok;
  },
};

const mask: Command = {
  path: ['data', 'mask'],
  usage: 'assay data mask CASE DATASET [--mask pseudonym|redact] [--detectors LIST] [--keep-excluded] [--out FILE]',
  summary: 'Write a copy of a dataset of a case with detected values replaced (pseudonyms keyed by the case, or redaction), leaving out excluded rows unless --keep-excluded; the copy is added to the case and the transformation logged with both digests.',
  options: { mask: { type: 'string' }, detectors: { type: 'string' }, 'keep-excluded': { type: 'boolean' }, out: { type: 'string' } },
  async run(ctx, args) {
    const [caseRef, ref] = args.positionals;
    const ds = await resolveDataset(ctx, caseRef, ref);
    const mode = oneOf(args.values.mask, MASK_MODES, 'mask') ?? 'pseudonym';
    const out = str(args.values.out);
    const r = await withProgress(ctx, () => ctx.core().invoke('datasets.exportMasked', {
      datasetId: ds.id, mode, detectors: detectorsOption(args.values.detectors), leaveOutExcluded: args.values['keep-excluded'] !== true,
      ...(out ? { outPath: resolve(out) } : {}),
    }, { face: 'cli' }));
    if (ctx.json) printJson(ctx, r);
    else ctx.io.out(`masked copy ${r.path}: ${r.rows} rows, ${r.replaced} values replaced, ${r.excluded} rows left out; sha256 ${r.inputSha256} → ${r.outputSha256}; added to the case as ${r.artifact.id}\n`);
    return EXIT.ok;
  },
};

export const DATASET_COMMANDS: Command[] = [scan, list, record, rows, review, exclusions, mask];

