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
 * | active (≤ 60 days left), grace | active            | the member renews: the period is extended from the current expiry |
 * | lapsed                   | active                  | the member renews: a new period starts today                  |
 * | active                   | grace                   | the scheduled job, once the expiry has passed                 |
 * | grace                    | lapsed                  | the scheduled job, GRACE_PERIOD_DAYS after the expiry (lapse mail) |
 * | active                   | lapsed                  | the scheduled job, when it first sees a membership already past the grace period (e.g. after downtime) |
 * | active, grace, lapsed    | suspended               | an admin suspends, with a reason                              |
 * | suspended                | active, grace or lapsed | an admin reinstates, with a reason; which one the period decides |
 * | active, grace, lapsed    | resigned                | the member resigns (after confirming)                         |
 * | any but resigned         | resigned                | an admin confirms the member's account closure (account-closure.ts) |
 *
 * Every change writes a history row (membership_events) and an audit row in the same transaction. Mail to
 * the member is recorded after the commit (the mailer may keep using the database handle it is given for
 * background delivery, which a finished transaction cannot serve), so a refused or rolled-back change
 * mails nobody.
 *
 * The `member` role (README, "Roles and access": every practitioner in good standing; it opens the members'
 * pages, the simulator's saved practice and the curriculum) follows the status: syncMemberRole grants it on a move into good
 * standing and takes it away on a move out (lapsed, suspended, resigned), in the same transaction.
 *
 * Lifetime categories have no expiry, so their members stay active until suspended or resigned.
 * Suspended and pending memberships cannot be renewed; a suspended member cannot be activated by an
 * application either (an admin reinstates first).
 */
import { and, desc, eq, isNull, sql } from 'drizzle-orm';
import type { Db, DbOrTx } from '#db/client.ts';
import { nextMembershipNumber } from '#db/membership-numbers.ts';
import {
  type CategoryTerm,
  type MembershipStatus,
  membershipCategories,
  membershipEvents,
  membershipPayments,
  memberships,
  userRoles,
  users,
} from '#db/schema/index.ts';
import { formatLongDate } from '#src/lib/dates.ts';
import {
  checkRenewal,
  isInGoodStanding,
  periodExpiry,
  RENEWAL_WINDOW_DAYS,
  type RenewalRefusal,
  statusForPeriod,
} from '#src/lib/membership-rules.ts';
import { writeAudit } from '../audit.ts';
import { newId } from '../ids.ts';
import { type Refusal, type RefusalCode, refuse } from '../refusal.ts';
import type { RequestMeta, ServiceDeps } from './deps.ts';

export type { DbOrTx };

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
  await syncMemberRole(tx, userId, 'active', actorId, now);

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

// ---------------------------------------------------------------- reading a membership

export interface MembershipSummary {
  userId: string;
  status: MembershipStatus;
  number: string | null;
  categoryId: string;
  categoryName: string;
  term: CategoryTerm;
  joinedAt: number | null;
  currentPeriodStartsAt: number | null;
  expiresAt: number | null;
  statusChangedAt: number;
  statusReason: string | null;
}

export interface MembershipHistoryItem {
  id: string;
  at: number;
  kind: string;
  fromStatus: string | null;
  toStatus: string | null;
  reason: string | null;
  /** Name of the user who acted; null for the scheduled job (and for erased users). */
  actorName: string | null;
}

export interface MembershipPaymentItem {
  id: string;
  reference: string;
  note: string;
  recordedAt: number;
  recordedByName: string | null;
}

export async function getMembershipSummary(db: DbOrTx, userId: string): Promise<MembershipSummary | null> {
  const [row] = await db
    .select({
      userId: memberships.userId,
      status: memberships.status,
      number: memberships.number,
      categoryId: memberships.categoryId,
      categoryName: membershipCategories.name,
      term: membershipCategories.term,
      joinedAt: memberships.joinedAt,
      currentPeriodStartsAt: memberships.currentPeriodStartsAt,
      expiresAt: memberships.expiresAt,
      statusChangedAt: memberships.statusChangedAt,
      statusReason: memberships.statusReason,
    })
    .from(memberships)
    .innerJoin(membershipCategories, eq(membershipCategories.id, memberships.categoryId))
    .where(eq(memberships.userId, userId))
    .limit(1);
  return row ?? null;
}

/** The member's history, newest first. */
export async function getMembershipHistory(db: DbOrTx, userId: string): Promise<MembershipHistoryItem[]> {
  return (
    db
      .select({
        id: membershipEvents.id,
        at: membershipEvents.at,
        kind: membershipEvents.kind,
        fromStatus: membershipEvents.fromStatus,
        toStatus: membershipEvents.toStatus,
        reason: membershipEvents.reason,
        actorName: users.name,
      })
      .from(membershipEvents)
      .leftJoin(users, eq(users.id, membershipEvents.actorId))
      .where(eq(membershipEvents.userId, userId))
      // Same-millisecond events in the order they were written (rowid), not by their random ids.
      .orderBy(desc(membershipEvents.at), desc(sql`"membership_events"."rowid"`))
  );
}

export async function getMembershipPayments(db: DbOrTx, userId: string): Promise<MembershipPaymentItem[]> {
  return db
    .select({
      id: membershipPayments.id,
      reference: membershipPayments.reference,
      note: membershipPayments.note,
      recordedAt: membershipPayments.recordedAt,
      recordedByName: users.name,
    })
    .from(membershipPayments)
    .leftJoin(users, eq(users.id, membershipPayments.recordedBy))
    .where(eq(membershipPayments.userId, userId))
    .orderBy(desc(membershipPayments.recordedAt), desc(sql`"membership_payments"."rowid"`));
}

// ---------------------------------------------------------------- renewal and resignation (the member)

export const RENEWAL_REFUSAL_MESSAGES: Record<RenewalRefusal, string> = {
  'no-membership': 'You have no membership to renew. Apply for membership first.',
  lifetime: 'Your membership is for life: there is nothing to renew.',
  'too-early': `You can renew from ${RENEWAL_WINDOW_DAYS} days before your membership expires.`,
  pending: 'Your application is still being reviewed: there is nothing to renew yet.',
  suspended: 'A suspended membership cannot be renewed. Contact the association.',
  resigned: 'You resigned from the association. To rejoin, apply again: you keep your membership number.',
  changed: 'Your membership changed while you were renewing. Reload the page and try again.',
};

/** A lifecycle change's result: the membership after it, or the refusal the person reads. */
export type LifecycleResult = { ok: true; summary: MembershipSummary } | Refusal;

/** Codes of the reasons that are not a plain BAD_REQUEST. */
const REASON_CODES: Readonly<Record<string, RefusalCode>> = {
  'no-membership': 'NOT_FOUND',
  'no-such-user': 'NOT_FOUND',
  changed: 'CONFLICT',
};

/** A refusal for `reason`, with its message from the operation's table. */
function lifecycleRefusal<R extends string>(reason: R, messages: Readonly<Record<R, string>>): Refusal {
  return refuse(REASON_CODES[reason] ?? 'BAD_REQUEST', messages[reason]);
}

interface MailTarget {
  email: string;
  name: string;
}

async function mailTargetOf(db: DbOrTx, userId: string): Promise<MailTarget | null> {
  const [row] = await db
    .select({ email: users.email, name: users.name, erasedAt: users.erasedAt })
    .from(users)
    .where(eq(users.id, userId))
    .limit(1);
  if (!row || row.erasedAt !== null) return null;
  return { email: row.email, name: row.name };
}

/** Formats a date for mail and pages: 10 May 2027 (UTC, the dates the portal stores). */

async function mailMember(
  db: Db,
  deps: ServiceDeps,
  userId: string,
  subject: string,
  paragraphs: (target: MailTarget) => string[],
): Promise<void> {
  const target = await mailTargetOf(db, userId);
  if (!target) return;
  const body = [`Dear ${target.name},`, ...paragraphs(target), `Your membership: ${deps.siteUrl}/membership/status`];
  await deps.mailer.send(db, { to: target.email, subject, text: `${body.join('\n\n')}\n\nIECPA` });
}

/**
 * Renews the member's own membership by one year (see checkRenewal). The status update is conditional on
 * the status and expiry read, so two renewals at once extend the period once.
 */
export async function renewMembership(
  db: Db,
  deps: ServiceDeps,
  userId: string,
  meta: RequestMeta,
  now = Date.now(),
): Promise<LifecycleResult> {
  const outcome = await db.transaction(async (tx) => {
    const current = await getMembershipSummary(tx, userId);
    const check = checkRenewal(current, now);
    if (!check.allowed || !current)
      return lifecycleRefusal(check.allowed ? 'no-membership' : check.reason, RENEWAL_REFUSAL_MESSAGES);
    const updated = await tx
      .update(memberships)
      .set({
        status: 'active',
        currentPeriodStartsAt: check.newPeriodStartsAt,
        expiresAt: check.newExpiresAt,
        statusChangedAt: now,
        statusReason: null,
      })
      .where(
        and(
          eq(memberships.userId, userId),
          eq(memberships.status, current.status),
          current.expiresAt === null ? isNull(memberships.expiresAt) : eq(memberships.expiresAt, current.expiresAt),
        ),
      )
      .returning({ userId: memberships.userId });
    if (updated.length === 0) return lifecycleRefusal('changed', RENEWAL_REFUSAL_MESSAGES);
    await syncMemberRole(tx, userId, 'active', userId, now);
    await recordMembershipEvent(tx, {
      userId,
      at: now,
      actorId: userId,
      kind: 'renewed',
      fromStatus: current.status,
      toStatus: 'active',
      reason: `Paid up until ${formatLongDate(check.newExpiresAt)}`,
    });
    await writeAudit(
      tx,
      {
        actorId: userId,
        action: 'membership.renewed',
        subjectId: userId,
        ipAddress: meta.ipAddress,
        details: { fromStatus: current.status, previousExpiresAt: current.expiresAt, expiresAt: check.newExpiresAt },
      },
      now,
    );
    return { ok: true, expiresAt: check.newExpiresAt } as const;
  });
  if (!outcome.ok) return outcome;
  await mailMember(db, deps, userId, 'Your IECPA membership is renewed', () => [
    `Thank you for renewing your membership. It now runs until ${formatLongDate(outcome.expiresAt)}.`,
    'No payment is taken on the portal: if the association asks for a membership fee, it will write to you.',
  ]);
  return { ok: true, summary: await requireSummary(db, userId) };
}

async function requireSummary(db: DbOrTx, userId: string): Promise<MembershipSummary> {
  const summary = await getMembershipSummary(db, userId);
  if (!summary) throw new Error(`membership of ${userId} vanished`);
  return summary;
}

export type ResignRefusal = 'no-membership' | 'not-resignable' | 'changed';

export const RESIGN_REFUSAL_MESSAGES: Record<ResignRefusal, string> = {
  'no-membership': 'You have no membership to resign from.',
  'not-resignable': 'This membership cannot be resigned in its current status. Contact the association.',
  changed: 'Your membership changed meanwhile. Reload the page and try again.',
};

/** Statuses a member may resign from. */
export const RESIGNABLE: MembershipStatus[] = ['active', 'grace', 'lapsed'];

/** The member resigns (after confirming on the page). The number stays theirs should they return. */
export async function resignMembership(
  db: Db,
  deps: ServiceDeps,
  userId: string,
  meta: RequestMeta,
  now = Date.now(),
): Promise<LifecycleResult> {
  const outcome = await db.transaction(async (tx) => {
    const current = await getMembershipSummary(tx, userId);
    if (!current) return lifecycleRefusal('no-membership', RESIGN_REFUSAL_MESSAGES);
    if (!RESIGNABLE.includes(current.status)) return lifecycleRefusal('not-resignable', RESIGN_REFUSAL_MESSAGES);
    const moved = await changeStatus(tx, {
      userId,
      from: current.status,
      to: 'resigned',
      kind: 'resigned',
      actorId: userId,
      reason: null,
      ipAddress: meta.ipAddress,
      now,
    });
    if (!moved) return lifecycleRefusal('changed', RESIGN_REFUSAL_MESSAGES);
    return { ok: true } as const;
  });
  if (!outcome.ok) return outcome;
  await mailMember(db, deps, userId, 'You have resigned from IECPA', () => [
    'Your resignation is recorded: you are no longer a member and are no longer listed in the directory.',
    'Your account stays open. You are welcome to apply again at any time; you would keep your membership number.',
  ]);
  return { ok: true, summary: await requireSummary(db, userId) };
}

/**
 * Grants the `member` role when `status` is in good standing and takes it away otherwise; audited when it
 * changes anything. Called by every status change, inside its transaction.
 */
export async function syncMemberRole(
  tx: DbOrTx,
  userId: string,
  status: MembershipStatus,
  actorId: string | null,
  now: number,
): Promise<void> {
  const changed = isInGoodStanding(status)
    ? await tx
        .insert(userRoles)
        .values({ userId, role: 'member', grantedAt: now, grantedBy: actorId })
        .onConflictDoNothing()
        .returning({ userId: userRoles.userId })
    : await tx
        .delete(userRoles)
        .where(and(eq(userRoles.userId, userId), eq(userRoles.role, 'member')))
        .returning({ userId: userRoles.userId });
  if (changed.length === 0) return;
  await writeAudit(
    tx,
    {
      actorId,
      action: isInGoodStanding(status) ? 'role.granted' : 'role.revoked',
      subjectId: userId,
      details: { role: 'member', membershipStatus: status },
    },
    now,
  );
}

/** A status change made by a person: the member (resign) or an admin (suspend, reinstate). */
interface StatusChange {
  userId: string;
  from: MembershipStatus;
  to: MembershipStatus;
  /** The history event and the audit action (membership.<kind>). */
  kind: 'resigned' | 'suspended' | 'reinstated';
  actorId: string;
  reason: string | null;
  ipAddress: string;
  now: number;
}

/**
 * Moves the status only if it is still `from` (a conditional update), then keeps the member role in step
 * and records the history event and the audit row. False, with nothing written, when someone else moved it.
 */
async function changeStatus(tx: DbOrTx, change: StatusChange): Promise<boolean> {
  const { userId, from, to, kind, actorId, reason, now } = change;
  const moved = await tx
    .update(memberships)
    .set({ status: to, statusChangedAt: now, statusReason: reason })
    .where(and(eq(memberships.userId, userId), eq(memberships.status, from)))
    .returning({ userId: memberships.userId });
  if (moved.length !== 1) return false;
  await syncMemberRole(tx, userId, to, actorId, now);
  await recordMembershipEvent(tx, { userId, at: now, actorId, kind, fromStatus: from, toStatus: to, reason });
  await writeAudit(
    tx,
    {
      actorId,
      action: `membership.${kind}`,
      subjectId: userId,
      ipAddress: change.ipAddress,
      details: { fromStatus: from, toStatus: to, ...(reason === null ? {} : { reason }) },
    },
    now,
  );
  return true;
}

// ---------------------------------------------------------------- admin: suspend, reinstate, payments

export const REASON_MAX = 1000;
export const PAYMENT_REFERENCE_MAX = 120;

export interface MemberForAdmin {
  user: { id: string; name: string; email: string; country: string; erased: boolean };
  membership: MembershipSummary | null;
  history: MembershipHistoryItem[];
  payments: MembershipPaymentItem[];
}

/** One member's record for the admin page; null when there is no such user. */
export async function getMemberForAdmin(db: Db, userId: string): Promise<MemberForAdmin | null> {
  const [user] = await db
    .select({ id: users.id, name: users.name, email: users.email, country: users.country, erasedAt: users.erasedAt })
    .from(users)
    .where(eq(users.id, userId))
    .limit(1);
  if (!user) return null;
  return {
    user: { id: user.id, name: user.name, email: user.email, country: user.country, erased: user.erasedAt !== null },
    membership: await getMembershipSummary(db, userId),
    history: await getMembershipHistory(db, userId),
    payments: await getMembershipPayments(db, userId),
  };
}

export type AdminRefusal = 'no-such-user' | 'no-membership' | 'not-allowed' | 'changed';

export const ADMIN_REFUSAL_MESSAGES: Record<AdminRefusal, string> = {
  'no-such-user': 'That user does not exist.',
  'no-membership': 'That user has no membership.',
  'not-allowed': 'That change is not possible in the membership’s current status.',
  changed: 'The membership changed meanwhile. Reload the page and try again.',
};

/** Statuses an admin may suspend. */
const SUSPENDABLE: MembershipStatus[] = ['active', 'grace', 'lapsed'];

export async function suspendMembership(
  db: Db,
  deps: ServiceDeps,
  actorId: string,
  input: { userId: string; reason: string },
  meta: RequestMeta,
  now = Date.now(),
): Promise<LifecycleResult> {
  const outcome = await db.transaction(async (tx) => {
    const current = await memberOrRefusal(tx, input.userId);
    if ('refusal' in current) return lifecycleRefusal(current.refusal, ADMIN_REFUSAL_MESSAGES);
    if (!SUSPENDABLE.includes(current.status)) return lifecycleRefusal('not-allowed', ADMIN_REFUSAL_MESSAGES);
    const moved = await changeStatus(tx, {
      userId: input.userId,
      from: current.status,
      to: 'suspended',
      kind: 'suspended',
      actorId,
      reason: input.reason,
      ipAddress: meta.ipAddress,
      now,
    });
    if (!moved) return lifecycleRefusal('changed', ADMIN_REFUSAL_MESSAGES);
    return { ok: true } as const;
  });
  if (!outcome.ok) return outcome;
  await mailMember(db, deps, input.userId, 'Your IECPA membership is suspended', () => [
    'The association has suspended your membership. While it is suspended you are not listed in the directory and cannot renew.',
    `The reason given: ${input.reason}`,
    'If you think this is a mistake, reply to the association.',
  ]);
  return { ok: true, summary: await requireSummary(db, input.userId) };
}

/**
 * Lifts a suspension. The membership goes back to active, or to grace or lapsed when its period ran out
 * meanwhile (statusForPeriod), so a suspension never extends or shortens the paid-up period.
 */
export async function reinstateMembership(
  db: Db,
  deps: ServiceDeps,
  actorId: string,
  input: { userId: string; reason: string },
  meta: RequestMeta,
  now = Date.now(),
): Promise<LifecycleResult> {
  const outcome = await db.transaction(async (tx) => {
    const current = await memberOrRefusal(tx, input.userId);
    if ('refusal' in current) return lifecycleRefusal(current.refusal, ADMIN_REFUSAL_MESSAGES);
    if (current.status !== 'suspended') return lifecycleRefusal('not-allowed', ADMIN_REFUSAL_MESSAGES);
    const to = statusForPeriod(current.expiresAt, now);
    const moved = await changeStatus(tx, {
      userId: input.userId,
      from: 'suspended',
      to,
      kind: 'reinstated',
      actorId,
      reason: input.reason,
      ipAddress: meta.ipAddress,
      now,
    });
    if (!moved) return lifecycleRefusal('changed', ADMIN_REFUSAL_MESSAGES);
    return { ok: true, to, expiresAt: current.expiresAt } as const;
  });
  if (!outcome.ok) return outcome;
  await mailMember(db, deps, input.userId, 'Your IECPA membership is reinstated', () => [
    'The association has lifted the suspension of your membership.',
    `The reason given: ${input.reason}`,
    outcome.to === 'active'
      ? 'Your membership is active again.'
      : `Your membership period ended on ${formatLongDate(outcome.expiresAt ?? now)}: renew it to be a member in good standing.`,
  ]);
  return { ok: true, summary: await requireSummary(db, input.userId) };
}

async function memberOrRefusal(
  tx: DbOrTx,
  userId: string,
): Promise<MembershipSummary | { refusal: 'no-such-user' | 'no-membership' }> {
  const [user] = await tx.select({ id: users.id }).from(users).where(eq(users.id, userId)).limit(1);
  if (!user) return { refusal: 'no-such-user' };
  const summary = await getMembershipSummary(tx, userId);
  return summary ?? { refusal: 'no-membership' };
}

/** An admin records a payment reference (no payment provider yet); the member is told. */
export async function recordMembershipPayment(
  db: Db,
  deps: ServiceDeps,
  actorId: string,
  input: { userId: string; reference: string; note: string },
  meta: RequestMeta,
  now = Date.now(),
): Promise<LifecycleResult> {
  const outcome = await db.transaction(async (tx) => {
    const current = await memberOrRefusal(tx, input.userId);
    if ('refusal' in current) return lifecycleRefusal(current.refusal, ADMIN_REFUSAL_MESSAGES);
    const id = newId();
    await tx.insert(membershipPayments).values({
      id,
      userId: input.userId,
      reference: input.reference,
      note: input.note,
      recordedBy: actorId,
      recordedAt: now,
    });
    await recordMembershipEvent(tx, {
      userId: input.userId,
      at: now,
      actorId,
      kind: 'payment-recorded',
      fromStatus: current.status,
      toStatus: current.status,
      reason: `Reference ${input.reference}`,
    });
    await writeAudit(
      tx,
      {
        actorId,
        action: 'membership.payment-recorded',
        subjectId: input.userId,
        ipAddress: meta.ipAddress,
        details: { paymentId: id, reference: input.reference },
      },
      now,
    );
    return { ok: true } as const;
  });
  if (!outcome.ok) return outcome;
  await mailMember(db, deps, input.userId, 'Your IECPA payment is recorded', () => [
    `The association has recorded your payment with the reference ${input.reference}.`,
    ...(input.note ? [`Note: ${input.note}`] : []),
  ]);
  return { ok: true, summary: await requireSummary(db, input.userId) };
}
