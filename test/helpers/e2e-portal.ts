import type { Page } from 'playwright-core';
import { afterAll, beforeAll } from 'vitest';
import { DEMO_ACCOUNTS, DEMO_PASSWORD } from '#db/seed.ts';
import { blockingAxeViolations, saveScreenshot } from './axe.ts';
import { type LaunchedBrowser, launchChromium } from './chromium.ts';
import { freshTotpCode, postForm, signInOverHttp, submitSignIn } from './portal-flows.ts';
import { type RunningServer, startServer } from './server.ts';

/** The portal and browser of one e2e file; read them inside tests (they exist once beforeAll has run). */
export interface E2ePortal {
  readonly server: RunningServer;
  readonly browser: LaunchedBrowser;
  /**
   * A new tab with no cookies (a signed-out visitor), or with only the given `name=value` session cookie
   * (from signInOverHttp or demoSessionCookie, or a forged one).
   */
  newPage(cookie?: string): Promise<Page>;
  /** A new tab signed in as `account` through the forms (see signInWithForm), on the account page. */
  signedInPage(account: SignInAccount): Promise<Page>;
}

/** What the sign-in form asks for; a TOTP secret when the account has two-factor authentication on. */
export interface SignInAccount {
  email: string;
  password: string;
  totpSecret?: string | null;
}

/** A seeded demo account (db/seed.ts): DEMO_PASSWORD and its TOTP secret, if it has one. */
export function demoAccount(email: string): SignInAccount {
  const account = DEMO_ACCOUNTS.find((candidate) => candidate.email === email);
  if (!account) throw new Error(`${email} is not in DEMO_ACCOUNTS`);
  return { email, password: DEMO_PASSWORD, totpSecret: account.totpSecret ?? null };
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
  const newPage = async (cookie?: string): Promise<Page> => {
    const context = started(browser, 'browser').context;
    await context.clearCookies();
    if (cookie) {
      const [name = '', value = ''] = cookie.split('=');
      await context.addCookies([{ name, value, url: started(server, 'server').url }]);
    }
    return context.newPage();
  };
  return {
    get server() {
      return started(server, 'server');
    },
    get browser() {
      return started(browser, 'browser');
    },
    newPage,
    async signedInPage(account) {
      const page = await newPage();
      await signInWithForm(page, started(server, 'server').url, account);
      return page;
    },
  };
}

/**
 * Signs in through the sign-in form (and the two-factor form with a fresh code when a TOTP secret is given)
 * and waits for the account page.
 */
export async function signInWithForm(page: Page, baseUrl: string, account: SignInAccount): Promise<void> {
  await submitSignIn(page, baseUrl, account.email, account.password);
  if (account.totpSecret) {
    await page.waitForURL((url) => url.pathname === '/sign-in/two-factor');
    await page.getByLabel('Code').fill(await freshTotpCode(account.totpSecret));
    await page.getByRole('button', { name: 'Continue' }).click();
  }
  await page.waitForURL((url) => url.pathname === '/dashboard');
}

/** Saves a screenshot as test-results/screenshots/<name>.png and returns the page's blocking axe findings. */
export async function screenshotAndAxe(page: Page, name: string): Promise<string[]> {
  await saveScreenshot(page, name);
  return blockingAxeViolations(page);
}

/**
 * Signs a demo account in over HTTP (no browser), passing the two-factor challenge when it has a TOTP secret,
 * and returns its `name=value` session cookie.
 */
export async function demoSessionCookie(baseUrl: string, email: string): Promise<string> {
  const { password, totpSecret } = demoAccount(email);
  const cookie = await signInOverHttp(baseUrl, email, password);
  if (totpSecret) {
    const challenge = await postForm(baseUrl, '/sign-in/two-factor', { code: await freshTotpCode(totpSecret) }, cookie);
    if (challenge.status !== 303) throw new Error(`two-factor challenge for ${email} failed: ${challenge.status}`);
  }
  return cookie;
}
