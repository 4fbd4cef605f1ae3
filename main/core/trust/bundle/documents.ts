// The content files of an audit bundle, built from a CaseSnapshot as bytes in a fixed order.
// Every list is sorted by a stable key and every JSON file is RFC 8785 canonical JSON, so one case state
// always gives the same bytes.
import { canonicalJson, compareStrings } from '../canonical-json.ts';
import { evaluatePolicy, type PolicyEvaluation, type PolicyInput } from '../policy/evaluate.ts';
import { buildAibom } from './aibom.ts';
import { ATTACHMENT_DIR, ENTRY, safeComponent } from './layout.ts';
import { renderReportHtml } from './report-html.ts';
import type { CaseSnapshot } from './snapshot.ts';

export interface BundleFile {
  name: string;
  bytes: Buffer;
  role: string;
}

// RFC 8785 canonical JSON (one line) for every record: deterministic and compact.
const json = (v: unknown) => Buffer.from(`${canonicalJson(v)}\n`, 'utf8');

export function policyInput(s: Pick<CaseSnapshot, 'checklist' | 'findings' | 'waivers'>): PolicyInput {
  return {
    checklist: s.checklist.entries.map((e) => ({ pointId: e.pointId, status: e.status })),
    findings: s.findings.map((f) => ({ id: f.id, ruleId: f.ruleId, severity: f.severity, status: f.status, checklist: f.checklist, message: f.message })),
    waivers: s.waivers,
  };
}

export function caseEvaluation(s: CaseSnapshot): PolicyEvaluation | null {
  return s.policy ? evaluatePolicy(s.policy.policy, policyInput(s)) : null;
}

export function attachmentEntryName(id: string, name: string): string {
  return `${ATTACHMENT_DIR}${safeComponent(id, 'attachment')}/${safeComponent(name, 'file')}`;
}

/** Case records, attachments, AIBOM and HTML report (the PDF and model files are added by export). */
export function bundleDocuments(s: CaseSnapshot, options: { pdfNote?: string | null } = {}): { files: BundleFile[]; html: string; evaluation: PolicyEvaluation | null } {
  const byId = <T extends { id: string }>(list: readonly T[]) => [...list].sort((a, b) => compareStrings(a.id, b.id));
  const evaluation = caseEvaluation(s);
  const attachments = [...s.attachments].sort((a, b) => compareStrings(a.meta.id, b.meta.id));
  const files: BundleFile[] = [
    { name: ENTRY.case, role: 'case', bytes: json(s.case) },
    { name: ENTRY.artifacts, role: 'artifacts', bytes: json({ artifactSets: byId(s.artifactSets), artifacts: byId(s.artifacts) }) },
    { name: ENTRY.findings, role: 'findings', bytes: json({ findings: byId(s.findings) }) },
    { name: ENTRY.sarif, role: 'findings-sarif', bytes: json(s.findingsSarif) },
    {
      name: ENTRY.checklist,
      role: 'checklist',
      bytes: json({
        caseId: s.checklist.caseId,
        overall: s.checklist.overall,
        phases: [...s.checklist.phases].sort((a, b) => a.phase - b.phase),
        weakestPhase: s.checklist.weakestPhase,
        // Findings are in findings.json; entries name them by id.
        entries: [...s.checklist.entries].sort((a, b) => compareStrings(a.pointId, b.pointId)).map(({ findings, evidence, attachments: att, ...rest }) => ({
          ...rest,
          evidence: byId(evidence),
          attachments: byId(att),
          findingIds: findings.map((f) => f.id).sort(compareStrings),
        })),
      }),
    },
    {
      name: ENTRY.decision,
      role: 'decision',
      bytes: json({
        decision: s.decision,
        policy: s.policy,
        waivers: [...s.waivers].sort((a, b) => compareStrings(a.pointId, b.pointId) || compareStrings(a.grantedAt, b.grantedAt)),
        evaluation,
      }),
    },
    { name: ENTRY.verifications, role: 'verifications', bytes: json({ verifications: [...s.verifications].sort((a, b) => compareStrings(a.verifiedAt, b.verifiedAt) || compareStrings(a.id, b.id)) }) },
    { name: ENTRY.datasets, role: 'datasets', bytes: json({ datasets: s.datasets }) },
    { name: ENTRY.custody, role: 'custody', bytes: json({ head: s.custody.head, events: [...s.custody.events].sort((a, b) => a.seq - b.seq) }) },
    {
      name: ENTRY.attachments,
      role: 'attachments',
      bytes: json({ attachments: attachments.map((a) => ({ ...a.meta, path: attachmentEntryName(a.meta.id, a.meta.name) })) }),
    },
    ...attachments.map((a) => ({ name: attachmentEntryName(a.meta.id, a.meta.name), role: 'attachment', bytes: Buffer.from(a.bytes) })),
    { name: ENTRY.aibom, role: 'aibom', bytes: json(buildAibom(s)) },
  ];
  const html = renderReportHtml(s, { evaluation, pdfNote: options.pdfNote ?? null });
  files.push({ name: ENTRY.reportHtml, role: 'report-html', bytes: Buffer.from(html, 'utf8') });
  return { files, html, evaluation };
}
