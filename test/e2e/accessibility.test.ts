import { eq } from 'drizzle-orm';
import type { Page } from 'playwright-core';
import { beforeAll, expect, test } from 'vitest';
import { users } from '#db/schema/index.ts';
import { DEMO_PASSWORD } from '#scripts/demo-seed.ts';
import { blockingAxeViolations, SCREENSHOT_EVERY_PAGE, saveScreenshot } from '#test/helpers/axe.ts';
import { demoSessionCookie, screenshotAndAxe, usePortal } from '#test/helpers/e2e-portal.ts';
import { signInOverHttp } from '#test/helpers/portal-flows.ts';

const portal = usePortal({ shared: true });
/** Session cookies (`name=value`) for a member, an admin past the second factor, and an admin before it. */
const cookies = { member: '', admin: '', adminPending: '' };

const ADMIN_EMAIL = 'admin@iecpa.test';

beforeAll(async () => {
  cookies.member = await demoSessionCookie(portal.server.url, 'member@iecpa.test');
  cookies.adminPending = await signInOverHttp(portal.server.url, ADMIN_EMAIL, DEMO_PASSWORD);
  cookies.admin = await demoSessionCookie(portal.server.url, ADMIN_EMAIL);
});

/**
 * What each page opened here wrote to the browser's console as an error or a warning, and the scripts that
 * threw: a refused script or style (CSP), a failed request, a broken island. The page's own document is left
 * out: its status is what the test expects (a 404 page, a form answered with 400).
 */
const consoleProblems = new WeakMap<Page, string[]>();

/**
 * Opens `path` as the given visitor and waits for the network to settle: the account menu of prerendered
 * pages arrives as a server island after load, and axe (and the screenshot) should see it.
 */
async function open(path: string, cookie: string | null, expectedStatus = 200): Promise<Page> {
  const page = await portal.newPage(cookie ?? undefined);
  const problems: string[] = [];
  consoleProblems.set(page, problems);
  page.on('console', (message) => {
    if (message.type() !== 'error' && message.type() !== 'warning') return;
    if (message.location().url === page.url() && message.text().startsWith('Failed to load resource')) return;
    problems.push(`${message.type()}: ${message.text()}`);
  });
  page.on('pageerror', (error) => problems.push(`script error: ${error.message}`));
  const response = await page.goto(`${portal.server.url}${path}`, { waitUntil: 'networkidle' });
  expect(response?.status(), path).toBe(expectedStatus);
  return page;
}

/** Every page gets the axe check and a quiet console; a screenshot only with SCREENSHOTS=all (axe.ts). */
async function expectAccessible(page: Page, name: string): Promise<void> {
  const violations = SCREENSHOT_EVERY_PAGE ? await screenshotAndAxe(page, name) : await blockingAxeViolations(page);
  expect(violations, name).toEqual([]);
  expect(consoleProblems.get(page) ?? [], `${name}: the browser console`).toEqual([]);
  await page.close();
}

const PUBLIC_PAGES = [
  { name: 'home', path: '/' },
  { name: 'mission', path: '/mission' },
  { name: 'ethics', path: '/ethics' },
  { name: 'history', path: '/history' },
  { name: 'about-ecp', path: '/about-ecp' },
  { name: 'membership', path: '/membership' },
  { name: 'find-a-practitioner', path: '/find-a-practitioner' },
  { name: 'not-found', path: '/no-such-page', status: 404 },
  { name: 'register', path: '/register' },
  { name: 'sign-in', path: '/sign-in' },
  { name: 'forgot-password', path: '/forgot-password' },
  { name: 'reset-password', path: '/reset-password?token=x' },
  { name: 'verify-email', path: '/verify-email?token=x' },
  { name: 'sign-out', path: '/sign-out' },
  { name: 'privacy', path: '/privacy' },
  { name: 'terms', path: '/terms' },
  { name: 'contact', path: '/contact' },
];

for (const { name, path, status } of PUBLIC_PAGES) {
  test(`the public page ${path} has no serious or critical axe violation`, async () => {
    await expectAccessible(await open(path, null, status), name);
  });
}

test('the registration form with errors after an empty submit has no serious or critical axe violation', async () => {
  const page = await open('/register', null);
  await page.getByRole('button', { name: 'Create account' }).click();
  await page.getByRole('alert').waitFor();
  expect(await page.locator('[aria-invalid="true"]').count()).toBeGreaterThan(0);
  await expectAccessible(page, 'register-errors');
});

interface AccountPage {
  name: string;
  path: string;
  who: keyof typeof cookies;
  status?: number;
}

