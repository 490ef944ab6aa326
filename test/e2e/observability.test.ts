import { afterAll, beforeAll, expect, test } from 'vitest';
import { DEMO_PASSWORD } from '#scripts/demo-seed.ts';
import { signInOverHttp } from '#test/helpers/portal-flows.ts';
import { type RunningServer, startServer } from '#test/helpers/server.ts';

let server: RunningServer;
beforeAll(async () => {
  server = await startServer();
});
afterAll(async () => server?.stop());

interface LogLine {
  time: string;
  requestId: string;
  method: string;
  route: string;
  status: number;
  durationMs: number;
  userId: string | null;
}

/** The server's log line for `requestId`, once it has been written. */
async function logLineFor(requestId: string): Promise<LogLine> {
  const deadline = Date.now() + 10_000;
  for (;;) {
    const line = server
      .output()
      .split('\n')
      .find((text) => text.includes(`"requestId":"${requestId}"`));
    if (line) return JSON.parse(line) as LogLine;
    if (Date.now() > deadline) throw new Error(`no log line for ${requestId} in:\n${server.output()}`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

async function get(path: string, cookie?: string): Promise<{ response: Response; line: LogLine }> {
  const response = await fetch(server.url + path, { redirect: 'manual', headers: cookie ? { cookie } : {} });
  await response.arrayBuffer();
  const requestId = response.headers.get('x-request-id');
  expect(requestId).toMatch(/^[A-Za-z0-9_-]{12}$/);
  return { response, line: await logLineFor(requestId ?? '') };
}

test('each request writes one JSON log line with its route pattern, status, duration and user', async () => {
  const home = await get('/');
  expect(home.line).toMatchObject({ method: 'GET', route: '/', status: 200, userId: null });
  expect(home.line.durationMs).toBeGreaterThan(0);

  const cookie = await signInOverHttp(server.url, 'member@iecpa.test', DEMO_PASSWORD);
  const account = await get('/account', cookie);
  expect(account.response.status).toBe(200);
  expect(account.line.userId).toMatch(/.+/);
  expect(account.line.route).toBe('/account');

  const signedOut = await get('/account');
  expect(signedOut.line.status).toBe(signedOut.response.status);
  expect(signedOut.line.userId).toBeNull();
});

test("a page's refusal is one log line under the page's route, with the id the refusal page shows", async () => {
  const cookie = await signInOverHttp(server.url, 'member@iecpa.test', DEMO_PASSWORD);
  const refusalLines = (): number =>
    server
      .output()
      .split('\n')
      .filter((l) => l.includes('"route":"/refused"')).length;
  const before = refusalLines();
  const response = await fetch(`${server.url}/simulator/attempts/no-such-attempt`, { headers: { cookie } });
  const html = await response.text();
  const requestId = response.headers.get('x-request-id') ?? '';
  const line = await logLineFor(requestId);
  expect(line).toMatchObject({ method: 'GET', route: '/simulator/attempts/[id]', status: 404 });
  expect(line.userId).toMatch(/.+/);
  expect(html).toContain(`<code data-request-id>${requestId}</code>`);
  expect(refusalLines()).toBe(before);
});

test('no URL, query string or token reaches the log', async () => {
  const marker = 'private-marker-7f3a';
  await get(`/reset-password?token=${marker}&email=${marker}%40example.org`);
  await get(`/api/health?${marker}=1`);
  // An unknown address gets the prerendered 404 page, answered before the middleware: nothing to log.
  expect((await fetch(`${server.url}/no-such-page-${marker}`)).status).toBe(404);
  expect(server.output()).not.toContain(marker);
});

test('/metrics serves Prometheus text to loopback: requests, latency, jobs, mail outbox, replays, event loop', async () => {
  await get('/');
  // The jobs run at start, in a worker thread: wait until their first runs are counted.
  const deadline = Date.now() + 30_000;
  let text = '';
  for (;;) {
    const response = await fetch(`${server.url}/metrics`);
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toContain('text/plain; version=0.0.4');
    text = await response.text();
    if (text.includes('iecpa_scheduled_job_runs_total{job="membership"}')) break;
    if (Date.now() > deadline) throw new Error(`no scheduled job runs in:\n${text}`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  expect(text).toMatch(/^iecpa_http_requests_total\{method="GET",route="\/",status="200"\} [1-9]\d*$/m);
  expect(text).toMatch(/^iecpa_http_request_duration_seconds_bucket\{route="\/",le="\+Inf"\} [1-9]\d*$/m);
  expect(text).toMatch(/^iecpa_scheduled_job_failures_total\{job="membership"\} 0$/m);
  expect(text).toMatch(/^iecpa_mail_outbox_messages\{status="failed"\} \d+$/m);
  expect(text).toMatch(/^iecpa_scheduled_job_last_run_ok\{job="membership"\} 1$/m);
  // The replay pool's gauges are there before any replay; the event loop's before its first window ends.
  expect(text).toMatch(/^iecpa_replay_queue_length 0$/m);
  expect(text).toMatch(/^iecpa_replay_workers_busy 0$/m);
  expect(text).toMatch(/^iecpa_event_loop_delay_p99_seconds \d+(\.\d+)?(e-\d+)?$/m);
  expect(text).toMatch(/^iecpa_event_loop_delay_max_seconds \d+(\.\d+)?(e-\d+)?$/m);
});

test('/metrics is refused to an address not in METRICS_ALLOW', async () => {
  const closed = await startServer({ METRICS_ALLOW: '192.0.2.10, 10.0.0.0/8' });
  try {
    const response = await fetch(`${closed.url}/metrics`);
    expect(response.status).toBe(403);
    const body = await response.text();
    expect(body).toContain('METRICS_ALLOW');
    expect(body).not.toContain('iecpa_');
  } finally {
    await closed.stop();
  }
});
