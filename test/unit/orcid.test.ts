import { expect, test } from 'vitest';
import { normaliseOrcid, orcidCheckCharacter } from '#src/lib/orcid.ts';

// Examples from ORCID's "Structure of the ORCID Identifier": 0000-0002-1825-0097 (check 7) and
// 0000-0002-1694-233X (check 10, written X).
test('computes the ISO 7064 MOD 11-2 check character', () => {
  expect(orcidCheckCharacter('000000021825009')).toBe('7');
  expect(orcidCheckCharacter('000000021694233')).toBe('X');
});

test('accepts the bare, unhyphenated and URL forms and normalises them', () => {
  expect(normaliseOrcid('0000-0002-1825-0097')).toBe('0000-0002-1825-0097');
  expect(normaliseOrcid('0000000218250097')).toBe('0000-0002-1825-0097');
  expect(normaliseOrcid('https://orcid.org/0000-0002-1694-233x')).toBe('0000-0002-1694-233X');
});

test.each([
  '0000-0002-1825-0096',
  '0000-0002-1694-2330',
  '0000-0002-1825-009',
  '0000-0002-1825-00970',
  'abcd-0002-1825-0097',
  'https://evil.example/0000-0002-1825-0097',
  '',
])('refuses %j', (input) => {
  expect(normaliseOrcid(input)).toBeNull();
});
