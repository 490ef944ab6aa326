/**
 * The membership lifecycle: statuses, the transitions between them, membership numbers and periods.
 *
 * | from                     | to                      | caused by                                                    |
 * |--------------------------|-------------------------|--------------------------------------------------------------|
 * | (no row)                 | pending                 | the user submits a first application (createPendingMembership) |
 * | pending                  | (row removed)           | an admin rejects that first application (discardPendingMembership) |
 * | (no row), pending        | active                  | an admin approves an application (activateMembership): number and first period |
 * | lapsed, resigned         | active                  | an admin approves a new application; the number is kept, a new period starts |
 * | active, grace            | active                  | an admin approves an application for another category; number kept |
 * | active (≤ 60 days left)  | active                  | the member renews: the period is extended from the current expiry |
 * | grace, lapsed            | active                  | the member renews: a new period starts today                  |
 * | active                   | grace                   | the scheduled job, once the expiry has passed                 |
 * | grace                    | lapsed                  | the scheduled job, GRACE_PERIOD_DAYS after the expiry (lapse mail) |
 * | active, grace, lapsed    | suspended               | an admin suspends, with a reason                              |
 * | suspended                | active, grace or lapsed | an admin reinstates, with a reason; which one the period decides |
 * | active, grace, lapsed    | resigned                | the member resigns (after confirming)                         |
 *
 * Lifetime categories have no expiry, so their members stay active until suspended or resigned.
 * Suspended and pending memberships cannot be renewed; a suspended member cannot be activated by an
 * application either (an admin reinstates first).
 */
import { and, eq, sql } from 'drizzle-orm';
import type { Db } from '#db/client.ts';
import {
  type CategoryTerm,
  type MembershipStatus,
  membershipCategories,
  membershipEvents,
  membershipNumberSequences,
  memberships,
} from '#db/schema/index.ts';
import { writeAudit } from '../audit.ts';
import { newId } from '../ids.ts';
import type { DbOrTx } from './handbook.ts';

export type { DbOrTx };

/** Members in good standing: counted as members (directory, member-only pages). */
export const IN_GOOD_STANDING: MembershipStatus[] = ['active', 'grace'];

export function isInGoodStanding(status: MembershipStatus | null | undefined): boolean {
  return status !== null && status !== undefined && IN_GOOD_STANDING.includes(status);
}

const DAY_MS = 24 * 60 * 60 * 1000;

/**
 * Days after the expiry during which a member keeps good standing before the membership lapses. This is the
 * association's own rule (a policy choice for the portal), not a sourced fact; change it here.
 */
export const GRACE_PERIOD_DAYS = 30;
export const GRACE_PERIOD_MS = GRACE_PERIOD_DAYS * DAY_MS;

/** How early before the expiry an active member may renew (association rule, like the grace period). */
export const RENEWAL_WINDOW_DAYS = 60;
export const RENEWAL_WINDOW_MS = RENEWAL_WINDOW_DAYS * DAY_MS;

/**
 * The same instant one calendar year later (UTC). 29 February becomes 28 February, so a period never
 * spills into March.
 */
