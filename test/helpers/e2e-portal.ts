import type { Page } from 'playwright-core';
import { afterAll, beforeAll } from 'vitest';
import { blockingAxeViolations, saveScreenshot } from './axe.ts';
import { type LaunchedBrowser, launchChromium } from './chromium.ts';
import { freshTotpCode, submitSignIn } from './portal-flows.ts';
import { type RunningServer, startServer } from './server.ts';

/** The portal and browser of one e2e file; read them inside tests (they exist once beforeAll has run). */
export interface E2ePortal {
  readonly server: RunningServer;
  readonly browser: LaunchedBrowser;
  /** A new tab with no cookies (a signed-out visitor). */
  newPage(): Promise<Page>;
}

/**
 * Starts the built portal on a fresh database and a headless Chromium before the file's tests, and stops
 * both after them: the beforeAll/afterAll pair every e2e file wrote out for itself.
 */
export function usePortal(
  options: { env?: Record<string, string>; viewport?: { width: number; height: number } } = {},
): E2ePortal {
  let server: RunningServer | undefined;
  let browser: LaunchedBrowser | undefined;
  beforeAll(async () => {
    server = await startServer(options.env);
    browser = await launchChromium(options.viewport);
  });
  afterAll(async () => {
    await browser?.close();
    await server?.stop();
  });
  const started = <T>(value: T | undefined, what: string): T => {
    if (!value) throw new Error(`the e2e ${what} is not started: use it inside a test`);
    return value;
  };
  return {
    get server() {
      return started(server, 'server');
    },
    get browser() {
      return started(browser, 'browser');
    },
    async newPage() {
      const context = started(browser, 'browser').context;
      await context.clearCookies();
      return context.newPage();
    },
  };
}

/**
 * Signs in through the sign-in form (and the two-factor form with a fresh code when a TOTP secret is given)
 * and waits for the account page.
 */
export async function signInWithForm(
  page: Page,
  baseUrl: string,
  account: { email: string; password: string; totpSecret?: string | null },
): Promise<void> {
  await submitSignIn(page, baseUrl, account.email, account.password);
  if (account.totpSecret) {
    await page.waitForURL((url) => url.pathname === '/sign-in/two-factor');
    await page.getByLabel('Code').fill(await freshTotpCode(account.totpSecret));
    await page.getByRole('button', { name: 'Continue' }).click();
  }
  await page.waitForURL((url) => url.pathname === '/account');
}

/** Saves a screenshot as test-results/screenshots/<name>.png and returns the page's blocking axe findings. */
export async function screenshotAndAxe(page: Page, name: string): Promise<string[]> {
  await saveScreenshot(page, name);
  return blockingAxeViolations(page);
}
