import { expect, test } from 'vitest';
import { loggedP99Ms } from '#scripts/logged-latency.ts';

const line = (route: string, durationMs: number) =>
  JSON.stringify({ time: 't', requestId: 'r', method: 'GET', route, status: 200, durationMs, userId: null });

test("the 99th percentile of one route's logged durations, other lines and routes left out", () => {
  const lines = [
    'IECPA portal listening on http://127.0.0.1:1',
    ...Array.from({ length: 200 }, (_, i) => line('/account', i + 1)),
    line('/api/health', 5000),
    '{"not json',
    '{"route":"/account","durationMs":"slow"}',
  ];
  // 200 durations 1..200 ms: the 198th in order is the 99th percentile.
  expect(loggedP99Ms(lines.join('\n'), '/account')).toBe(198);
  expect(loggedP99Ms(lines.join('\n'), '/api/health')).toBe(5000);
  expect(loggedP99Ms(lines.join('\n'), '/')).toBeNull();
  expect(loggedP99Ms('', '/account')).toBeNull();
});
