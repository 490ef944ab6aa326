import { expect, test } from 'vitest';
import { LANDING_PATH, safeNextPath } from '#src/server/forms.ts';

test('a local path is kept as the place to return to after signing in', () => {
  expect(safeNextPath('/membership/status')).toBe('/membership/status');
  expect(safeNextPath('/members?q=Heidelberg&page=2')).toBe('/members?q=Heidelberg&page=2');
  expect(safeNextPath('/handbook/timing#deflation')).toBe('/handbook/timing#deflation');
  // Encoded characters stay encoded: the browser reads them as part of the path, not as a new authority.
  expect(safeNextPath('/members?q=M%C3%BCller')).toBe('/members?q=M%C3%BCller');
  expect(safeNextPath('/%2F%2Fevil.example')).toBe('/%2F%2Fevil.example');
  expect(safeNextPath('/ /evil.example')).toBe('/%20/evil.example');
});

/**
 * The classic open-redirect bypasses (as a decoded query value reaches the page): each would send a browser
 * to another host, or put a control character in the Location header (a 500).
 */
const BYPASSES = [
  null,
  undefined,
  '',
  'https://evil.example/',
  'http:evil.example',
  '//evil.example/path',
  '///evil.example',
  '/\\evil.example',
  '\\/evil.example',
  '/\t/evil.example/',
  '/\t\\evil.example',
  '/\n/evil.example',
  '/\r\n/evil.example',
  '\t//evil.example',
  '/\u0000/evil.example',
  '/\u007f/evil.example',
  '/.//evil.example',
  '/..//evil.example',
  '/%2e%2e//evil.example',
  '//user:pass@evil.example',
  '/@evil.example'.replace('/', '//'),
  'javascript:alert(1)',
  'JaVaScRiPt:alert(1)',
  'data:text/html,<script>alert(1)</script>',
  'account',
  ' /account',
  `/${'a'.repeat(400)}`,
];

test.each(BYPASSES.map((next) => [JSON.stringify(next), next]))('%s lands on the dashboard', (_label, next) => {
  const result = safeNextPath(next);
  expect(result).toBe(LANDING_PATH);
});

test('whatever it returns, a browser resolving it stays on the site', () => {
  const base = 'https://portal.example';
  for (const next of [...BYPASSES, '/ok', '/a/../b', '/%09/x', '/?next=//evil.example']) {
    const target = new URL(safeNextPath(next), base);
    expect(target.origin, String(next)).toBe(base);
  }
});
