import { expect, test } from 'vitest';
import { DEMO_PASSWORD } from '#scripts/demo-seed.ts';
import { demoSessionCookie, usePortal } from '#test/helpers/e2e-portal.ts';
import { signInOverHttp } from '#test/helpers/portal-flows.ts';

const portal = usePortal({ shared: true });

const sessions = new Map<string, Promise<string>>();
/**
 * One session per demo account for the whole file: sign-ins are rate limited per address, and this file
 * visits as the same few people many times.
 */
function sessionOf(email: string): Promise<string> {
  let session = sessions.get(email);
  if (!session) {
    session = demoSessionCookie(portal.server.url, email);
    sessions.set(email, session);
  }
  return session;
}

let pendingSession: Promise<string> | undefined;
/** The admin signed in with the password only, the second factor not yet entered. */
function pendingAdminSession(): Promise<string> {
  pendingSession ??= signInOverHttp(portal.server.url, 'admin@iecpa.test', DEMO_PASSWORD);
  return pendingSession;
}

/** More pages than the demo site has for any visitor: a crawl that reaches it has found a link loop. */
const MAX_PAGES = 800;

/** Redirects the site answers on purpose (after a POST-less GET: a guard, a moved page, a default tab). */
const REDIRECT_STATUSES = new Set([301, 302, 303, 307, 308]);

interface Visit {
  status: number;
  linkedFrom: string;
  location?: string;
}

/**
 * Every same-origin URL named by an href or src attribute in the HTML pages reachable from `startPaths`, as
 * the visitor with `cookie` gets them (redirects followed one hop at a time, so each hop is checked).
 * Form actions are left out (they answer POSTs), and so is /sign-out (it would end the crawl's session).
 */
