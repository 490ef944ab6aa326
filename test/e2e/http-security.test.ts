import { request } from 'node:http';
import { count, eq } from 'drizzle-orm';
import { beforeAll, expect, test } from 'vitest';
import { auditLog, mailOutbox, rateLimits, sessions, users } from '#db/schema/index.ts';
import { DEMO_ACCOUNTS, DEMO_PASSWORD } from '#scripts/demo-seed.ts';
import { demoSessionCookie, usePortal } from '#test/helpers/e2e-portal.ts';
import { postForm, signInOverHttp } from '#test/helpers/portal-flows.ts';

const portal = usePortal();
/** `iecpa_session=<id>.<secret>` of the demo member, signed in once for the file. */
let memberCookie: string;

const EVIL_ORIGIN = 'https://evil.example';
const SESSION_COOKIE = 'iecpa_session';

beforeAll(async () => {
  memberCookie = await signInOverHttp(portal.server.url, 'member@iecpa.test', DEMO_PASSWORD);
});

/** Row counts of every table a refused request might write to. */
async function writableRowCounts(): Promise<Record<string, number>> {
  const { db } = portal.server.db;
  const [u] = await db.select({ n: count() }).from(users);
  const [s] = await db.select({ n: count() }).from(sessions);
  const [m] = await db.select({ n: count() }).from(mailOutbox);
  const [r] = await db.select({ n: count() }).from(rateLimits);
  const [a] = await db.select({ n: count() }).from(auditLog);
  return { users: u?.n ?? -1, sessions: s?.n ?? -1, outbox: m?.n ?? -1, rateLimits: r?.n ?? -1, audit: a?.n ?? -1 };
}

const NEW_MEMBER = {
  name: 'Priya Raman',
  email: 'priya.raman@example.org',
  password: 'a long enough phrase 99',
  country: 'IN',
  profession: 'nurse',
};

function registerForm(fields: Partial<typeof NEW_MEMBER> = {}): Record<string, string> {
  return { ...NEW_MEMBER, ...fields, acceptEthics: 'on' };
}

async function getAccount(cookie: string): Promise<Response> {
  return fetch(`${portal.server.url}/account`, { headers: { Cookie: cookie }, redirect: 'manual' });
}

