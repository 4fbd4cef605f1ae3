// What a dataset scan found: the inferred schema, PII and secrets by column (P03), poisoning
// indicators (P02) with the rows behind each, the charts, and what each check covered.
import { useState } from 'react';
import type { DatasetDetail, RowReview } from '../../../../shared/api/methods/dataset.ts';
import type { FindingRecord } from '../../../../shared/api/schemas.ts';
import { findRule } from '../../../../shared/rules/catalogue.ts';
import { SeverityBadge } from '../../components/SeverityCounts.tsx';
import { LabelBars } from './charts/LabelBars.tsx';
import { OutlierHistogram } from './charts/OutlierHistogram.tsx';
import { FlaggedRows } from './FlaggedRows.tsx';

type Report = NonNullable<DatasetDetail['report']>;

const pct = (x: number | null) => (x === null ? '—' : `${(x * 100).toFixed(1)}%`);
const num = (x: number | null | undefined) => (x === null || x === undefined ? '—' : Number(x.toPrecision(4)).toLocaleString('en-US'));

export function SchemaTable({ report }: { report: Report }) {
  const d = report.dataset;
  return (
    <section className="panel" aria-labelledby="ds-schema-h">
      <h2 id="ds-schema-h">Schema</h2>
      <p className="small">{d.formatDetail} · {d.rowCount.toLocaleString('en-US')} {d.format === 'image-folder' ? 'images' : 'rows'} · label: <strong>{d.label.name ?? 'none'}</strong> <span className="muted">({d.label.guessed ? `guessed: ${d.label.reason}` : d.label.reason})</span></p>
      <div className="table-scroll">
        <table className="ds-schema">
          <thead>
            <tr><th scope="col">Column</th><th scope="col">Type</th><th scope="col">Role</th><th scope="col">Nulls</th><th scope="col">Distinct</th><th scope="col">Range</th><th scope="col">PII and secrets</th><th scope="col">Examples (masked)</th></tr>
          </thead>
          <tbody>
            {d.columns.map((c) => (
              <tr key={`${c.index}-${c.name}`} className={c.pii.length > 0 ? 'ds-pii-col' : undefined}>
                <th scope="row">{c.name}</th>
                <td>{c.type}</td>
                <td>{c.role === 'label' ? <strong>label</strong> : c.role}</td>
                <td className="num">{pct(c.nullRate)}</td>
                <td className="num">{c.distinctApprox ? '≈' : ''}{c.distinctCount.toLocaleString('en-US')}</td>
                <td className="num small">{c.numeric ? `${num(c.numeric.min)} … ${num(c.numeric.max)}` : c.length ? `${num(c.length.min)}–${num(c.length.max)} chars` : '—'}</td>
                <td>{c.pii.length > 0 ? c.pii.map((p) => <span key={p} className="tag ds-tag-pii">{p}</span>) : <span className="muted">none</span>}</td>
                <td className="small ds-examples">{c.examples.join(' · ')}</td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>
    </section>
  );
}

function findingFor(findings: readonly FindingRecord[], column: string, ruleId: string, detector: string): FindingRecord | undefined {
  return findings.find((f) => f.ruleId === ruleId && f.location.field === column && (f.evidence?.detector === undefined || f.evidence.detector === detector));
}

export function PiiTable({ detail, reviews, onChanged }: { detail: DatasetDetail; reviews: ReadonlyMap<number, RowReview>; onChanged(): void }) {
  const report = detail.report!;
  const [open, setOpen] = useState<string | null>(null);
  const byColumn = new Map<string, typeof report.pii>();
  for (const p of report.pii) byColumn.set(p.column, [...(byColumn.get(p.column) ?? []), p]);
  return (
    <section className="panel" aria-labelledby="ds-pii-h">
      <h2 id="ds-pii-h">PII and secrets by column (P03)</h2>
      {report.pii.length === 0
        ? <p className="good-text">The validated detectors found no personal data or secrets.</p>
        : (
          <>
            <p className="small muted">{byColumn.size} column{byColumn.size === 1 ? '' : 's'} hold personal data or secrets. Values are shown masked; look-alikes that fail their checksum are counted apart and not reported.</p>
            <table className="ds-pii">
              <thead>
                <tr><th scope="col">Column</th><th scope="col">Detector</th><th scope="col">Values</th><th scope="col">Rows</th><th scope="col">Confidence</th><th scope="col">Look-alikes rejected</th><th scope="col">Masked samples</th><th scope="col">Rows</th></tr>
              </thead>
              <tbody>
                {[...byColumn.entries()].map(([column, list]) => list.map((p, i) => {
                  const key = `${column}|${p.detector}`;
                  const finding = findingFor(detail.findings, column, p.ruleId, p.detector);
                  return (
                    <tr key={key} className="ds-pii-row">
                      {i === 0 && <th scope="rowgroup" rowSpan={list.length}>{column}</th>}
                      <td>{p.label}{p.likelyChance && <span className="warn small"> (few valid among many look-alikes: may be chance)</span>}</td>
                      <td className="num">{p.count.toLocaleString('en-US')}</td>
                      <td className="num">{p.rows.toLocaleString('en-US')}</td>
                      <td className="num">{p.confidence.toFixed(2)}</td>
                      <td className="num">{p.rejectedLookAlikes.toLocaleString('en-US')}</td>
                      <td className="small">{p.samples.map((x) => <code key={x} className="ds-sample">{x}</code>)}</td>
                      <td>{finding && (finding.location.rows?.length ?? 0) > 0 && (
                        <button type="button" className="link" aria-expanded={open === key} onClick={() => setOpen(open === key ? null : key)}>
                          {open === key ? 'Hide rows' : 'Show rows'}
                        </button>
                      )}</td>
                    </tr>
                  );
                }))}
              </tbody>
            </table>
            {open && (() => {
              const [column, detector] = open.split('|') as [string, string];
              const p = report.pii.find((x) => x.column === column && x.detector === detector);
              const finding = p && findingFor(detail.findings, column, p.ruleId, p.detector);
              return finding
                ? (
                  <div className="ds-rows-box">
                    <h3>Rows with {p.label} in column {column}</h3>
                    <FlaggedRows datasetId={detail.summary.id} rows={finding.location.rows ?? []} column={column} ruleId={finding.ruleId} reviews={reviews} onChanged={onChanged} label={`${p.label} in ${column}`} />
                  </div>
                )
                : null;
            })()}
          </>
        )}
    </section>
  );
}

function IndicatorItem({ detail, finding, reviews, onChanged }: { detail: DatasetDetail; finding: FindingRecord; reviews: ReadonlyMap<number, RowReview>; onChanged(): void }) {
  const rule = findRule(finding.ruleId);
  const rows = finding.location.rows ?? [];
  const reviewed = rows.filter((r) => reviews.has(r)).length;
  const [open, setOpen] = useState(false);
  return (
    <li className={`finding finding-${finding.status} ds-indicator`}>
      <div className="finding-head">
        <SeverityBadge severity={finding.severity} /> <strong>{rule?.title ?? finding.ruleId}</strong>
        <span className="muted small"> {finding.ruleId}{finding.location.field ? ` · column ${finding.location.field}` : ''} · {rows.length} row{rows.length === 1 ? '' : 's'}{rows.length > 0 ? `, ${reviewed} reviewed or excluded` : ''}</span>
      </div>
      <p className="finding-message">{finding.message}</p>
      {rule && <details><summary>What it means and what to do</summary><p>{rule.meaning}</p><p><strong>Why it matters:</strong> {rule.rationale}</p><p><strong>Remediation:</strong> {rule.remediation}</p></details>}
      {rows.length > 0 && (
        <button type="button" className="secondary" aria-expanded={open} onClick={() => setOpen(!open)}>{open ? 'Hide the rows' : `Review the ${rows.length} row${rows.length === 1 ? '' : 's'}`}</button>
      )}
      {open && <FlaggedRows datasetId={detail.summary.id} rows={rows} column={finding.location.field} ruleId={finding.ruleId} reviews={reviews} onChanged={onChanged} label={rule?.title ?? finding.ruleId}
        highlight={typeof finding.evidence?.token === 'string' ? finding.evidence.token : undefined} />}
    </li>
  );
}

export function Indicators({ detail, reviews, onChanged }: { detail: DatasetDetail; reviews: ReadonlyMap<number, RowReview>; onChanged(): void }) {
  const poison = detail.findings.filter((f) => f.checklist.includes('P02'));
  const structural = detail.findings.filter((f) => !f.checklist.includes('P02') && !f.checklist.includes('P03'));
  return (
    <section className="panel" aria-labelledby="ds-ind-h">
      <h2 id="ds-ind-h">Poisoning indicators (P02)</h2>
      {poison.length === 0
        ? <p className="good-text">No poisoning indicator fired.</p>
        : <ol className="findings">{poison.map((f) => <IndicatorItem key={f.id} detail={detail} finding={f} reviews={reviews} onChanged={onChanged} />)}</ol>}
      {structural.length > 0 && (
        <>
          <h3>Reading and structure</h3>
          <ol className="findings">{structural.map((f) => <IndicatorItem key={f.id} detail={detail} finding={f} reviews={reviews} onChanged={onChanged} />)}</ol>
        </>
      )}
      <details>
        <summary>What each check covered</summary>
        <table className="ds-coverage">
          <thead><tr><th scope="col">Check</th><th scope="col">Ran</th><th scope="col">Examined</th><th scope="col">Note</th></tr></thead>
          <tbody>{detail.report!.indicators.map((i) => <tr key={i.name}><td>{i.name}</td><td>{i.ran ? 'yes' : 'no'}</td><td className="num">{i.examined.toLocaleString('en-US')}</td><td className="small">{i.note}</td></tr>)}</tbody>
        </table>
      </details>
    </section>
  );
}

export function Charts({ report }: { report: Report }) {
  const c = report.charts;
  const b = c.classBalance;
  return (
    <section className="panel" aria-labelledby="ds-charts-h">
      <h2 id="ds-charts-h">Labels and outliers</h2>
      <div className="ds-charts">
        <div>
          <h3>Label distribution</h3>
          {c.labelDistribution.length > 0 ? <LabelBars counts={c.labelDistribution} title={`Rows per label of ${report.dataset.label.name ?? 'the label'}`} /> : <p className="muted">No label column, so no label distribution.</p>}
          <dl className="facts ds-balance">
            <dt>Classes</dt><dd>{b.classes}</dd>
            <dt>Majority</dt><dd>{b.majority ? `${b.majority.label} (${b.majority.count.toLocaleString('en-US')})` : '—'}</dd>
            <dt>Minority</dt><dd>{b.minority ? `${b.minority.label} (${b.minority.count.toLocaleString('en-US')})` : '—'}</dd>
            <dt>Imbalance</dt><dd>{b.imbalanceRatio === null ? '—' : `${b.imbalanceRatio.toFixed(2)} : 1`}</dd>
            <dt>Balance (entropy)</dt><dd>{b.normalisedEntropy === null ? '—' : `${(b.normalisedEntropy * 100).toFixed(0)}% of a perfectly balanced set`}</dd>
            <dt>Unlabelled rows</dt><dd>{b.unlabelled.toLocaleString('en-US')}</dd>
          </dl>
        </div>
        <div>
          <h3>Outlier scores</h3>
          {c.outlierScores ? <OutlierHistogram bins={c.outlierScores.bins} threshold={c.outlierScores.threshold} /> : <p className="muted">No numeric features, so no outlier scores.</p>}
        </div>
      </div>
    </section>
  );
}
