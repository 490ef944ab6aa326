/**
 * The membership job: reminder mails 30 and 7 days before the expiry, active → grace once the expiry has
 * passed, grace → lapsed GRACE_PERIOD_DAYS later with a mail. It only reads the current state, so it can run
 * at any time, after any downtime, as often as wanted.
 *
 * Safe to run twice, or in two processes at once: each reminder is claimed by inserting its
 * membership_reminders row (primary key: user, kind, period expiry) and each status move is an update
 * conditional on the old status, each in its own transaction per member; only the run whose insert or update
 * took sends the mail. The mail is recorded after that transaction commits (the mailer may use its database
 * handle for background delivery after returning), so a crash in the moment between the commit and the
 * outbox insert loses that one mail rather than ever sending one twice.
 */
import { and, eq, gt, isNotNull, lte, or, sql } from 'drizzle-orm';
import type { Db, DbOrTx } from '#db/client.ts';
import { type MembershipStatus, membershipReminders, memberships, type ReminderKind, users } from '#db/schema/index.ts';
import { DAY_MS, formatLongDate } from '#src/lib/dates.ts';
import { GRACE_PERIOD_DAYS, GRACE_PERIOD_MS, statusForPeriod } from '#src/lib/membership-rules.ts';
import { writeAudit } from '../audit.ts';
import type { ServiceDeps } from './deps.ts';
import { recordMembershipEvent, syncMemberRole } from './membership-lifecycle.ts';

/** Reminders before the expiry, the later (more urgent) one first. */
export const REMINDER_LEAD_DAYS: { kind: ReminderKind; days: number }[] = [
  { kind: 'expires-in-7-days', days: 7 },
  { kind: 'expires-in-30-days', days: 30 },
];

export interface MembershipJobResult {
  reminded30: number;
  reminded7: number;
  movedToGrace: number;
  lapsed: number;
}

/** The earliest reminder, in days before the expiry. */
const FIRST_REMINDER_DAYS = Math.max(...REMINDER_LEAD_DAYS.map((r) => r.days));

/** One run of the membership job at `now`: the reminders due, then the expired memberships moved on. */
export async function runMembershipJob(db: Db, deps: ServiceDeps, now = Date.now()): Promise<MembershipJobResult> {
  const result: MembershipJobResult = { reminded30: 0, reminded7: 0, movedToGrace: 0, lapsed: 0 };
  await sendDueReminders(db, deps, now, result);
  await moveExpiredMemberships(db, deps, now, result);
  return result;
}

/**
 * Reminds active members whose expiry is near. A member within 7 days of the expiry gets the 7-day reminder
 * only, so someone approved or reinstated late is not sent both at once.
 */
async function sendDueReminders(db: Db, deps: ServiceDeps, now: number, result: MembershipJobResult): Promise<void> {
  const due = await db
    .select({
      userId: memberships.userId,
      expiresAt: memberships.expiresAt,
      // Reminders already sent for this period: skipped without a transaction (the claim still decides).
      // Written out with table names: Drizzle renders columns inside sql`` unqualified, which here made
      // "user_id" = "user_id" (always true) and mixed up members with the same expiry.
      sentKinds: sql<string | null>`(select group_concat("r"."kind") from "membership_reminders" "r"
        where "r"."user_id" = "memberships"."user_id" and "r"."period_expires_at" = "memberships"."expires_at")`,
    })
    .from(memberships)
    .where(
      and(
        eq(memberships.status, 'active'),
        isNotNull(memberships.expiresAt),
        gt(memberships.expiresAt, now),
        lte(memberships.expiresAt, now + FIRST_REMINDER_DAYS * DAY_MS),
      ),
    );
  for (const { userId, expiresAt, sentKinds } of due) {
    if (expiresAt === null) continue;
    const lead = REMINDER_LEAD_DAYS.find((r) => expiresAt - now <= r.days * DAY_MS);
    if (!lead || (sentKinds ?? '').split(',').includes(lead.kind)) continue;
    if (!(await claimReminder(db, userId, lead.kind, expiresAt, now))) continue;
    await sendReminderMail(db, deps, userId, lead.kind, expiresAt);
    if (lead.kind === 'expires-in-7-days') result.reminded7++;
    else result.reminded30++;
  }
}

/**
 * Active memberships past their expiry go to grace (or straight to lapsed when already past the grace
 * period, e.g. after downtime); grace memberships past the grace period lapse. Suspended and resigned
 * memberships are left as they are.
 */
async function moveExpiredMemberships(
  db: Db,
  deps: ServiceDeps,
  now: number,
  result: MembershipJobResult,
): Promise<void> {
  const expired = await db
    .select({ userId: memberships.userId, status: memberships.status, expiresAt: memberships.expiresAt })
    .from(memberships)
    .where(
      or(
        and(eq(memberships.status, 'active'), lte(memberships.expiresAt, now)),
        and(eq(memberships.status, 'grace'), lte(memberships.expiresAt, now - GRACE_PERIOD_MS)),
      ),
    );
  for (const { userId, status, expiresAt } of expired) {
    if (expiresAt === null) continue;
    const target = statusForPeriod(expiresAt, now);
    if (target === 'active' || target === status) continue;
    const outcome = await expireMembership(db, userId, status, target, expiresAt, now);
    if (!outcome.moved) continue;
    if (target === 'grace') result.movedToGrace++;
    else result.lapsed++;
    if (outcome.mail) await sendExpiryMail(db, deps, userId, target, expiresAt);
  }
}