async function crawl(startPaths: readonly string[], cookie: string | null): Promise<Map<string, Visit>> {
  const base = portal.server.url;
  const visits = new Map<string, Visit>();
  const queue = startPaths.map((path) => ({ path, linkedFrom: '(start)' }));
  const enqueue = (raw: string, from: string) => {
    const url = new URL(raw, `${base}${from}`);
    if (url.origin !== base) return;
    const path = `${url.pathname}${url.search}`;
    if (!visits.has(path) && !path.startsWith('/sign-out')) queue.push({ path, linkedFrom: from });
  };
  for (let next = queue.shift(); next && visits.size < MAX_PAGES; next = queue.shift()) {
    const { path, linkedFrom } = next;
    if (visits.has(path)) continue;
    const response = await fetch(`${base}${path}`, {
      headers: cookie ? { Cookie: cookie } : {},
      redirect: 'manual',
    });
    const visit: Visit = { status: response.status, linkedFrom };
    const location = response.headers.get('location');
    if (location) {
      visit.location = location;
      enqueue(location, path);
    }
    visits.set(path, visit);
    if (!(response.headers.get('content-type') ?? '').includes('text/html')) {
      await response.arrayBuffer();
      continue;
    }
    const html = await response.text();
    for (const match of html.matchAll(/\s(?:href|src)="([^"]+)"/g)) {
      const raw = (match[1] ?? '').replaceAll('&amp;', '&');
      if (/^(#|mailto:|tel:|data:|javascript:)/i.test(raw)) continue;
      enqueue(raw, path);
    }
  }
  return visits;
}

/** The visits that a user would see as broken: an error status, or a redirect of an unexpected kind. */
function brokenLinks(visits: Map<string, Visit>): string[] {
  return [...visits]
    .filter(([, v]) => v.status >= 400 || (v.status >= 300 && !REDIRECT_STATUSES.has(v.status)))
    .map(([path, v]) => `${v.status} ${path} (linked from ${v.linkedFrom})`);
}

const VISITORS = [
  { who: 'an anonymous visitor', email: null, start: ['/', '/membership', '/find-a-practitioner'] },
  { who: 'a signed-in applicant who is not a member', email: 'applicant@iecpa.test', start: ['/', '/account'] },
  { who: 'a member', email: 'member@iecpa.test', start: ['/', '/account', '/members'] },
  { who: 'an educator', email: 'educator@iecpa.test', start: ['/', '/account', '/educator'] },
  {
    who: 'an administrator past the second factor',
    email: 'admin@iecpa.test',
    start: ['/', '/account', '/admin/members', '/admin/applications'],
  },
] as const;

for (const { who, email, start } of VISITORS) {
  test(`every link on every page ${who} can reach answers, or redirects on purpose`, async () => {
    const cookie = email ? await sessionOf(email) : null;
    const visits = await crawl(start, cookie);
    expect(visits.size, 'pages crawled').toBeGreaterThan(20);
    expect(visits.size, 'crawl stopped at the page limit (a link loop?)').toBeLessThan(MAX_PAGES);
    expect(brokenLinks(visits)).toEqual([]);
    if (email) {
      // A signed-in visitor is never sent to sign in again by a link the site showed them.
      const toSignIn = [...visits].filter(([, v]) => v.location?.startsWith('/sign-in')).map(([path]) => path);
      expect(toSignIn).toEqual([]);
      // "Join IECPA" in the footer leads a signed-in visitor to the membership categories, not their account.
      expect(visits.get('/register')?.location).toBe('/membership');
    }
  });
}

test('every administration page links to every other one, marking itself as the current page', async () => {
  const cookie = await sessionOf('admin@iecpa.test');
  const adminPages = [
    '/admin/members',
    '/admin/applications',
    '/admin/closures',
    '/admin/categories',
    '/admin/credentials',
  ];
  const allPages = ['/admin', ...adminPages, '/admin/users', '/admin/messages', '/admin/outbox'];
  for (const path of allPages) {
    const response = await fetch(`${portal.server.url}${path}`, { headers: { Cookie: cookie } });
    expect(response.status, path).toBe(200);
    const nav = /<nav aria-label="Administration"[^>]*>([\s\S]*?)<\/nav>/.exec(await response.text())?.[1] ?? '';
    const hrefs = [...nav.matchAll(/href="([^"]+)"/g)].map((m) => m[1]);
    expect(hrefs, path).toEqual(allPages);
    expect(nav, path).toMatch(new RegExp(`href="${path}"[^>]*aria-current="page"`));
  }
  // Going from one to another keeps the heading and navigation in place: they share the wide layout.
  const narrow: string[] = [];
  for (const path of allPages) {
    const response = await fetch(`${portal.server.url}${path}`, { headers: { Cookie: cookie } });
    if (!(await response.text()).includes('container--wide')) narrow.push(path);
  }
  expect(narrow).toEqual([]);
});

test("a member's own pages share the reading width of the account page (none is laid out wide)", async () => {
  const cookie = await sessionOf('member@iecpa.test');
  const ownPages = ['/account', '/account/security', '/membership/status', '/account/profile', '/account/data', '/cpd'];
  const wide: string[] = [];
  for (const path of ownPages) {
    const response = await fetch(`${portal.server.url}${path}`, { headers: { Cookie: cookie } });
    expect(response.status, path).toBe(200);
    if ((await response.text()).includes('container--wide')) wide.push(path);
  }
  expect(wide).toEqual([]);
});

test('the membership page marks a member’s own category instead of offering to apply for it', async () => {
  const cookie = await sessionOf('member@iecpa.test');
  const response = await fetch(`${portal.server.url}/membership`, { headers: { Cookie: cookie } });
  const html = await response.text();
  expect(html).toContain('This is your membership category.');
  expect(html).not.toContain('href="/membership/apply?category=practitioner"');
  expect(html).toContain('href="/membership/apply?category=student"');
  // A sign-in still waiting for its second factor sees the page as a visitor would.
  const pending = await pendingAdminSession();
  const asPending = await fetch(`${portal.server.url}/membership`, { headers: { Cookie: pending } });
  expect(asPending.status).toBe(200);
  expect(await asPending.text()).toContain('to apply.');
});

test('every link a sign-in still waiting for its second factor can reach answers, or redirects on purpose', async () => {
  const pending = await pendingAdminSession();
  const visits = await crawl(['/', '/membership', '/find-a-practitioner', '/handbook', '/simulator'], pending);
  expect(visits.size, 'pages crawled').toBeGreaterThan(20);
  expect(brokenLinks(visits)).toEqual([]);
});

test('on a phone (390 px) the educator, member and admin pages do not scroll sideways', async () => {
  const pagesBy = {
    'educator@iecpa.test': [
      '/educator',
      '/educator/history/chapter/the-equipment',
      '/educator/edit/chapter/the-equipment',
    ],
    'member@iecpa.test': ['/cpd', '/membership/status', '/members', '/account/profile', '/account/data'],
    'admin@iecpa.test': ['/admin/members', '/admin/applications', '/admin/categories', '/admin/closures'],
  };
  const overflowing: string[] = [];
  for (const [email, paths] of Object.entries(pagesBy)) {
    const page = await portal.newPage(await sessionOf(email));
    await page.setViewportSize({ width: 390, height: 844 });
    for (const path of paths) {
      const response = await page.goto(`${portal.server.url}${path}`, { waitUntil: 'load' });
      expect(response?.status(), path).toBe(200);
      const width = await page.evaluate(() => document.documentElement.scrollWidth);
      if (width > 390) overflowing.push(`${path}: ${width} px`);
    }
    await page.close();
  }
  expect(overflowing).toEqual([]);
});
