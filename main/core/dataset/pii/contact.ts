// E-mail, phone, IP addresses, dates of birth and postal addresses.
import { isIPv6 } from 'node:net';
import { parsePhoneNumberFromString, type CountryCode } from 'libphonenumber-js/max';
import { isRealDate } from './checksums.ts';
import { columnHasContext, windowHasContext } from './context.ts';
import { maskEmail, maskKeeping } from './mask.ts';
import type { ColumnHints, PiiDetector } from './types.ts';
import { matches } from './regex.ts';

const EMAIL = /(?<![A-Za-z0-9._%+-])[A-Za-z0-9](?:[A-Za-z0-9._%+-]{0,63})@(?:[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?\.)+[A-Za-z]{2,24}(?![A-Za-z0-9-])/g;

export const email: PiiDetector = {
  id: 'email',
  ruleId: 'dataset.pii-email',
  label: 'e-mail addresses',
  context: ['email', 'e-mail', 'mail', 'contact'],
  gate: (f) => f.at,
  find(text, _col, hit, reject) {
    for (const m of matches(EMAIL, text)) {
      const local = m[0].slice(0, m[0].lastIndexOf('@'));
      if (local.includes('..') || local.endsWith('.')) { reject(); continue; }
      hit({ start: m.index, end: m.index + m[0].length, confidence: 0.95 });
    }
  },
  mask: maskEmail,
};

// --- phone numbers -------------------------------------------------------------------------

/** International numbers: `+` or `00`, then 7 to 15 digits with common separators. */
const PHONE_INTL = /(?<![\w+])(?:\+|00)[1-9](?:[ .\-()]{0,2}\d){6,14}(?!\d)/g;
/** National numbers need three groups, an area code in parentheses, or a trunk 0 and two groups. */
const PHONE_NATIONAL = /(?<![\w+.-])(?:\(\d{2,5}\) ?\d{2,5}[ .-]?\d{2,5}|\d{2,5}[ .-]\d{2,5}[ .-]\d{2,6}|0\d{1,4}[ /-]\d{4,8})(?![\w-]|\.\d)/g;
/** Bare digit strings count only in a phone column. */
const PHONE_BARE = /(?<![\w+.,-])\d{7,15}(?![\w-]|[.,]\d)/g;
const LOOKS_LIKE_DATE = /^(?:\d{4}[-./]\d{1,2}[-./]\d{1,2}|\d{1,2}[-./]\d{1,2}[-./]\d{2,4})$/;
const PHONE_CONTEXT = ['phone', 'tel', 'telephone', 'mobile', 'cell', 'fax', 'contact', 'whatsapp', 'call'];

// libphonenumber takes ~10 µs per number. Validity in a numbering plan is decided by the country
// code, the leading digits and the length, so verdicts are cached on those: the last four
// digits of a number do not change whether it is valid (tested against libphonenumber itself
// for many regions in test/dataset/phone-cache.test.ts).
const PHONE_WILDCARD = 4;
const PHONE_CACHE_LIMIT = 200_000;
const phoneCache = new Map<number, boolean>();
const REGION_IDS = new Map<string, number>();

/** Digits of a candidate without allocating; the key packs plan, leading digits and length. */
function phoneKey(candidate: string, international: boolean, region: string | undefined): { key: number; digits: number } {
  let count = 0;
  let lead = 0;
  let skipZeros = candidate.startsWith('00') ? 2 : 0;
  let total = 0;
  for (let i = 0; i < candidate.length; i++) {
    const c = candidate.charCodeAt(i);
    if (c < 48 || c > 57) continue;
    if (skipZeros > 0) { skipZeros--; continue; }
    total++;
  }
  skipZeros = candidate.startsWith('00') ? 2 : 0;
  for (let i = 0; i < candidate.length; i++) {
    const c = candidate.charCodeAt(i);
    if (c < 48 || c > 57) continue;
    if (skipZeros > 0) { skipZeros--; continue; }
    if (count < total - PHONE_WILDCARD) lead = lead * 10 + (c - 48);
    count++;
  }
  let regionId = 0;
  if (!international) {
    const r = region ?? '?';
    regionId = REGION_IDS.get(r) ?? 0;
    if (regionId === 0) { regionId = REGION_IDS.size + 1; REGION_IDS.set(r, regionId); }
  }
  // lead has at most 12 digits; length and plan fit below it without losing precision.
  return { key: (lead * 16 + total) * 512 + regionId, digits: total };
}

export function phoneValid(candidate: string, region: string | undefined): boolean {
  const international = candidate.startsWith('+') || candidate.startsWith('00');
  const { key, digits } = phoneKey(candidate, international, region);
  if (digits < 7 || digits > 15) return false;
  const cached = phoneCache.get(key);
  if (cached !== undefined) return cached;
  const text = international ? `+${candidate.replace(/\D/g, '').slice(candidate.startsWith('00') ? 2 : 0)}` : candidate;
  let valid = false;
  try {
    const parsed = parsePhoneNumberFromString(text, international ? undefined : (region as CountryCode | undefined));
    valid = parsed?.isValid() ?? false;
  } catch {
    valid = false;
  }
  if (phoneCache.size >= PHONE_CACHE_LIMIT) phoneCache.clear();
  phoneCache.set(key, valid);
  return valid;
}

/** Fewest digits PHONE_NATIONAL or PHONE_BARE can match. */
const MIN_NATIONAL_DIGITS = 6;

function overlapsAny(spans: ReadonlyArray<readonly [number, number]>, start: number, end: number): boolean {
  for (const [s, e] of spans) if (start < e && s < end) return true;
  return false;
}

function digitsOutside(text: string, spans: ReadonlyArray<readonly [number, number]>): number {
  let n = 0;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c < 48 || c > 57) continue;
    let inside = false;
    for (let k = 0; k < spans.length && !inside; k++) inside = i >= spans[k]![0] && i < spans[k]![1];
    if (!inside) n++;
  }
  return n;
}