const ACCOUNT_PAGES: readonly AccountPage[] = [
  { name: 'account', path: '/account', who: 'member' },
  { name: 'dashboard-member', path: '/dashboard', who: 'member' },
  { name: 'dashboard-admin', path: '/dashboard', who: 'admin' },
  { name: 'admin-overview', path: '/admin', who: 'admin' },
  { name: 'account-security', path: '/account/security', who: 'member' },
  { name: 'account-security-setup', path: '/account/security?setup=1', who: 'member' },
  { name: 'sign-in-two-factor', path: '/sign-in/two-factor', who: 'adminPending' },
  { name: 'admin-users', path: '/admin/users', who: 'admin' },
  { name: 'admin-outbox', path: '/admin/outbox', who: 'admin' },
  { name: 'admin-messages', path: '/admin/messages', who: 'admin' },
  { name: 'admin-members', path: '/admin/members', who: 'admin' },
  { name: 'admin-categories', path: '/admin/categories', who: 'admin' },
  { name: 'refused-for-role', path: '/admin/outbox', who: 'member', status: 403 },
];

for (const { name, path, who, status } of ACCOUNT_PAGES) {
  test(`the account page ${path} (as ${who}) has no serious or critical axe violation`, async () => {
    const page = await open(path, cookies[who], status ?? 200);
    expect(new URL(page.url()).pathname, 'not redirected').toBe(path.split('?')[0]);
    await expectAccessible(page, name);
  });
}

test("an admin's page of one member's record has no serious or critical axe violation", async () => {
  const [member] = await portal.server.db.db
    .select({ id: users.id })
    .from(users)
    .where(eq(users.email, 'member@iecpa.test'));
  const page = await open(`/admin/members/${member?.id}`, cookies.admin);
  await page.getByRole('heading', { name: 'Suspend' }).waitFor();
  await expectAccessible(page, 'admin-member-record');
});

test('a visitor writes through the contact page (errors first) and an administrator marks it handled', async () => {
  const page = await open('/contact', null);
  await page.getByRole('button', { name: 'Send message' }).click();
  await page.getByRole('alert').waitFor();
  expect(await page.locator('[aria-invalid="true"]').count()).toBe(4);
  await expectAccessible(page, 'contact-errors');

  const form = await open('/contact?topic=privacy', null);
  expect(await form.getByLabel('What is your message about?').inputValue()).toBe('privacy');
  await form.getByLabel('Your name').fill('Priya Raman');
  await form.getByLabel('Your email address').fill('priya.raman@example.org');
  await form.getByLabel('Your message', { exact: true }).fill('Which of my data does the association hold?');
  await form.getByRole('button', { name: 'Send message' }).click();
  await form.getByRole('status').filter({ hasText: 'your message has reached us' }).waitFor();
  await saveScreenshot(form, 'contact-sent');
  await form.close();

  const admin = await open('/admin/messages', cookies.admin);
  const message = admin.getByRole('article').filter({ hasText: 'Priya Raman' });
  await expect(message.getByText('Which of my data does the association hold?').isVisible()).resolves.toBe(true);
  await message.getByRole('button', { name: /Mark handled/ }).click();
  await admin.getByRole('heading', { name: /Handled/ }).waitFor();
  const handled = admin.locator('section', { has: admin.getByRole('heading', { name: /Handled/ }) });
  await handled.getByText('Priya Raman').waitFor();
  await expectAccessible(admin, 'admin-messages-handled');
});

const PHONE = { width: 390, height: 844 };

test('on a phone-sized screen no form or account page scrolls sideways', async () => {
  const pages = [
    { name: 'register', path: '/register', who: null },
    { name: 'sign-in', path: '/sign-in', who: null },
    { name: 'account', path: '/account', who: 'member' },
    { name: 'dashboard', path: '/dashboard', who: 'member' },
    { name: 'admin-overview', path: '/admin', who: 'admin' },
    { name: 'account-security-setup', path: '/account/security?setup=1', who: 'member' },
    { name: 'sign-in-two-factor', path: '/sign-in/two-factor', who: 'adminPending' },
    { name: 'admin-users', path: '/admin/users', who: 'admin' },
    { name: 'admin-outbox', path: '/admin/outbox', who: 'admin' },
    { name: 'admin-members', path: '/admin/members', who: 'admin' },
    { name: 'contact', path: '/contact', who: null },
    { name: 'privacy', path: '/privacy', who: null },
  ] as const;
  const overflowing: string[] = [];
  for (const { name, path, who } of pages) {
    const page = await open(path, who ? cookies[who] : null);
    await page.setViewportSize(PHONE);
    const scrollWidth = await page.evaluate(() => document.documentElement.scrollWidth);
    if (scrollWidth > PHONE.width) overflowing.push(`${path}: ${scrollWidth} px wide`);
    if (SCREENSHOT_EVERY_PAGE) await saveScreenshot(page, `${name}-phone`);
    await page.close();
  }
  expect(overflowing).toEqual([]);
});
