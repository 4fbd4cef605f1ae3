// Government identity numbers: a table of layouts with their check-digit or structural rules.
// Layouts that are only digits (BSN, fødselsnummer, bare SSN) collide with ordinary numbers, so
// they count only with a context word.
import { allSameChar, isRealDate, luhnValid, modOfDecimal, verhoeffValid, weightedMod11 } from './checksums.ts';
import { maskKeeping } from './mask.ts';
import { columnHasContext } from './context.ts';
import type { ColumnHints, DetectorId, PiiDetector } from './types.ts';
import { matches } from './regex.ts';

interface IdLayout {
  id: DetectorId;
  ruleId?: string;
  label: string;
  context: readonly string[];
  minDigits: number;
  /** Longest run of consecutive digits the layout needs somewhere. */
  minRun: number;
  /** Needs upper-case letters (layouts with letters). */
  minUpper?: number;
  pattern: RegExp;
  /** Confidence for a valid match, or 0 when the match is not this kind of id. */
  check(m: RegExpMatchArray): number;
  /** A valid match counts only with context. */
  needsContext?: (m: RegExpMatchArray) => boolean;
  /** Every match needs context (bare digit layouts): values without any are skipped early. */
  contextOnly?: boolean;
  keep: [number, number];
}

const digitsOf = (s: string): string => s.replace(/\D/g, '');
const currentYear = new Date().getUTCFullYear();

// US Social Security Number: area 001-899 except 666, group 01-99, serial 0001-9999; a few
// numbers published in advertising were voided.
const VOID_SSNS = new Set(['078051120', '219099999', '457555462']);
function ssnCheck(m: RegExpMatchArray): number {
  const area = Number(m[1]);
  const group = Number(m[3]);
  const serial = Number(m[4]);
  if (area === 0 || area === 666 || area >= 900 || group === 0 || serial === 0) return 0;
  if (VOID_SSNS.has(`${m[1]}${m[3]}${m[4]}`)) return 0;
  return m[2] === '-' ? 0.8 : m[2] === ' ' ? 0.6 : 0.5;
}

const DNI_LETTERS = 'TRWAGMYFPDXBNJZSQVHLCKE';
function dniCheck(m: RegExpMatchArray): number {
  const prefix = m[1] ?? '';
  const body = m[2]!;
  if (prefix === '' && body.length !== 8) return 0;
  if (prefix !== '' && body.length !== 7) return 0;
  const n = Number(`${prefix === '' ? '' : 'XYZ'.indexOf(prefix)}${body}`);
  return DNI_LETTERS[n % 23] === m[3] ? 0.8 : 0;
}

function cpfCheck(m: RegExpMatchArray): number {
  const d = digitsOf(m[0]);
  if (d.length !== 11 || allSameChar(d)) return 0;
  const k1 = ((weightedMod11(d, [10, 9, 8, 7, 6, 5, 4, 3, 2]) * 10) % 11) % 10;
  const k2 = ((weightedMod11(d, [11, 10, 9, 8, 7, 6, 5, 4, 3, 2]) * 10) % 11) % 10;
  if (k1 !== d.charCodeAt(9) - 48 || k2 !== d.charCodeAt(10) - 48) return 0;
  return m[0].includes('.') ? 0.9 : 0.6;
}

function aadhaarCheck(m: RegExpMatchArray): number {
  const d = digitsOf(m[0]);
  if (d.length !== 12 || allSameChar(d) || !verhoeffValid(d)) return 0;
  return /\d{4}[ -]\d{4}[ -]\d{4}/.test(m[0]) ? 0.6 : 0.5;
}

const CN_WEIGHTS = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2];
const CN_CHECK = '10X98765432';
function cnCheck(m: RegExpMatchArray): number {
  const s = m[0].toUpperCase();
  const year = Number(m[1]);
  if (year < 1900 || year > currentYear || !isRealDate(year, Number(m[2]), Number(m[3]))) return 0;
  let sum = 0;
  for (let i = 0; i < 17; i++) sum += (s.charCodeAt(i) - 48) * CN_WEIGHTS[i]!;
  return CN_CHECK[sum % 11] === s[17] ? 0.9 : 0;
}

function nirCheck(m: RegExpMatchArray): number {
  const compact = m[0].replace(/ /g, '').toUpperCase();
  if (compact.length !== 15) return 0;
  // Corsica: departments 2A and 2B count as 19 and 18 in the key computation.
  const body = compact.slice(0, 13).replace('2A', '19').replace('2B', '18');
  if (!/^\d{13}$/.test(body)) return 0;
  const key = Number(compact.slice(13));
  return 97 - modOfDecimal(body, 97) === key ? 0.85 : 0;
}

function ninoCheck(m: RegExpMatchArray): number {
  const prefix = m[1]!;
  if (['BG', 'GB', 'NK', 'KN', 'TN', 'NT', 'ZZ'].includes(prefix)) return 0;
  return 0.6;
}

