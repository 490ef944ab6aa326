import { expect, test } from 'vitest';
import { safeNextPath } from '#src/server/forms.ts';

test('a local path is kept as the place to return to after signing in', () => {
  expect(safeNextPath('/membership/status')).toBe('/membership/status');
  expect(safeNextPath('/members?q=Heidelberg&page=2')).toBe('/members?q=Heidelberg&page=2');
});

test('anything that could leave the site, or nothing at all, becomes the account page', () => {
  for (const next of [
    null,
    undefined,
    '',
    'https://evil.example/',
    '//evil.example/path',
    '/\\evil.example',
    'javascript:alert(1)',
    'account',
    ' /account',
  ]) {
    expect(safeNextPath(next), String(next)).toBe('/dashboard');
  }
});

test('an overlong path is cut to 300 characters', () => {
  expect(safeNextPath(`/${'a'.repeat(1000)}`)).toHaveLength(300);
});
