import { expect, test } from 'vitest';
import { LIMITS } from '#src/lib/schemas.ts';
import { COMMON_PASSWORDS } from '#src/server/auth/common-passwords.ts';
import { isCommonPassword } from '#src/server/auth/password.ts';

test('recognises a common password in any letter case', () => {
  expect(isCommonPassword('password123')).toBe(true);
  expect(isCommonPassword('PassWord123')).toBe(true);
  expect(isCommonPassword('QWERTYUIOP')).toBe(true);
  expect(isCommonPassword('counterpulsation')).toBe(true);
});

test('does not flag an uncommon passphrase or a common one with extra words', () => {
  expect(isCommonPassword('correct horse battery staple')).toBe(false);
  expect(isCommonPassword('password123 but longer')).toBe(false);
});

test('lists only lower-case entries long enough to pass the length rule, so that each can match', () => {
  expect(COMMON_PASSWORDS.size).toBeGreaterThan(100);
  for (const entry of COMMON_PASSWORDS) {
    expect(entry, entry).toBe(entry.toLowerCase());
    expect(entry.length, entry).toBeGreaterThanOrEqual(LIMITS.passwordMin);
  }
});