function bsnCheck(m: RegExpMatchArray): number {
  const d = m[0];
  if (allSameChar(d)) return 0;
  let sum = 0;
  for (let i = 0; i < 8; i++) sum += (d.charCodeAt(i) - 48) * (9 - i);
  sum -= d.charCodeAt(8) - 48;
  return sum % 11 === 0 ? 0.7 : 0;
}

function personnummerCheck(m: RegExpMatchArray): number {
  const yy = Number(m[2]);
  const month = Number(m[3]);
  let day = Number(m[4]);
  if (day > 60) day -= 60; // co-ordination numbers add 60 to the day
  if (!isRealDate(2000 + yy, month, day)) return 0;
  const ten = `${m[2]}${m[3]}${m[4]}${m[6]}${m[7]}`;
  return luhnValid(ten) ? 0.75 : 0;
}

const HETU_CHECK = '0123456789ABCDEFHJKLMNPRSTUVWXY';
function hetuCheck(m: RegExpMatchArray): number {
  const day = Number(m[1]);
  const month = Number(m[2]);
  if (!isRealDate(2000 + Number(m[3]), month, day)) return 0;
  const n = Number(`${m[1]}${m[2]}${m[3]}${m[5]}`);
  return HETU_CHECK[n % 31] === m[6] ? 0.9 : 0;
}

// Codice fiscale: characters in odd positions (1st, 3rd, ...) map through this table, even ones
// through their plain value (digits 0-9, letters 0-25); the sum modulo 26 is the check letter.
const CF_ODD = [1, 0, 5, 7, 9, 13, 15, 17, 19, 21, 2, 4, 18, 20, 11, 3, 6, 8, 12, 14, 16, 10, 22, 25, 24, 23];
function cfValue(ch: string): number {
  const c = ch.charCodeAt(0);
  return c >= 48 && c <= 57 ? c - 48 : c - 65;
}
function codiceFiscaleCheck(m: RegExpMatchArray): number {
  const s = m[0];
  let sum = 0;
  for (let i = 0; i < 15; i++) {
    const v = cfValue(s[i]!);
    sum += i % 2 === 0 ? CF_ODD[v]! : v;
  }
  return String.fromCharCode(65 + (sum % 26)) === s[15] ? 0.9 : 0;
}

function fodselsnummerCheck(m: RegExpMatchArray): number {
  const d = m[0];
  let day = Number(d.slice(0, 2));
  if (day > 40) day -= 40; // D-numbers add 40 to the day
  if (!isRealDate(2000 + Number(d.slice(4, 6)), Number(d.slice(2, 4)), day) || allSameChar(d)) return 0;
  const r1 = weightedMod11(d, [3, 7, 6, 1, 8, 9, 4, 5, 2]);
  const k1 = r1 === 0 ? 0 : 11 - r1;
  const r2 = weightedMod11(d, [5, 4, 3, 2, 7, 6, 5, 4, 3, 2]);
  const k2 = r2 === 0 ? 0 : 11 - r2;
  if (k1 === 10 || k2 === 10) return 0;
  return k1 === d.charCodeAt(9) - 48 && k2 === d.charCodeAt(10) - 48 ? 0.7 : 0;
}