/** Inserts the reminder's row; true when this run inserted it (and so is the one to send the mail). */
async function claimReminder(
  db: Db,
  userId: string,
  kind: ReminderKind,
  periodExpiresAt: number,
  now: number,
): Promise<boolean> {
  return db.transaction(async (tx) => {
    const inserted = await tx
      .insert(membershipReminders)
      .values({ userId, kind, periodExpiresAt, sentAt: now })
      .onConflictDoNothing()
      .returning({ userId: membershipReminders.userId });
    if (inserted.length === 0) return false;
    await writeAudit(
      tx,
      { actorId: null, action: 'membership.reminder-sent', subjectId: userId, details: { kind } },
      now,
    );
    return true;
  });
}

/**
 * Moves an expired membership on (active → grace, active or grace → lapsed), conditional on the status and
 * expiry read: 'moved' when this run moved it, and whether it should mail. A lapse also claims the 'lapsed'
 * reminder row, so the lapse mail goes at most once per period even if the status is moved back and forth.
 */
async function expireMembership(
  db: Db,
  userId: string,
  from: MembershipStatus,
  to: 'grace' | 'lapsed',
  expiresAt: number,
  now: number,
): Promise<{ moved: boolean; mail: boolean }> {
  return db.transaction(async (tx) => {
    const moved = await tx
      .update(memberships)
      .set({ status: to, statusChangedAt: now, statusReason: null })
      .where(and(eq(memberships.userId, userId), eq(memberships.status, from), eq(memberships.expiresAt, expiresAt)))
      .returning({ userId: memberships.userId });
    if (moved.length === 0) return { moved: false, mail: false };
    await syncMemberRole(tx, userId, to, null, now);
    const mail = to === 'grace' || (await claimLapseRow(tx, userId, expiresAt, now));
    await recordMembershipEvent(tx, {
      userId,
      at: now,
      actorId: null,
      kind: to,
      fromStatus: from,
      toStatus: to,
      reason: `Paid-up period ended ${formatLongDate(expiresAt)}`,
    });
    await writeAudit(
      tx,
      { actorId: null, action: `membership.${to}`, subjectId: userId, details: { fromStatus: from, expiresAt } },
      now,
    );
    return { moved: true, mail };
  });
}

async function claimLapseRow(tx: DbOrTx, userId: string, periodExpiresAt: number, now: number): Promise<boolean> {
  const inserted = await tx
    .insert(membershipReminders)
    .values({ userId, kind: 'lapsed', periodExpiresAt, sentAt: now })
    .onConflictDoNothing()
    .returning({ userId: membershipReminders.userId });
  return inserted.length === 1;
}

async function recipient(db: Db, userId: string): Promise<{ email: string; name: string } | null> {
  const [row] = await db
    .select({ email: users.email, name: users.name, erasedAt: users.erasedAt })
    .from(users)
    .where(eq(users.id, userId))
    .limit(1);
  return row && row.erasedAt === null ? { email: row.email, name: row.name } : null;
}

async function sendReminderMail(
  db: Db,
  deps: ServiceDeps,
  userId: string,
  kind: ReminderKind,
  expiresAt: number,
): Promise<void> {
  const to = await recipient(db, userId);
  if (!to) return;
  const days = kind === 'expires-in-7-days' ? 7 : 30;
  await deps.mailer.send(db, {
    to: to.email,
    subject: `Your IECPA membership expires in ${days} days`,
    text: [
      `Dear ${to.name},`,
      `Your IECPA membership expires on ${formatLongDate(expiresAt)}.`,
      `Renew it in one step on your membership page: ${deps.siteUrl}/membership/status`,
      'IECPA',
    ].join('\n\n'),
  });
}

async function sendExpiryMail(
  db: Db,
  deps: ServiceDeps,
  userId: string,
  to: 'grace' | 'lapsed',
  expiresAt: number,
): Promise<void> {
  const target = await recipient(db, userId);
  if (!target) return;
  const lapseDate = formatLongDate(expiresAt + GRACE_PERIOD_MS);
  const message =
    to === 'grace'
      ? {
          subject: 'Your IECPA membership has expired',
          lines: [
            `Your IECPA membership expired on ${formatLongDate(expiresAt)}.`,
            `You stay a member in good standing for ${GRACE_PERIOD_DAYS} more days; unless you renew, your membership lapses on ${lapseDate}.`,
          ],
        }
      : {
          subject: 'Your IECPA membership has lapsed',
          lines: [
            `Your IECPA membership expired on ${formatLongDate(expiresAt)} and was not renewed, so it has now lapsed.`,
            'You are no longer listed in the members’ directory. You can renew at any time and keep your membership number.',
          ],
        };
  await deps.mailer.send(db, {
    to: target.email,
    subject: message.subject,
    text: [
      `Dear ${target.name},`,
      ...message.lines,
      `Renew on your membership page: ${deps.siteUrl}/membership/status`,
      'IECPA',
    ].join('\n\n'),
  });
}
