// Payment cards (Luhn plus issuer ranges and lengths, via card-validator) and IBANs (country
// length, account layout and mod-97, via ibantools).
import cardValidator from 'card-validator';
import { electronicFormatIBAN, getCountrySpecifications, isValidIBAN } from 'ibantools';
import { allSameChar, luhnValid } from './checksums.ts';
import { maskKeeping } from './mask.ts';
import type { PiiDetector } from './types.ts';
import { matches } from './regex.ts';

// A card number stands alone: not inside a word or a longer number, and not the digit groups
// after an IBAN's country code and check digits (a mistyped IBAN is not a card).
const CARD_CANDIDATE = /(?<![\w.,-])(?<![A-Z]{2}\d{2} )\d(?:[ -]?\d){12,18}(?![\w-]|[.,]\d)/g;
/** A card number written the way cards print it: groups of 4 (or Amex 4-6-5). */
const CARD_GROUPED = /^\d{4}([ -])\d{4}\1\d{4}\1\d{1,7}$|^\d{4}([ -])\d{6}\2\d{4,5}$/;

// card-validator decides the issuer from at most the first 8 digits (its longest range) and
// validity from the issuer's lengths once Luhn holds (checked before), so for Luhn-valid numbers
// its verdict is cached on those 8 digits and the length.
const CARD_CACHE_LIMIT = 100_000;
const cardCache = new Map<string, string | null>();

/** Issuer name of a Luhn-valid digit string, or null when card-validator does not accept it. */
function cardKind(digits: string): string | null {
  const key = `${digits.slice(0, 8)}/${digits.length}`;
  const cached = cardCache.get(key);
  if (cached !== undefined) return cached;
  const v = cardValidator.number(digits, { luhnValidateUnionPay: true });
  const kind = v.isValid && v.card ? v.card.niceType : null;
  if (cardCache.size >= CARD_CACHE_LIMIT) cardCache.clear();
  cardCache.set(key, kind);
  return kind;
}

export const paymentCard: PiiDetector = {
  id: 'payment-card',
  ruleId: 'dataset.pii-payment-card',
  label: 'payment card numbers',
  context: ['card', 'credit', 'debit', 'visa', 'mastercard', 'amex', 'cc', 'pan', 'payment', 'cardnumber'],
  gate: (f) => f.digits >= 13,
  find(text, _col, hit, reject) {
    for (const m of matches(CARD_CANDIDATE, text)) {
      const raw = m[0];
      const digits = raw.replace(/[ -]/g, '');
      // card-validator takes tens of microseconds a call; it accepts no number that fails Luhn
      // (UnionPay included, with this option), so look-alikes are turned away before it.
      if (allSameChar(digits) || !luhnValid(digits)) { reject(); continue; }
      const kind = cardKind(digits);
      if (kind === null) { reject(); continue; }
      const grouped = CARD_GROUPED.test(raw);
      hit({ start: m.index, end: m.index + raw.length, confidence: grouped ? 0.9 : 0.75, kind });
    }
  },
  mask: (v) => maskKeeping(v, 0, 4),
};

const IBAN_CANDIDATE = /(?<![A-Za-z0-9])[A-Z]{2}\d{2}(?: ?[A-Z0-9]){11,30}/g;
let ibanLengths: Map<string, number> | null = null;

function ibanLength(country: string): number | undefined {
  if (!ibanLengths) {
    ibanLengths = new Map();
    for (const [code, spec] of Object.entries(getCountrySpecifications())) {
      if (spec.chars) ibanLengths.set(code, spec.chars);
    }
  }
  return ibanLengths.get(country);
}

/** End offset in `text` after `count` letters or digits from `start` (spaces skipped). */
function endAfter(text: string, start: number, count: number): number {
  let seen = 0;
  let i = start;
  while (i < text.length && seen < count) {
    if (text[i] !== ' ') seen++;
    i++;
  }
  return i;
}

export const iban: PiiDetector = {
  id: 'iban',
  ruleId: 'dataset.pii-iban',
  label: 'IBANs',
  context: ['iban', 'account', 'bank', 'konto', 'compte', 'cuenta', 'rekening'],
  gate: (f) => f.digits >= 8 && f.upper >= 2,
  find(text, _col, hit, reject) {
    for (const m of matches(IBAN_CANDIDATE, text)) {
      const length = ibanLength(m[0].slice(0, 2));
      if (!length) { reject(); continue; }
      // The candidate may run into a following word; cut it at the country's IBAN length.
      const end = endAfter(text, m.index, length);
      const raw = text.slice(m.index, end);
      const electronic = electronicFormatIBAN(raw) ?? '';
      if (electronic.length !== length || !isValidIBAN(electronic)) { reject(); continue; }
      if (end < text.length && /[A-Za-z0-9]/.test(text[end]!)) { reject(); continue; }
      hit({ start: m.index, end, confidence: 0.95, kind: electronic.slice(0, 2) });
    }
  },
  mask: (v) => maskKeeping(v, 2, 4),
};