const LAYOUTS: readonly IdLayout[] = [
  {
    id: 'us-ssn', minRun: 3, ruleId: 'dataset.pii-us-ssn', label: 'US Social Security numbers',
    context: ['ssn', 'social security', 'social sec', 'socialsecurity'],
    minDigits: 9,
    pattern: /(?<![\d-])(\d{3})([- ]?)(\d{2})\2(\d{4})(?![\d-])/g,
    check: ssnCheck,
    needsContext: (m) => m[2] === '' || m[2] === ' ',
    keep: [0, 4],
  },
  {
    id: 'es-dni-nie', minRun: 7, label: 'Spanish DNI/NIE numbers', context: ['dni', 'nie', 'nif', 'documento', 'identidad'],
    minDigits: 7, minUpper: 1,
    pattern: /(?<![A-Za-z0-9])([XYZ]?)(\d{7,8})-?([A-Z])(?![A-Za-z0-9])/g, check: dniCheck, keep: [0, 1],
  },
  {
    id: 'br-cpf', minRun: 3, label: 'Brazilian CPF numbers', context: ['cpf', 'cadastro'],
    minDigits: 11,
    pattern: /(?<![\d.-])\d{3}\.?\d{3}\.?\d{3}-?\d{2}(?![\d-]|\.\d)/g, check: cpfCheck,
    needsContext: (m) => !m[0].includes('.'),
    keep: [0, 2],
  },
  {
    id: 'in-aadhaar', minRun: 4, label: 'Indian Aadhaar numbers', context: ['aadhaar', 'aadhar', 'uidai', 'uid'],
    minDigits: 12,
    pattern: /(?<![\d-])[2-9]\d{3}([ -]?)\d{4}\1\d{4}(?![\d-])/g, check: aadhaarCheck,
    needsContext: () => true, contextOnly: true,
    keep: [0, 4],
  },
  {
    id: 'cn-resident-id', minRun: 17, label: 'Chinese resident identity numbers', context: ['身份证', 'resident', 'shenfenzheng', 'citizen id'],
    minDigits: 17,
    pattern: /(?<![\dA-Za-z])\d{6}(\d{4})(\d{2})(\d{2})\d{3}[\dXx](?![\dA-Za-z])/g,
    check: cnCheck,
    keep: [0, 2],
  },
  {
    id: 'fr-nir', minRun: 2, label: 'French social security (NIR) numbers', context: ['nir', 'insee', 'sécurité sociale', 'securite sociale', 'numéro de sécu'],
    minDigits: 12,
    pattern: /(?<![\dA-Za-z])[1278] ?\d{2} ?(?:0[1-9]|1[0-2]|[2-9]\d) ?(?:\d{2}|2[ABab]) ?\d{3} ?\d{3} ?\d{2}(?![\dA-Za-z])/g,
    check: nirCheck, keep: [1, 2],
  },
  {
    id: 'uk-nino', minRun: 2, label: 'UK National Insurance numbers', context: ['nino', 'national insurance', 'ni number', 'nin'],
    minDigits: 6, minUpper: 3,
    pattern: /(?<![A-Za-z0-9])([A-CEGHJ-PR-TW-Z][A-CEGHJ-NPR-TW-Z]) ?\d{2} ?\d{2} ?\d{2} ?[A-D](?![A-Za-z0-9])/g,
    check: ninoCheck, keep: [0, 1],
  },
  {
    id: 'nl-bsn', minRun: 9, label: 'Dutch citizen service numbers (BSN)', context: ['bsn', 'burgerservicenummer', 'sofinummer', 'sofi'],
    minDigits: 9,
    pattern: /(?<![\d.,-])\d{9}(?![\d-]|[.,]\d)/g, check: bsnCheck, needsContext: () => true, contextOnly: true, keep: [0, 2],
  },
  {
    id: 'se-personnummer', minRun: 6, label: 'Swedish personal identity numbers', context: ['personnummer', 'personnr', 'pnr', 'samordningsnummer'],
    minDigits: 10,
    pattern: /(?<![\d-])(\d{2})?(\d{2})(\d{2})(\d{2})([-+])(\d{3})(\d)(?![\d-])/g, check: personnummerCheck, keep: [0, 1],
  },
  {
    id: 'fi-hetu', minRun: 6, label: 'Finnish personal identity codes', context: ['hetu', 'henkilötunnus', 'henkilotunnus', 'personbeteckning'],
    minDigits: 9,
    pattern: /(?<![\dA-Za-z])(\d{2})(\d{2})(\d{2})([-+A-FU-Y])(\d{3})([0-9A-FHJ-NPR-Y])(?![\dA-Za-z])/g, check: hetuCheck, keep: [0, 1],
  },
  {
    id: 'it-codice-fiscale', minRun: 2, label: 'Italian fiscal codes', context: ['codice fiscale', 'codicefiscale', 'cf', 'fiscal'],
    minDigits: 7, minUpper: 9,
    pattern: /(?<![A-Za-z0-9])[A-Z]{6}\d{2}[A-EHLMPRST]\d{2}[A-Z]\d{3}[A-Z](?![A-Za-z0-9])/g, check: codiceFiscaleCheck, keep: [0, 1],
  },
  {
    id: 'no-fodselsnummer', minRun: 11, label: 'Norwegian national identity numbers', context: ['fødselsnummer', 'fodselsnummer', 'personnummer', 'fnr'],
    minDigits: 11,
    pattern: /(?<![\d.,-])\d{11}(?![\d-]|[.,]\d)/g, check: fodselsnummerCheck, needsContext: () => true, contextOnly: true, keep: [0, 2],
  },
];

function layoutDetector(l: IdLayout): PiiDetector {
  // Layouts that always need context skip values with none: one look at the column, one
  // case-insensitive search of the value.
  const alwaysContext = l.contextOnly === true;
  const contextWords = new RegExp(l.context.map((w) => w.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')).join('|'), 'i');
  const columns = new WeakMap<ColumnHints, boolean>();
  return {
    id: l.id,
    ruleId: l.ruleId ?? 'dataset.pii-national-id',
    label: l.label,
    context: l.context,
    gate: (f) => f.digits >= l.minDigits && f.maxDigitRun >= l.minRun && f.upper >= (l.minUpper ?? 0),
    find(text, col, hit, reject) {
      if (alwaysContext) {
        let inColumn = columns.get(col);
        if (inColumn === undefined) { inColumn = columnHasContext(col, l.context); columns.set(col, inColumn); }
        if (!inColumn && !contextWords.test(text)) return;
      }
      for (const m of matches(l.pattern, text)) {
        const confidence = l.check(m);
        if (confidence <= 0) { reject(); continue; }
        hit({ start: m.index, end: m.index + m[0].length, confidence, needsContext: l.needsContext?.(m) ?? false });
      }
    },
    mask: (v) => maskKeeping(v, l.keep[0], l.keep[1]),
  };
}

export const NATIONAL_ID_DETECTORS: readonly PiiDetector[] = LAYOUTS.map(layoutDetector);
