import { expect, test } from 'vitest';
import { matchTotpStep, newTotpSecret, TOTP_PERIOD_S, totpCodeAt, totpKeyUri } from '#src/server/auth/totp.ts';

/** RFC 6238 appendix B's SHA-1 key, the ASCII bytes "12345678901234567890", in base32. */
const RFC_SECRET = 'GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ';
const STEP_MS = TOTP_PERIOD_S * 1000;

test('computes the RFC 6238 appendix B codes (last six of the eight published digits)', () => {
  const vectors: [number, string][] = [
    [59, '287082'],
    [1111111109, '081804'],
    [1111111111, '050471'],
    [1234567890, '005924'],
    [2000000000, '279037'],
    [20000000000, '353130'],
  ];
  for (const [seconds, code] of vectors) expect(totpCodeAt(RFC_SECRET, seconds * 1000), String(seconds)).toBe(code);
});

test('matches a code of the current step and one step either side, not two', () => {
  const now = 1_795_000_000_000;
  const step = Math.floor(now / STEP_MS);
  expect(matchTotpStep(RFC_SECRET, totpCodeAt(RFC_SECRET, now), now, 0)).toBe(step);
  expect(matchTotpStep(RFC_SECRET, totpCodeAt(RFC_SECRET, now - STEP_MS), now, 0)).toBe(step - 1);
  expect(matchTotpStep(RFC_SECRET, totpCodeAt(RFC_SECRET, now + STEP_MS), now, 0)).toBe(step + 1);
  expect(matchTotpStep(RFC_SECRET, totpCodeAt(RFC_SECRET, now - 2 * STEP_MS), now, 0)).toBeNull();
  expect(matchTotpStep(RFC_SECRET, totpCodeAt(RFC_SECRET, now + 2 * STEP_MS), now, 0)).toBeNull();
});

test('refuses a code whose step is at or before the last used step', () => {
  const now = 1_795_000_000_000;
  const step = Math.floor(now / STEP_MS);
  const code = totpCodeAt(RFC_SECRET, now);
  expect(matchTotpStep(RFC_SECRET, code, now, step - 1)).toBe(step);
  expect(matchTotpStep(RFC_SECRET, code, now, step)).toBeNull();
  // After a code from the next step was used (a fast clock), the current step's code is spent too.
  expect(matchTotpStep(RFC_SECRET, code, now, step + 1)).toBeNull();
  expect(matchTotpStep(RFC_SECRET, totpCodeAt(RFC_SECRET, now - STEP_MS), now, step)).toBeNull();
});

test('refuses codes that are not six digits', () => {
  const now = 1_795_000_000_000;
  const code = totpCodeAt(RFC_SECRET, now);
  for (const bad of ['', code.slice(1), `${code}0`, ` ${code}`, 'abcdef', `${code.slice(0, 5)}x`]) {
    expect(matchTotpStep(RFC_SECRET, bad, now, 0), bad).toBeNull();
  }
});

test('makes a new 160-bit base32 secret each time and a key URI that carries it', () => {
  const a = newTotpSecret();
  const b = newTotpSecret();
  expect(a).toMatch(/^[A-Z2-7]{32}$/);
  expect(b).not.toBe(a);
  const uri = new URL(totpKeyUri(a, 'ana@example.org'));
  expect(uri.protocol).toBe('otpauth:');
  expect(uri.searchParams.get('secret')).toBe(a);
  expect(uri.searchParams.get('issuer')).toBe('IECPA');
  expect(uri.searchParams.get('period')).toBe(String(TOTP_PERIOD_S));
  expect(uri.searchParams.get('digits')).toBe('6');
});
