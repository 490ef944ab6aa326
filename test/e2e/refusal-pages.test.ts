import { expect, test } from 'vitest';
import { blockingAxeViolations, saveScreenshot } from '#test/helpers/axe.ts';
import { demoSessionCookie, usePortal } from '#test/helpers/e2e-portal.ts';
import { postForm } from '#test/helpers/portal-flows.ts';

const portal = usePortal({ shared: true });

async function get(path: string, cookie?: string): Promise<{ response: Response; html: string }> {
  const response = await fetch(`${portal.server.url}${path}`, {
    headers: cookie ? { Cookie: cookie } : {},
    redirect: 'manual',
  });
  return { response, html: await response.text() };
}

/** The text of the page's first element matching `open` (e.g. `<h1`), tags and attributes removed. */
function textOf(html: string, open: string): string | undefined {
  const start = html.indexOf(open);
  if (start < 0) return undefined;
  const tag = open.slice(1).split(/[\s>]/)[0];
  const end = html.indexOf(`</${tag}>`, start);
  return html
    .slice(html.indexOf('>', start) + 1, end)
    .replace(/<[^>]+>/g, '')
    .trim();
}

test("a page that refuses its request answers with the site's error page: status, reason, reference, way on", async () => {
  const member = await demoSessionCookie(portal.server.url, 'member@iecpa.test');
  const { response, html } = await get('/simulator/attempts/no-such-attempt', member);
  expect(response.status).toBe(404);
  expect(response.headers.get('content-type')).toContain('text/html');
  expect(textOf(html, '<h1')).toBe('Not found');
  expect(textOf(html, '<p class="lead"')).toBe('That attempt does not exist or is not yours.');
  // The site's own page (skip link, navigation, the member's menu), not a bare line of text.
  expect(html).toContain('Skip to main content');
  expect(html).toContain('href="/dashboard"');
  // The reference shown is the request's own id, the one its log line carries.
  const requestId = response.headers.get('x-request-id');
  expect(requestId).toMatch(/^[A-Za-z0-9_-]{12}$/);
  expect(html).toContain(`<code data-request-id>${requestId}</code>`);

  const page = await portal.newPage(member);
  const problems: string[] = [];
  page.on('console', (m) => {
    if ((m.type() === 'error' || m.type() === 'warning') && m.location().url !== page.url()) problems.push(m.text());
  });
  page.on('pageerror', (e) => problems.push(e.message));
  const opened = await page.goto(`${portal.server.url}/simulator/attempts/no-such-attempt`, {
    waitUntil: 'networkidle',
  });
  expect(opened?.status()).toBe(404);
  await page.getByRole('link', { name: 'Go to your dashboard' }).waitFor();
  expect(await blockingAxeViolations(page)).toEqual([]);
  await saveScreenshot(page, 'refusal-not-found');
  expect(problems).toEqual([]);
  await page.close();
});

test('a page missing its parameter says so with a 400, in the same page, for the role that uses it', async () => {
  const editor = await demoSessionCookie(portal.server.url, 'editor@iecpa.test');
  const { response, html } = await get('/journal/editor/production', editor);
  expect(response.status).toBe(400);
  expect(textOf(html, '<h1')).toBe('That request could not be handled');
  expect(textOf(html, '<p class="lead"')?.length).toBeGreaterThan(10);
  expect(html).toContain('Skip to main content');
});

test('a form posted to a page that then refuses gets the refusal page, not an error of ours', async () => {
  const member = await demoSessionCookie(portal.server.url, 'member@iecpa.test');
  const response = await postForm(
    portal.server.url,
    '/simulator/attempts/no-such-attempt',
    { text: 'A note', beatIndex: '' },
    member,
  );
  const html = await response.text();
  expect(response.status).toBe(404);
  expect(textOf(html, '<h1')).toBe('Not found');
  expect(textOf(html, '<p class="lead"')).toBe('That attempt does not exist or is not yours.');
});

