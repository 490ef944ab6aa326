import type { Page } from 'playwright-core';
import { afterAll, beforeAll, inject } from 'vitest';
import { openDb } from '#db/client.ts';
import { DEMO_ACCOUNTS, DEMO_PASSWORD } from '#scripts/demo-seed.ts';
import { blockingAxeViolations, saveScreenshot } from './axe.ts';
import { connectChromium, type LaunchedBrowser, launchChromium } from './chromium.ts';
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

/** A seeded demo account (scripts/demo-seed.ts): DEMO_PASSWORD and its TOTP secret, if it has one. */
export function demoAccount(email: string): SignInAccount {
  const account = DEMO_ACCOUNTS.find((candidate) => candidate.email === email);
  if (!account) throw new Error(`${email} is not in DEMO_ACCOUNTS`);
  return { email, password: DEMO_PASSWORD, totpSecret: account.totpSecret ?? null };
}

/** The run's shared portal and its demo sessions (test/e2e/global-setup.ts). */
function sharedPortal() {
  return inject('sharedPortal');
}

/** The shared portal's session for a demo account signed in with its demo password, if it has one. */
function sharedSession(baseUrl: string, email: string, password = DEMO_PASSWORD): string | undefined {
  const shared = sharedPortal();
  return shared.url === baseUrl && password === DEMO_PASSWORD ? shared.sessions[email] : undefined;
}

/** A running portal that is the run's shared one: this file's own connection to its database; stop closes it. */
async function connectSharedServer(): Promise<RunningServer> {
  const { url, databaseUrl } = sharedPortal();
  const db = await openDb({ url: databaseUrl });
  return {
    url,
    databaseUrl,
    db,
    output() {
      throw new Error('the shared portal runs in global setup: its output is not captured (use usePortal() unshared)');
    },
    async stop() {
      db.client.close();
    },
    async kill() {
      throw new Error("the shared portal is not this file's to kill (use usePortal() unshared)");
    },
  };
}

/**
 * Starts the built portal on a fresh database and a headless Chromium before the file's tests, and stops
 * both after them: the beforeAll/afterAll pair every e2e file wrote out for itself.
 *
 * With `shared: true` the file uses the run's shared portal (one server and database for all such files,
 * started in global setup) and a fresh context of the run's shared Chromium instead: for files that only
 * read, or write only what no other file looks at. Their demo accounts are signed in once for the run
 * (signedInPage and demoSessionCookie hand out those sessions), so such files must not sign them out.
 */
export function usePortal(
  options: { env?: Record<string, string>; viewport?: { width: number; height: number }; shared?: boolean } = {},
): E2ePortal {
  if (options.shared && options.env) throw new Error('the shared portal runs with the default environment');
  let server: RunningServer | undefined;
  let browser: LaunchedBrowser | undefined;
  beforeAll(async () => {
    if (options.shared) {
      server = await connectSharedServer();
      browser = await connectChromium(sharedPortal().browserWsEndpoint, options.viewport);
    } else {
      server = await startServer(options.env);
      browser = await launchChromium(options.viewport);
    }
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
      const url = started(server, 'server').url;
      const session = sharedSession(url, account.email, account.password);
      if (session) {
        const page = await newPage(session);
        await page.goto(`${url}/account`);
        if (new URL(page.url()).pathname !== '/account')
          throw new Error(`the shared session of ${account.email} ended`);
        return page;
      }
      const page = await newPage();
      await signInWithForm(page, url, account);
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
 * and returns its `name=value` session cookie. On the shared portal, the session made for the run.
 */
export async function demoSessionCookie(baseUrl: string, email: string): Promise<string> {
  const session = sharedSession(baseUrl, email);
  if (session) return session;
  const { password, totpSecret } = demoAccount(email);
  const cookie = await signInOverHttp(baseUrl, email, password);
  if (totpSecret) {
    const challenge = await postForm(baseUrl, '/sign-in/two-factor', { code: await freshTotpCode(totpSecret) }, cookie);
    if (challenge.status !== 303) throw new Error(`two-factor challenge for ${email} failed: ${challenge.status}`);
  }
  return cookie;
}
