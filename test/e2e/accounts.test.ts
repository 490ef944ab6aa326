import type { Page } from 'playwright-core';
import { expect, test } from 'vitest';
import { DEMO_PASSWORD } from '#scripts/demo-seed.ts';
import { saveScreenshot } from '#test/helpers/axe.ts';
import { usePortal } from '#test/helpers/e2e-portal.ts';
import { latestMailTo, linkIn, submitSignIn } from '#test/helpers/portal-flows.ts';

const portal = usePortal();

async function expectSignedOut(page: Page): Promise<void> {
  await page.goto(`${portal.server.url}/account`);
  expect(new URL(page.url()).pathname).toBe('/sign-in');
}

test('a visitor registers, confirms the email from the outbox, signs in and signs out', async () => {
  const page = await portal.newPage();
  await page.goto(`${portal.server.url}/register`);
  await page.getByLabel('Full name').fill('Zhang Wei');
  await page.getByLabel('Email address').fill('zhang.wei@example.org');
  await page.getByLabel('Password', { exact: true }).fill('counter pulse timing 42');
  await page.getByLabel('Country of practice').selectOption('CN');
  await page.getByLabel('Profession').selectOption('physician');
  await page.getByLabel('I have read and accept the IECPA code of ethics').check();
  await page.getByRole('button', { name: 'Create account' }).click();
  await page.getByText('Check your email').waitFor();

  await page.goto(linkIn(await latestMailTo(portal.server.db, 'zhang.wei@example.org'), '/verify-email'));
  await page.getByRole('button', { name: 'Confirm my email address' }).click();
  await page.getByText('Email confirmed').waitFor();

  await submitSignIn(page, portal.server.url, 'zhang.wei@example.org', 'counter pulse timing 42');
  // A new account lands on its next steps, the first of which is to apply for membership.
  await page.waitForURL(`${portal.server.url}/dashboard`);
  await page.getByRole('heading', { name: 'Welcome, Zhang' }).waitFor();
  await page.getByRole('heading', { name: 'Apply for membership' }).waitFor();
  await saveScreenshot(page, 'dashboard-new-account');
  await page.goto(`${portal.server.url}/account`);
  await page.getByRole('heading', { name: 'My account' }).waitFor();
  expect(await page.getByRole('main').getByText('zhang.wei@example.org').isVisible()).toBe(true);

  await page.goto(`${portal.server.url}/sign-out`);
  await page.getByRole('main').getByRole('button', { name: 'Sign out' }).click();
  await page.getByRole('heading', { name: 'You are signed out' }).waitFor();
  await expectSignedOut(page);
  await page.close();
});

test('a wrong password shows the error and leaves the visitor signed out', async () => {
  const page = await portal.newPage();
  await submitSignIn(page, portal.server.url, 'member@iecpa.test', 'not-the-demo-password');
  const summary = page.getByRole('alert');
  await summary.getByText('That email and password do not match an account.').waitFor();
  expect(new URL(page.url()).pathname).toBe('/sign-in');
  expect((await portal.browser.context.cookies()).map((c) => c.name)).not.toContain('iecpa_session');
  await expectSignedOut(page);
  await page.close();
});

test('a forgotten password is reset from the mailed link; the new one signs in and the old one is refused', async () => {
  const email = 'reviewer@iecpa.test';
  const newPassword = 'a fresh reviewer phrase 7';
  const page = await portal.newPage();
  await page.goto(`${portal.server.url}/sign-in`);
  await page.getByRole('link', { name: 'Forgotten your password?' }).click();
  await page.getByLabel('Email address').fill(email);
  await page.getByRole('button', { name: 'Send me a link' }).click();
  await page.getByText('Check your email').waitFor();

  await page.goto(linkIn(await latestMailTo(portal.server.db, email), '/reset-password'));
  await page.getByLabel('New password').fill(newPassword);
  await page.getByRole('button', { name: 'Set new password' }).click();
  await page.getByText('Your new password is set.').waitFor();

  await submitSignIn(page, portal.server.url, email, DEMO_PASSWORD);
  await page.getByRole('alert').getByText('That email and password do not match an account.').waitFor();
  await expectSignedOut(page);

  await submitSignIn(page, portal.server.url, email, newPassword);
  await page.waitForURL(`${portal.server.url}/dashboard`);
  await page.goto(`${portal.server.url}/account`);
  expect(await page.getByRole('main').getByText(email).isVisible()).toBe(true);
  await page.close();
});

test('an expired or used link says so and leads to a new one, without offering the same form again', async () => {
  const page = await portal.newPage();
  const unknownToken = 'abcdefghijklmnopqrstuvwxyz';
  await page.goto(`${portal.server.url}/reset-password?token=${unknownToken}`);
  await page.getByLabel('New password').fill('a new password 2026');
  await page.getByRole('button', { name: 'Set new password' }).click();
  await page.getByRole('alert').getByText('This reset link has expired or was already used.').waitFor();
  expect(await page.getByRole('button', { name: 'Set new password' }).count()).toBe(0);
  await page.getByRole('main').getByRole('link', { name: 'Ask for a new link' }).click();
  await page.waitForURL((url) => url.pathname === '/forgot-password');

  await page.goto(`${portal.server.url}/verify-email?token=${unknownToken}`);
  await page.getByRole('button', { name: 'Confirm my email address' }).click();
  await page.getByRole('alert').getByText('This link has expired or was already used.').waitFor();
  expect(await page.getByRole('button', { name: 'Confirm my email address' }).count()).toBe(0);
  await page.getByRole('main').getByRole('link', { name: 'Sign in' }).click();
  await page.waitForURL((url) => url.pathname === '/sign-in');
  await page.close();
});
