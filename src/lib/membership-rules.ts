/**
 * The membership rules that need no database: good standing, periods (one calendar year, 29 February), the
 * grace period, and when a membership may be renewed. The lifecycle service, the scheduled job, the pages
 * and the demo seed all use these, so the rules are written once. Association rules (grace, renewal window)
 * are policy choices for the portal, not sourced facts; change them here.
 */
import type { CategoryTerm, MembershipStatus } from '#db/schema/index.ts';
import { DAY_MS } from './dates.ts';

/** Members in good standing: counted as members (directory, member-only pages). */
export const IN_GOOD_STANDING: MembershipStatus[] = ['active', 'grace'];

export function isInGoodStanding(status: MembershipStatus | null | undefined): boolean {
  return status !== null && status !== undefined && IN_GOOD_STANDING.includes(status);
}

/** Days after the expiry during which a member keeps good standing before the membership lapses. */
export const GRACE_PERIOD_DAYS = 30;
export const GRACE_PERIOD_MS = GRACE_PERIOD_DAYS * DAY_MS;

/** How early before the expiry an active member may renew. */
export const RENEWAL_WINDOW_DAYS = 60;
export const RENEWAL_WINDOW_MS = RENEWAL_WINDOW_DAYS * DAY_MS;

/**
 * The same instant one calendar year later (UTC). 29 February becomes 28 February, so a period never
 * spills into March.
 */
export function addOneCalendarYear(atMs: number): number {
  return shiftCalendarYears(atMs, 1);
}

/** The same day and time `years` later (or earlier), the day clamped to the month's length. */
function shiftCalendarYears(atMs: number, years: number): number {
  const d = new Date(atMs);
  const year = d.getUTCFullYear() + years;
  const month = d.getUTCMonth();
  const lastDayOfMonth = new Date(Date.UTC(year, month + 1, 0)).getUTCDate();
  const day = Math.min(d.getUTCDate(), lastDayOfMonth);
  return Date.UTC(year, month, day, d.getUTCHours(), d.getUTCMinutes(), d.getUTCSeconds(), d.getUTCMilliseconds());
}

/** The same instant one calendar year earlier (UTC), by the same rule: 29 February becomes 28 February. */
export function subtractOneCalendarYear(atMs: number): number {
  return shiftCalendarYears(atMs, -1);
}

/** When a period that starts at `startsAtMs` ends: one calendar year for annual terms, never for lifetime. */
export function periodExpiry(term: CategoryTerm, startsAtMs: number): number | null {
  return term === 'annual' ? addOneCalendarYear(startsAtMs) : null;
}

/** What a membership's status should be at `nowMs` from its expiry alone (for reinstatement). */
export function statusForPeriod(expiresAtMs: number | null, nowMs: number): 'active' | 'grace' | 'lapsed' {
  if (expiresAtMs === null || nowMs < expiresAtMs) return 'active';
  if (nowMs < expiresAtMs + GRACE_PERIOD_MS) return 'grace';
  return 'lapsed';
}

export type RenewalRefusal =
  | 'no-membership'
  | 'lifetime'
  | 'too-early'
  | 'pending'
  | 'suspended'
  | 'resigned'
  | 'changed';

export type RenewalCheck =
  | { allowed: true; newPeriodStartsAt: number; newExpiresAt: number }
  | { allowed: false; reason: RenewalRefusal };

/**
 * Whether a membership may be renewed at `nowMs`, and the new period if so: from active within
 * RENEWAL_WINDOW_DAYS of the expiry and from grace (extended from the expiry), from lapsed (a new year from now).
 */
export function checkRenewal(
  membership: { status: MembershipStatus; term: CategoryTerm; expiresAt: number | null } | null,
  nowMs: number,
): RenewalCheck {
  if (!membership) return { allowed: false, reason: 'no-membership' };
  const { status } = membership;
  if (status === 'pending' || status === 'suspended' || status === 'resigned')
    return { allowed: false, reason: status };
  if (membership.term === 'lifetime' || membership.expiresAt === null) return { allowed: false, reason: 'lifetime' };
  // Active and grace memberships are in good standing, so the new year continues from the expiry: no gap in
  // the membership and no free days for renewing late. A lapsed member was out for a while: a new year
  // starts today.
  if (status === 'active' || status === 'grace') {
    if (membership.expiresAt - nowMs > RENEWAL_WINDOW_MS) return { allowed: false, reason: 'too-early' };
    return {
      allowed: true,
      newPeriodStartsAt: membership.expiresAt,
      newExpiresAt: addOneCalendarYear(membership.expiresAt),
    };
  }
  return { allowed: true, newPeriodStartsAt: nowMs, newExpiresAt: addOneCalendarYear(nowMs) };
}
