// The AI bill of materials: CycloneDX 1.6 JSON. Each model (artifact set, or loose model file) is
// a `machine-learning-model` component with hashes, its files as nested `file` components and a
// model card built from what the audit learned; datasets are `data` components; findings are
// `vulnerabilities` with Assay's rating and the auditor's analysis. Deterministic for one case state.
import type { Artifact, FindingRecord } from '../../../../shared/api/schemas.ts';
import { findRule } from '../../../../shared/rules/catalogue.ts';
import { formatLocation } from '../../../../shared/findings.ts';
import { compareStrings } from '../canonical-json.ts';
import { sha256Hex } from '../encoding.ts';
import type { CaseSnapshot, VerificationRecord } from './snapshot.ts';

type Json = Record<string, unknown>;

const CDX_STATE: Record<FindingRecord['status'], string> = {
  open: 'in_triage',
  accepted: 'exploitable',
  false_positive: 'false_positive',
};

/** A UUID (version 5 layout) derived from a seed, for a reproducible serial number. */
export function deterministicUuid(seed: string): string {
  const h = sha256Hex(seed).slice(0, 32).split('');
  h[12] = '5';
  h[16] = ((parseInt(h[16]!, 16) & 0x3) | 0x8).toString(16);
  const s = h.join('');
  return `${s.slice(0, 8)}-${s.slice(8, 12)}-${s.slice(12, 16)}-${s.slice(16, 20)}-${s.slice(20, 32)}`;
}

/** The latest instant of the case state (custody events, decision), used as the BOM timestamp. */
export function stateTime(s: CaseSnapshot): string {
  const times = [s.case.createdAt, ...s.custody.events.map((e) => e.at)];
  if (s.decision) times.push(s.decision.decidedAt);
  const ms = Math.max(...times.map((t) => Date.parse(t)).filter((n) => Number.isFinite(n)));
  return new Date(Number.isFinite(ms) ? ms : 0).toISOString();
}

const prop = (name: string, value: string | number | boolean) => ({ name: `assay:${name}`, value: String(value) });

function hashes(sha256: string): Json[] {
  return [{ alg: 'SHA-256', content: sha256 }];
}

function artifactRef(a: Artifact): string {
  return `artifact:${a.id}`;
}

function verificationOf(s: CaseSnapshot, setId: string | null, artifactId: string | null): VerificationRecord | undefined {
  return [...s.verifications]
    .filter((v) => (setId !== null && v.setId === setId) || (artifactId !== null && v.artifactId === artifactId))
    .sort((a, b) => compareStrings(b.verifiedAt, a.verifiedAt) || compareStrings(a.id, b.id))[0];
}

function modelCard(s: CaseSnapshot, ref: string, files: Artifact[], datasetRefs: string[], verification: VerificationRecord | undefined): Json {
  const ids = new Set(files.map((f) => f.id));
  const open = s.findings.filter((f) => f.artifactId !== null && ids.has(f.artifactId) && f.status === 'open');
  const formats = [...new Set(files.map((f) => f.formatLabel))].sort();
  const limitations = open
    .sort((a, b) => ['critical', 'high', 'medium', 'low', 'info'].indexOf(a.severity) - ['critical', 'high', 'medium', 'low', 'info'].indexOf(b.severity) || compareStrings(a.id, b.id))
    .slice(0, 50)
    .map((f) => `${f.severity}: ${f.message}`);
  const verdicts = [...new Set(files.map((f) => f.verdict ?? 'not scanned'))].sort();
  const properties = [
    prop('formats', formats.join(', ')),
    prop('verdicts', verdicts.join(', ')),
    prop('file-count', files.length),
    prop('total-size', files.reduce((n, f) => n + f.size, 0)),
    prop('open-findings', open.length),
    prop('signature', verification ? (verification.ok ? `verified: ${verification.summary}` : `not verified: ${verification.summary}`) : 'not checked'),
  ];
  if (s.decision) properties.push(prop('intake-decision', s.decision.outcome));
  return {
    'bom-ref': `modelcard:${ref}`,
    modelParameters: {
      modelArchitecture: formats.join(', ') || 'unknown',
      ...(datasetRefs.length > 0 ? { datasets: datasetRefs.map((r) => ({ ref: r })) } : {}),
    },
    considerations: {
      technicalLimitations: limitations.length > 0 ? limitations : ['No open finding from the Assay audit.'],
    },
    properties,
  };
}

