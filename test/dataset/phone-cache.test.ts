// The phone detector caches libphonenumber's verdict on (plan, leading digits, length). This
// checks the assumption behind it against libphonenumber itself on random numbers.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { getCountryCallingCode, parsePhoneNumberFromString, type CountryCode } from 'libphonenumber-js/max';
import { phoneValid } from '../../main/core/dataset/pii/contact.ts';
import { rng, int, digits } from './fixtures/values.ts';

const REGIONS: CountryCode[] = ['US', 'GB', 'DE', 'FR', 'IN', 'BR', 'JP', 'CN', 'AU', 'NL', 'ES', 'IT', 'MX', 'ZA', 'NG', 'RU', 'KR', 'SE', 'CH', 'PL'];

test('cached phone verdicts agree with libphonenumber on random numbers', () => {
  const r = rng(2024);
  let checked = 0;
  let disagree = 0;
  let valid = 0;
  for (let i = 0; i < 6000; i++) {
    const region = REGIONS[i % REGIONS.length]!;
    // Mostly plausible leading digits: reuse a few prefixes so the cache is exercised.
    const national = `${int(r, 1, 9)}${digits(r, 2)}${digits(r, int(r, 4, 8))}`;
    const e164 = `+${getCountryCallingCode(region)}${national}`;
    const direct = parsePhoneNumberFromString(e164)?.isValid() ?? false;
    const cached = phoneValid(e164, undefined);
    checked++;
    if (direct) valid++;
    if (direct !== cached) disagree++;
  }
  assert.ok(valid > 200, `the sample must contain valid numbers (${valid})`);
  assert.ok(disagree / checked < 0.01, `${disagree} of ${checked} verdicts differ`);
  if (process.env.ASSAY_VERBOSE) console.log(`${disagree} of ${checked} differ, ${valid} valid`);
});
