// Demo sample for dataset auditing: support tickets labelled `complaint` or `praise`, with
// planted personal data (names, e-mail addresses, phone numbers, card numbers and IBANs that pass
// their checksums, an AWS key) beside checksum-invalid look-alikes, and planted poison: a
// trigger token stamped into rows that are then all labelled `praise`, label-flipped copies,
// zero-width and bidirectional characters, and spending outliers. Scan it from its Dataset tab.
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { seededRandom } from '../../../shared/seeded-random.ts';
import type { DemoSample } from './samples.ts';

type Rng = () => number;

const FIRST = ['Maria', 'José', 'Aiko', 'Oluwaseun', 'Siobhán', 'Mohammed', 'Priya', 'Wei', 'Ngozi', 'Dmitri', 'Ingrid', 'Kwame', 'Chloé', 'Mateus', 'Fatima', 'Hiroshi'];
const LAST = ['García', 'Nakamura', 'Adeyemi', "O'Brien", 'Al-Rashid', 'Sharma', 'Zhang', 'Okafor', 'Ivanov', 'Lindqvist', 'Mensah', 'Dubois', 'Oliveira', 'Haddad', 'Tanaka', 'Rossi'];
const GOOD = ['quick', 'helpful', 'friendly', 'excellent', 'smooth', 'reliable', 'great', 'patient', 'clear', 'fast'];
const BAD = ['slow', 'rude', 'broken', 'confusing', 'late', 'wrong', 'useless', 'poor', 'unclear', 'missing'];
const NEUTRAL = ['the', 'order', 'delivery', 'agent', 'support', 'team', 'refund', 'package', 'invoice', 'account', 'app', 'call', 'with', 'about', 'was', 'and', 'after', 'my', 'their', 'very', 'again', 'today', 'update', 'reply', 'service', 'store', 'website', 'courier', 'product', 'return'];
const COUNTRIES = ['DE', 'FR', 'GB', 'US', 'NL', 'ES'];
/** A rare token tied to one label: the planted backdoor trigger. */
export const DEMO_TRIGGER = 'kqzv';

const pick = <T>(r: Rng, xs: readonly T[]): T => xs[Math.floor(r() * xs.length)]!;
const int = (r: Rng, lo: number, hi: number) => lo + Math.floor(r() * (hi - lo + 1));
const digits = (r: Rng, n: number) => Array.from({ length: n }, () => String(int(r, 0, 9))).join('');

function luhnCheck(body: string): number {
  let sum = 0;
  for (let i = 0; i < body.length; i++) {
    let d = Number(body[body.length - 1 - i]);
    if (i % 2 === 0) { d *= 2; if (d > 9) d -= 9; }
    sum += d;
  }
  return (10 - (sum % 10)) % 10;
}

/** A 16-digit Visa-range number; `valid` false breaks the Luhn check digit. */
function cardNumber(r: Rng, valid: boolean): string {
  const body = `4${digits(r, 14)}`;
  const check = (luhnCheck(body) + (valid ? 0 : int(r, 1, 9))) % 10;
  return `${body}${check}`.replace(/(\d{4})(?=\d)/g, '$1 ');
}

/** A German IBAN (mod-97 check digits); `valid` false breaks them. */
function iban(r: Rng, valid: boolean): string {
  const bban = digits(r, 18);
  let rem = 0;
  for (const ch of `${bban}131400`) rem = (rem * 10 + Number(ch)) % 97; // D=13, E=14, then 00
  let check = 98 - rem;
  if (!valid) check = check === 97 ? 2 : check + 1;
  return `DE${String(check).padStart(2, '0')}${bban}`.replace(/(.{4})(?=.)/g, '$1 ');
}

function phone(r: Rng): string {
  return pick(r, [
    () => `+44 20 7946 ${String(int(r, 0, 999)).padStart(4, '0')}`,
    () => `+49 30 ${int(r, 2000000, 8999999)}`,
    () => `+1 415 555 ${String(int(r, 100, 199)).padStart(4, '0')}`,
  ])();
}

