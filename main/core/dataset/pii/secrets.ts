// Credentials and secrets: documented token layouts, private key blocks, passwords in
// connection strings, and random-looking values in columns named like keys.
import { maskPrefix } from './mask.ts';
import type { CellFeatures, DetectorHit, DetectorId, PiiDetector } from './types.ts';
import { matches } from './regex.ts';

interface TokenLayout {
  id: DetectorId;
  ruleId: string;
  label: string;
  /** Fast substring test before the regular expression runs. */
  marker: RegExp;
  pattern: RegExp;
  confidence: number;
  kind: string;
  validate?: (value: string) => boolean;
  keep: number;
  /** Shortest unbroken token the layout needs (the gate); default 16. */
  minWord?: number;
  /** Characters the layout cannot do without (its fixed prefix or separators), for the gate. */
  needs: (f: CellFeatures) => boolean;
}

function jwtValid(value: string): boolean {
  const [head] = value.split('.');
  try {
    const json = JSON.parse(Buffer.from(head!, 'base64url').toString('utf8')) as unknown;
    return typeof json === 'object' && json !== null && 'alg' in json;
  } catch {
    return false;
  }
}

const TOKEN_LAYOUTS: readonly TokenLayout[] = [
  {
    id: 'private-key', ruleId: 'dataset.secret-private-key', label: 'private key blocks', kind: 'PEM private key',
    marker: /-----BEGIN/, pattern: /-----BEGIN (?:[A-Z0-9]+ )*PRIVATE KEY(?: BLOCK)?-----(?:[\s\S]{0,8192}?-----END (?:[A-Z0-9]+ )*PRIVATE KEY(?: BLOCK)?-----)?/g,
    confidence: 0.99, keep: 0, minWord: 0, needs: (f) => f.dashes >= 10 && f.upper >= 15,
  },
  {
    id: 'aws-access-key', ruleId: 'dataset.secret-cloud-key', label: 'AWS access key ids', kind: 'AWS access key id',
    marker: /A(?:KIA|SIA|BIA|CCA)/, pattern: /(?<![A-Z0-9])(?:AKIA|ASIA|ABIA|ACCA)[A-Z2-7]{16}(?![A-Za-z0-9])/g, confidence: 0.9, keep: 4, needs: (f) => f.upper >= 4,
  },
  {
    id: 'google-api-key', ruleId: 'dataset.secret-cloud-key', label: 'Google API keys', kind: 'Google API key',
    marker: /AIza/, pattern: /(?<![A-Za-z0-9_-])AIza[0-9A-Za-z_-]{35}(?![A-Za-z0-9_-])/g, confidence: 0.9, keep: 4, needs: (f) => f.upper >= 2,
  },
  {
    id: 'github-token', ruleId: 'dataset.secret-token', label: 'GitHub tokens', kind: 'GitHub token',
    marker: /gh[pousr]_|github_pat_/, pattern: /(?<![A-Za-z0-9_])(?:gh[pousr]_[A-Za-z0-9]{36,251}|github_pat_[A-Za-z0-9_]{22,251})(?![A-Za-z0-9_])/g,
    confidence: 0.95, keep: 4, needs: (f) => f.underscores >= 1,
  },
  {
    id: 'gitlab-token', ruleId: 'dataset.secret-token', label: 'GitLab tokens', kind: 'GitLab personal access token',
    marker: /glpat-/, pattern: /(?<![A-Za-z0-9_-])glpat-[A-Za-z0-9_-]{20,64}(?![A-Za-z0-9_-])/g, confidence: 0.95, keep: 6, needs: (f) => f.dashes >= 1,
  },
  {
    id: 'slack-token', ruleId: 'dataset.secret-token', label: 'Slack tokens', kind: 'Slack token',
    marker: /xox[abposr]-/, pattern: /(?<![A-Za-z0-9-])xox[abposr]-[A-Za-z0-9-]{10,250}(?![A-Za-z0-9-])/g, confidence: 0.9, keep: 5, needs: (f) => f.dashes >= 1,
  },
  {
    id: 'stripe-key', ruleId: 'dataset.secret-token', label: 'Stripe live keys', kind: 'Stripe live key',
    marker: /_live_/, pattern: /(?<![A-Za-z0-9_])(?:sk|rk)_live_[A-Za-z0-9]{20,247}(?![A-Za-z0-9_])/g, confidence: 0.95, keep: 8, needs: (f) => f.underscores >= 2,
  },
  {
    id: 'jwt', ruleId: 'dataset.secret-token', label: 'JSON Web Tokens', kind: 'JWT',
    marker: /eyJ/, pattern: /(?<![A-Za-z0-9_-])eyJ[A-Za-z0-9_-]{8,4096}\.eyJ[A-Za-z0-9_-]{8,8192}\.[A-Za-z0-9_-]{10,2048}(?![A-Za-z0-9_-])/g,
    confidence: 0.9, validate: jwtValid, keep: 3, needs: (f) => f.upper >= 2 && f.dots >= 2,
  },
];

// One scan for every layout's marker: most values carry none, and then no layout runs.
const ANY_MARKER = /-----BEGIN|A(?:KIA|SIA|BIA|CCA)|AIza|gh[pousr]_|github_pat_|glpat-|xox[abposr]-|_live_|eyJ/;
let lastText: string | null = null;
let lastHasMarker = false;
function hasMarker(text: string): boolean {
  if (text !== lastText) {
    lastText = text;
    lastHasMarker = ANY_MARKER.test(text);
  }
  return lastHasMarker;
}

