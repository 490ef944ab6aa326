import { expect, test } from 'vitest';
import { blockingAxeViolations } from '#test/helpers/axe.ts';
import { demoAccount, usePortal } from '#test/helpers/e2e-portal.ts';

const portal = usePortal();

const CONTENT_PAGES = [
  { path: '/mission', heading: 'Mission and goals' },
  { path: '/ethics', heading: 'Values and code of ethics' },
  { path: '/history', heading: 'History of counterpulsation and of IECPA' },
  { path: '/about-ecp', heading: 'About external counterpulsation' },
];

test('the home page introduces IECPA and ECP and offers joining, the simulator and reading about ECP', async () => {
  const page = await portal.newPage();
  const response = await page.goto(`${portal.server.url}/`);
  expect(response?.status()).toBe(200);
  await page.getByRole('heading', { level: 1, name: 'International External Counterpulsation Association' }).waitFor();
  const main = page.getByRole('main');
  expect(await main.getByRole('link', { name: 'Join IECPA' }).first().getAttribute('href')).toBe('/register');
  expect(await main.getByRole('link', { name: 'Try the simulator' }).first().getAttribute('href')).toBe('/simulator');
  expect(await main.getByRole('link', { name: 'Read about ECP' }).getAttribute('href')).toBe('/about-ecp');
  expect(await main.getByRole('img', { name: /One heartbeat with ECP/ }).isVisible()).toBe(true);
  expect(await blockingAxeViolations(page)).toEqual([]);
  await page.close();
});

test('each content page shows its title, the date it was updated and a marked current navigation link', async () => {
  const page = await portal.newPage();
  for (const { path, heading } of CONTENT_PAGES) {
    const response = await page.goto(`${portal.server.url}${path}`);
    expect(response?.status(), path).toBe(200);
    await page.getByRole('heading', { level: 1, name: heading }).waitFor();
    expect(
      await page
        .getByRole('main')
        .getByText(/^Updated \d{1,2} \w+ \d{4}$/)
        .count(),
      path,
    ).toBe(1);
    const current = page.getByRole('navigation', { name: 'Main' }).locator('a[aria-current="page"]');
    expect(await current.getAttribute('href'), path).toBe(path);
    expect(await blockingAxeViolations(page), path).toEqual([]);
  }
  await page.close();
});

test('the code of ethics states its version and the date it takes effect', async () => {
  const page = await portal.newPage();
  await page.goto(`${portal.server.url}/ethics`);
  expect(
    await page
      .getByRole('main')
      .getByText(/^Version 1\.0, effective \d{1,2} \w+ \d{4}$/)
      .count(),
  ).toBe(1);
  await page.close();
});

test('a long content page lists its sections beside the text on a wide screen', async () => {
  const page = await portal.newPage();
  await page.goto(`${portal.server.url}/about-ecp`);
  const contents = page.getByRole('navigation', { name: 'On this page' });
  expect(await contents.isVisible()).toBe(true);
  const sources = contents.getByRole('link', { name: 'Sources' });
  expect(await sources.getAttribute('href')).toBe('#sources');
  await sources.click();
  expect(new URL(page.url()).hash).toBe('#sources');
  await page.close();
});

test('a signed-in member sees their own account menu on a prerendered page and can sign out from it', async () => {
  const page = await portal.signedInPage(demoAccount('member@iecpa.test'));

  await page.goto(`${portal.server.url}/history`);
  // The account area of a prerendered page arrives as a server island after load.
  const menu = page.locator('.account-menu summary');
  await menu.waitFor();
  expect(await menu.textContent()).toContain('Maria Member');
  await menu.click();
  const banner = page.getByRole('banner');
  expect(await banner.getByRole('link', { name: 'My account' }).getAttribute('href')).toBe('/account');
  expect(await banner.getByRole('link', { name: 'Security' }).getAttribute('href')).toBe('/account/security');
  expect(await banner.getByRole('link', { name: 'Administration' }).count()).toBe(0);

  await banner.getByRole('button', { name: 'Sign out' }).click();
  await page.waitForLoadState('networkidle');
  await page.goto(`${portal.server.url}/history`);
  await page.waitForLoadState('networkidle');
  expect(await page.getByRole('banner').getByRole('link', { name: 'Sign in', exact: true }).isVisible()).toBe(true);
  expect(await page.locator('.account-menu').count()).toBe(0);
  await page.close();
});

test('an administrator sees the Administration link in the account menu of the home page', async () => {
  const page = await portal.signedInPage(demoAccount('admin@iecpa.test'));

  await page.goto(`${portal.server.url}/`);
  expect(await page.getByRole('main').getByText('Welcome back, Ada Admin.').isVisible()).toBe(true);
  await page.locator('.account-menu summary').click();
  const admin = page.getByRole('banner').getByRole('link', { name: 'Administration' });
  expect(await admin.getAttribute('href')).toBe('/admin');
  await page.close();
});

test('a session cookie the server did not issue leaves the header signed out', async () => {
  const page = await portal.newPage('iecpa_session=forged.cookie');
  await page.goto(`${portal.server.url}/`);
  expect(await page.getByRole('banner').getByRole('link', { name: 'Join' }).getAttribute('href')).toBe('/register');
  expect(await page.locator('.account-menu').count()).toBe(0);
  await page.close();
});

test('a visitor sees Sign in and Join in the header of every shell page', async () => {
  const page = await portal.newPage();
  for (const path of ['/', '/ethics']) {
    await page.goto(`${portal.server.url}${path}`);
    await page.waitForLoadState('networkidle');
    const banner = page.getByRole('banner');
    expect(await banner.getByRole('link', { name: 'Sign in', exact: true }).getAttribute('href'), path).toBe(
      '/sign-in',
    );
    expect(await banner.getByRole('link', { name: 'Join' }).getAttribute('href'), path).toBe('/register');
  }
  await page.close();
});

test('on a phone-sized screen the navigation opens from a Menu button', async () => {
  const page = await portal.newPage();
  await page.setViewportSize({ width: 390, height: 844 });
  await page.goto(`${portal.server.url}/mission`);
  const historyLink = page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'History' });
  expect(await historyLink.isVisible()).toBe(false);
  await page.getByText('Menu', { exact: true }).click();
  expect(await historyLink.isVisible()).toBe(true);
  expect(await page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(390);
  expect(await blockingAxeViolations(page)).toEqual([]);
  await page.setViewportSize({ width: 1280, height: 800 });
  await page.close();
});

test('the skip link moves focus to the main content', async () => {
  const page = await portal.newPage();
  await page.goto(`${portal.server.url}/about-ecp`);
  await page.keyboard.press('Tab');
  expect(await page.evaluate(() => document.activeElement?.textContent?.trim())).toBe('Skip to main content');
  await page.keyboard.press('Enter');
  expect(await page.evaluate(() => document.activeElement?.id)).toBe('main');
  await page.close();
});
