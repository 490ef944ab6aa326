import { and, eq } from 'drizzle-orm';
import type { Page } from 'playwright-core';
import { expect, test } from 'vitest';
import { auditLog, userRoles, users } from '#db/schema/index.ts';
import { DEMO_PASSWORD } from '#scripts/demo-seed.ts';
import { demoAccount, usePortal } from '#test/helpers/e2e-portal.ts';
import { freshTotpCode, postForm, submitSignIn } from '#test/helpers/portal-flows.ts';

const portal = usePortal();

async function enterTwoFactorCode(page: Page, code: string): Promise<void> {
  await page.getByLabel('Code').fill(code);
  await page.getByRole('button', { name: 'Continue' }).click();
}

test('a member enrols in TOTP, gets 10 recovery codes, and the next sign-in asks for a code', async () => {
  const email = 'educator@iecpa.test';
  const page = await portal.signedInPage(demoAccount(email));

  await page.goto(`${portal.server.url}/account/security?setup=1`);
  const secret = (await page.getByTestId('totp-secret').textContent())?.trim() ?? '';
  expect(secret).toMatch(/^[A-Z2-7]{32}$/);
  await page.getByLabel('6-digit code').fill(await freshTotpCode(secret));
  await page.getByRole('button', { name: 'Turn on two-factor authentication' }).click();
  await page.getByText('Two-factor authentication is on').waitFor();
  const codes = await page.locator('.recovery-codes li').allTextContents();
  expect(codes).toHaveLength(10);
  expect(new Set(codes).size).toBe(10);
  // The confirmation sent again (a reload, a double click) is told two-factor is on already.
  const cookie = (await page.context().cookies()).map((c) => `${c.name}=${c.value}`).join('; ');
  const again = await postForm(
    portal.server.url,
    '/account/security',
    { action: 'confirm-totp', secret, code: '000000' },
    cookie,
  );
  expect(again.status).toBe(400);
  expect(await again.text()).toContain('Two-factor authentication is already on.');

  await page.goto(`${portal.server.url}/sign-out`);
  await page.getByRole('main').getByRole('button', { name: 'Sign out' }).click();
  await page.getByRole('heading', { name: 'You are signed out' }).waitFor();

  await submitSignIn(page, portal.server.url, email, DEMO_PASSWORD);
  await page.waitForURL((url) => url.pathname === '/sign-in/two-factor');
  await page.goto(`${portal.server.url}/account`);
  expect(new URL(page.url()).pathname).toBe('/sign-in/two-factor');

  await enterTwoFactorCode(page, '000000');
  await page.getByRole('alert').waitFor();
  const codeField = page.getByLabel('Code');
  expect(await codeField.getAttribute('aria-invalid')).toBe('true');
  expect(await page.locator('.field--invalid').textContent()).toContain('That code is not valid.');
  expect(new URL(page.url()).pathname).toBe('/sign-in/two-factor');

  await enterTwoFactorCode(page, await freshTotpCode(secret));
  await page.waitForURL(`${portal.server.url}/account`);
  await page.getByRole('heading', { name: 'My account' }).waitFor();
  expect(await page.getByRole('main').getByText(email).isVisible()).toBe(true);
  await page.close();
});

test('a member is refused the admin and translators’ pages with the 403 page', async () => {
  const page = await portal.signedInPage(demoAccount('member@iecpa.test'));
  for (const path of ['/admin/users', '/admin/outbox', '/journal/translations']) {
    const response = await page.goto(`${portal.server.url}${path}`);
    expect(response?.status(), path).toBe(403);
    expect(new URL(page.url()).pathname, 'the address stays the page asked for').toBe(path);
    await page.getByRole('heading', { name: 'Not open to you' }).waitFor();
    await page.getByText('Your account does not hold the role this page needs.').waitFor();
    expect(await page.getByRole('link', { name: 'Write to the secretariat' }).getAttribute('href')).toBe('/contact');
    expect(await page.getByText('Elif Educator').count(), path).toBe(0);
    expect(await page.getByText('Mail outbox').count(), path).toBe(0);
  }
  await page.close();
});

test('a lapsed member refused a members’ page is led to their membership, not told they lack a role', async () => {
  const page = await portal.signedInPage(demoAccount('hans.becker@iecpa.test'));
  const response = await page.goto(`${portal.server.url}/simulator/practice`);
  expect(response?.status()).toBe(403);
  const main = page.getByRole('main');
  await main.getByText('This page is for members of IECPA in good standing.').waitFor();
  expect(await main.getByText('does not hold the role').count()).toBe(0);
  await main.getByRole('link', { name: 'See your membership' }).click();
  await page.getByRole('link', { name: 'Renew for another year' }).waitFor();
  await page.close();
});

test('a suspended member is told on the application page why they cannot apply, with no form to fill', async () => {
  const page = await portal.signedInPage(demoAccount('sofia.rossi@iecpa.test'));
  await page.goto(`${portal.server.url}/membership/apply`);
  await page.getByText('You cannot apply while your membership is suspended.').waitFor();
  expect(await page.locator('form.application-form').count()).toBe(0);
  await page.close();
});

test('the demo admin passes the TOTP challenge, finds a user and grants a role, which is audited', async () => {
  const adminEmail = 'admin@iecpa.test';
  const page = await portal.signedInPage(demoAccount(adminEmail));

  await page.goto(`${portal.server.url}/admin/users`);
  await page.getByLabel('Search by name or email').fill('Elif');
  await page.getByRole('button', { name: 'Search' }).click();
  await page.waitForURL((url) => url.searchParams.get('q') === 'Elif');
  const rows = page.locator('tbody tr');
  expect(await rows.count()).toBe(1);
  expect(await rows.first().textContent()).toContain('educator2@iecpa.test');

  await page.getByRole('button', { name: 'Reviewer (press to grant to Elif Educator)' }).click();
  await page.getByText('The role change is saved and recorded in the audit log.').waitFor();
  const granted = page.getByRole('button', { name: 'Reviewer (held by Elif Educator; press to revoke)' });
  expect(await granted.getAttribute('aria-pressed')).toBe('true');

  const elif = await portal.server.db.db
    .select({ id: users.id })
    .from(users)
    .where(eq(users.email, 'educator2@iecpa.test'));
  const admin = await portal.server.db.db.select({ id: users.id }).from(users).where(eq(users.email, adminEmail));
  const elifId = elif[0]?.id ?? '';
  const roles = await portal.server.db.db
    .select()
    .from(userRoles)
    .where(and(eq(userRoles.userId, elifId), eq(userRoles.role, 'reviewer')));
  expect(roles).toHaveLength(1);
  const audit = await portal.server.db.db
    .select()
    .from(auditLog)
    .where(and(eq(auditLog.action, 'admin.role-granted'), eq(auditLog.subjectId, elifId)));
  expect(audit).toHaveLength(1);
  expect(audit[0]?.actorId).toBe(admin[0]?.id);
  expect(JSON.parse(audit[0]?.details ?? '{}')).toMatchObject({ role: 'reviewer' });
  await page.close();
});