export function buildAibom(s: CaseSnapshot): Json {
  const bySet = new Map<string, Artifact[]>();
  for (const a of s.artifacts) {
    if (!a.setId) continue;
    const list = bySet.get(a.setId);
    if (list) list.push(a);
    else bySet.set(a.setId, [a]);
  }
  const loose = s.artifacts.filter((a) => a.setId === null).sort((a, b) => compareStrings(a.id, b.id));
  const datasets = s.artifacts.filter((a) => a.kind === 'dataset').sort((a, b) => compareStrings(a.id, b.id));
  const datasetRefs = datasets.map(artifactRef);
  const components: Json[] = [];
  const provenance = provenanceBySubject(s.datasets);
  const provenanceProps = (key: string | null): Json[] => {
    const p = key ? provenance.get(key) : undefined;
    return p ? Object.entries(p).filter(([, v]) => v).map(([k, v]) => prop(`provenance.${k}`, v)) : [];
  };
  const fileComponent = (a: Artifact): Json => ({
    type: a.kind === 'dataset' ? 'data' : 'file',
    'bom-ref': artifactRef(a),
    name: a.relPath ?? a.displayName,
    hashes: hashes(a.sha256),
    ...(a.kind === 'dataset' ? { data: [{ type: 'dataset', name: a.displayName }] } : {}),
    properties: [prop('format', a.formatLabel), prop('size', a.size), ...(a.verdict ? [prop('verdict', a.verdict)] : []), ...provenanceProps(a.kind === 'dataset' ? `artifact:${a.id}` : null)],
  });

  for (const set of [...s.artifactSets].sort((a, b) => compareStrings(a.id, b.id))) {
    const files = (bySet.get(set.id) ?? []).sort((a, b) => compareStrings((a.relPath ?? ''), b.relPath ?? '') || compareStrings(a.id, b.id));
    const ref = `set:${set.id}`;
    const isModel = files.some((f) => f.kind === 'model');
    components.push({
      type: isModel ? 'machine-learning-model' : 'data',
      'bom-ref': ref,
      name: set.name,
      hashes: hashes(set.rootDigest),
      ...(isModel
        ? { modelCard: modelCard(s, ref, files, datasetRefs.filter((r) => !files.some((f) => artifactRef(f) === r)), verificationOf(s, set.id, null)) }
        : { data: [{ type: 'dataset', name: set.name }] }),
      components: files.map(fileComponent),
      properties: [prop('root-digest', set.rootDigest), prop('file-count', set.fileCount), prop('total-size', set.totalSize), ...(isModel ? [] : provenanceProps(`set:${set.id}`))],
    });
  }
  for (const a of loose) {
    if (a.kind === 'model') {
      components.push({
        type: 'machine-learning-model',
        'bom-ref': artifactRef(a),
        name: a.displayName,
        hashes: hashes(a.sha256),
        modelCard: modelCard(s, artifactRef(a), [a], datasetRefs, verificationOf(s, null, a.id)),
        properties: [prop('format', a.formatLabel), prop('size', a.size)],
      });
    } else components.push(fileComponent(a));
  }
  const known = new Set(s.artifacts.map((a) => a.id));
  const vulnerabilities = [...s.findings].sort((a, b) => compareStrings(a.id, b.id)).map((f) => {
    const rule = findRule(f.ruleId);
    const where = formatLocation(f.location);
    return {
      'bom-ref': `finding:${f.id}`,
      id: f.ruleId,
      source: { name: 'Assay' },
      ratings: [{ source: { name: 'Assay' }, severity: f.severity, method: 'other' }],
      description: f.message,
      ...(rule ? { detail: rule.title, recommendation: rule.remediation } : {}),
      created: f.createdAt,
      analysis: {
        state: CDX_STATE[f.status],
        ...(f.status === 'accepted' ? { response: ['will_not_fix'] } : {}),
        ...(f.justification ? { detail: f.justification } : {}),
      },
      ...(f.artifactId && known.has(f.artifactId) ? { affects: [{ ref: `artifact:${f.artifactId}` }] } : {}),
      properties: [
        prop('checklist', f.checklist.join(' ') || 'none'),
        ...(where ? [prop('location', where)] : []),
        ...(f.reviewedBy ? [prop('reviewed-by', f.reviewedBy)] : []),
      ],
    };
  });
  return {
    bomFormat: 'CycloneDX',
    specVersion: '1.6',
    serialNumber: `urn:uuid:${deterministicUuid(`${s.case.id}\n${s.custody.head}\n${stateTime(s)}`)}`,
    version: 1,
    metadata: {
      timestamp: stateTime(s),
      tools: { components: [{ type: 'application', name: s.tool.name, version: s.tool.version }] },
      properties: [
        prop('case-id', s.case.id),
        prop('case-name', s.case.name),
        prop('auditor', s.case.auditor),
        prop('custody-head', s.custody.head),
        ...(s.decision ? [prop('intake-decision', s.decision.outcome)] : []),
        ...(s.vulnerabilityDatabase ? [prop('vulnerability-database', `${s.vulnerabilityDatabase.name} ${s.vulnerabilityDatabase.date} sha256:${s.vulnerabilityDatabase.sha256}`)] : []),
      ],
    },
    components,
    vulnerabilities,
  };
}

/**
 * Provenance of each dataset from the case's dataset records (source, licence, collector,
 * labeller, collection dates, access notes), keyed `artifact:<id>` or `set:<id>`.
 */
function provenanceBySubject(records: readonly unknown[]): Map<string, Record<string, string>> {
  const out = new Map<string, Record<string, string>>();
  for (const r of records) {
    if (typeof r !== 'object' || r === null) continue;
    const { artifactId, setId, provenance } = r as { artifactId?: unknown; setId?: unknown; provenance?: unknown };
    if (typeof provenance !== 'object' || provenance === null) continue;
    const fields = Object.fromEntries(Object.entries(provenance).filter((e): e is [string, string] => typeof e[1] === 'string'));
    if (typeof setId === 'string') out.set(`set:${setId}`, fields);
    else if (typeof artifactId === 'string') out.set(`artifact:${artifactId}`, fields);
  }
  return out;
}
