import { desc, eq } from 'drizzle-orm';
import type { Page } from 'playwright-core';
import type { DbHandle } from '#db/client.ts';
import { mailOutbox } from '#db/schema/index.ts';
import { TOTP_PERIOD_S, totpCodeAt } from '#src/server/auth/totp.ts';

/** The text body of the newest mail to `address` in the outbox (mail goes there when no SMTP_URL is set). */
export async function latestMailTo(handle: DbHandle, address: string): Promise<string> {
  const rows = await handle.db
    .select({ text: mailOutbox.textBody })
    .from(mailOutbox)
    .where(eq(mailOutbox.toAddress, address))
    .orderBy(desc(mailOutbox.createdAt))
    .limit(1);
  const text = rows[0]?.text;
  if (!text) throw new Error(`no mail to ${address}`);
  return text;
}

/** The first absolute link to `path` in a mail body. */
export function linkIn(text: string, path: string): string {
  const match = text.match(new RegExp(`https?://\\S+${path}\\S*`));
  if (!match) throw new Error(`no ${path} link in:\n${text}`);
  return match[0];
}

/** Fills and submits the sign-in form; the caller waits for where it should land. */
export async function submitSignIn(page: Page, baseUrl: string, email: string, password: string): Promise<void> {
  await page.goto(`${baseUrl}/sign-in`);
  await page.getByLabel('Email address').fill(email);
  await page.getByLabel('Password').fill(password);
  await page.getByRole('button', { name: 'Sign in' }).click();
}

const lastStepBySecret = new Map<string, number>();

/**
 * How far past ours the server's clock may be by the time a code arrives, ms: a step handed out must still
 * be accepted then.
 */
const CODE_TRANSIT_MS = 3000;

/**
 * A TOTP code the server will accept now, without waiting. The server accepts its own time step and one
 * either side (RFC 6238 §5.2) but refuses a step at or before the last one it took (replay protection), so
 * the first code of a 30 s window uses the previous step and the next sign-ins the current and next ones:
 * three sign-ins per account in any window, and one more for every window that passes. Remembers the steps
 * it has handed out, per secret, for this file; `lastUsedStep` is the server's own record when the caller
 * has it. More sign-ins than that within one window throw (use separate accounts) rather than wait.
 */
export async function freshTotpCode(secret: string, lastUsedStep = Number.NEGATIVE_INFINITY): Promise<string> {
  const periodMs = TOTP_PERIOD_S * 1000;
  const now = Date.now();
  const oldestAccepted = Math.floor((now + CODE_TRANSIT_MS) / periodMs) - 1;
  const newestAccepted = Math.floor(now / periodMs) + 1;
  const handedOut = lastStepBySecret.get(secret) ?? Number.NEGATIVE_INFINITY;
  const step = Math.max(oldestAccepted, handedOut + 1, lastUsedStep + 1);
  if (step > newestAccepted) {
    throw new Error(
      'every TOTP step the server accepts in this 30 s window is used: sign this account in fewer times, or use separate accounts',
    );
  }
  lastStepBySecret.set(secret, step);
  return totpCodeAt(secret, step * periodMs);
}

/** POSTs a form as a browser on this site would (same Origin), without following the redirect. */
export async function postForm(
  baseUrl: string,
  path: string,
  fields: Record<string, string> | URLSearchParams,
  cookie?: string,
): Promise<Response> {
  const headers: Record<string, string> = {
    Origin: baseUrl,
    'Content-Type': 'application/x-www-form-urlencoded',
  };
  if (cookie) headers.Cookie = cookie;
  return fetch(`${baseUrl}${path}`, {
    method: 'POST',
    headers,
    body: new URLSearchParams(fields).toString(),
    redirect: 'manual',
  });
}

/** Signs in over HTTP (no browser) and returns the `name=value` session cookie to send with later requests. */
export async function signInOverHttp(baseUrl: string, email: string, password: string): Promise<string> {
  const response = await postForm(baseUrl, '/sign-in', { email, password });
  const setCookie = response.headers.getSetCookie().find((c) => c.includes('session='));
  if (response.status !== 303 || !setCookie) {
    throw new Error(`sign-in as ${email} failed: ${response.status} ${await response.text()}`);
  }
  return setCookie.split(';')[0] as string;
}
