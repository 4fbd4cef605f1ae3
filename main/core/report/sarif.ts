// SARIF 2.1.0 for findings, so code-scanning systems can ingest Assay's results: stable rule
// ids from the catalogue with `security-severity`, one result per finding, and partial
// fingerprints that stay the same across runs for the same finding in the same content.
import { createHash } from 'node:crypto';
import { formatLocation, type Finding, type Severity } from '../../../shared/findings.ts';
import { findRule } from '../../../shared/rules/catalogue.ts';
import { canonicalJson } from '../util/canonical-json.ts';

export const SARIF_SCHEMA = 'https://docs.oasis-open.org/sarif/sarif/v2.1.0/errata01/os/schemas/sarif-schema-2.1.0.json';

export interface SarifInputArtifact {
  /** Path as given or found, used as the artifact URI. */
  path: string;
  sha256: string | null;
  findings: readonly Finding[];
}

export interface SarifLog {
  $schema: string;
  version: '2.1.0';
  runs: SarifRun[];
}

interface SarifRun {
  tool: { driver: { name: string; version: string; informationUri: string; rules: SarifRule[] } };
  artifacts: { location: { uri: string }; hashes?: { 'sha-256': string } }[];
  results: SarifResult[];
}

interface SarifRule {
  id: string;
  name: string;
  shortDescription: { text: string };
  fullDescription: { text: string };
  help: { text: string };
  defaultConfiguration: { level: SarifLevel };
  properties: { 'security-severity': string; tags: string[]; checklist: string[] };
}

type SarifLevel = 'error' | 'warning' | 'note';

interface SarifResult {
  ruleId: string;
  ruleIndex: number;
  level: SarifLevel;
  message: { text: string };
  locations: {
    physicalLocation: { artifactLocation: { uri: string; index: number }; region?: { byteOffset?: number; startLine?: number; startColumn?: number } };
    logicalLocations?: { fullyQualifiedName: string; kind: string }[];
  }[];
  partialFingerprints: Record<string, string>;
  properties: { severity: Severity; checklist: string[]; location: string };
}

const LEVEL: Record<Severity, SarifLevel> = { critical: 'error', high: 'error', medium: 'warning', low: 'note', info: 'note' };
// Code-scanning systems band these: >= 9 critical, 7-8.9 high, 4-6.9 medium, 0.1-3.9 low.
const SECURITY_SEVERITY: Record<Severity, string> = { critical: '9.5', high: '8.0', medium: '5.5', low: '3.0', info: '0.0' };

function toUri(path: string): string {
  return path.split(/[\\/]/).map(encodeURIComponent).join('/');
}

/** Same finding, same content → same fingerprint, whatever the order or the run. */
export function findingFingerprintFor(artifactSha256: string | null, f: Finding): string {
  return createHash('sha256').update(canonicalJson({ artifact: artifactSha256, ruleId: f.ruleId, location: f.location })).digest('hex');
}

export function toSarif(artifacts: readonly SarifInputArtifact[], tool: { name: string; version: string }): SarifLog {
  const rules: SarifRule[] = [];
  const ruleIndex = new Map<string, number>();
  const indexOfRule = (id: string): number => {
    let i = ruleIndex.get(id);
    if (i !== undefined) return i;
    const rule = findRule(id);
    i = rules.length;
    ruleIndex.set(id, i);
    rules.push({
      id,
      name: id.replace(/[.-](\w)/g, (_m, c: string) => c.toUpperCase()),
      shortDescription: { text: rule?.title ?? id },
      fullDescription: { text: rule ? `${rule.meaning} ${rule.rationale}` : id },
      help: { text: rule?.remediation ?? '' },
      defaultConfiguration: { level: LEVEL[rule?.severity ?? 'medium'] },
      properties: { 'security-severity': SECURITY_SEVERITY[rule?.severity ?? 'medium'], tags: ['security', rule?.domain ?? 'assay'], checklist: [...(rule?.checklist ?? [])] },
    });
    return i;
  };
  const results: SarifResult[] = [];
  artifacts.forEach((a, artifactIndex) => {
    for (const f of a.findings) {
      const nested = (f.location.members?.length ?? 0) > 0;
      const region: { byteOffset?: number; startLine?: number; startColumn?: number } = {};
      // A region describes the file itself; inside an archive member it would mislead.
      if (!nested) {
        if (f.location.byteOffset !== undefined) region.byteOffset = f.location.byteOffset;
        if (f.location.line !== undefined) region.startLine = f.location.line;
        if (f.location.column !== undefined) region.startColumn = f.location.column;
      }
      results.push({
        ruleId: f.ruleId,
        ruleIndex: indexOfRule(f.ruleId),
        level: LEVEL[f.severity],
        message: { text: f.message },
        locations: [{
          physicalLocation: {
            artifactLocation: { uri: toUri(a.path), index: artifactIndex },
            ...(Object.keys(region).length > 0 ? { region } : {}),
          },
          ...(nested ? { logicalLocations: [{ fullyQualifiedName: `${a.path}!${f.location.members!.join('!')}`, kind: 'member' }] } : {}),
        }],
        partialFingerprints: { 'assayFinding/v1': findingFingerprintFor(a.sha256, f) },
        properties: { severity: f.severity, checklist: [...f.checklist], location: formatLocation(f.location) },
      });
    }
  });
  return {
    $schema: SARIF_SCHEMA,
    version: '2.1.0',
    runs: [{
      tool: { driver: { name: tool.name, version: tool.version, informationUri: 'https://assay.invalid/docs/rules', rules } },
      artifacts: artifacts.map((a) => ({ location: { uri: toUri(a.path) }, ...(a.sha256 ? { hashes: { 'sha-256': a.sha256 } } : {}) })),
      results,
    }],
  };
}
