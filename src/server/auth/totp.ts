import { decodeBase32IgnorePadding, encodeBase32UpperCaseNoPadding } from '@oslojs/encoding';
import { createTOTPKeyURI, generateHOTP } from '@oslojs/otp';

/** RFC 6238 defaults understood by every authenticator app: 30 s steps, 6 digits, HMAC-SHA1. */
export const TOTP_PERIOD_S = 30;
export const TOTP_DIGITS = 6;

export function newTotpSecret(): string {
  const key = new Uint8Array(20);
  crypto.getRandomValues(key);
  return encodeBase32UpperCaseNoPadding(key);
}

export function totpKeyUri(secret: string, accountName: string): string {
  return createTOTPKeyURI('IECPA', accountName, decodeBase32IgnorePadding(secret), TOTP_PERIOD_S, TOTP_DIGITS);
}

export function totpCodeAt(secret: string, timeMs: number): string {
  const step = BigInt(Math.floor(timeMs / 1000 / TOTP_PERIOD_S));
  return generateHOTP(decodeBase32IgnorePadding(secret), step, TOTP_DIGITS);
}

/**
 * The time step a code matches (current step, or one either side for clock drift, RFC 6238 §5.2), or null.
 * A step at or before `lastUsedStep` is refused, so a code works once.
 */
export function matchTotpStep(secret: string, code: string, timeMs: number, lastUsedStep: number): number | null {
  if (!/^\d{6}$/.test(code)) return null;
  const key = decodeBase32IgnorePadding(secret);
  const current = Math.floor(timeMs / 1000 / TOTP_PERIOD_S);
  for (const step of [current - 1, current, current + 1]) {
    if (step <= lastUsedStep) continue;
    if (generateHOTP(key, BigInt(step), TOTP_DIGITS) === code) return step;
  }
  return null;
}
