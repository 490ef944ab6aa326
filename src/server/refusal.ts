import { TRPCError } from '@trpc/server';

/**
 * The one way a service says no: a code (tRPC's names, so routers map it without a table) and the message
 * the person reads, with per-field messages when the refusal is about form fields. Routers turn it into a
 * TRPCError with `unwrap`; pages turn a form outcome's code into a status with `statusForCode`.
 */
/** Carries per-field messages from a refusal to the client (see the error formatter in api/trpc.ts). */
export class FieldErrorsCause extends Error {
  readonly fieldErrors: Record<string, string>;
  constructor(fieldErrors: Record<string, string>) {
    super('Invalid fields');
    this.fieldErrors = fieldErrors;
  }
}

export type RefusalCode =
  | 'BAD_REQUEST'
  | 'UNAUTHORIZED'
  | 'NOT_FOUND'
  | 'CONFLICT'
  | 'FORBIDDEN'
  | 'PAYLOAD_TOO_LARGE'
  | 'PRECONDITION_FAILED'
  | 'TOO_MANY_REQUESTS';

export interface Refusal {
  ok: false;
  code: RefusalCode;
  message: string;
  fieldErrors?: Record<string, string>;
}

export function refuse(code: RefusalCode, message: string, fieldErrors?: Record<string, string>): Refusal {
  return fieldErrors ? { ok: false, code, message, fieldErrors } : { ok: false, code, message };
}

/** The refusal as the error a procedure throws (field messages travel in the cause, as zod's do). */
export function refusalError(refusal: Refusal): TRPCError {
  const cause = refusal.fieldErrors ? new FieldErrorsCause(refusal.fieldErrors) : undefined;
  return new TRPCError({ code: refusal.code, message: refusal.message, cause });
}

/** A service result's success, or its refusal thrown as a TRPCError. */
export function unwrap<T extends { ok: true }>(result: T | Refusal): T {
  if (result.ok) return result;
  throw refusalError(result);
}

const PAGE_STATUS: Record<string, number> = {
  BAD_REQUEST: 400,
  UNAUTHORIZED: 401,
  FORBIDDEN: 403,
  NOT_FOUND: 404,
  CONFLICT: 409,
  PRECONDITION_FAILED: 412,
  PAYLOAD_TOO_LARGE: 413,
  UNSUPPORTED_MEDIA_TYPE: 415,
  TOO_MANY_REQUESTS: 429,
};

/** The HTTP status a page answers with when a form's procedure refused (400 for anything unlisted). */
export function statusForCode(code: string): number {
  return PAGE_STATUS[code] ?? 400;
}