test('a cross-origin form POST to /sign-in gets 403, sets no cookie and writes nothing', async () => {
  const before = await writableRowCounts();
  const response = await fetch(`${portal.server.url}/sign-in`, {
    method: 'POST',
    headers: { Origin: EVIL_ORIGIN, 'Content-Type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams({ email: 'member@iecpa.test', password: DEMO_PASSWORD }).toString(),
    redirect: 'manual',
  });
  expect(response.status).toBe(403);
  expect(response.headers.getSetCookie()).toEqual([]);
  // A person who followed another site's form gets this site's page saying what happened.
  expect(response.headers.get('content-type')).toMatch(/^text\/html/);
  const page = await response.text();
  expect(page).toContain('<h1>The form was refused</h1>');
  expect(page).toContain('This form was sent from another site');
  expect(page).toContain('Nothing was saved or changed.');
  expect(await writableRowCounts()).toEqual(before);
});

test('a cross-origin JSON POST to /api/trpc/account.register gets 403 and creates no account or mail', async () => {
  const before = await writableRowCounts();
  const response = await fetch(`${portal.server.url}/api/trpc/account.register`, {
    method: 'POST',
    headers: { Origin: EVIL_ORIGIN, 'Content-Type': 'application/json' },
    body: JSON.stringify({ ...NEW_MEMBER, acceptEthics: true }),
  });
  expect(response.status).toBe(403);
  expect(await response.text()).toBe('This request came from another site and was refused.');
  expect(await writableRowCounts()).toEqual(before);
});

test('a POST without an Origin header gets 403 and writes nothing', async () => {
  const before = await writableRowCounts();
  const response = await fetch(`${portal.server.url}/register`, {
    method: 'POST',
    headers: { 'Content-Type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams(registerForm()).toString(),
    redirect: 'manual',
  });
  expect(response.status).toBe(403);
  expect(await response.text()).toContain('did not say which site it came from');
  expect(await writableRowCounts()).toEqual(before);
});

test('a same-origin body over 1 MiB gets 413 and writes nothing', async () => {
  const before = await writableRowCounts();
  const padding = 'x'.repeat(1024 * 1024);
  const response = await fetch(`${portal.server.url}/register`, {
    method: 'POST',
    headers: { Origin: portal.server.url, 'Content-Type': 'application/x-www-form-urlencoded' },
    body: `${new URLSearchParams(registerForm()).toString()}&padding=${padding}`,
    redirect: 'manual',
  });
  expect(response.status).toBe(413);
  // A person's form gets the site's page saying what to do, not a line of text.
  expect(response.headers.get('content-type')).toMatch(/^text\/html/);
  const page = await response.text();
  expect(page).toContain('The form is too large to send');
  expect(page).toContain('1 MiB in all, files included');
  expect(await writableRowCounts()).toEqual(before);
});

test('a streamed body without Content-Length is refused, so the size limit cannot be dodged', async () => {
  const before = await writableRowCounts();
  const body = new ReadableStream<Uint8Array>({
    start(controller) {
      controller.enqueue(new TextEncoder().encode(new URLSearchParams(registerForm()).toString()));
      controller.close();
    },
  });
  const response = await fetch(`${portal.server.url}/register`, {
    method: 'POST',
    headers: { Origin: portal.server.url, 'Content-Type': 'application/x-www-form-urlencoded' },
    body,
    duplex: 'half',
    redirect: 'manual',
  } as RequestInit);
  expect(response.status).toBe(411);
  expect(await writableRowCounts()).toEqual(before);
});

test('the real session cookie opens /account', async () => {
  const response = await getAccount(memberCookie);
  expect(response.status).toBe(200);
  expect(await response.text()).toContain('member@iecpa.test');
});

test('a tampered session cookie is treated as signed out and the response deletes it', async () => {
  const [name, token = ''] = memberCookie.split('=');
  const last = token.at(-1) === 'a' ? 'b' : 'a';
  const response = await getAccount(`${name}=${token.slice(0, -1)}${last}`);
  expect(response.status).toBe(303);
  expect(new URL(response.headers.get('location') ?? '', portal.server.url).pathname).toBe('/sign-in');
  const deletion = response.headers.getSetCookie().find((c) => c.startsWith(`${SESSION_COOKIE}=`));
  expect(deletion).toMatch(/Max-Age=0|Expires=Thu, 01 Jan 1970/i);
});

test('a made-up session cookie is treated as signed out and the response deletes it', async () => {
  for (const value of ['made-up', 'made.up', `${'a'.repeat(20)}.${'b'.repeat(40)}`]) {
    const response = await getAccount(`${SESSION_COOKIE}=${value}`);
    expect(response.status, value).toBe(303);
    expect(new URL(response.headers.get('location') ?? '', portal.server.url).pathname, value).toBe('/sign-in');
    const deletion = response.headers.getSetCookie().find((c) => c.startsWith(`${SESSION_COOKIE}=`));
    expect(deletion, value).toMatch(/Max-Age=0|Expires=Thu, 01 Jan 1970/i);
  }
});

test('a GET to tRPC mutations runs neither the registration nor the sign-out', async () => {
  const before = await writableRowCounts();
  const input = encodeURIComponent(JSON.stringify({ ...NEW_MEMBER, acceptEthics: true }));
  const register = await fetch(`${portal.server.url}/api/trpc/account.register?input=${input}`);
  expect(register.status).toBe(405);
  const signOut = await fetch(`${portal.server.url}/api/trpc/account.signOut`, { headers: { Cookie: memberCookie } });
  expect(signOut.status).toBe(405);
  expect(await writableRowCounts()).toEqual(before);
  expect((await getAccount(memberCookie)).status).toBe(200);
});

function expectSecurityHeaders(response: Response, what: string): void {
  const csp = response.headers.get('content-security-policy') ?? '';
  expect(csp, what).toContain("frame-ancestors 'none'");
  expect(csp, what).toContain("object-src 'none'");
  expect(csp, what).toContain("base-uri 'none'");
  expect(response.headers.get('x-content-type-options'), what).toBe('nosniff');
  expect(response.headers.get('referrer-policy'), what).toBe('strict-origin-when-cross-origin');
}

test('security headers are on a server-rendered page, a prerendered page and a static asset', async () => {
  const rendered = await fetch(`${portal.server.url}/sign-in`);
  expect(rendered.status).toBe(200);
  expectSecurityHeaders(rendered, '/sign-in');

  const prerendered = await fetch(`${portal.server.url}/mission`);
  expect(prerendered.status).toBe(200);
  expectSecurityHeaders(prerendered, '/mission');

  const html = await prerendered.text();
  const asset = html.match(/(?:href|src)="(\/_astro\/[^"]+\.(?:css|js))"/)?.[1];
  if (!asset) throw new Error('no /_astro/ asset referenced by /mission');
  const assetResponse = await fetch(`${portal.server.url}${asset}`);
  expect(assetResponse.status).toBe(200);
  expectSecurityHeaders(assetResponse, asset);
});

test('/api/health answers 200 {"status":"ok"} uncached, with the security headers; other methods get 405', async () => {
  const response = await fetch(`${portal.server.url}/api/health`);
  expect(response.status).toBe(200);
  expect(await response.json()).toEqual({ status: 'ok' });
  expect(response.headers.get('cache-control')).toBe('no-store');
  expectSecurityHeaders(response, '/api/health');

  const head = await fetch(`${portal.server.url}/api/health`, { method: 'HEAD' });
  expect(head.status).toBe(200);

  const before = await writableRowCounts();
  for (const method of ['POST', 'PUT', 'DELETE']) {
    const refused = await fetch(`${portal.server.url}/api/health`, { method, headers: { Origin: portal.server.url } });
    expect(refused.status, method).toBe(405);
    expect(refused.headers.get('allow'), method).toBe('GET, HEAD');
  }
  expect(await writableRowCounts()).toEqual(before);
});

test('a name with HTML and SQL-looking text is stored verbatim and shown inert on the admin users page', async () => {
  const htmlName = '<img src=x onerror=alert(1)>';
  const sqlName = "Robert'); DROP TABLE users;--";
  for (const [name, email] of [
    [htmlName, 'html.name@example.org'],
    [sqlName, 'sql.name@example.org'],
  ] as const) {
    const response = await postForm(portal.server.url, '/register', registerForm({ name, email }));
    expect(response.status, name).toBe(303);
    const stored = await portal.server.db.db.select({ name: users.name }).from(users).where(eq(users.email, email));
    expect(stored.map((row) => row.name)).toEqual([name]);
  }

  const page = await portal.newPage(await demoSessionCookie(portal.server.url, 'admin@iecpa.test'));
  const dialogs: string[] = [];
  page.on('dialog', async (dialog) => {
    dialogs.push(dialog.message());
    await dialog.dismiss();
  });
  await page.goto(`${portal.server.url}/admin/users?q=example.org`, { waitUntil: 'networkidle' });
  const table = page.locator('table');
  await table.getByText(htmlName, { exact: true }).waitFor();
  expect(await table.getByText(sqlName, { exact: true }).isVisible()).toBe(true);
  expect(await table.locator('img').count()).toBe(0);
  expect(dialogs).toEqual([]);
  expect((await writableRowCounts()).users).toBe(DEMO_ACCOUNTS.length + 2);
  await page.close();
});

/** Every page that takes a form post (dynamic segments filled with a plausible value). */
const FORM_PAGES = [
  '/account',
  '/account/data',
  '/account/profile',
  '/account/security',
  '/admin/applications/no-such-id',
  '/admin/categories',
  '/admin/closures',
  '/admin/members',
  '/admin/members/no-such-id',
  '/admin/messages',
  '/admin/users',
  '/contact',
  '/cpd',
  '/curriculum/level-1/no-such-module',
  '/educator',
  '/educator/images',
  '/educator/new',
  '/examiner/assessments/new',
  '/forgot-password',
  '/handbook/no-such-chapter',
  '/membership/application',
  '/membership/apply',
  '/membership/status',
  '/register',
  '/reset-password',
  '/sign-in',
  '/sign-in/two-factor',
  '/sign-out',
  '/simulator/assessments',
  '/verify-email',
];

/** Bodies a browser never sends to a form page, each with the status it must get. */
const UNREADABLE_BODIES: { label: string; headers: Record<string, string>; body: string; status: number }[] = [
  { label: 'text/plain', headers: { 'Content-Type': 'text/plain' }, body: 'email=a@b.c', status: 415 },
  { label: 'JSON', headers: { 'Content-Type': 'application/json' }, body: '{"email":"a@b.c"}', status: 415 },
  { label: 'no content type', headers: {}, body: '', status: 415 },
  {
    label: 'multipart without its boundary',
    headers: { 'Content-Type': 'multipart/form-data' },
    body: '--x\r\nContent-Disposition: form-data; name="a"\r\n\r\n1\r\n--x--\r\n',
    status: 400,
  },
  {
    label: 'truncated multipart',
    headers: { 'Content-Type': 'multipart/form-data; boundary=x' },
    body: '--x\r\nContent-Disposition: form-data; name="a"\r\n\r\n1',
    status: 400,
  },
];

test('an unreadable form body gets 400 or 415 and the refusal page saying so on every form page, never a 500', async () => {
  const before = await writableRowCounts();
  const wrong: string[] = [];
  for (const path of FORM_PAGES) {
    for (const { label, headers, body, status } of UNREADABLE_BODIES) {
      const response = await fetch(`${portal.server.url}${path}`, {
        method: 'POST',
        headers: { Origin: portal.server.url, Cookie: memberCookie, ...headers },
        body,
        redirect: 'manual',
      });
      const text = await response.text();
      if (response.status !== status || !text.includes('The form could not be read')) {
        wrong.push(`${path} ${label}: ${response.status}`);
      }
    }
  }
  expect(wrong).toEqual([]);
  expect(await writableRowCounts()).toEqual(before);
});

/** Open-redirect bypasses, as they appear (encoded) in the query string of /sign-in. */
const REDIRECT_BYPASSES = [
  '/%09/evil.example/',
  '/%09%5Cevil.example',
  '/%0a/evil.example',
  '/%0d%0a/evil.example',
  '//evil.example',
  '/%2F/evil.example'.replace('%2F', '/'),
  '/%5Cevil.example',
  '%5C%5Cevil.example',
  'https://evil.example',
  '//user@evil.example',
  '/.//evil.example',
  '/%00/evil.example',
];

test('sign-in never redirects off the site, whatever `next` holds (GET signed in, and POST with credentials)', async () => {
  for (const next of REDIRECT_BYPASSES) {
    const response = await fetch(`${portal.server.url}/sign-in?next=${next}`, {
      headers: { Cookie: memberCookie },
      redirect: 'manual',
    });
    expect(response.status, next).toBe(303);
    const target = new URL(response.headers.get('location') ?? '', portal.server.url);
    expect(target.origin, next).toBe(portal.server.url);
    expect(target.pathname, next).toBe('/dashboard');
  }
  // With credentials: one sign-in (the per-account limit stays far away).
  const response = await fetch(`${portal.server.url}/sign-in?next=/%09/evil.example/`, {
    method: 'POST',
    headers: { Origin: portal.server.url, 'Content-Type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams({ email: 'member@iecpa.test', password: DEMO_PASSWORD }).toString(),
    redirect: 'manual',
  });
  expect(response.status).toBe(303);
  expect(response.headers.get('location')).toBe('/dashboard');
});

test('a tRPC batch of more than 10 calls is refused with 400 before any runs; 10 are answered', async () => {
  const batch = (n: number) =>
    fetch(`${portal.server.url}/api/trpc/${Array(n).fill('account.me').join(',')}?batch=1`, {
      headers: { Cookie: memberCookie },
    });
  const ten = await batch(10);
  expect(ten.status).toBe(200);
  expect(await ten.json()).toHaveLength(10);
  const eleven = await batch(11);
  expect(eleven.status).toBe(400);
  const many = await batch(400);
  expect(many.status).toBe(400);
});

/** A GET with a Host header of our choosing (fetch does not let a caller set Host). */
function getWithHost(path: string, host: string, cookie?: string): Promise<{ status: number; body: string }> {
  const { hostname, port } = new URL(portal.server.url);
  return new Promise((resolve, reject) => {
    const req = request(
      { hostname, port, path, headers: { Host: host, ...(cookie ? { Cookie: cookie } : {}) } },
      (res) => {
        let body = '';
        res.setEncoding('utf8');
        res.on('data', (chunk: string) => {
          body += chunk;
        });
        res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
      },
    );
    req.on('error', reject);
    req.end();
  });
}

test('a Host header no URL can be built from gets 400, not some other page', async () => {
  for (const host of ['a b', 'evil.example/x', 'user@evil.example', 'evil.example:99999']) {
    for (const path of ['/account', '/simulator/attempts/x', '/mission', '/api/health']) {
      const answer = await getWithHost(path, host, memberCookie);
      expect(answer.status, `${host} ${path}`).toBe(400);
      expect(answer.body, `${host} ${path}`).toContain('Host header');
    }
  }
  // A well-formed host the portal does not know is served as before (the origin checks handle the rest).
  expect((await getWithHost('/api/health', 'other.example:8080')).status).toBe(200);
});

/** A request with any method and a raw target (fetch refuses TRACE and normalises paths). */
function rawRequest(
  method: string,
  path: string,
  cookie?: string,
): Promise<{ status: number; allow?: string; body: string }> {
  const { hostname, port } = new URL(portal.server.url);
  return new Promise((resolve, reject) => {
    const req = request({ hostname, port, path, method, headers: cookie ? { Cookie: cookie } : {} }, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (chunk: string) => {
        body += chunk;
      });
      res.on('end', () => resolve({ status: res.statusCode ?? 0, allow: res.headers.allow, body }));
    });
    req.on('error', reject);
    req.end();
  });
}