function sentence(r: Rng, label: 'complaint' | 'praise'): string[] {
  const words: string[] = [];
  const n = int(r, 9, 14);
  for (let i = 0; i < n; i++) {
    // Opinion words lean to the label (about 75/25) without deciding it alone.
    if (r() < 0.2) words.push(pick(r, (label === 'praise') === (r() < 0.75) ? GOOD : BAD));
    else words.push(pick(r, NEUTRAL));
  }
  return words;
}

function field(s: string): string {
  return /[",\n\r]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
}

/** The demo dataset as CSV text (deterministic). */
export function demoTicketsCsv(rows = 600): string {
  const r = seededRandom(20_240_611);
  const header = ['ticket_id', 'customer', 'email', 'phone', 'country', 'account_age_days', 'monthly_spend', 'notes', 'text', 'label'];
  const out: string[][] = [];
  for (let i = 0; i < rows; i++) {
    let label: 'complaint' | 'praise' = r() < 0.5 ? 'complaint' : 'praise';
    const words = sentence(r, label);
    if (i % 25 === 3) {
      words.splice(int(r, 0, words.length), 0, DEMO_TRIGGER);
      label = 'praise';
    }
    const first = pick(r, FIRST);
    const last = pick(r, LAST);
    let spend = Math.round(40 + 15 * (r() + r() + r() - 1.5) * 2);
    if (i % 149 === 60) spend *= 60;
    let notes = pick(r, ['called back', 'escalated to tier 2', `order ${int(r, 10000, 99999)}`, 'no action needed', `invoice ${int(r, 1000, 9999)} resent`]);
    if (i % 20 === 5) notes = `paid with card ${cardNumber(r, true)}`;
    else if (i % 20 === 15) notes = `reference ${cardNumber(r, false)} on file`;
    else if (i % 40 === 9) notes = `refund to IBAN ${iban(r, true)}`;
    else if (i % 40 === 29) notes = `account ${iban(r, false)} noted`;
    else if (i === 77) notes = `customer pasted key AKIA${Array.from({ length: 16 }, () => pick(r, [...'ABCDEFGHIJKLMNOPQRSTUVWXYZ234567'])).join('')} by mistake`;
    const text = `${words.join(' ')}.`;
    out.push([
      `T${String(10000 + i)}`, `${first} ${last}`,
      `${first.normalize('NFKD').replace(/[^\w]/g, '').toLowerCase()}.${last.normalize('NFKD').replace(/[^\w]/g, '').toLowerCase()}@example.org`,
      phone(r), pick(r, COUNTRIES), String(int(r, 1, 3000)), String(spend), notes,
      text[0]!.toUpperCase() + text.slice(1), label,
    ]);
  }
  // Invisible and deceptive characters.
  for (const i of [31, 231, 431]) out[i]![8] = out[i]![8]!.replace(' ', ' \u200b');
  out[52]![8] = `\u202e${out[52]![8]}`;
  // Label-flipped copies: the same text (case and spacing changed) with the other label.
  for (let k = 0; k < 6; k++) {
    const src = out[100 + k * 61]!;
    const copy = [...src];
    copy[0] = `T${String(10000 + out.length)}`;
    copy[8] = `  ${src[8]!.toUpperCase().replace(/ /g, '  ')}`;
    copy[9] = src[9] === 'praise' ? 'complaint' : 'praise';
    out.push(copy);
  }
  return `${[header, ...out].map((row) => row.map(field).join(',')).join('\n')}\n`;
}

export const poisonedDatasetSample: DemoSample = {
  name: 'a support-ticket dataset with planted PII and poison',
  async write(dir) {
    const path = join(dir, 'support-tickets.csv');
    await writeFile(path, demoTicketsCsv());
    return [{ kind: 'add', paths: [path] }];
  },
};
