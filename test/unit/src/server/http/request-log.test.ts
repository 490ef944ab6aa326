import type { APIContext } from 'astro';
import { beforeEach, expect, test } from 'vitest';
import { parseEnv } from '#src/server/env.ts';
import {
  isAddressAllowed,
  parseAllowList,
  recordJobRun,
  recordRequest,
  registerGauge,
  renderMetrics,
  resetMetrics,
} from '#src/server/http/metrics.ts';
import { newRequestId, observeRequest, type RequestLogLine } from '#src/server/http/request-log.ts';

beforeEach(() => resetMetrics());

/** The parts of Astro's context the request log reads. */
function contextFor(
  url: string,
  routePattern: string,
  userId: string | null = null,
): { context: APIContext; locals: { requestId?: string; user: { id: string } | null } } {
  const locals: { requestId?: string; user: { id: string } | null } = { user: null };
  const context = {
    isPrerendered: false,
    request: new Request(url),
    routePattern,
    get locals() {
      return locals;
    },
  } as unknown as APIContext;
  if (userId) locals.user = { id: userId };
  return { context, locals };
}

async function observed(
  url: string,
  routePattern: string,
  answer: () => Promise<Response>,
  userId: string | null = null,
): Promise<{ line: RequestLogLine; response: Response | null; error: unknown }> {
  const { context } = contextFor(url, routePattern, userId);
  const written: string[] = [];
  let response: Response | null = null;
  let error: unknown = null;
  try {
    response = await observeRequest(context, answer, (text) => written.push(text));
  } catch (caught) {
    error = caught;
  }
  expect(written).toHaveLength(1);
  expect(written[0]?.endsWith('\n')).toBe(true);
  return { line: JSON.parse(written[0] ?? '') as RequestLogLine, response, error };
}

test('a request gives one JSON line with its route pattern, never its URL, and the id as a header', async () => {
  const { line, response } = await observed(
    'http://portal.test/reset-password/secret-token-123?email=jane%40example.org',
    '/reset-password/[token]',
    async () => new Response('ok', { status: 200 }),
    'user-42',
  );
  expect(Object.keys(line).sort()).toEqual(['durationMs', 'method', 'requestId', 'route', 'status', 'time', 'userId']);
  expect(line).toMatchObject({ method: 'GET', route: '/reset-password/[token]', status: 200, userId: 'user-42' });
  expect(JSON.stringify(line)).not.toMatch(/secret-token|jane|example\.org/);
  expect(line.durationMs).toBeGreaterThanOrEqual(0);
  expect(Number.isNaN(Date.parse(line.time))).toBe(false);
  expect(response?.headers.get('X-Request-Id')).toBe(line.requestId);
});

test('a redirect (immutable headers) still carries the id; a signed-out request logs userId null', async () => {
  const { line, response } = await observed('http://portal.test/account', '/account', async () =>
    Response.redirect('http://portal.test/sign-in', 303),
  );
  expect(response?.status).toBe(303);
  expect(response?.headers.get('Location')).toBe('http://portal.test/sign-in');
  expect(response?.headers.get('X-Request-Id')).toBe(line.requestId);
  expect(line.userId).toBeNull();
});

test('a request that throws is logged as 500 and the error goes on to the error page', async () => {
  const { line, error } = await observed('http://portal.test/boom', '/boom', async () => {
    throw new Error('disk on fire');
  });
  expect(line.status).toBe(500);
  expect((error as Error).message).toBe('disk on fire');
  expect(renderMetrics()).toContain('iecpa_http_requests_total{method="GET",route="/boom",status="500"} 1');
});

test('request ids are 12 URL-safe characters and differ', () => {
  const ids = new Set(Array.from({ length: 1000 }, () => newRequestId()));
  expect(ids.size).toBe(1000);
  for (const id of ids) expect(id).toMatch(/^[A-Za-z0-9_-]{12}$/);
});

