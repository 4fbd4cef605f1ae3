// The finding model shared by every analyzer (scan, behaviour, dataset, trust) and every face.
import type { PointId } from './checklist/points.ts';

export const SEVERITIES = ['info', 'low', 'medium', 'high', 'critical'] as const;
export type Severity = (typeof SEVERITIES)[number];

export function severityRank(s: Severity): number {
  return SEVERITIES.indexOf(s);
}

export function atLeast(s: Severity, threshold: Severity): boolean {
  return severityRank(s) >= severityRank(threshold);
}

export function isSeverity(value: string): value is Severity {
  return (SEVERITIES as readonly string[]).includes(value);
}

/** Where a finding points. Every field is optional; an analyzer fills what it knows. */
export interface FindingLocation {
  /** Member chain inside containers, outermost first, e.g. ['model.zip', 'archive/data.pkl']. */
  members?: string[];
  byteOffset?: number;
  /** Index of the opcode within a pickle stream (0-based). */
  opcodeIndex?: number;
  /** JSONPath-like pointer into a header or config, e.g. `$.config.layers[3].config.function`. */
  jsonPath?: string;
  /** 1-based line and column in a text member (templates, sources). */
  line?: number;
  column?: number;
  /** Dataset column (with `rows`) or a model input's name; 0-based data-row indices. */
  field?: string;
  rows?: number[];
  /** ONNX node or graph element name. */
  node?: string;
}

export interface Finding {
  ruleId: string;
  severity: Severity;
  message: string;
  location: FindingLocation;
  checklist: PointId[];
  /** Structured detail for views and reports (resolved callable, constants, counts...). */
  evidence?: Record<string, unknown>;
}

export const VERDICTS = ['malicious', 'suspicious', 'malformed', 'unsupported', 'clean'] as const;
export type Verdict = (typeof VERDICTS)[number];

/** Renders a location as one line, e.g. `outer.zip!archive/data.pkl @ byte 120, opcode 14`. */
export function formatLocation(loc: FindingLocation): string {
  const parts: string[] = [];
  if (loc.members && loc.members.length > 0) parts.push(loc.members.join('!'));
  const at: string[] = [];
  if (loc.byteOffset !== undefined) at.push(`byte ${loc.byteOffset}`);
  if (loc.opcodeIndex !== undefined) at.push(`opcode ${loc.opcodeIndex}`);
  if (loc.jsonPath) at.push(loc.jsonPath);
  if (loc.line !== undefined) at.push(loc.column !== undefined ? `line ${loc.line}:${loc.column}` : `line ${loc.line}`);
  if (loc.node) at.push(`node ${loc.node}`);
  // A field with rows is a dataset column; without, a named input (e.g. of a model).
  if (loc.field) at.push(loc.rows ? `column ${loc.field}` : `input ${loc.field}`);
  if (loc.rows && loc.rows.length > 0) {
    const shown = loc.rows.slice(0, 5).join(', ');
    at.push(`rows ${shown}${loc.rows.length > 5 ? ` (+${loc.rows.length - 5} more)` : ''}`);
  }
  if (at.length > 0) parts.push(at.join(', '));
  return parts.join(' @ ');
}
