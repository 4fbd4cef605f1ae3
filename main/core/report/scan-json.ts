// The JSON document `assay scan --format json` prints: one entry per file given or found in a
// given folder, nested members' findings rolled up into it (their location says which member).
import { formatLocation, type Finding, type FindingLocation } from '../../../shared/findings.ts';

export interface ScannedFileLike {
  path: string;
  sha256: string;
  size: number;
  format: string;
  verdict: string;
  findings: readonly Finding[];
}

export interface ScanJsonDocument {
  tool: { name: string; version: string };
  artifacts: {
    path: string;
    sha256: string;
    size: number;
    format: string;
    verdict: string;
    findings: {
      ruleId: string;
      severity: string;
      message: string;
      /** One line a person can follow: `member!chain @ byte N, opcode M`. */
      location: string;
      /** The same location, structured. */
      locationDetail: FindingLocation;
      checklist: string[];
    }[];
  }[];
}

export function scanJsonDocument(files: readonly ScannedFileLike[], tool: { name: string; version: string }): ScanJsonDocument {
  return {
    tool,
    artifacts: files.map((f) => ({
      path: f.path,
      sha256: f.sha256,
      size: f.size,
      format: f.format,
      verdict: f.verdict,
      findings: f.findings.map((x) => ({
        ruleId: x.ruleId,
        severity: x.severity,
        message: x.message,
        location: formatLocation(x.location),
        locationDetail: x.location,
        checklist: [...x.checklist],
      })),
    })),
  };
}