const phoneColumns = new WeakMap<ColumnHints, boolean>();
function phoneColumn(col: ColumnHints): boolean {
  let v = phoneColumns.get(col);
  if (v === undefined) { v = columnHasContext(col, PHONE_CONTEXT); phoneColumns.set(col, v); }
  return v;
}

export const phone: PiiDetector = {
  id: 'phone',
  ruleId: 'dataset.pii-phone',
  label: 'phone numbers',
  context: PHONE_CONTEXT,
  gate: (f, col) => f.digits >= 7 && (f.plus || f.digits >= 9 || col.phoneRegion !== undefined || phoneColumn(col)),
  find(text, col, hit, reject) {
    // Spans already taken by an international number are not looked at again as national ones.
    const taken: Array<[number, number]> = [];
    if (text.includes('+') || text.includes('00')) for (const m of matches(PHONE_INTL, text)) {
      const end = m.index + m[0].length;
      taken.push([m.index, end]);
      if (phoneValid(m[0], undefined)) hit({ start: m.index, end, confidence: 0.85 });
      else reject();
    }
    const inColumn = phoneColumn(col);
    if (!col.phoneRegion && !inColumn) return;
    // National and bare numbers need six digits outside the international ones (the usual
    // case in a phone column: the value was one international number).
    if (taken.length > 0 && digitsOutside(text, taken) < MIN_NATIONAL_DIGITS) return;
    const region = col.phoneRegion ?? 'US';
    for (const m of matches(PHONE_NATIONAL, text)) {
      const end = m.index + m[0].length;
      if (LOOKS_LIKE_DATE.test(m[0]) || overlapsAny(taken, m.index, end)) continue;
      taken.push([m.index, end]);
      if (phoneValid(m[0], region)) hit({ start: m.index, end, confidence: 0.7, needsContext: !col.phoneRegion });
      else reject();
    }
    if (!inColumn) return;
    for (const m of matches(PHONE_BARE, text)) {
      const end = m.index + m[0].length;
      if (overlapsAny(taken, m.index, end)) continue;
      if (phoneValid(m[0], region)) hit({ start: m.index, end, confidence: 0.6 });
      else reject();
    }
  },
  mask: (v) => maskKeeping(v, 0, 2),
};

// --- IP addresses --------------------------------------------------------------------------

const OCTET = '(?:25[0-5]|2[0-4]\\d|1\\d\\d|[1-9]?\\d)';
const IPV4 = new RegExp(`(?<![\\d.])(?:${OCTET}\\.){3}${OCTET}(?![\\d]|\\.\\d)`, 'g');
const IP_CONTEXT = ['ip', 'ip address', 'ipaddr', 'client', 'host', 'remote', 'src', 'dst', 'addr'];

