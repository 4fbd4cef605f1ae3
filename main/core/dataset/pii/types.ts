// The contract between the PII scanner and its detectors. A detector looks at one text value
// (a cell) and emits spans with a confidence; it never keeps or logs the raw value.

export const DETECTOR_IDS = [
  'private-key', 'aws-access-key', 'google-api-key', 'github-token', 'gitlab-token', 'slack-token',
  'stripe-key', 'jwt', 'connection-string-password', 'password-field', 'high-entropy-secret',
  'email', 'iban', 'payment-card', 'us-ssn',
  'es-dni-nie', 'br-cpf', 'in-aadhaar', 'cn-resident-id', 'fr-nir', 'uk-nino', 'nl-bsn',
  'se-personnummer', 'fi-hetu', 'it-codice-fiscale', 'no-fodselsnummer',
  'ipv4', 'ipv6', 'phone', 'birth-date', 'postal-address', 'person-name',
] as const;
export type DetectorId = (typeof DETECTOR_IDS)[number];

export function isDetectorId(value: string): value is DetectorId {
  return (DETECTOR_IDS as readonly string[]).includes(value);
}

/** Cheap facts about a value, computed in one pass, that let most detectors skip it. */
export interface CellFeatures {
  length: number;
  digits: number;
  upper: number;
  at: boolean;
  colons: number;
  dots: number;
  nonAscii: boolean;
  /** Longest run of letters and digits with no whitespace (a token, key or id). */
  longestWord: number;
  letters: number;
  /** Longest run of consecutive digits. */
  maxDigitRun: number;
  plus: boolean;
  equals: boolean;
  dashes: number;
  underscores: number;
}

/** What a detector knows about the column a value sits in (built once per column). */
export interface ColumnHints {
  name: string;
  /** Lower-cased column name. */
  lower: string;
  /** Column name split into lower-case words (`customerEmail` → customer, email). */
  words: ReadonlySet<string>;
  /** The column holds keys, tokens, secrets or passwords, judging by its name. */
  keyLike: boolean;
  /** The column holds passwords, judging by its name. */
  passwordLike: boolean;
  /** The column holds person names (its name says so, or its values look like names). */
  personNames: boolean;
  /** Phone region for numbers written without a country code (ISO 3166 alpha-2). */
  phoneRegion: string | undefined;
}

export interface DetectorHit {
  start: number;
  end: number;
  /** Confidence before context (0..1). */
  confidence: number;
  /** Sub-kind for display, e.g. `visa` or `AWS access key id`. */
  kind?: string;
  /** The hit is only credible with a context word in the column name or just before it. */
  needsContext?: boolean;
}

export interface PiiDetector {
  id: DetectorId;
  ruleId: string;
  /** Plural noun for messages, e.g. `payment card numbers`. */
  label: string;
  /** Words that, in the column name or just before a value, make it more likely to be this kind. */
  context: readonly string[];
  /** False when the value cannot hold this kind (most values skip most detectors this way). */
  gate(f: CellFeatures, col: ColumnHints): boolean;
  /** Emits hits in `text`; `reject` counts a candidate that failed validation (look-alikes). */
  find(text: string, col: ColumnHints, hit: (h: DetectorHit) => void, reject: () => void): void;
  /** Masked rendering of one matched value; never contains enough to recover it. */
  mask(value: string): string;
}

/** One accepted detection in a value. */
export interface PiiMatch {
  detector: DetectorId;
  start: number;
  end: number;
  confidence: number;
  kind?: string;
  contextBoost: boolean;
}
