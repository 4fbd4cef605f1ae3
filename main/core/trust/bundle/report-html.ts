// The human report of an audit: one self-contained HTML page (inline style, no scripts, no
// external resources, a CSP that forbids fetching anything). Sections: the decision, verification
// results, the checklist by phase with the weakest phase first, findings by severity, artifacts
// and the custody head. Deterministic for one case state.
import type { ChecklistEntry, PhaseProgress } from '../../../../shared/api/schemas.ts';
import { CHECKLIST, PHASES, checklistPoint, type PointId } from '../../../../shared/checklist/points.ts';
import { formatLocation, SEVERITIES, type Severity } from '../../../../shared/findings.ts';
import { findRule } from '../../../../shared/rules/catalogue.ts';
import { compareStrings } from '../canonical-json.ts';
import type { PolicyEvaluation } from '../policy/evaluate.ts';
import { stateTime } from './aibom.ts';
import type { CaseSnapshot } from './snapshot.ts';

const ESC: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' };
export function esc(value: unknown): string {
  return String(value ?? '').replace(/[&<>"']/g, (c) => ESC[c]!);
}

const STATUS_LABEL: Record<string, string> = {
  not_reviewed: 'not reviewed', pass: 'pass', fail: 'fail', partial: 'partial', not_applicable: 'not applicable',
};

const STYLE = `
body{font:14px/1.45 system-ui,-apple-system,"Segoe UI",Roboto,sans-serif;color:#1b1f24;margin:2rem auto;max-width:60rem;padding:0 1rem}
h1{font-size:1.6rem;margin:.2rem 0}h2{font-size:1.25rem;border-bottom:2px solid #d0d7de;padding-bottom:.2rem;margin-top:2rem}
h3{font-size:1.05rem;margin:1.2rem 0 .4rem}table{border-collapse:collapse;width:100%;margin:.4rem 0}
th,td{border:1px solid #d0d7de;padding:.25rem .45rem;text-align:left;vertical-align:top}th{background:#f3f5f7}
code,.mono{font-family:ui-monospace,Menlo,Consolas,monospace;font-size:.85em;word-break:break-all}
.meta{color:#57606a}.box{border:2px solid #57606a;border-radius:6px;padding:.6rem 1rem;margin:1rem 0}
.approved{border-color:#1a7f37}.approved-with-conditions{border-color:#9a6700}.rejected{border-color:#cf222e}.undecided{border-color:#57606a}
.s-pass{color:#1a7f37;font-weight:600}.s-fail{color:#cf222e;font-weight:600}.s-partial{color:#9a6700;font-weight:600}.s-not_reviewed,.s-not_applicable{color:#57606a}
.sev{font-weight:600;text-transform:uppercase;font-size:.8em}.sev-critical{color:#a40e26}.sev-high{color:#cf222e}.sev-medium{color:#9a6700}.sev-low{color:#0969da}.sev-info{color:#57606a}
.ok{color:#1a7f37;font-weight:600}.bad{color:#cf222e;font-weight:600}
@media print{body{margin:0;max-width:none}h2{break-after:avoid}tr{break-inside:avoid}}
`;

export interface ReportOptions {
  /** The policy evaluation to show with the decision (blockers and waivers). */
  evaluation?: PolicyEvaluation | null;
  /** Why the bundle carries no PDF of this report (null: it does, or the question does not arise). */
  pdfNote?: string | null;
}

function phaseOrder(s: CaseSnapshot): { phase: (typeof PHASES)[number]; progress: PhaseProgress | undefined }[] {
  const progress = new Map(s.checklist.phases.map((p) => [p.phase, p]));
  return PHASES.map((phase) => ({ phase, progress: progress.get(phase.id) }))
    .sort((a, b) => (a.progress?.strength ?? 0) - (b.progress?.strength ?? 0) || a.phase.id - b.phase.id);
}

function decisionSection(s: CaseSnapshot, evaluation: PolicyEvaluation | null | undefined): string {
  const d = s.decision;
  const cls = d ? d.outcome : 'undecided';
  const rows: string[] = [];
  if (d) {
    rows.push(`<p><strong>Decision: ${esc(d.outcome)}</strong> — by ${esc(d.decidedBy)} on ${esc(d.decidedAt)}</p>`);
    rows.push(`<p>${esc(d.justification)}</p>`);
    if (d.conditions.length > 0) rows.push(`<p>Conditions:</p><ol>${d.conditions.map((c) => `<li>${esc(c)}</li>`).join('')}</ol>`);
  } else rows.push('<p><strong>No intake decision has been recorded.</strong></p>');
  if (s.policy) rows.push(`<p class="meta">Policy in force: ${esc(s.policy.policy.name)} (<span class="mono">sha256:${esc(s.policy.sha256)}</span>)</p>`);
  if (s.waivers.length > 0) {
    rows.push(`<table><tr><th>Waived point</th><th>Justification</th><th>Granted by</th><th>At</th></tr>${[...s.waivers]
      .sort((a, b) => compareStrings(a.pointId, b.pointId))
      .map((w) => `<tr><td>${esc(w.pointId)}</td><td>${esc(w.justification)}</td><td>${esc(w.grantedBy)}</td><td>${esc(w.grantedAt)}</td></tr>`).join('')}</table>`);
  }
  if (evaluation) {
    const open = evaluation.blockers.filter((b) => !b.waivedBy);
    rows.push(`<p class="meta">Outcomes the policy allows: ${esc(evaluation.allowedOutcomes.join(', '))}.${open.length > 0 ? ` Unmet requirements: ${open.length}.` : ''}</p>`);
    if (open.length > 0) rows.push(`<ul>${open.slice(0, 50).map((b) => `<li>${esc(b.message)}</li>`).join('')}${open.length > 50 ? `<li>… ${open.length - 50} more</li>` : ''}</ul>`);
  }
  return `<section id="decision"><h2>Intake decision</h2><div class="box ${esc(cls)}">${rows.join('\n')}</div></section>`;
}

function verificationSection(s: CaseSnapshot): string {
  if (s.verifications.length === 0) return '<section id="verification"><h2>Verification results</h2><p>No signature or digest verification was recorded.</p></section>';
  const rows = [...s.verifications].sort((a, b) => compareStrings(a.verifiedAt, b.verifiedAt) || compareStrings(a.id, b.id)).map((v) =>
    `<tr><td>${esc(v.kind)}</td><td>${esc(v.subject)}</td><td class="${v.ok ? 'ok' : 'bad'}">${v.ok ? 'verified' : 'NOT verified'}</td><td>${esc(v.summary)}</td><td>${esc(v.verifiedBy)}<br><span class="meta">${esc(v.verifiedAt)}</span></td></tr>`);
  return `<section id="verification"><h2>Verification results</h2><table><tr><th>Check</th><th>Subject</th><th>Result</th><th>Summary</th><th>By</th></tr>${rows.join('')}</table></section>`;
}

function entryRow(e: ChecklistEntry): string {
  const p = checklistPoint(e.pointId);
  const evidence = e.evidence.length > 0 ? `<ul>${[...e.evidence].sort((a, b) => compareStrings(a.id, b.id)).map((v) => `<li>${esc(v.title)}: ${esc(v.summary)}</li>`).join('')}</ul>` : '';
  const attachments = e.attachments.length > 0 ? `<p class="meta">Attachments: ${e.attachments.map((a) => `${esc(a.name)} (<span class="mono">${esc(a.sha256.slice(0, 16))}…</span>)`).join(', ')}</p>` : '';
  return `<tr><td>${esc(p.id)}</td><td><strong>${esc(p.title)}</strong><br><span class="meta">${esc(p.question)}</span>${evidence}${attachments}</td>`
    + `<td class="s-${esc(e.status)}">${esc(STATUS_LABEL[e.status] ?? e.status)}</td><td>${esc(e.notes)}</td><td>${esc(e.auditor ?? '')}<br><span class="meta">${esc(e.updatedAt ?? '')}</span></td></tr>`;
}

function checklistSection(s: CaseSnapshot): string {
  const byPoint = new Map<PointId, ChecklistEntry>(s.checklist.entries.map((e) => [e.pointId, e]));
  const parts = phaseOrder(s).map(({ phase, progress }, i) => {
    const points = CHECKLIST.filter((p) => p.phase === phase.id);
    const t = progress?.tally;
    const head = `Phase ${phase.id}: ${esc(phase.title)}${i === 0 ? ' — weakest phase' : ''}`;
    const tally = t ? `<p class="meta">Strength ${Math.round((progress?.strength ?? 0) * 100)}% · ${t.pass} pass, ${t.partial} partial, ${t.fail} fail, ${t.notApplicable} not applicable, ${t.total - t.reviewed} not reviewed</p>` : '';
    const rows = points.map((p) => {
      const e = byPoint.get(p.id);
      return e ? entryRow(e) : `<tr><td>${esc(p.id)}</td><td>${esc(p.title)}</td><td class="s-not_reviewed">not recorded</td><td></td><td></td></tr>`;
    });
    return `<h3>${head}</h3>${tally}<table><tr><th>Point</th><th>What was checked</th><th>Status</th><th>Notes</th><th>Auditor</th></tr>${rows.join('')}</table>`;
  });
  const o = s.checklist.overall;
  return `<section id="checklist"><h2>Checklist (weakest phase first)</h2><p>${o.pass} of ${o.total} points pass; ${o.reviewed} reviewed.</p>${parts.join('\n')}</section>`;
}

/**
 * Findings listed one by one per severity (open first); beyond this the rest is summarised by
 * rule. A human report of ten thousand rows helps nobody and takes Chromium a minute to print;
 * every finding is in case/findings.json and case/findings.sarif.json.
 */
export const REPORT_ROWS_PER_SEVERITY: Record<Severity, number> = { critical: 250, high: 250, medium: 100, low: 100, info: 100 };
/** Files listed one by one; all of them are in case/artifacts.json and aibom.cdx.json. */
export const REPORT_FILE_ROWS = 200;

function findingsSection(s: CaseSnapshot): string {
  const names = new Map(s.artifacts.map((a) => [a.id, a.relPath ?? a.displayName]));
  const bySeverity = new Map<Severity, typeof s.findings>();
  for (const f of s.findings) {
    const list = bySeverity.get(f.severity);
    if (list) list.push(f);
    else bySeverity.set(f.severity, [f]);
  }
  const counts = [...SEVERITIES].reverse().map((sev) => `${bySeverity.get(sev)?.length ?? 0} ${sev}`).join(', ');
  const statusRank = (st: string) => (st === 'open' ? 0 : st === 'accepted' ? 1 : 2);
  const groups = [...SEVERITIES].reverse().filter((sev) => bySeverity.has(sev)).map((sev) => {
    const list = [...bySeverity.get(sev)!].sort((a, b) => statusRank(a.status) - statusRank(b.status) || compareStrings(a.ruleId, b.ruleId) || compareStrings(a.id, b.id));
    const shown = list.slice(0, REPORT_ROWS_PER_SEVERITY[sev]);
    const rows = shown.map((f) => {
      const rule = findRule(f.ruleId);
      const where = [f.artifactId ? names.get(f.artifactId) ?? f.artifactId : null, formatLocation(f.location) || null].filter(Boolean).join(' @ ');
      const review = f.status === 'open' ? 'open' : `${f.status.replace('_', ' ')}${f.justification ? `: ${f.justification}` : ''}${f.reviewedBy ? ` (${f.reviewedBy})` : ''}`;
      return `<tr><td><code>${esc(f.ruleId)}</code><br>${esc(rule?.title ?? '')}</td><td>${esc(f.message)}<br><span class="meta">${esc(where)}</span></td><td>${esc(f.checklist.join(' '))}</td><td>${esc(review)}</td></tr>`;
    });
    const rest = list.slice(shown.length);
    let more = '';
    if (rest.length > 0) {
      const perRule = new Map<string, { open: number; total: number }>();
      for (const f of rest) {
        const c = perRule.get(f.ruleId) ?? { open: 0, total: 0 };
        c.total++;
        if (f.status === 'open') c.open++;
        perRule.set(f.ruleId, c);
      }
      more = `<p class="meta">${rest.length} more ${esc(sev)} finding(s), by rule (every finding is in case/findings.json and case/findings.sarif.json):</p>`
        + `<table><tr><th>Rule</th><th>Findings</th><th>Open</th></tr>${[...perRule].sort(([a], [b]) => compareStrings(a, b))
          .map(([id, c]) => `<tr><td><code>${esc(id)}</code> ${esc(findRule(id)?.title ?? '')}</td><td>${c.total}</td><td>${c.open}</td></tr>`).join('')}</table>`;
    }
    return `<h3 class="sev sev-${sev}">${esc(sev)} (${list.length})</h3><table><tr><th>Rule</th><th>Finding</th><th>Points</th><th>Review</th></tr>${rows.join('')}</table>${more}`;
  });
  return `<section id="findings"><h2>Findings by severity</h2><p>${esc(counts)}.</p>${groups.join('\n') || '<p>No findings.</p>'}</section>`;
}

function artifactsSection(s: CaseSnapshot): string {
  const sets = [...s.artifactSets].sort((a, b) => compareStrings(a.id, b.id)).map((set) =>
    `<tr><td>${esc(set.name)}</td><td>${set.fileCount} files, ${set.totalSize} bytes</td><td class="mono">${esc(set.rootDigest)}</td></tr>`);
  const sorted = [...s.artifacts].sort((a, b) => compareStrings(a.setId ?? '', b.setId ?? '') || compareStrings(a.relPath ?? a.displayName, b.relPath ?? b.displayName) || compareStrings(a.id, b.id));
  const files = sorted.slice(0, REPORT_FILE_ROWS).map((a) =>
    `<tr><td>${esc(a.relPath ?? a.displayName)}</td><td>${esc(a.formatLabel)}${a.extensionMismatch ? ' (name claims otherwise)' : ''}</td><td>${a.size}</td><td>${esc(a.verdict ?? 'not scanned')}</td><td class="mono">${esc(a.sha256)}</td></tr>`);
  return `<section id="artifacts"><h2>Artifacts</h2>${sets.length > 0 ? `<table><tr><th>Model folder</th><th>Content</th><th>Root digest</th></tr>${sets.join('')}</table>` : ''}`
    + `<table><tr><th>File</th><th>Format</th><th>Bytes</th><th>Verdict</th><th>SHA-256</th></tr>${files.join('')}</table>`
    + `${sorted.length > files.length ? `<p class="meta">${sorted.length - files.length} more file(s); every file and its SHA-256 is in case/artifacts.json and aibom.cdx.json.</p>` : ''}</section>`;
}

export function renderReportHtml(s: CaseSnapshot, options: ReportOptions = {}): string {
  const c = s.case;
  return `<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8">
<meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src 'unsafe-inline'">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>Assay audit report: ${esc(c.name)}</title>
<style>${STYLE}</style></head>
<body>
<header><p class="meta">Assay audit report</p><h1>${esc(c.name)}</h1>
<p class="meta">Case <span class="mono">${esc(c.id)}</span> · auditor ${esc(c.auditor)} · opened ${esc(c.createdAt)} · state as of ${esc(stateTime(s))} · ${esc(s.tool.name)} ${esc(s.tool.version)}</p>
${c.description ? `<p>${esc(c.description)}</p>` : ''}</header>
${decisionSection(s, options.evaluation)}
${verificationSection(s)}
${checklistSection(s)}
${findingsSection(s)}
${artifactsSection(s)}
<section id="custody"><h2>Custody log</h2><p>${s.custody.events.length} events; head <span class="mono">${esc(s.custody.head)}</span>.</p></section>
${options.pdfNote ? `<p class="meta">No PDF rendition of this report is in the bundle: ${esc(options.pdfNote)}.</p>` : ''}
${s.vulnerabilityDatabase ? `<p class="meta">Vulnerability database: ${esc(s.vulnerabilityDatabase.name)} of ${esc(s.vulnerabilityDatabase.date)} (<span class="mono">sha256:${esc(s.vulnerabilityDatabase.sha256)}</span>)</p>` : ''}
</body></html>
`;
}
