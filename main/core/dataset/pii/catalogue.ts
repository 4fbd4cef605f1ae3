// The detectors in priority order: when two claim overlapping text, the earlier one wins
// (a key inside a URL is a key; a card number is not also a phone number).
import { birthDate, email, ipv4, ipv6, phone, postalAddress } from './contact.ts';
import { iban, paymentCard } from './financial.ts';
import { makePersonNameDetector, type NlpBudget } from './names.ts';
import { NATIONAL_ID_DETECTORS } from './national-ids.ts';
import { connectionStringPassword, highEntropySecret, passwordField, TOKEN_DETECTORS } from './secrets.ts';
import type { PiiDetector } from './types.ts';

export function buildDetectors(nlpBudget: NlpBudget): PiiDetector[] {
  return [
    ...TOKEN_DETECTORS,
    connectionStringPassword,
    passwordField,
    email,
    iban,
    paymentCard,
    ...NATIONAL_ID_DETECTORS,
    ipv4,
    ipv6,
    birthDate,
    phone,
    postalAddress,
    makePersonNameDetector(nlpBudget),
    highEntropySecret,
  ];
}
