// Each detector against a valid value (must be found) and its closest look-alike (must not be).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { findPii } from '../../main/core/dataset/index.ts';
import { PiiScanner } from '../../main/core/dataset/pii/scanner.ts';
import { luhnValid, verhoeffValid } from '../../main/core/dataset/pii/checksums.ts';
import * as v from './fixtures/values.ts';

const r = v.rng(99);
const b64 = (o: unknown) => Buffer.from(JSON.stringify(o)).toString('base64url');

/** [detector, column name, text with a valid value, text with a look-alike] */
const CASES: Array<[string, string, string, string]> = [
  ['payment-card', 'notes', `card ${v.card(r)} on file`, `card ${v.card(r, false)} on file`],
  ['payment-card', 'notes', 'visa 4111-1111-1111-1111', 'order 4111-1111-1111-1113'],
  ['iban', 'notes', `pay to ${v.iban(r)}`, `pay to ${v.iban(r, false)}`],
  // A mistyped IBAN whose account digits pass Luhn is neither an IBAN nor a card.
  ['payment-card', 'notes', 'pay to 4111 1111 1111 1111 today', 'pay to DE00 4111 1111 1111 1111 today'],
  ['payment-card', 'notes', 'card=4111111111111111', 'ref x4111111111111111'],
  ['us-ssn', 'notes', 'SSN 123-45-6789 verified', 'SSN 666-45-6789 verified'],
  ['us-ssn', 'ssn', '219-09-9998', '219-09-9999'],
  ['es-dni-nie', 'notes', 'DNI 12345678Z', 'DNI 12345678A'],
  ['es-dni-nie', 'notes', 'NIE X1234567L', 'NIE X1234567M'],
  ['br-cpf', 'notes', 'CPF 529.982.247-25', 'CPF 529.982.247-26'],
  ['in-aadhaar', 'aadhaar', '2345 6789 0124', '2345 6789 0123'],
  ['cn-resident-id', 'notes', 'ID 11010519491231002X', 'ID 110105194912310021'],
  ['fr-nir', 'notes', 'NIR 1 85 05 78 006 084 91', 'NIR 1 85 05 78 006 084 92'],
  ['uk-nino', 'notes', 'NI number AB123456C', 'NI number BG123456C'],
  ['nl-bsn', 'bsn', '111222333', '111222334'],
  ['se-personnummer', 'notes', 'pnr 811218-9876', 'pnr 811218-9875'],
  ['fi-hetu', 'notes', 'hetu 131052-308T', 'hetu 131052-308U'],
  ['it-codice-fiscale', 'notes', 'CF RSSMRA85T10A562S', 'CF RSSMRA85T10A562T'],
  ['no-fodselsnummer', 'fnr', '01010750160', '01010750161'],
  ['email', 'notes', 'write to ana.lima@example.org today', 'write to ana..lima@example.org today'],
  ['phone', 'notes', 'call +44 20 7946 0958', 'call +44 20 79'],
  ['ipv4', 'notes', 'from 192.168.10.24', 'from 192.168.10.256'],
  ['ipv6', 'notes', 'from 2001:db8:85a3::8a2e:370:7334', 'at 12:30:45:99'],
  ['birth-date', 'notes', 'born on 1985-03-12', 'born on 1985-02-30'],
  ['birth-date', 'dob', '12/03/1985', '32/13/1985'],
  ['postal-address', 'notes', 'lives at 221 Baker Street, London NW1 6XE', 'paid 221 dollars at the street market'],
  ['person-name', 'notes', 'Dr. Oluwaseun Adebayo reviewed it', 'the doctor reviewed it'],
  ['person-name', 'notes', 'hello, my name is Jane Porter and I need help', 'hello, my name is not important and I need help'],
  ['aws-access-key', 'notes', 'key AKIAIOSFODNN7EXAMPLE', 'key AKIAIOSFODNN7EXAMP'],
  ['google-api-key', 'notes', `k=AIza${'Sy'.repeat(17)}A`, `k=AIza${'Sy'.repeat(10)}`],
  ['github-token', 'notes', `ghp_${'aB3'.repeat(12)}`, `ghp_${'aB3'.repeat(5)}`],
  ['slack-token', 'notes', 'xoxb-123456789012-abcdefABCDEF', 'xoxz-123456789012-abcdefABCDEF'],
  ['jwt', 'notes', `${b64({ alg: 'HS256', typ: 'JWT' })}.${b64({ sub: '42', iat: 1 })}.c2lnbmF0dXJlLWhlcmU`, `${b64({ typ: 'x', n: 1 })}.${b64({ sub: '42', iat: 1 })}.c2lnbmF0dXJlLWhlcmU`],
  ['private-key', 'notes', '-----BEGIN RSA PRIVATE KEY-----\nMIIEow\n-----END RSA PRIVATE KEY-----', '-----BEGIN PUBLIC KEY-----\nMIIBIj\n-----END PUBLIC KEY-----'],
  ['connection-string-password', 'notes', 'mysql://root:hunter22@10.0.0.5:3306/db', 'mysql://root:${DB_PASS}@10.0.0.5:3306/db'],
  ['connection-string-password', 'notes', 'Server=db;User Id=sa;Password=Tr0ub4dor;', 'Server=db;User Id=sa;Password=****;'],
  ['password-field', 'password', 'correct-horse-battery', '****'],
  ['high-entropy-secret', 'api_secret', 'q8Z3kV9xP2mL7wR4tY6uB1nC5', 'aaaaaaaaaaaaaaaaaaaaaaaa'],
];

