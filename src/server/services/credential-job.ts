/**
 * The credentials job (hourly, like the membership job; idempotent): awards to members who now meet a
 * definition's requirements, expiry reminders 90/60/30/7 days before (each once per period, claimed by a
 * credential_reminders row), maintenance due, recertification from the expiry, expiry, and what a lapse
 * of membership does. It reads only current state, so it can run at any time and as often as wanted; every
 * move is conditional on the status read (credentials.ts), so two runs at once move nothing twice.
 */
import { and, eq, gt, inArray, isNull, lte, sql } from 'drizzle-orm';
import type { Db } from '#db/client.ts';
import {
  CREDENTIAL_REMINDER_DAYS,
  credentialReminders,
  credentials,
  examAttempts,
  exams,
  memberships,
  users,
} from '#db/schema/index.ts';
import {
  maintenanceOutlook,
  type OutlookInput,
  reminderMail,
  YEAR_END_REMINDER_DAYS,
  yearEndGap,
  yearEndMail,
} from '#src/lib/credential-outlook.ts';
import { cycleYears } from '#src/lib/credential-rules.ts';
import { DAY_MS } from '#src/lib/dates.ts';
import { isInGoodStanding } from '#src/lib/membership-rules.ts';
import { writeAudit } from '../audit.ts';
import {
  awardIfEligible,
  evaluateMaintenance,
  expire,
  followMembership,
  getDefinitionVersion,
  listCurrentDefinitions,
  mailHolder,
  moveByDates,
  recertify,
} from './credentials.ts';
import type { ServiceDeps } from './deps.ts';

export interface CredentialJobResult {
  awarded: number;
  reminded: Record<string, number>;
  /** Mails that a credential year (not the last) ends soon without a part required each year. */
  yearEndReminded: number;
  maintenanceDue: number;
  recertified: number;
  expired: number;
  suspendedForMembership: number;
  reinstatedForMembership: number;
}

export async function runCredentialJob(db: Db, deps: ServiceDeps, now = Date.now()): Promise<CredentialJobResult> {
  const result: CredentialJobResult = {
    awarded: 0,
    reminded: Object.fromEntries(CREDENTIAL_REMINDER_DAYS.map((d) => [String(d), 0])),
    yearEndReminded: 0,
    maintenanceDue: 0,
    recertified: 0,
    expired: 0,
    suspendedForMembership: 0,
    reinstatedForMembership: 0,
  };
  await awardEligible(db, deps, now, result);
  await followMemberships(db, deps, now, result);
  await recertifyOrExpire(db, deps, now, result);
  await sendReminders(db, deps, now, result);
  await sendYearEndReminders(db, deps, now, result);
  return result;
}

/**
 * Candidates for an award: members with a passed attempt at a definition's theory exam (the rarest
 * requirement) and no current credential of that definition; the others are checked in full.
 */
async function awardEligible(db: Db, deps: ServiceDeps, now: number, result: CredentialJobResult): Promise<void> {
  for (const version of await listCurrentDefinitions(db)) {
    const slug = version.requirements.theoryExamSlug;
    const candidates = slug
      ? await db
          .selectDistinct({ userId: examAttempts.candidateId })
          .from(examAttempts)
          .innerJoin(exams, eq(exams.id, examAttempts.examId))
          .innerJoin(users, eq(users.id, examAttempts.candidateId))
          .where(and(eq(exams.slug, slug), eq(examAttempts.passed, true), isNull(users.erasedAt)))
      : await db
          .select({ userId: memberships.userId })
          .from(memberships)
          .where(inArray(memberships.status, ['active', 'grace']));
    for (const { userId } of candidates) {
      const [held] = await db
        .select({ status: credentials.status })
        .from(credentials)
        .where(and(eq(credentials.userId, userId), eq(credentials.definitionId, version.definitionId)));
      if (held && held.status !== 'expired') continue;
      const award = await awardIfEligible(db, deps, userId, version, null, now);
      if (award.ok && award.awarded) result.awarded++;
    }
  }
}

async function followMemberships(db: Db, deps: ServiceDeps, now: number, result: CredentialJobResult): Promise<void> {
  const rows = await db
    .select({ credential: credentials, membershipStatus: memberships.status })
    .from(credentials)
    .leftJoin(memberships, eq(memberships.userId, credentials.userId))
    .where(inArray(credentials.status, ['certified', 'maintenance-due', 'suspended']));
  for (const { credential, membershipStatus } of rows) {
    const version = await getDefinitionVersion(db, credential.versionId);
    if (version?.membershipLapse !== 'suspend') continue;
    const moved = await followMembership(db, deps, credential, isInGoodStanding(membershipStatus), now);
    if (moved === 'suspended') result.suspendedForMembership++;
    if (moved === 'reinstated') result.reinstatedForMembership++;
  }
}

/** Recertifies whoever met maintenance, expires the others at expiry, and marks maintenance due. */
async function recertifyOrExpire(db: Db, deps: ServiceDeps, now: number, result: CredentialJobResult): Promise<void> {
  const rows = await db
    .select()
    .from(credentials)
    .where(inArray(credentials.status, ['certified', 'maintenance-due', 'inactive']));
  for (const row of rows) {
    if (row.expiresAt === null || row.periodStartsAt === null) continue;
    const version = await getDefinitionVersion(db, row.versionId);
    if (!version) continue;
    const maintenance = await evaluateMaintenance(
      db,
      row.userId,
      version.maintenance,
      row.periodStartsAt,
      row.expiresAt,
    );
    // Renewal once the period's last year has begun (and so once per period): with the usual rule it cannot
    // be met earlier, and a rule that asks nothing would otherwise renew on every run.
    const lastYear = cycleYears(row.periodStartsAt, row.expiresAt).at(-1);
    if (row.status !== 'inactive' && maintenance.met && lastYear !== undefined && now >= lastYear.from) {
      if (await recertify(db, deps, row, version, now)) result.recertified++;
      continue;
    }
    if (now >= row.expiresAt) {
      if (await expire(db, deps, row, now)) result.expired++;
      continue;
    }
    if (row.status !== 'inactive' && (await moveByDates(db, row, now)) === 'maintenance-due') result.maintenanceDue++;
  }
}