function tokenDetector(t: TokenLayout): PiiDetector {
  return {
    id: t.id,
    ruleId: t.ruleId,
    label: t.label,
    context: ['key', 'token', 'secret', 'credential', 'auth', 'api'],
    gate: (f) => f.longestWord >= (t.minWord ?? 16) && f.length >= 20 && t.needs(f),
    find(text, _col, hit, reject) {
      if (!hasMarker(text) || !t.marker.test(text)) return;
      for (const m of matches(t.pattern, text)) {
        if (t.validate && !t.validate(m[0])) { reject(); continue; }
        hit({ start: m.index, end: m.index + m[0].length, confidence: t.confidence, kind: t.kind });
      }
    },
    mask: (v) => maskPrefix(v, t.keep),
  };
}

// scheme://user:password@host, and Password=...; key-value pairs (ADO.NET, JDBC, libpq).
const URL_PASSWORD = /(?<![\w+.-])[a-zA-Z][a-zA-Z0-9+.-]{1,20}:\/\/[^\s:/@]{1,64}:([^\s@/]{1,128})@[^\s/?#]{1,255}/g;
const KV_PASSWORD = /(?<![\w])(?:password|passwd|pwd|pass)\s*[=:]\s*(['"]?)([^\s;'"&,]{1,128})\1/gi;
const PLACEHOLDER = /^(?:\*+|x+|\.+|<[^>]*>|\{[^}]*\}|\$\{[^}]*\}|%[^%]*%|\?+|null|none|changeme|password|your[_-]?password|secret)$/i;

export const connectionStringPassword: PiiDetector = {
  id: 'connection-string-password',
  ruleId: 'dataset.secret-password',
  label: 'passwords in connection strings',
  context: ['connection', 'dsn', 'url', 'uri', 'database', 'jdbc', 'conn'],
  gate: (f) => f.length >= 8 && (f.colons >= 1 || f.equals),
  find(text, _col, hit) {
    if (text.includes('://')) {
      for (const m of matches(URL_PASSWORD, text)) {
        const pw = m[1]!;
        if (PLACEHOLDER.test(pw)) continue;
        const start = m.index + m[0].indexOf(`:${pw}@`) + 1;
        hit({ start, end: start + pw.length, confidence: 0.9, kind: 'URL' });
      }
    }
    if (/pass|pwd/i.test(text)) {
      for (const m of matches(KV_PASSWORD, text)) {
        const pw = m[2]!;
        if (PLACEHOLDER.test(pw) || pw.length < 4) continue;
        const start = m.index + m[0].lastIndexOf(pw);
        hit({ start, end: start + pw.length, confidence: 0.8, kind: 'key-value' });
      }
    }
  },
  mask: () => '••••••••',
};

/** Any non-empty value of a column named like a password is one. */
export const passwordField: PiiDetector = {
  id: 'password-field',
  ruleId: 'dataset.secret-password',
  label: 'values of a password column',
  context: [],
  gate: (f, col) => col.passwordLike && f.length >= 4,
  find(text, _col, hit) {
    const v = text.trim();
    if (v.length < 4 || v.includes(' ') || PLACEHOLDER.test(v)) return;
    const start = text.indexOf(v);
    hit({ start, end: start + v.length, confidence: 0.8, kind: 'password column' });
  },
  mask: () => '••••••••',
};

/** Shannon entropy in bits per character. */
export function shannonEntropy(s: string): number {
  const counts = new Map<number, number>();
  for (let i = 0; i < s.length; i++) counts.set(s.charCodeAt(i), (counts.get(s.charCodeAt(i)) ?? 0) + 1);
  let h = 0;
  for (const c of counts.values()) {
    const p = c / s.length;
    h -= p * Math.log2(p);
  }
  return h;
}

const SECRETISH = /^[A-Za-z0-9+/=_\-.~]{16,512}$/;

export const highEntropySecret: PiiDetector = {
  id: 'high-entropy-secret',
  ruleId: 'dataset.secret-high-entropy',
  label: 'high-entropy strings in key-like columns',
  context: [],
  gate: (f, col) => col.keyLike && f.length >= 16 && f.longestWord >= 16,
  find(text, _col, hit) {
    const v = text.trim();
    if (!SECRETISH.test(v)) return;
    const hexOnly = /^[0-9a-fA-F]+$/.test(v);
    // Random hex carries 4 bits a character at most, base64 6; ask for most of what the
    // alphabet allows at this length (a word or a repeated pattern falls well short).
    const ceiling = Math.log2(Math.min(v.length, hexOnly ? 16 : 64));
    const h = shannonEntropy(v);
    if (h < ceiling * 0.8) return;
    if (!/\d/.test(v) || (!hexOnly && !/[A-Za-z]/.test(v))) return;
    const start = text.indexOf(v);
    const result: DetectorHit = { start, end: start + v.length, confidence: 0.7, kind: hexOnly ? 'hex' : 'base64-like' };
    hit(result);
  },
  mask: (v) => maskPrefix(v, 2),
};

export const TOKEN_DETECTORS: readonly PiiDetector[] = TOKEN_LAYOUTS.map(tokenDetector);
