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

/** A local path to return to after signing in; anything else (other hosts, //evil, schemes) lands on LANDING_PATH. */
export function safeNextPath(next: string | null | undefined): string {
  if (!next?.startsWith('/') || next.startsWith('//') || next.startsWith('/\\')) return LANDING_PATH;
  return next.slice(0, 300);
}
