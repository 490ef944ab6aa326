import { TRPCError } from '@trpc/server';
import { ZodError } from 'zod';
import { flattenFieldErrors } from './api/trpc.ts';

/**
 * How pages run a procedure from a form post: the same procedure an island calls over HTTP, with its
 * errors turned into what the form shows (a message and per-field messages).
 */
export type FormOutcome<T> =
  | { ok: true; value: T }
  | { ok: false; message: string; fieldErrors: Record<string, string>; code: string };

export async function runForm<T>(action: () => Promise<T>): Promise<FormOutcome<T>> {
  try {
    return { ok: true, value: await action() };
  } catch (error) {
    if (!(error instanceof TRPCError)) throw error;
    const fields = flattenFieldErrors(error.cause) ?? {};
    // A zod input error's own message is its issues as JSON: the form shows the fields' messages instead.
    const message = error.cause instanceof ZodError ? 'Some fields need your attention.' : error.message;
    return { ok: false, message, fieldErrors: fields, code: error.code };
  }
}

/**
 * Refuses a posted form whose `action` the page does not handle (a stale page, a tampered field): thrown
 * inside runForm, it is the form's error with status 400, and nothing is changed.
 */
export function unknownFormAction(): never {
  throw new TRPCError({
    code: 'BAD_REQUEST',
    message: 'This form asked for something this page does not do. Reload the page and try again.',
  });
}

/**
 * What a page loads through a procedure, or null when the procedure found nothing (NOT_FOUND), for the page
 * to answer 404. Any other failure is thrown on, so the person sees the error page with its reference, not a
 * "does not exist" that is untrue.
 */
export async function loadOrNull<T>(load: () => Promise<T>): Promise<T | null> {
  try {
    return await load();
  } catch (error) {
    if (error instanceof TRPCError && error.code === 'NOT_FOUND') return null;
    throw error;
  }
}

/** The text fields of a posted form (files and repeated keys other than the first are ignored). */
export async function readForm(request: Request): Promise<Record<string, string>> {
  const data = await request.formData();
  const out: Record<string, string> = {};
  for (const [key, value] of data.entries()) {
    if (typeof value === 'string' && !(key in out)) out[key] = value;
  }
  return out;
}

/** Where sign-in lands when no page asked for it: the person's next steps. */
export const LANDING_PATH = '/dashboard';

/** An origin no request can have: `next` is resolved against it, and must stay on it. */
const PROBE_ORIGIN = 'https://portal.invalid';
/** Longer paths are refused rather than cut (a cut path can change meaning). */
const NEXT_PATH_MAX = 300;

/**
 * A local path to return to after signing in; anything else lands on LANDING_PATH. The value is resolved
 * as a browser would resolve a Location header (WHATWG URL parsing) and kept only when it stays on this
 * site: browsers drop tab and newline and read a backslash as a slash, so "/\t/evil.example" or "/\\evil"
 * would leave the site, and a control character in a header is a server error. So control characters and
 * backslashes are refused outright, and the result must be a path that does not start with "//".
 */
export function safeNextPath(next: string | null | undefined): string {
  if (!next || !next.startsWith('/') || next.length > NEXT_PATH_MAX) return LANDING_PATH;
  // biome-ignore lint/suspicious/noControlCharactersInRegex: control characters are what this refuses.
  if (/[\u0000-\u001f\u007f\\]/.test(next)) return LANDING_PATH;
  let url: URL;
  try {
    url = new URL(next, PROBE_ORIGIN);
  } catch {
    return LANDING_PATH;
  }
  if (url.origin !== PROBE_ORIGIN || url.username || url.password) return LANDING_PATH;
  const path = `${url.pathname}${url.search}${url.hash}`;
  return path.startsWith('//') ? LANDING_PATH : path;
}