export const ipv4: PiiDetector = {
  id: 'ipv4',
  ruleId: 'dataset.pii-ip-address',
  label: 'IPv4 addresses',
  context: IP_CONTEXT,
  gate: (f) => f.dots >= 3 && f.digits >= 4,
  find(text, _col, hit) {
    for (const m of matches(IPV4, text)) {
      // `1.2.3.4` is as likely a version number as an address.
      const versionLike = m[0].split('.').every((o) => o.length === 1);
      hit({ start: m.index, end: m.index + m[0].length, confidence: versionLike ? 0.3 : 0.75, needsContext: versionLike });
    }
  },
  mask: (v) => {
    const parts = v.split('.');
    return `${parts[0]}.•.•.•`;
  },
};

const IPV6_CANDIDATE = /(?<![\w:.])(?:[0-9A-Fa-f]{1,4}:|:)(?::?[0-9A-Fa-f]{1,4}|:){2,8}(?![\w:])/g;

export const ipv6: PiiDetector = {
  id: 'ipv6',
  ruleId: 'dataset.pii-ip-address',
  label: 'IPv6 addresses',
  context: IP_CONTEXT,
  gate: (f) => f.colons >= 2,
  find(text, _col, hit, reject) {
    for (const m of matches(IPV6_CANDIDATE, text)) {
      const hex = m[0].replace(/:/g, '');
      if (hex.length < 4) continue;
      if (!isIPv6(m[0])) { reject(); continue; }
      hit({ start: m.index, end: m.index + m[0].length, confidence: 0.8 });
    }
  },
  mask: (v) => `${v.split(':')[0]}:••••`,
};

// --- dates of birth ------------------------------------------------------------------------

const MONTHS = ['jan', 'feb', 'mar', 'apr', 'may', 'jun', 'jul', 'aug', 'sep', 'oct', 'nov', 'dec'];
const MONTH_NAME = '(jan(?:uary)?|feb(?:ruary)?|mar(?:ch)?|apr(?:il)?|may|june?|july?|aug(?:ust)?|sep(?:t(?:ember)?)?|oct(?:ober)?|nov(?:ember)?|dec(?:ember)?)';
const DATE_PATTERNS: ReadonlyArray<{ re: RegExp; ymd: (m: RegExpMatchArray) => [number, number, number] }> = [
  { re: /(?<!\d)((?:19|20)\d{2})[-/.](\d{1,2})[-/.](\d{1,2})(?!\d)/g, ymd: (m) => [Number(m[1]), Number(m[2]), Number(m[3])] },
  // Day first unless the first number cannot be a day; the date only has to exist.
  {
    re: /(?<!\d)(\d{1,2})[-/.](\d{1,2})[-/.]((?:19|20)\d{2})(?!\d)/g,
    ymd: (m) => (Number(m[2]) > 12 ? [Number(m[3]), Number(m[1]), Number(m[2])] : [Number(m[3]), Number(m[2]), Number(m[1])]),
  },
  {
    re: new RegExp(`(?<![\\w])(\\d{1,2})(?:st|nd|rd|th)? (?:of )?${MONTH_NAME}\\.?,? ((?:19|20)\\d{2})(?!\\d)`, 'gi'),
    ymd: (m) => [Number(m[3]), MONTHS.indexOf(m[2]!.slice(0, 3).toLowerCase()) + 1, Number(m[1])],
  },
  {
    re: new RegExp(`(?<![\\w])${MONTH_NAME}\\.? (\\d{1,2})(?:st|nd|rd|th)?,? ((?:19|20)\\d{2})(?!\\d)`, 'gi'),
    ymd: (m) => [Number(m[3]), MONTHS.indexOf(m[1]!.slice(0, 3).toLowerCase()) + 1, Number(m[2])],
  },
];
const BIRTH_CONTEXT = ['birth', 'born', 'dob', 'd.o.b', 'birthday', 'birthdate', 'geburt', 'geboren', 'naissance', 'né le', 'nacimiento', 'nacido'];
const BIRTH_HINT = /birth|born|dob|d\.o\.b|geburt|geboren|naissance|né le|nacimiento|nacido/i;

const birthColumns = new WeakMap<ColumnHints, boolean>();
function birthColumn(col: ColumnHints): boolean {
  let v = birthColumns.get(col);
  if (v === undefined) { v = columnHasContext(col, BIRTH_CONTEXT); birthColumns.set(col, v); }
  return v;
}

