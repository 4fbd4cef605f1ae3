// Builders for the trust tests: case snapshots of any size (valid custody chain, consistent
// checklist), model folders, keys and a Chromium PDF renderer when one is installed.
import { execFileSync } from 'node:child_process';
import { existsSync, rmSync } from 'node:fs';
import { mkdir, mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import type {
  Artifact, ArtifactSet, ChecklistEntry, ChecklistView, FindingRecord, PhaseProgress,
} from '../../shared/api/schemas.ts';
import { CHECKLIST, PHASES, type ChecklistStatus, type PointId } from '../../shared/checklist/points.ts';
import { SEVERITIES, type Severity } from '../../shared/findings.ts';
import { caseChain, eventHash, GENESIS_HASH } from '../../main/core/custody/chain.ts';
import type { BundleCustodyEvent } from '../../shared/api/methods/trust-schemas.ts';
import { sha256Hex } from '../../main/core/trust/encoding.ts';
import { parsePolicy } from '../../main/core/trust/policy/load.ts';
import type { CaseSnapshot } from '../../main/core/trust/bundle/snapshot.ts';
import type { IntakeDecision } from '../../main/core/trust/policy/schema.ts';

export const T0 = '2025-03-01T09:00:00.000Z';
const at = (minutes: number) => new Date(Date.parse(T0) + minutes * 60_000).toISOString();

const created: string[] = [];
process.once('exit', () => {
  for (const d of created) rmSync(d, { recursive: true, force: true });
});

/** A scratch folder removed when the test process exits. */
export async function tempDir(prefix = 'assay-trust-'): Promise<string> {
  const d = await mkdtemp(join(tmpdir(), prefix));
  created.push(d);
  return d;
}

/** Writes files (relative path → content) under a new folder and returns its path. */
export async function makeModel(files: Record<string, string | Uint8Array>, parent?: string, name = 'model'): Promise<string> {
  const root = join(parent ?? (await tempDir()), name);
  await mkdir(root, { recursive: true });
  for (const [rel, content] of Object.entries(files)) {
    const p = join(root, rel);
    await mkdir(dirname(p), { recursive: true });
    await writeFile(p, content);
  }
  return root;
}

const id = (prefix: string, n: number) => `${prefix}${String(n).padStart(6, '0')}`;

export interface SnapshotSpec {
  artifacts?: number;
  findings?: number;
  /** Status of every point (default: pass, except points with open blocking findings: fail). */
  status?: (p: PointId) => ChecklistStatus;
  decision?: IntakeDecision | null;
  /** Severity of finding i (default cycles low/medium/info so nothing blocks). */
  severity?: (i: number) => Severity;
  attachments?: number;
}

export const DEFAULT_POLICY_TEXT = JSON.stringify({
  format: 'assay-intake-policy', version: 1, name: 'Test policy',
  approval: { blockingSeverities: ['critical', 'high'], requireAllPointsReviewed: true, mustPass: ['P08', 'P10', 'P11'], failedPointBlocks: true, partialPointNeedsConditions: true },
  waivers: { allowed: true, minJustificationLength: 20, notWaivable: [] },
  decision: { minJustificationLength: 10, conditionsRequired: true },
});

export function makeSnapshot(spec: SnapshotSpec = {}): CaseSnapshot {
  const caseId = 'case0001';
  const nArtifacts = spec.artifacts ?? 3;
  const nFindings = spec.findings ?? 4;
  const set: ArtifactSet = {
    id: 'set00001', caseId, name: 'tiny-bert', rootPath: '/models/tiny-bert', rootDigest: sha256Hex('root'),
    fileCount: nArtifacts, totalSize: nArtifacts * 1000, addedAt: at(1),
  };
  const counts = { critical: 0, high: 0, medium: 0, low: 0, info: 0 };
  const artifacts: Artifact[] = Array.from({ length: nArtifacts }, (_, i) => ({
    id: id('art', i), caseId, setId: i === nArtifacts - 1 && nArtifacts > 1 ? null : set.id,
    relPath: i === nArtifacts - 1 && nArtifacts > 1 ? null : `weights/part-${i}.safetensors`,
    displayName: i === nArtifacts - 1 && nArtifacts > 1 ? 'train.csv' : `part-${i}.safetensors`,
    originalPath: `/models/tiny-bert/part-${i}`, size: 1000 + i, sha256: sha256Hex(`artifact ${i}`),
    format: i === nArtifacts - 1 && nArtifacts > 1 ? 'csv' : 'safetensors',
    formatLabel: i === nArtifacts - 1 && nArtifacts > 1 ? 'CSV' : 'safetensors',
    extensionClaim: null, extensionMismatch: false,
    kind: i === nArtifacts - 1 && nArtifacts > 1 ? 'dataset' : 'model', storage: 'reference', addedAt: at(1), addedBy: 'alice',
    verdict: 'clean', findingCounts: counts,
  }));
  const severity = spec.severity ?? ((i: number) => (['low', 'medium', 'info'] as const)[i % 3]!);
  const findings: FindingRecord[] = Array.from({ length: nFindings }, (_, i) => ({
    id: id('fnd', i), caseId, artifactId: artifacts[i % Math.max(1, nArtifacts)]?.id ?? null,
    ruleId: i % 2 === 0 ? 'scan.script-payload' : 'trust.file-unsigned', severity: severity(i),
    message: `finding number ${i} <b>with markup</b>`, location: { members: [`file-${i}`], byteOffset: i },
    checklist: [i % 2 === 0 ? 'P10' : 'P08'] as PointId[], evidence: null, status: 'open', justification: null,
    reviewedBy: null, reviewedAt: null, createdAt: at(2),
  }));
  const status = spec.status ?? (() => 'pass' as ChecklistStatus);
  const entries: ChecklistEntry[] = CHECKLIST.map((p) => ({
    pointId: p.id, status: status(p.id), notes: `notes for ${p.id}`, auditor: 'alice', updatedAt: at(3), evidence: [], attachments: [],
    findings: findings.filter((f) => f.checklist.includes(p.id)),
    blockingFindings: findings.filter((f) => f.checklist.includes(p.id) && f.status === 'open' && (f.severity === 'high' || f.severity === 'critical')).length,
    suggestedStatus: null,
  }));
  const phases: PhaseProgress[] = PHASES.map((ph) => {
    const es = entries.filter((e) => CHECKLIST.find((p) => p.id === e.pointId)!.phase === ph.id);
    const tally = {
      total: es.length, reviewed: es.filter((e) => e.status !== 'not_reviewed').length, pass: es.filter((e) => e.status === 'pass').length,
      fail: es.filter((e) => e.status === 'fail').length, partial: es.filter((e) => e.status === 'partial').length,
      notApplicable: es.filter((e) => e.status === 'not_applicable').length,
    };
    const applicable = tally.total - tally.notApplicable;
    return { phase: ph.id, title: ph.title, tally, strength: applicable === 0 ? 1 : (tally.pass + tally.partial / 2) / applicable };
  });
  const overall = phases.reduce((t, p) => ({
    total: t.total + p.tally.total, reviewed: t.reviewed + p.tally.reviewed, pass: t.pass + p.tally.pass, fail: t.fail + p.tally.fail,
    partial: t.partial + p.tally.partial, notApplicable: t.notApplicable + p.tally.notApplicable,
  }), { total: 0, reviewed: 0, pass: 0, fail: 0, partial: 0, notApplicable: 0 });
  const checklist: ChecklistView = {
    caseId, entries, phases, overall,
    weakestPhase: [...phases].sort((a, b) => a.strength - b.strength || a.phase - b.phase)[0]!.phase,
  };
  const events: BundleCustodyEvent[] = [];
  let prev = GENESIS_HASH;
  const push = (action: string, subject: string, details: Record<string, unknown>) => {
    const fields = { chain: caseChain(caseId), seq: events.length + 1, caseId, at: at(events.length), actor: 'alice', action, subject, details, prevHash: prev };
    const e = { ...fields, hash: eventHash(fields) };
    events.push(e);
    prev = e.hash;
  };
  push('case.create', caseId, { name: 'Tiny BERT intake' });
  for (const a of artifacts) push('artifact.add', a.id, { sha256: a.sha256 });
  const attachments = Array.from({ length: spec.attachments ?? 1 }, (_, i) => {
    const bytes = Buffer.from(`attachment ${i} contents\n`);
    return {
      meta: { id: id('att', i), caseId, pointId: 'P05' as PointId, name: i === 0 ? '../../etc/passwd' : `notes-${i}.txt`, size: bytes.length, sha256: sha256Hex(bytes), addedAt: at(4), addedBy: 'alice' },
      bytes,
    };
  });
  const decision = spec.decision === undefined
    ? { outcome: 'approved' as const, conditions: [], justification: 'All points reviewed; no blocking finding.', decidedBy: 'alice', decidedAt: at(100) }
    : spec.decision;
  if (decision) push('case.decide', caseId, { outcome: decision.outcome });
  return {
    case: { id: caseId, name: 'Tiny BERT intake', description: 'Intake of tiny-bert <script>alert(1)</script>', auditor: 'alice', createdAt: T0, state: decision ? 'decided' : 'open' },
    artifacts,
    artifactSets: [set],
    findings,
    findingsSarif: { version: '2.1.0', $schema: 'https://json.schemastore.org/sarif-2.1.0.json', runs: [{ tool: { driver: { name: 'Assay', rules: [] } }, results: [] }] },
    checklist,
    attachments,
    custody: { events, head: prev },
    decision,
    policy: parsePolicy(DEFAULT_POLICY_TEXT, 'intake-policy.json'),
    waivers: [],
    verifications: [{
      id: 'ver00001', kind: 'oms', setId: set.id, artifactId: null, subject: 'tiny-bert', verifiedAt: at(50), verifiedBy: 'alice',
      ok: true, summary: 'Signature by key 3f2a 9c01 verifies; 2 files verified.', result: { ok: true },
      caseId, signer: { fingerprint: sha256Hex('signer'), description: 'key 3f2a 9c01 (P-256)', trustedLabel: 'Publisher' },
      counts: { verified: 2 }, files: [{ path: 'a', status: 'verified', expected: null, actual: null }], filesTruncated: false,
      problems: [], warnings: [], notes: [], superseded: false,
    }],
    datasets: [{ artifactId: artifacts[artifacts.length - 1]?.id ?? null, rows: 10 }],
    vulnerabilityDatabase: { name: 'OSV export', sha256: sha256Hex('osv'), date: '2025-02-28' },
    tool: { name: 'assay', version: '0.1.0' },
  };
}

export const severities = SEVERITIES;

/** A Chromium PDF renderer via playwright-core, or null when Chromium is not installed. */
export async function chromiumRenderer(): Promise<{ render: (html: string) => Promise<Uint8Array>; close: () => Promise<void> } | null> {
  if (!existsSync('/usr/bin/chromium')) return null;
  const { chromium } = await import('playwright-core');
  const browser = await chromium.launch({
    executablePath: '/usr/bin/chromium', headless: true,
    args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--no-first-run'],
  });
  return {
    render: async (html) => {
      const page = await browser.newPage();
      try {
        await page.setContent(html, { waitUntil: 'load' });
        return await page.pdf({ format: 'A4', printBackground: true });
      } finally {
        await page.close();
      }
    },
    close: () => browser.close(),
  };
}

export function hasCommand(cmd: string): boolean {
  try {
    execFileSync('sh', ['-c', `command -v ${cmd}`], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
}
