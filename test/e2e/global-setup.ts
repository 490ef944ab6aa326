import { execFileSync } from 'node:child_process';
import { rmSync } from 'node:fs';
import { join } from 'node:path';
import type { TestProject } from 'vitest/node';
import { DEMO_ACCOUNTS, DEMO_PASSWORD } from '#scripts/demo-seed.ts';
import { findChromium, launchChromiumServer } from '#test/helpers/chromium.ts';
import { freshTotpCode, postForm, signInOverHttp } from '#test/helpers/portal-flows.ts';
import { prepareTemplate, startServer } from '#test/helpers/server.ts';

/**
 * The demo accounts with a session made once for the whole run on the shared portal. Sign-ins are rate
 * limited per address (10 in 15 min from one IP, src/server/auth/rate-limit.ts): files on the shared
 * portal take these sessions instead of signing in themselves.
 */
export const SHARED_SESSION_ACCOUNTS = [
  'member@iecpa.test',
  'applicant@iecpa.test',
  'educator@iecpa.test',
  'examiner@iecpa.test',
  'admin@iecpa.test',
] as const;

/** A demo account signed in over HTTP, past the second factor when it has one: its `name=value` cookie. */
async function demoSession(url: string, email: string): Promise<string> {
  const cookie = await signInOverHttp(url, email, DEMO_PASSWORD);
  const secret = DEMO_ACCOUNTS.find((account) => account.email === email)?.totpSecret;
  if (secret) {
    const challenge = await postForm(url, '/sign-in/two-factor', { code: await freshTotpCode(secret) }, cookie);
    if (challenge.status !== 303) throw new Error(`two-factor challenge for ${email} failed: ${challenge.status}`);
  }
  return cookie;
}

/**
 * Builds the site once for all e2e files, into a folder of this run's own (so concurrent runs on one machine
 * cannot overwrite each other's build), and fails early, with the fix, when no Chromium is installed.
 * Test workers inherit IECPA_DIST_DIR, which test/helpers/server.ts passes on to scripts/serve.ts, and
 * IECPA_TEMPLATE_DIR, the prepared database every server starts on a copy of.
 *
 * Then starts what the files that only read share (usePortal({ shared: true })): one built portal on its
 * own database, one Chromium that files connect to with a fresh context each, and a session for each of
 * SHARED_SESSION_ACCOUNTS.
 */
export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  findChromium();
  const distDir = join(process.cwd(), 'test-results', `dist-${process.pid}`);
  process.env.IECPA_DIST_DIR = distDir;
  execFileSync(process.execPath, ['node_modules/astro/bin/astro.mjs', 'build'], {
    stdio: ['ignore', 'ignore', 'inherit'],
    env: { ...process.env, ASTRO_TELEMETRY_DISABLED: '1' },
  });
  // One prepared database for the run; every server starts on a copy of it (test/helpers/server.ts).
  const templateDir = join(process.cwd(), 'test-results', `template-${process.pid}`);
  rmSync(templateDir, { recursive: true, force: true });
  prepareTemplate(templateDir);
  process.env.IECPA_TEMPLATE_DIR = templateDir;
  const server = await startServer();
  const browser = await launchChromiumServer();
  const sessions: Record<string, string> = {};
  for (const email of SHARED_SESSION_ACCOUNTS) sessions[email] = await demoSession(server.url, email);
  project.provide('sharedPortal', {
    url: server.url,
    databaseUrl: server.databaseUrl,
    browserWsEndpoint: browser.wsEndpoint(),
    sessions,
  });
  return async () => {
    await browser.close();
    await server.stop();
    rmSync(distDir, { recursive: true, force: true });
    rmSync(templateDir, { recursive: true, force: true });
  };
}

declare module 'vitest' {
  export interface ProvidedContext {
    /** The portal, browser and demo sessions shared by the e2e files that only read (global setup). */
    sharedPortal: {
      url: string;
      databaseUrl: string;
      browserWsEndpoint: string;
      /** `name=value` session cookies by demo account email. */
      sessions: Record<string, string>;
    };
  }
}