for (const [detector, column, good, bad] of CASES) {
  test(`${detector}: found in "${good.slice(0, 40).replace(/\n/g, ' ')}", not in its look-alike`, () => {
    const hits = findPii(good, column).filter((h) => h.detector === detector);
    assert.equal(hits.length, 1, `expected one ${detector} in ${good}: ${JSON.stringify(findPii(good, column))}`);
    assert.ok(hits[0]!.confidence >= 0.45 && hits[0]!.confidence <= 1);
    assert.equal(findPii(bad, column).filter((h) => h.detector === detector).length, 0, `look-alike reported: ${bad}`);
  });
}

test('masked values never contain the value they mask', () => {
  for (const [, column, good] of CASES) {
    for (const h of findPii(good, column)) {
      const raw = good.slice(h.start, h.end);
      assert.ok(!h.masked.includes(raw), `${h.detector}: ${h.masked}`);
      const digits = raw.replace(/\D/g, '');
      if (digits.length >= 8) assert.ok(!h.masked.replace(/\D/g, '').includes(digits.slice(0, 8)), `${h.detector} reveals digits: ${h.masked}`);
    }
  }
});

test('context words raise confidence; bare digit ids need them', () => {
  const plain = findPii('4111111111111111', 'value')[0]!;
  const withCol = findPii('4111111111111111', 'credit_card')[0]!;
  assert.ok(withCol.confidence > plain.confidence);
  // A nine-digit number passing the BSN 11-test is a BSN only where something says so.
  assert.equal(findPii('ref 111222333 ok', 'notes').filter((h) => h.detector === 'nl-bsn').length, 0);
  assert.equal(findPii('BSN 111222333 ok', 'notes').filter((h) => h.detector === 'nl-bsn').length, 1);
  // Bare SSN-shaped numbers likewise.
  assert.equal(findPii('123456789', 'amount').filter((h) => h.detector === 'us-ssn').length, 0);
  assert.equal(findPii('123456789', 'ssn').filter((h) => h.detector === 'us-ssn').length, 1);
});

test('phone numbers without a country code are found in the configured region only', () => {
  const s = new PiiScanner({ phoneRegion: 'DE' });
  const hints = s.columnHints({ name: 'notes' });
  assert.equal(s.scan('ruf an: 030 12345678 bitte', hints).filter((m) => m.detector === 'phone').length, 1);
  assert.equal(findPii('ruf an: 030 12345678 bitte', 'notes').filter((h) => h.detector === 'phone').length, 0);
  assert.equal(findPii('version 2024-01-15 build 12 34 5', 'notes').filter((h) => h.detector === 'phone').length, 0);
});

test('names from many cultures are names in a name column, and ordinary words are not', () => {
  const s = new PiiScanner();
  const hints = s.columnHints({ name: 'customer_name', valuesLookLikeNames: true });
  for (const first of v.FIRST_NAMES) {
    for (const last of v.LAST_NAMES.slice(0, 6)) assert.equal(s.scan(`${first} ${last}`, hints).length, 1, `${first} ${last}`);
  }
  assert.equal(s.scan('李雷', hints).length, 1);
  assert.equal(s.scan('Nguyễn Văn An', hints).length, 1);
  assert.equal(s.scan('n/a', hints).length, 0);
  assert.equal(s.scan('order 12345', hints).length, 0);
});

test('one value can hold several kinds; overlapping spans go to the more specific detector', () => {
  const hits = findPii('mail a.b@example.com, card 4111 1111 1111 1111, ip 10.1.2.3', 'notes');
  assert.deepEqual(hits.map((h) => h.detector), ['email', 'payment-card', 'ipv4']);
  // A key inside a URL is a key, not a password and not a phone number.
  const url = findPii('https://u:AKIAIOSFODNN7EXAMPLE@s3.example.com', 'notes').map((h) => h.detector);
  assert.ok(url.includes('aws-access-key'));
});

test('check-digit algorithms', () => {
  assert.ok(luhnValid('79927398713'));
  assert.ok(!luhnValid('79927398710'));
  assert.ok(verhoeffValid('2363'));
  assert.ok(!verhoeffValid('2364'));
});