export function addOneCalendarYear(atMs: number): number {
  const d = new Date(atMs);
  const year = d.getUTCFullYear() + 1;
  const month = d.getUTCMonth();
  const lastDayOfMonth = new Date(Date.UTC(year, month + 1, 0)).getUTCDate();
  const day = Math.min(d.getUTCDate(), lastDayOfMonth);
  return Date.UTC(year, month, day, d.getUTCHours(), d.getUTCMinutes(), d.getUTCSeconds(), d.getUTCMilliseconds());
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

/** Formats a membership number: IECPA-<year>-<5 digits>. */
export function formatMembershipNumber(year: number, sequence: number): string {
  return `IECPA-${year}-${String(sequence).padStart(5, '0')}`;
}

export interface MembershipEventInput {
  userId: string;
  at: number;
  /** The user who acted; null for the scheduled job. */
  actorId: string | null;
  /** e.g. 'applied', 'approved', 'category-changed', 'renewed', 'grace', 'lapsed', 'suspended'. */
  kind: string;
  fromStatus: MembershipStatus | null;
  toStatus: MembershipStatus | null;
  reason?: string | null;
}

/** Appends one row to the member's history (membership_events). */
export async function recordMembershipEvent(tx: DbOrTx, event: MembershipEventInput): Promise<void> {
  await tx.insert(membershipEvents).values({
    id: newId(),
    userId: event.userId,
    at: event.at,
    actorId: event.actorId,
    kind: event.kind,
    fromStatus: event.fromStatus,
    toStatus: event.toStatus,
    reason: event.reason ?? null,
  });
}

/** Thrown when a lifecycle function is asked for a transition the table above does not allow. */
export class MembershipTransitionError extends Error {
  readonly reason: 'no-such-category' | 'suspended';
  constructor(reason: 'no-such-category' | 'suspended', message: string) {
    super(message);
    this.name = 'MembershipTransitionError';
    this.reason = reason;
  }
}

/**
 * Creates the pending membership row when a user submits a first application (no number, no period).
 * A no-op when the user already has a membership row in any status. Writes the history event and the audit
 * row when it creates one.
 */
export async function createPendingMembership(
  tx: DbOrTx,
  input: { userId: string; categoryId: string; now: number },
): Promise<void> {
  const inserted = await tx
    .insert(memberships)
    .values({
      userId: input.userId,
      categoryId: input.categoryId,
      number: null,
      status: 'pending',
      joinedAt: null,
      currentPeriodStartsAt: null,
      expiresAt: null,
      statusChangedAt: input.now,
      statusReason: null,
    })
    .onConflictDoNothing()
    .returning({ userId: memberships.userId });
  if (inserted.length === 0) return;
  await recordMembershipEvent(tx, {
    userId: input.userId,
    at: input.now,
    actorId: input.userId,
    kind: 'applied',
    fromStatus: null,
    toStatus: 'pending',
  });
  await writeAudit(
    tx,
    {
      actorId: input.userId,
      action: 'membership.pending',
      subjectId: input.userId,
      details: { categoryId: input.categoryId },
    },
    input.now,
  );
}

/** Takes the next number of `year` from membership_number_sequences (inside the caller's transaction). */
async function nextMembershipNumber(tx: DbOrTx, year: number): Promise<string> {
  const [row] = await tx
    .insert(membershipNumberSequences)
    .values({ year, lastNumber: 1 })
    .onConflictDoUpdate({
      target: membershipNumberSequences.year,
      set: { lastNumber: sql`${membershipNumberSequences.lastNumber} + 1` },
    })
    .returning({ lastNumber: membershipNumberSequences.lastNumber });
  if (!row) throw new Error('membership number sequence returned no row');
  return formatMembershipNumber(year, row.lastNumber);
}

/**
 * Makes the user an active member of `categoryId` after an approved application, inside the caller's
 * transaction. Without a row or from pending: assigns the next number (IECPA-<UTC year of now>-NNNNN),
 * sets joinedAt and a first period from the category's term. From lapsed or resigned: keeps the number and
 * starts a new period. From active or grace (another category): keeps the number; keeps the period when
 * both old and new terms are annual and the member is active, otherwise starts a new one. From suspended:
 * throws MembershipTransitionError (an admin reinstates first); also for an unknown category.
 * Writes the history event and the audit row ('membership.activated'). Sends no mail: the approval mail is
 * the caller's.
 */
export async function activateMembership(
  tx: DbOrTx,
  input: { userId: string; categoryId: string; actorId: string; now: number },
): Promise<{ number: string }> {
  const { userId, categoryId, actorId, now } = input;
  const [category] = await tx
    .select({ term: membershipCategories.term })
    .from(membershipCategories)
    .where(eq(membershipCategories.id, categoryId))
    .limit(1);
  if (!category) throw new MembershipTransitionError('no-such-category', `No membership category ${categoryId}.`);
  const [current] = await tx.select().from(memberships).where(eq(memberships.userId, userId)).limit(1);
  if (current?.status === 'suspended') {
    throw new MembershipTransitionError('suspended', 'A suspended membership must be reinstated first.');
  }
  const number = current?.number ?? (await nextMembershipNumber(tx, new Date(now).getUTCFullYear()));
  const fromStatus = current?.status ?? null;

  let periodStartsAt = now;
  let expiresAt = periodExpiry(category.term, now);
  const keepsPeriod =
    current !== undefined &&
    current.status === 'active' &&
    category.term === 'annual' &&
    current.expiresAt !== null &&
    current.currentPeriodStartsAt !== null;
  if (keepsPeriod) {
    periodStartsAt = current.currentPeriodStartsAt ?? now;
    expiresAt = current.expiresAt;
  }
  const values = {
    categoryId,
    number,
    status: 'active' as const,
    joinedAt: current?.joinedAt ?? now,
    currentPeriodStartsAt: periodStartsAt,
    expiresAt,
    statusChangedAt: now,
    statusReason: null,
  };
  if (current) await tx.update(memberships).set(values).where(eq(memberships.userId, userId));
  else await tx.insert(memberships).values({ userId, ...values });

  const kind = fromStatus === 'active' || fromStatus === 'grace' ? 'category-changed' : 'approved';
  await recordMembershipEvent(tx, {
    userId,
    at: now,
    actorId,
    kind,
    fromStatus,
    toStatus: 'active',
    reason: current && current.categoryId !== categoryId ? `Category: ${categoryId}` : null,
  });
  await writeAudit(
    tx,
    {
      actorId,
      action: 'membership.activated',
      subjectId: userId,
      details: { number, categoryId, fromStatus, expiresAt },
    },
    now,
  );
  return { number };
}

/**
 * Removes the pending membership of a user whose first application was rejected (the history keeps the
 * events). A no-op for any other status, so rejecting a member's application for another category leaves
 * the membership alone.
 */
export async function discardPendingMembership(
  tx: DbOrTx,
  input: { userId: string; actorId: string; now: number; reason: string },
): Promise<void> {
  const deleted = await tx
    .delete(memberships)
    .where(and(eq(memberships.userId, input.userId), eq(memberships.status, 'pending')))
    .returning({ userId: memberships.userId });
  if (deleted.length === 0) return;
  await recordMembershipEvent(tx, {
    userId: input.userId,
    at: input.now,
    actorId: input.actorId,
    kind: 'application-rejected',
    fromStatus: 'pending',
    toStatus: null,
    reason: input.reason,
  });
  await writeAudit(
    tx,
    { actorId: input.actorId, action: 'membership.pending-discarded', subjectId: input.userId },
    input.now,
  );
}

/** The mailer's `send` takes the database type; a transaction has the insert/update it uses. */
export function asMailDb(tx: DbOrTx): Db {
  return tx as unknown as Db;
}
