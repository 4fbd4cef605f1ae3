import type { PointId } from '../checklist/points.ts';
import type { Severity } from '../findings.ts';

/** Which part of Assay raises the rule; also the prefix of its id. */
export type RuleDomain = 'intake' | 'scan' | 'trust' | 'behave' | 'dataset';

/** One entry of the rule catalogue. The catalogue is data: docs, SARIF and the UI read it. */
export interface Rule {
  /** Stable id, `domain.kebab-name`; never reused for another meaning. */
  id: string;
  domain: RuleDomain;
  title: string;
  /** Default severity; an analyzer may raise or lower it for one finding and says why. */
  severity: Severity;
  meaning: string;
  rationale: string;
  remediation: string;
  checklist: PointId[];
  /** A high finding of this rule means loading the artifact can run code (verdict `malicious`). */
  codeExecution?: boolean;
  /** The artifact's structure is invalid (verdict `malformed` unless something worse is found). */
  structural?: boolean;
  /** The artifact could not be analysed at all (verdict `unsupported`). */
  unsupported?: boolean;
}
