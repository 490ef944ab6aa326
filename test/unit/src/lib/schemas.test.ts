import fc from 'fast-check';
import { expect, test } from 'vitest';
import {
  COUNTRY_CODES,
  countryName,
  emailField,
  LIMITS,
  nameField,
  passwordField,
  registerInput,
  secondFactorField,
  tokenField,
  totpCodeField,
} from '#src/lib/schemas.ts';

function emailOfLength(length: number): string {
  const domain = '@example.org';
  return `${'a'.repeat(length - domain.length)}${domain}`;
}

test('lower-cases and trims an email address', () => {
  expect(emailField.parse('  Ana.Lima@Example.ORG ')).toBe('ana.lima@example.org');
});

/** Addresses of the everyday shape (letters, digits, . _ + - and a dotted domain), in mixed case. */
const plainEmail = fc.stringMatching(/^[A-Za-z0-9][A-Za-z0-9._+-]{0,20}@[A-Za-z0-9]{1,12}\.[A-Za-z]{2,6}$/);

test('returns every accepted email address trimmed and in lower case', () => {
  let accepted = 0;
  fc.assert(
    fc.property(fc.oneof(plainEmail, fc.emailAddress()), fc.constantFrom('', ' ', '\t'), (email, pad) => {
      const mixed = `${pad}${email}${pad}`;
      const result = emailField.safeParse(mixed);
      if (!result.success) return;
      accepted++;
      expect(result.data).toBe(email.toLowerCase());
    }),
    { numRuns: 200 },
  );
  expect(accepted).toBeGreaterThan(20);
});

test('accepts an email of the maximum length and refuses one character more', () => {
  expect(emailField.safeParse(emailOfLength(LIMITS.emailMax)).success).toBe(true);
  expect(emailField.safeParse(emailOfLength(LIMITS.emailMax + 1)).success).toBe(false);
});

test('refuses malformed email addresses', () => {
  for (const bad of [
    '',
    ' ',
    'ana',
    'ana@',
    '@example.org',
    'ana@@example.org',
    'ana lima@example.org',
    'ana@example',
  ]) {
    expect(emailField.safeParse(bad).success, bad).toBe(false);
  }
});

test('accepts passwords from 8 to 128 characters and nothing outside', () => {
  expect(passwordField.safeParse('x'.repeat(LIMITS.passwordMin)).success).toBe(true);
  expect(passwordField.safeParse('x'.repeat(LIMITS.passwordMin - 1)).success).toBe(false);
  expect(passwordField.safeParse('x'.repeat(LIMITS.passwordMax)).success).toBe(true);
  expect(passwordField.safeParse('x'.repeat(LIMITS.passwordMax + 1)).success).toBe(false);
});

test('keeps a password exactly as typed, spaces included', () => {
  expect(passwordField.parse('  spaced out  ')).toBe('  spaced out  ');
});

test('trims a name, limits it to 120 characters and refuses control characters', () => {
  expect(nameField.parse('  Ana Lima ')).toBe('Ana Lima');
  expect(nameField.safeParse('x'.repeat(LIMITS.nameMax)).success).toBe(true);
  expect(nameField.safeParse('x'.repeat(LIMITS.nameMax + 1)).success).toBe(false);
  expect(nameField.safeParse('   ').success).toBe(false);
  expect(nameField.safeParse('Ana\nLima').success).toBe(false);
  expect(nameField.safeParse('Ana\u007fLima').success).toBe(false);
});

test('refuses text-direction overrides in a name but keeps names in any script', () => {
  expect(nameField.safeParse('Ada \u202eNIMDA').success).toBe(false);
  expect(nameField.safeParse('Ada \u2066x\u2069').success).toBe(false);
  expect(nameField.safeParse('Ana\u0085Lima').success).toBe(false);
  for (const name of [
    'José Ñúñez',
    'Ødegård Çelik',
    'Σωκράτης',
    'יעל כהן',
    'محمد علي',
    '王小明',
    'O\u2019Brien-Smith',
  ]) {
    expect(nameField.safeParse(name).success, name).toBe(true);
  }
});

test('keeps HTML and SQL-looking text in a name as plain text', () => {
  const name = `<script>alert(1)</script> O'Brien; DROP TABLE users;--`;
  expect(nameField.parse(name)).toBe(name);
});

test('lists each country code once, as two capital letters with a display name', () => {
  expect(new Set(COUNTRY_CODES).size).toBe(COUNTRY_CODES.length);
  for (const code of COUNTRY_CODES) {
    expect(code).toMatch(/^[A-Z]{2}$/);
    expect(countryName(code), code).not.toBe(code);
  }
});

test('requires acceptance of the code of ethics to register', () => {
  const valid = {
    name: 'Ana Lima',
    email: 'ana@example.org',
    password: 'a long enough passphrase',
    country: 'BR',
    profession: 'nurse',
    acceptEthics: true,
  };
  expect(registerInput.safeParse(valid).success).toBe(true);
  expect(registerInput.safeParse({ ...valid, acceptEthics: false }).success).toBe(false);
  expect(registerInput.safeParse({ ...valid, acceptEthics: 'on' }).success).toBe(false);
  expect(registerInput.safeParse({ ...valid, country: 'br' }).success).toBe(false);
  expect(registerInput.safeParse({ ...valid, profession: 'surgeon' }).success).toBe(false);
});

test('accepts a 6-digit code or a recovery code as a second factor, nothing else', () => {
  expect(totpCodeField.parse(' 012345 ')).toBe('012345');
  expect(totpCodeField.safeParse('12345').success).toBe(false);
  for (const good of ['000000', 'abcde-fgh23', 'ABCDE-FGH23'])
    expect(secondFactorField.safeParse(good).success, good).toBe(true);
  for (const bad of ['', '1234567', 'abcdefghij', 'abcde-fgh1', 'abcde_fghij', 'abcde-fghij-']) {
    expect(secondFactorField.safeParse(bad).success, bad).toBe(false);
  }
});

test('accepts only lower-case base32 link tokens of a plausible length', () => {
  expect(tokenField.safeParse('abcdefghijklmnopqrstuvwxyz234567').success).toBe(true);
  for (const bad of ['short', 'ABCDEFGHIJKLMNOP', 'abcdefghij0189', 'a'.repeat(101), 'abcdefghij klm']) {
    expect(tokenField.safeParse(bad).success, bad).toBe(false);
  }
});
