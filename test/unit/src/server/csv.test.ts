import { expect, test } from 'vitest';
import { csvDownload } from '#src/server/csv.ts';

test('csvDownload sends the CSV as an uncached attachment named by its prefix and the UTC day', async () => {
  // 23:30 on 23 November in UTC is already 24 November east of it: the name follows UTC.
  const response = csvDownload('"a","b"\r\n', 'iecpa-members', Date.UTC(2026, 10, 23, 23, 30));
  expect(response.status).toBe(200);
  expect(response.headers.get('content-type')).toBe('text/csv; charset=utf-8');
  expect(response.headers.get('content-disposition')).toBe('attachment; filename="iecpa-members-2026-11-23.csv"');
  expect(response.headers.get('cache-control')).toBe('no-store');
  expect(await response.text()).toBe('"a","b"\r\n');
});