export const birthDate: PiiDetector = {
  id: 'birth-date',
  ruleId: 'dataset.pii-birth-date',
  label: 'dates of birth',
  context: BIRTH_CONTEXT,
  // Outside a birth-date column a value needs a birth word (three letters at least).
  gate: (f, col) => f.digits >= 5 && (f.letters >= 3 || birthColumn(col)),
  find(text, col, hit, reject) {
    const inColumn = birthColumn(col);
    if (!inColumn && !BIRTH_HINT.test(text)) return;
    const thisYear = new Date().getUTCFullYear();
    for (const p of DATE_PATTERNS) {
      for (const m of matches(p.re, text)) {
        const [y, mo, d] = p.ymd(m);
        if (y < 1900 || y > thisYear || !isRealDate(y, mo, d)) { reject(); continue; }
        const near = inColumn || windowHasContext(text, m.index, BIRTH_CONTEXT);
        if (!near) continue;
        hit({ start: m.index, end: m.index + m[0].length, confidence: inColumn ? 0.8 : 0.7 });
      }
    }
  },
  mask: (v) => v.replace(/\d/g, '•').replace(/[A-Za-z]+/g, '•••'),
};

// --- postal addresses (heuristic) ----------------------------------------------------------

const STREET_SUFFIX = 'Street|St|Avenue|Ave|Road|Rd|Boulevard|Blvd|Lane|Ln|Drive|Dr|Court|Ct|Way|Place|Pl|Terrace|Parkway|Pkwy|Square|Sq|Highway|Hwy|Close|Crescent|Gardens';
const ADDRESS_PATTERNS: readonly RegExp[] = [
  // 221B Baker Street, 1600 Pennsylvania Ave NW
  new RegExp(`(?<![\\w])\\d{1,5}[A-Za-z]? (?:[A-Z][\\p{L}'.-]+ ){1,4}(?:${STREET_SUFFIX})\\b\\.?(?: (?:NW|NE|SW|SE|N|S|E|W)\\b)?`, 'gu'),
  // Hauptstraße 5, Kerkstraat 12a
  /(?<![\p{L}])[A-ZÄÖÜ][\p{L}-]*(?:straße|strasse|str\.|weg|gasse|platz|allee|ring|straat|laan|gracht|vej|gatan|gata|veien) \d{1,4}[a-z]?(?![\p{L}\d])/gu,
  // 12 rue de la Paix, Calle Mayor 3
  /(?<![\p{L}\d])(?:\d{1,4},? (?:rue|avenue|boulevard|bd|place|chemin|allée|impasse|quai) (?:de la |de l'|du |des |de |d')?[\p{Lu}][\p{L}'-]+(?: [\p{Lu}][\p{L}'-]+){0,3}|(?:Calle|Avenida|Av\.|Plaza|Paseo|Via|Viale|Piazza|Rua) (?:de la |del |de |da |do )?[\p{Lu}][\p{L}'-]+(?: [\p{Lu}][\p{L}'-]+){0,2},? \d{1,4})/gu,
];
const POSTCODE_AFTER = /^[ ,]{0,3}(?:[\p{L} .'-]{2,40}[ ,]{1,3})?(?:[A-Z]{2} )?(?:\d{5}(?:-\d{4})?|\d{4} ?[A-Z]{2}|[A-Z]{1,2}\d[A-Z\d]? ?\d[A-Z]{2}|\d{4,5})(?!\d)/u;
const ADDRESS_CONTEXT = ['address', 'addr', 'street', 'lives at', 'residence', 'ship to', 'shipping', 'billing', 'home', 'adresse', 'dirección', 'direccion', 'indirizzo'];

export const postalAddress: PiiDetector = {
  id: 'postal-address',
  ruleId: 'dataset.pii-postal-address',
  label: 'postal addresses',
  context: ADDRESS_CONTEXT,
  gate: (f) => f.digits >= 1 && f.length >= 8 && (f.upper >= 1 || f.nonAscii),
  find(text, _col, hit) {
    for (const re of ADDRESS_PATTERNS) {
      for (const m of matches(re, text)) {
        let end = m.index + m[0].length;
        const post = POSTCODE_AFTER.exec(text.slice(end, end + 60));
        if (post) end += post[0].length;
        hit({ start: m.index, end, confidence: post ? 0.75 : 0.55 });
      }
    }
  },
  mask: (v) => v.replace(/\d/g, '•').replace(/\p{L}+/gu, (w) => `${w[0]}••`),
};
