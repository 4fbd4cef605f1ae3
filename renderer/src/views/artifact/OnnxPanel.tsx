// The ONNX graph summary kept by the scanner: inputs and outputs with symbolic dimensions,
// opsets and custom domains, parameter count, and the operator histogram (drawn as bars).
import type { Artifact } from '../../../../shared/api/schemas.ts';
import type { OnnxGraphSummary, TensorSignature } from '../../../../shared/scan-details.ts';
import { ErrorText } from '../../components/ErrorText.tsx';
import { api } from '../../lib/api.ts';
import { changedFor, useLoad } from '../../lib/hooks.ts';

function shapeText(t: TensorSignature): string {
  return t.shape ? `[${t.shape.map((d) => (d === null ? '?' : String(d))).join(', ')}]` : 'unknown shape';
}

function Signature({ title, tensors }: { title: string; tensors: TensorSignature[] }) {
  return (
    <section>
      <h3>{title}</h3>
      <table>
        <thead><tr><th scope="col">Name</th><th scope="col">Element type</th><th scope="col">Shape</th></tr></thead>
        <tbody>{tensors.map((t) => <tr key={t.name}><td><code>{t.name}</code></td><td>{t.elementType}</td><td><code>{shapeText(t)}</code></td></tr>)}</tbody>
      </table>
    </section>
  );
}

export function OperatorBars({ operators }: { operators: Record<string, number> }) {
  const rows = Object.entries(operators).sort((a, b) => b[1] - a[1]).slice(0, 30);
  const max = Math.max(1, ...rows.map(([, n]) => n));
  const barHeight = 18;
  return (
    <svg className="bars" role="img" aria-label="Operator counts" width="100%" viewBox={`0 0 600 ${rows.length * barHeight + 4}`} preserveAspectRatio="xMinYMin meet">
      <title>Operator counts</title>
      {rows.map(([op, n], i) => (
        <g key={op} transform={`translate(0 ${i * barHeight})`}>
          <text x={0} y={13} fontSize={12}>{op}</text>
          <rect x={190} y={3} height={12} width={(n / max) * 360} className="bar" />
          <text x={195 + (n / max) * 360} y={13} fontSize={12}>{n}</text>
        </g>
      ))}
    </svg>
  );
}

export function OnnxPanel({ artifact }: { artifact: Artifact }) {
  const report = useLoad(() => api.call('scan.report', { artifactId: artifact.id }), [artifact.id], changedFor(artifact.caseId));
  const summary = report.data?.units.find((u) => u.details.onnx)?.details.onnx as OnnxGraphSummary | undefined;
  if (report.error) return <ErrorText error={report.error} />;
  if (!report.data) return <p className="muted">Loading…</p>;
  if (!summary) return <p className="muted">No graph summary: the model could not be decoded (see the findings).</p>;
  return (
    <div className="onnx-summary">
      <dl className="facts">
        <dt>IR version</dt><dd>{summary.irVersion}</dd>
        <dt>Producer</dt><dd>{summary.producer || '—'}</dd>
        <dt>Opsets</dt><dd>{summary.opsets.map((o) => `${o.domain || 'ai.onnx'} ${o.version}`).join(', ')}</dd>
        <dt>Custom domains</dt><dd>{summary.customDomains.length > 0 ? <strong className="warn">{summary.customDomains.join(', ')}</strong> : 'none'}</dd>
        <dt>Nodes</dt><dd>{summary.nodeCount} ({summary.subgraphCount} subgraph{summary.subgraphCount === 1 ? '' : 's'})</dd>
        <dt>Parameters</dt><dd>{summary.parameterCount.toLocaleString('en')} in {summary.initializerCount} initializers</dd>
        <dt>External data</dt><dd>{summary.externalData.length > 0 ? summary.externalData.map((e) => `${e.tensor} → ${e.location}`).join('; ') : 'none'}</dd>
      </dl>
      <Signature title="Inputs" tensors={summary.inputs} />
      <Signature title="Outputs" tensors={summary.outputs} />
      <h3>Operators</h3>
      <OperatorBars operators={summary.operators} />
    </div>
  );
}
