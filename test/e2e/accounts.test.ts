import { desc, eq } from 'drizzle-orm';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, expect, test } from 'vitest';
import { mailOutbox } from '#db/schema/index.ts';
import { type LaunchedBrowser, launchChromium } from '#test/helpers/chromium.ts';
import { type RunningServer, startServer } from '#test/helpers/server.ts';

let server: RunningServer;
let browser: LaunchedBrowser;

beforeAll(async () => {
  server = await startServer();
  browser = await launchChromium();
});

afterAll(async () => {
  await browser?.close();
  await server?.stop();
});

async function newPage(): Promise<Page> {
  await browser.context.clearCookies();
  return browser.context.newPage();
}

async function latestMailTo(address: string): Promise<string> {
  const rows = await server.db.db
    .select({ text: mailOutbox.textBody })
    .from(mailOutbox)
    .where(eq(mailOutbox.toAddress, address))
    .orderBy(desc(mailOutbox.createdAt))
    .limit(1);
  const text = rows[0]?.text;
  if (!text) throw new Error(`no mail to ${address}`);
  return text;
}

function linkIn(text: string, path: string): string {
  const match = text.match(new RegExp(`https?://\\S+${path}\\S*`));
  if (!match) throw new Error(`no ${path} link in:\n${text}`);
  return match[0];
}

test('a visitor registers, confirms the email from the outbox, signs in and signs out', async () => {
  const page = await newPage();
  await page.goto(`${server.url}/register`);
  await page.getByLabel('Full name').fill('Zhang Wei');
  await page.getByLabel('Email address').fill('zhang.wei@example.org');
  await page.getByLabel('Password', { exact: true }).fill('counter pulse timing 42');
  await page.getByLabel('Country of practice').selectOption('CN');
  await page.getByLabel('Profession').selectOption('physician');
  await page.getByLabel('I have read and accept the IECPA code of ethics').check();
  await page.getByRole('button', { name: 'Create account' }).click();
  await page.getByText('Check your email').waitFor();

  await page.goto(linkIn(await latestMailTo('zhang.wei@example.org'), '/verify-email'));
  await page.getByRole('button', { name: 'Confirm my email address' }).click();
  await page.getByText('Email confirmed').waitFor();

  await page.goto(`${server.url}/sign-in`);
  await page.getByLabel('Email address').fill('zhang.wei@example.org');
  await page.getByLabel('Password').fill('counter pulse timing 42');
  await page.getByRole('button', { name: 'Sign in' }).click();
  await page.waitForURL(`${server.url}/account`);
  await page.getByRole('heading', { name: 'My account' }).waitFor();
  expect(await page.getByRole('main').getByText('zhang.wei@example.org').isVisible()).toBe(true);

  await page.goto(`${server.url}/sign-out`);
  await page.getByRole('main').getByRole('button', { name: 'Sign out' }).click();
  await page.getByRole('heading', { name: 'You are signed out' }).waitFor();
  await page.goto(`${server.url}/account`);
  expect(new URL(page.url()).pathname).toBe('/sign-in');
  await page.close();
});