test('the refusal page visited by its own address is "Page not found", signed in or not', async () => {
  const member = await demoSessionCookie(portal.server.url, 'member@iecpa.test');
  for (const cookie of [undefined, member]) {
    const { response, html } = await get('/refused', cookie);
    expect(response.status).toBe(404);
    expect(textOf(html, '<h1')).toBe('Page not found');
  }
});

test('a download that cannot be given answers with the same page, its reason and the way back, never a bare line', async () => {
  const member = await demoSessionCookie(portal.server.url, 'member@iecpa.test');
  const examiner = await demoSessionCookie(portal.server.url, 'examiner@iecpa.test');
  const cases: { path: string; cookie?: string; status: number; lead: string; wayOn?: string }[] = [
    {
      path: '/journal/articles/no-such-article/pdf',
      status: 404,
      lead: 'There is no PDF for this article.',
      wayOn: '/journal',
    },
    {
      path: '/journal/files/no-such-file',
      cookie: member,
      status: 404,
      lead: 'No such file, or it is not yours to see.',
    },
    {
      path: '/membership/documents/no-such-document',
      cookie: member,
      status: 404,
      lead: 'No such document, or it is not yours to see.',
    },
    {
      path: '/examiner/attempts/export.csv?outcome=stolen',
      cookie: examiner,
      status: 400,
      lead: 'Those filters are not valid.',
      wayOn: '/examiner/attempts',
    },
  ];
  for (const { path, cookie, status, lead, wayOn } of cases) {
    const { response, html } = await get(path, cookie);
    expect(response.status, path).toBe(status);
    expect(response.headers.get('content-type'), path).toContain('text/html');
    expect(response.headers.get('content-disposition'), path).toBeNull();
    expect(textOf(html, '<p class="lead"'), path).toBe(lead);
    expect(html, path).toContain('Skip to main content');
    expect(html, path).toContain('data-request-id');
    if (wayOn) expect(html, path).toContain(`href="${wayOn}"`);
  }
});

test('a form whose action the page does not handle (a stale page, a tampered field) is refused with a 400, never a 500', async () => {
  const examiner = await demoSessionCookie(portal.server.url, 'examiner@iecpa.test');
  const editor = await demoSessionCookie(portal.server.url, 'editor@iecpa.test');
  const client = portal.server.db.client;
  const submission = (await client.execute('SELECT id FROM journal_submissions LIMIT 1')).rows[0]?.id;
  const created = await fetch(`${portal.server.url}/api/trpc/journal.createIssue`, {
    method: 'POST',
    headers: { Cookie: editor, Origin: portal.server.url, 'Content-Type': 'application/json' },
    body: JSON.stringify({ volume: 77, number: 9, year: 2026, coverText: 'An issue for the refusal test.' }),
  });
  const issue = ((await created.json()) as { result: { data: string } }).result.data;
  expect(submission && issue).toBeTruthy();
  const forms: [string, string][] = [
    ['/examiner/items', examiner],
    ['/examiner/exams/level-1-theory', examiner],
    ['/examiner/exams/level-1-theory/attempts', examiner],
    ['/examiner/exams/level-1-theory/statistics', examiner],
    [`/journal/editor/${submission}`, editor],
    [`/journal/editor/issues/${issue}`, editor],
  ];
  const before = (await client.execute('SELECT COUNT(*) AS n FROM audit_log')).rows[0]?.n;
  for (const [path, cookie] of forms) {
    const attempts: Record<string, string>[] = [{ action: 'no-such-action', id: 'x' }, {}];
    for (const fields of attempts) {
      const response = await postForm(portal.server.url, path, fields, cookie);
      const html = await response.text();
      expect(response.status, `${path} ${JSON.stringify(fields)}`).toBe(400);
      expect(html, path).toContain('This form asked for something this page does not do.');
    }
  }
  expect((await client.execute('SELECT COUNT(*) AS n FROM audit_log')).rows[0]?.n).toBe(before);
});
