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
 * A TOTP code the server will accept now. The server refuses a time step it has already seen (replay
 * protection) but accepts one step either side of its own (RFC 6238 §5.2), so two sign-ins within 30 s use
 * the next step instead of waiting for it. Remembers the steps it has handed out, per secret, for this file.
 */
export async function freshTotpCode(secret: string): Promise<string> {
  const periodMs = TOTP_PERIOD_S * 1000;
  for (;;) {
    const now = Date.now();
    const current = Math.floor(now / periodMs);
    const step = Math.max(current, (lastStepBySecret.get(secret) ?? current - 1) + 1);
    // The server (same clock) is at `current` or later, so current + 1 is within its window.
    if (step <= current + 1) {
      lastStepBySecret.set(secret, step);
      return totpCodeAt(secret, step * periodMs);
    }
    await new Promise((resolve) => setTimeout(resolve, periodMs - (now % periodMs) + 50));
  }
}

/** POSTs a form as a browser on this site would (same Origin), without following the redirect. */
export async function postForm(
  baseUrl: string,
  path: string,
  fields: Record<string, string>,
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
