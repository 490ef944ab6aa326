import { and, desc, eq, gt, inArray, or, sql } from 'drizzle-orm';
import type { Db } from '#db/client.ts';
import { auditLog, rateLimits } from '#db/schema/index.ts';

/**
 * Account-wide protection against guessing from many addresses, without letting strangers lock the owner
 * out (OWASP ASVS 5.0 V6.3.1 / V6.1.2: resist credential stuffing and brute force, and lockout abuse).
 *
 * Failures from places the account has not completed a sign-in from count against the account; after
 * FREE_FAILURES each further attempt from such a place must wait a delay that doubles per failure, up to
 * MAX_DELAY_MS. Attempts from an address the owner completed a sign-in from in the last KNOWN_PLACE_MS are
 * never delayed by it (they still have their own per-account-and-address limit), so the owner can always
 * sign in from their usual place. The counter lives in rate_limits: window_start holds the last failure.
 */
export const ACCOUNT_BACKOFF = {
  freeFailures: 5,
  baseDelayMs: 2_000,
  maxDelayMs: 15 * 60 * 1000,
  /** Failures older than this are forgotten. */
  forgetAfterMs: 24 * 60 * 60 * 1000,
} as const;

export const KNOWN_PLACE_MS = 90 * 24 * 60 * 60 * 1000;

/** How long to wait after the `failures`-th failure before the next attempt from an unknown place. */
export function backoffDelayMs(failures: number): number {
  const over = failures - ACCOUNT_BACKOFF.freeFailures;
  if (over <= 0) return 0;
  return Math.min(ACCOUNT_BACKOFF.baseDelayMs * 2 ** Math.min(over - 1, 30), ACCOUNT_BACKOFF.maxDelayMs);
}

/** The time before which `key` may not try again (0 or a past time when it may). */
export async function backoffUntil(db: Db, key: string, now: number): Promise<number> {
  const rows = await db
    .select({ last: rateLimits.windowStart, failures: rateLimits.count })
    .from(rateLimits)
    .where(eq(rateLimits.key, key))
    .limit(1);
  const row = rows[0];
  if (!row || now - row.last > ACCOUNT_BACKOFF.forgetAfterMs) return 0;
  return row.last + backoffDelayMs(row.failures);
}

/** Counts one failure against `key` (one atomic upsert) and returns the failures now counted. */
export async function recordFailure(db: Db, key: string, now: number): Promise<number> {
  const forgetBefore = now - ACCOUNT_BACKOFF.forgetAfterMs;
  const rows = await db
    .insert(rateLimits)
    .values({ key, windowStart: now, count: 1 })
    .onConflictDoUpdate({
      target: rateLimits.key,
      set: {
        count: sql`case when ${rateLimits.windowStart} < ${forgetBefore} then 1 else ${rateLimits.count} + 1 end`,
        windowStart: now,
      },
    })
    .returning({ count: rateLimits.count });
  return rows[0]?.count ?? 1;
}

/**
 * True when `userId` completed a sign-in (password, and the second factor when they have one) from exactly
 * this address within KNOWN_PLACE_MS, as the audit log records it.
 */
export async function isKnownPlace(db: Db, userId: string, ipAddress: string, now: number): Promise<boolean> {
  const rows = await db
    .select({ id: auditLog.id })
    .from(auditLog)
    .where(
      and(
        eq(auditLog.subjectId, userId),
        eq(auditLog.ipAddress, ipAddress),
        gt(auditLog.at, now - KNOWN_PLACE_MS),
        or(
          eq(auditLog.action, 'auth.two-factor-passed'),
          and(eq(auditLog.action, 'auth.signed-in'), sql`json_extract(${auditLog.details}, '$.twoFactorPending') = 0`),
        ),
      ),
    )
    .limit(1);
  return rows.length > 0;
}

export const THROTTLE_ACTIONS = ['auth.sign-in-throttled', 'auth.two-factor-throttled'] as const;
export type ThrottleAction = (typeof THROTTLE_ACTIONS)[number];

/** How far back the owner's security page lists delayed guessing. */
export const THROTTLE_EVENTS_SHOWN_MS = 90 * 24 * 60 * 60 * 1000;

/** When guessing at this account from unknown places started to be delayed, newest first (at most 20). */
export async function throttleEventsOf(
  db: Db,
  userId: string,
  now: number,
): Promise<{ at: number; kind: 'password' | 'two-factor' }[]> {
  const rows = await db
    .select({ at: auditLog.at, action: auditLog.action })
    .from(auditLog)
    .where(
      and(
        eq(auditLog.subjectId, userId),
        inArray(auditLog.action, [...THROTTLE_ACTIONS]),
        gt(auditLog.at, now - THROTTLE_EVENTS_SHOWN_MS),
      ),
    )
    .orderBy(desc(auditLog.at), desc(auditLog.id))
    .limit(20);
  return rows.map((r) => ({ at: r.at, kind: r.action === 'auth.two-factor-throttled' ? 'two-factor' : 'password' }));
}
