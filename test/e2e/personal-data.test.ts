import { eq } from 'drizzle-orm';
import type { Page } from 'playwright-core';
import { expect, test } from 'vitest';
import { users } from '#db/schema/index.ts';
import { DEMO_PASSWORD } from '#scripts/demo-seed.ts';
import { blockingAxeViolations, saveScreenshot } from '#test/helpers/axe.ts';
import { demoAccount, usePortal } from '#test/helpers/e2e-portal.ts';
import { submitSignIn } from '#test/helpers/portal-flows.ts';

const portal = usePortal();

const MEMBER_EMAIL = 'member@iecpa.test';
const ADMIN_EMAIL = 'admin@iecpa.test';

const PHONE_WIDTH_PX = 390;

/** How far the page scrolls sideways at phone width (0: it fits); leaves a phone screenshot. */
async function phoneOverflowPx(page: Page, screenshot: string): Promise<number> {
  const before = page.viewportSize();
  await page.setViewportSize({ width: PHONE_WIDTH_PX, height: 800 });
  const overflow = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
  await saveScreenshot(page, screenshot);
  if (before) await page.setViewportSize(before);
  return overflow;
}

test('a member downloads their data as a JSON attachment without secrets', async () => {
  const page = await portal.signedInPage(demoAccount(MEMBER_EMAIL));
  await page.goto(`${portal.server.url}/account/data`);
  await page.getByRole('heading', { name: 'My data' }).waitFor();
  expect(await blockingAxeViolations(page)).toEqual([]);
  await saveScreenshot(page, 'account-data');
  expect(await phoneOverflowPx(page, 'account-data-phone')).toBe(0);

  const download = await page.request.get(`${portal.server.url}/account/data.json`);
  expect(download.status()).toBe(200);
  expect(download.headers()['content-disposition']).toMatch(
    /^attachment; filename="iecpa-my-data-\d{4}-\d\d-\d\d\.json"$/,
  );
  expect(download.headers()['content-type']).toContain('application/json');
  const data = (await download.json()) as { tables: Record<string, Record<string, unknown>[]> };
  expect(data.tables.users?.[0]).toMatchObject({ email: MEMBER_EMAIL, password_hash: 'present' });
  expect(data.tables.sessions?.length).toBeGreaterThan(0);
  expect(data.tables.sessions?.every((s) => s.secret_hash === 'present')).toBe(true);
  await page.close();
});

test('the download is refused to visitors who are not signed in', async () => {
  const response = await fetch(`${portal.server.url}/account/data.json`, { redirect: 'manual' });
  expect(response.status).toBe(303);
  expect(response.headers.get('location')).toContain('/sign-in');
});

test('a member asks to close their account, an admin confirms, and the member can no longer sign in', async () => {
  const member = await portal.signedInPage(demoAccount(MEMBER_EMAIL));
  await member.goto(`${portal.server.url}/account/data`);
  await member.getByLabel('Why are you leaving?').fill('Retiring from practice.');
  await member.getByLabel('Your password, to confirm it is you').fill('not my password');
  await member.getByRole('button', { name: 'Ask to close my account' }).click();
  await member.getByText('That is not your current password. Try again.').first().waitFor();
  expect(await member.getByLabel('Why are you leaving?').inputValue()).toBe('Retiring from practice.');
  expect(await blockingAxeViolations(member)).toEqual([]);
  await saveScreenshot(member, 'account-data-wrong-password');

  await member.getByLabel('Your password, to confirm it is you').fill(DEMO_PASSWORD);
  await member.getByRole('button', { name: 'Ask to close my account' }).click();
  await member.getByText('Request received').waitFor();
  await member.getByRole('button', { name: 'Withdraw my request' }).waitFor();
  await saveScreenshot(member, 'account-data-requested');
  await member.close();

  const admin = await portal.signedInPage(demoAccount(ADMIN_EMAIL));
  await admin.goto(`${portal.server.url}/admin/closures`);
  await admin.getByRole('heading', { name: 'Open requests (1)' }).waitFor();
  expect(await admin.getByText('Retiring from practice.').isVisible()).toBe(true);
  expect(await blockingAxeViolations(admin)).toEqual([]);
  await saveScreenshot(admin, 'admin-closures');
  expect(await phoneOverflowPx(admin, 'admin-closures-phone')).toBe(0);

  // Without the member's email typed, the button erases nothing and says why.
  await admin.getByRole('button', { name: 'Confirm and erase' }).click();
  const confirmField = admin.getByLabel(/To confirm the erasure, type .*'s email/);
  await admin
    .getByText(/email address exactly as shown above\. Nothing was erased\./)
    .first()
    .waitFor();
  expect(await confirmField.getAttribute('aria-invalid')).toBe('true');
  expect(await admin.getByRole('heading', { name: 'Open requests (1)' }).isVisible()).toBe(true);
  expect(
    await portal.server.db.db.select({ id: users.id }).from(users).where(eq(users.email, MEMBER_EMAIL)),
  ).toHaveLength(1);
  expect(await blockingAxeViolations(admin)).toEqual([]);
  await confirmField.fill(MEMBER_EMAIL.toUpperCase());
  await admin.getByRole('button', { name: 'Confirm and erase' }).click();
  await admin.getByText('Account closed').waitFor();
  await admin.getByRole('heading', { name: 'Open requests (0)' }).waitFor();
  expect(await blockingAxeViolations(admin)).toEqual([]);
  await saveScreenshot(admin, 'admin-closures-confirmed');
  expect(await admin.getByRole('main').getByText(MEMBER_EMAIL).count()).toBe(0);
  await admin.close();

  const gone = await portal.server.db.db.select({ id: users.id }).from(users).where(eq(users.email, MEMBER_EMAIL));
  expect(gone).toEqual([]);
  const page = await portal.newPage();
  await submitSignIn(page, portal.server.url, MEMBER_EMAIL, DEMO_PASSWORD);
  await page.getByText('That email and password do not match an account.').waitFor();
  await page.close();
});