test('metrics render as Prometheus text: counters, cumulative histogram buckets, job runs, gauges', () => {
  recordRequest('GET', '/', 200, 3);
  recordRequest('GET', '/', 200, 30);
  recordRequest('POST', '/sign-in', 303, 700);
  recordJobRun('backup', true);
  recordJobRun('backup', false);
  const text = renderMetrics([
    { name: 'iecpa_mail_outbox_messages', help: 'Messages.', labels: { status: 'failed' }, value: 2 },
  ]);
  expect(text).toContain('# TYPE iecpa_http_requests_total counter');
  expect(text).toContain('iecpa_http_requests_total{method="GET",route="/",status="200"} 2');
  expect(text).toContain('iecpa_http_requests_total{method="POST",route="/sign-in",status="303"} 1');
  expect(text).toContain('# TYPE iecpa_http_request_duration_seconds histogram');
  expect(text).toContain('iecpa_http_request_duration_seconds_bucket{route="/",le="0.005"} 1');
  expect(text).toContain('iecpa_http_request_duration_seconds_bucket{route="/",le="0.025"} 1');
  expect(text).toContain('iecpa_http_request_duration_seconds_bucket{route="/",le="0.05"} 2');
  expect(text).toContain('iecpa_http_request_duration_seconds_bucket{route="/",le="+Inf"} 2');
  expect(text).toContain('iecpa_http_request_duration_seconds_count{route="/"} 2');
  expect(text).toContain('iecpa_http_request_duration_seconds_sum{route="/"} 0.033');
  expect(text).toContain('iecpa_http_request_duration_seconds_bucket{route="/sign-in",le="0.5"} 0');
  expect(text).toContain('iecpa_scheduled_job_runs_total{job="backup"} 2');
  expect(text).toContain('iecpa_scheduled_job_failures_total{job="backup"} 1');
  expect(text).toContain('# TYPE iecpa_mail_outbox_messages gauge\niecpa_mail_outbox_messages{status="failed"} 2');
  expect(text.endsWith('\n')).toBe(true);
  // Every sample line is `name{labels} value` with a number.
  for (const sample of text.split('\n').filter((l) => l && !l.startsWith('#'))) {
    expect(sample).toMatch(/^[a-z_]+(\{[^}]*\})? [0-9.e+-]+$/);
  }
});

test('label values are escaped', () => {
  recordRequest('GET', '/a"b\\c', 200, 1);
  expect(renderMetrics()).toContain('route="/a\\"b\\\\c"');
});

test('the metrics allow list takes addresses and CIDR blocks, and matches IPv4-mapped addresses', () => {
  const list = parseAllowList('127.0.0.1, ::1, 10.1.0.0/16');
  expect(list).not.toBeNull();
  if (!list) return;
  expect(isAddressAllowed(list, '127.0.0.1')).toBe(true);
  expect(isAddressAllowed(list, '::ffff:127.0.0.1')).toBe(true);
  expect(isAddressAllowed(list, '::1')).toBe(true);
  expect(isAddressAllowed(list, '10.1.200.3')).toBe(true);
  expect(isAddressAllowed(list, '10.2.0.1')).toBe(false);
  expect(isAddressAllowed(list, '203.0.113.7')).toBe(false);
  expect(isAddressAllowed(list, 'not an address')).toBe(false);
  expect(isAddressAllowed(list, '')).toBe(false);
});

test('a bad METRICS_ALLOW or backup setting is refused at start with a clear message', () => {
  for (const bad of ['localhost', '10.0.0.0/33', '127.0.0.1,example.org', '::1/129']) {
    expect(() => parseEnv({ METRICS_ALLOW: bad })).toThrow(/METRICS_ALLOW: give IP addresses or CIDR blocks/);
  }
  expect(() => parseEnv({ BACKUP_KEEP: '-1' })).toThrow(/BACKUP_KEEP/);
  expect(() => parseEnv({ BACKUP_HOUR_UTC: '24' })).toThrow(/BACKUP_HOUR_UTC/);
  expect(parseEnv({}).METRICS_ALLOW).toBe('127.0.0.1,::1');
  expect(parseEnv({}).BACKUP_KEEP).toBe(14);
});

test('a registered gauge (a work queue) is read at every scrape', () => {
  let queued = 3;
  registerGauge('iecpa_replay_queue_length', 'Replays waiting for a worker.', () => queued);
  expect(renderMetrics()).toContain(
    '# HELP iecpa_replay_queue_length Replays waiting for a worker.\n# TYPE iecpa_replay_queue_length gauge\niecpa_replay_queue_length 3\n',
  );
  queued = 0;
  expect(renderMetrics()).toContain('iecpa_replay_queue_length 0\n');
  expect(() => registerGauge('bad name', '', () => 0)).toThrow(/not a metric name/);
});

test('WEB_CONCURRENCY is read and checked with the other settings: 1 by default, a whole number from 1 to 64', () => {
  expect(parseEnv({}).WEB_CONCURRENCY).toBe(1);
  expect(parseEnv({ WEB_CONCURRENCY: '4' }).WEB_CONCURRENCY).toBe(4);
  for (const bad of ['0', '65', '1.5', 'two']) {
    expect(() => parseEnv({ WEB_CONCURRENCY: bad }), bad).toThrow(
      /WEB_CONCURRENCY must be a whole number from 1 to 64/,
    );
  }
});