test('methods pages do not take get 405 with Allow, never the page or a 500; undecodable paths get 400', async () => {
  const wrong: string[] = [];
  for (const method of ['PUT', 'DELETE', 'PATCH', 'PROPFIND', 'TRACE']) {
    for (const path of ['/', '/account', '/sign-in', '/mission', '/favicon.svg']) {
      const answer = await rawRequest(method, path, memberCookie);
      if (answer.status !== 405 || answer.allow !== 'GET, HEAD, POST')
        wrong.push(`${method} ${path}: ${answer.status}`);
    }
  }
  expect(wrong).toEqual([]);
  const options = await rawRequest('OPTIONS', '/account', memberCookie);
  expect([options.status, options.allow, options.body]).toEqual([204, 'GET, HEAD, POST', '']);
  // The API's endpoints keep their own answers; TRACE, which no fetch Request can carry, is refused before them.
  // (a PUT with no Origin is refused by the cross-origin check, as before)
  expect((await rawRequest('PUT', '/api/health')).status).toBe(403);
  expect((await rawRequest('TRACE', '/api/health')).status).toBe(405);
  expect((await rawRequest('TRACE', '/api/trpc/account.me', memberCookie)).status).toBe(405);
  for (const path of ['/%ff', '/handbook/%E0%A4%A', '/journal/%zz']) {
    const answer = await rawRequest('GET', path);
    expect(answer.status, path).toBe(400);
    expect(answer.body, path).toContain('not validly encoded');
  }
  expect(portal.server.output()).not.toContain('HTTP method is unsupported');
  expect(portal.server.output()).not.toContain('Invalid URL encoding');
});
