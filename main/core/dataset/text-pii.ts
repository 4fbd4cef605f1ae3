// PII and secret detection in free text outside datasets (for example model outputs in the
// behaviour sandbox, P15): the same validated detectors, masked values only.
import { PiiScanner, type PiiScannerOptions } from './pii/scanner.ts';
import type { DetectorId } from './pii/types.ts';

export interface TextPiiHit {
  detector: DetectorId;
  ruleId: string;
  start: number;
  end: number;
  confidence: number;
  /** The value masked; the raw value is never returned. */
  masked: string;
}

let shared: PiiScanner | null = null;

/** Detections in a text, with positions and masked values. `context` names what the text is (like a column name). */
export function findPii(text: string, context = '', options?: PiiScannerOptions): TextPiiHit[] {
  const scanner = options ? new PiiScanner(options) : (shared ??= new PiiScanner());
  const hints = scanner.columnHints({ name: context });
  return scanner.scan(text, hints).map((m) => ({
    detector: m.detector,
    ruleId: scanner.detector(m.detector).ruleId,
    start: m.start,
    end: m.end,
    confidence: m.confidence,
    masked: scanner.detector(m.detector).mask(text.slice(m.start, m.end)),
  }));
}
