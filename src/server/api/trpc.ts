import { initTRPC, TRPCError } from '@trpc/server';
import { z } from 'zod';
import type { Db } from '#db/client.ts';
import { hasMembersAccess, MEMBERS_ONLY_MESSAGE } from '#src/lib/access.ts';
import { ROLES_REQUIRING_TOTP, type Role } from '#src/lib/roles.ts';
import { consumeRateLimit, type RateLimitRule } from '../auth/rate-limit.ts';
import type { Session, SessionUser } from '../auth/session.ts';
import { MarkdownTooSlowError } from '../markdown-pool.ts';
import { FieldErrorsCause } from '../refusal.ts';
import type { RequestMeta, ServiceDeps } from '../services/deps.ts';

/** Sets or clears the session cookie on whichever response is being built (page or API). */
export interface SessionCookieJar {
  set(token: string): void;
  clear(): void;
}

/** Everything a procedure may use; built from `locals` per request, or directly in tests (no HTTP). */
export interface Context {
  db: Db;
  deps: ServiceDeps;
  user: SessionUser | null;
  session: Session | null;
  meta: RequestMeta;
  cookies: SessionCookieJar;
}

export { FieldErrorsCause };

export function fieldErrors(message: string, errors: Record<string, string>): TRPCError {
  return new TRPCError({ code: 'BAD_REQUEST', message, cause: new FieldErrorsCause(errors) });
}

export function flattenFieldErrors(cause: unknown): Record<string, string> | null {
  if (cause instanceof z.ZodError) {
    const out: Record<string, string> = {};
    for (const issue of cause.issues) {
      const key = issue.path.join('.') || '_';
      out[key] ??= issue.message;
    }
    return out;
  }
  if (cause instanceof FieldErrorsCause) return cause.fieldErrors;
  return null;
}

/**
 * What the client is told about an unexpected error. The original message stays on the server: for a failed
 * query it is Drizzle's "Failed query: <SQL> params: <values>", which can hold emails and password hashes.
 */
export const INTERNAL_ERROR_MESSAGE = 'Something went wrong on our side. Please try again in a minute.';

function clientMessage(error: TRPCError, fields: Record<string, string> | null, message: string): string {
  if (error.code === 'INTERNAL_SERVER_ERROR') return INTERNAL_ERROR_MESSAGE;
  if (fields && error.cause instanceof z.ZodError) return 'Some fields need your attention.';
  return message;
}

const t = initTRPC.context<Context>().create({
  errorFormatter({ shape, error }) {
    const fields = flattenFieldErrors(error.cause);
    return {
      ...shape,
      message: clientMessage(error, fields, shape.message),
      data: { ...shape.data, stack: undefined, fieldErrors: fields },
    };
  },
});

export const router = t.router;
export const createCallerFactory = t.createCallerFactory;

/**
 * Every procedure: text too costly to process (markdown-pool.ts) is the sender's problem, a 400 with the
 * reason, not an internal error.
 */
export const publicProcedure = t.procedure.use(async ({ next }) => {
  const result = await next();
  if (!result.ok && result.error.cause instanceof MarkdownTooSlowError) {
    throw new TRPCError({ code: 'BAD_REQUEST', message: result.error.cause.message, cause: result.error.cause });
  }
  return result;
});

/** A session exists, but the second factor may still be missing: only for completing sign-in. */
export const pendingSessionProcedure = publicProcedure.use(({ ctx, next }) => {
  if (!ctx.user || !ctx.session) {
    throw new TRPCError({ code: 'UNAUTHORIZED', message: 'Sign in to continue.' });
  }
  return next({ ctx: { ...ctx, user: ctx.user, session: ctx.session } });
});

/** A fully signed-in user (second factor passed when they have one). */
export const protectedProcedure = pendingSessionProcedure.use(({ ctx, next }) => {
  if (!ctx.session.twoFactorVerified) {
    throw new TRPCError({ code: 'UNAUTHORIZED', message: 'Enter your two-factor code to finish signing in.' });
  }
  return next({ ctx });
});

/** A fully signed-in member in good standing or staff (src/lib/access.ts): members' learning content. */
export const membersContentProcedure = protectedProcedure.use(({ ctx, next }) => {
  if (!hasMembersAccess(ctx.user)) throw new TRPCError({ code: 'FORBIDDEN', message: MEMBERS_ONLY_MESSAGE });
  return next({ ctx });
});

/** A signed-in user holding `role`; roles that need a second factor refuse users without one. */
export function roleProcedure(role: Role) {
  return protectedProcedure.use(({ ctx, next }) => {
    if (!ctx.user.roles.includes(role)) {
      throw new TRPCError({ code: 'FORBIDDEN', message: 'Your account does not have permission to do this.' });
    }
    if (ROLES_REQUIRING_TOTP.includes(role) && !ctx.user.totpEnabled) {
      throw new TRPCError({
        code: 'FORBIDDEN',
        message: 'Set up two-factor authentication (Account → Security) before using this role.',
      });
    }
    return next({ ctx });
  });
}

/**
 * A per-user limit on a costly procedure (previews, saves, replays): `.use(perUserLimit('preview',
 * RATE_LIMITS.preview))` after the procedure's guard. Over the limit: TOO_MANY_REQUESTS, nothing done.
 */
export function perUserLimit(name: string, rule: RateLimitRule) {
  return t.middleware(async ({ ctx, next }) => {
    const key = `${name}:user:${ctx.user?.id ?? ctx.meta.ipAddress}`;
    if (!(await consumeRateLimit(ctx.db, key, rule))) {
      throw new TRPCError({
        code: 'TOO_MANY_REQUESTS',
        message: 'You have done this many times in the last few minutes. Wait a few minutes and try again.',
      });
    }
    return next();
  });
}