/**
 * One reminder per lead time and period: the most urgent one due (a credential first seen 20 days before
 * its expiry gets the 30-day reminder only, not 90, 60 and 30 at once).
 */
async function sendReminders(db: Db, deps: ServiceDeps, now: number, result: CredentialJobResult): Promise<void> {
  const first = Math.max(...CREDENTIAL_REMINDER_DAYS);
  const due = await db
    .select()
    .from(credentials)
    .where(
      and(
        inArray(credentials.status, ['certified', 'maintenance-due']),
        gt(credentials.expiresAt, now),
        lte(credentials.expiresAt, now + first * DAY_MS),
      ),
    );
  for (const row of due) {
    if (row.expiresAt === null || row.periodStartsAt === null) continue;
    const left = row.expiresAt - now;
    const lead = [...CREDENTIAL_REMINDER_DAYS].sort((a, b) => a - b).find((d) => left <= d * DAY_MS);
    if (lead === undefined) continue;
    const version = await getDefinitionVersion(db, row.versionId);
    if (!version) continue;
    // What the reminder says is what will happen: renewal, or what is still missing (credential-outlook.ts).
    const outlook = maintenanceOutlook(
      {
        number: row.number,
        status: row.status,
        periodStartsAt: row.periodStartsAt,
        expiresAt: row.expiresAt,
        validityMonths: version.validityMonths,
        rule: version.maintenance,
        maintenance: await evaluateMaintenance(db, row.userId, version.maintenance, row.periodStartsAt, row.expiresAt),
      },
      now,
    );
    const mail = reminderMail(outlook, row.number, now, deps.siteUrl);
    if (!mail) continue;
    const claimed = await db.transaction(async (tx) => {
      const inserted = await tx
        .insert(credentialReminders)
        .values({ credentialId: row.id, daysBefore: lead, periodExpiresAt: row.expiresAt as number, sentAt: now })
        .onConflictDoNothing()
        .returning({ id: credentialReminders.credentialId });
      if (inserted.length === 0) return false;
      await writeAudit(
        tx,
        {
          actorId: null,
          action: 'credential.reminder-sent',
          subjectId: row.userId,
          details: { credentialId: row.id, daysBefore: lead, outlook: outlook.kind },
        },
        now,
      );
      return true;
    });
    if (!claimed) continue;
    result.reminded[String(lead)] = (result.reminded[String(lead)] ?? 0) + 1;
    await mailHolder(db, deps, row.userId, mail.subject, mail.lines);
  }
}

/**
 * A credential year other than the last that ends within YEAR_END_REMINDER_DAYS without a part the rule
 * requires in each year (a CPD activity, the knowledge check): the holder is told once per year, while it
 * can still be done; a year missed makes the renewal impossible. Claimed in credential_reminders with the
 * year's end as its `periodExpiresAt` (never an expiry: years before the last end before it).
 */
async function sendYearEndReminders(
  db: Db,
  deps: ServiceDeps,
  now: number,
  result: CredentialJobResult,
): Promise<void> {
  const rows = await db
    .select()
    .from(credentials)
    .where(and(inArray(credentials.status, ['certified', 'maintenance-due']), lte(credentials.periodStartsAt, now)));
  for (const row of rows) {
    if (row.expiresAt === null || row.periodStartsAt === null) continue;
    const version = await getDefinitionVersion(db, row.versionId);
    if (!version || (!version.maintenance.cpdEachYear && !version.maintenance.knowledgeCheckExamSlug)) continue;
    const input: OutlookInput = {
      number: row.number,
      status: row.status,
      periodStartsAt: row.periodStartsAt,
      expiresAt: row.expiresAt,
      validityMonths: version.validityMonths,
      rule: version.maintenance,
      maintenance: await evaluateMaintenance(db, row.userId, version.maintenance, row.periodStartsAt, row.expiresAt),
    };
    const gap = yearEndGap(input, now);
    if (!gap) continue;
    const claimed = await db.transaction(async (tx) => {
      const inserted = await tx
        .insert(credentialReminders)
        .values({
          credentialId: row.id,
          daysBefore: YEAR_END_REMINDER_DAYS,
          periodExpiresAt: gap.year.to,
          sentAt: now,
        })
        .onConflictDoNothing()
        .returning({ id: credentialReminders.credentialId });
      if (inserted.length === 0) return false;
      await writeAudit(
        tx,
        {
          actorId: null,
          action: 'credential.year-end-reminder-sent',
          subjectId: row.userId,
          details: { credentialId: row.id, yearEndsAt: gap.year.to, missing: gap.steps.map((s) => s.label) },
        },
        now,
      );
      return true;
    });
    if (!claimed) continue;
    result.yearEndReminded++;
    const mail = yearEndMail(gap, input, deps.siteUrl);
    await mailHolder(db, deps, row.userId, mail.subject, mail.lines);
  }
}

/** Number of credentials in each status (for tests and the admin overview). */
export async function countByStatus(db: Db): Promise<Record<string, number>> {
  const rows = await db
    .select({ status: credentials.status, n: sql<number>`count(*)` })
    .from(credentials)
    .groupBy(credentials.status);
  return Object.fromEntries(rows.map((r) => [r.status, Number(r.n)]));
}
