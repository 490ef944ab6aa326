import { expect, test } from 'vitest';
import { formatLongDate, toIsoDate } from '#src/lib/dates.ts';

test('a front-matter date reads as day, month name and year', () => {
  expect(formatLongDate(new Date('2026-12-01'))).toBe('1 December 2026');
});

test('a date at UTC midnight keeps its day whatever the server time zone', () => {
  // Front matter "2026-11-23" is parsed as UTC midnight; a local-time format west of UTC would say 22.
  expect(formatLongDate(new Date(Date.UTC(2026, 10, 23)))).toBe('23 November 2026');
  expect(toIsoDate(new Date(Date.UTC(2026, 10, 23)))).toBe('2026-11-23');
});
