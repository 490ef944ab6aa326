/**
 * Continuous certification (issue 16): credential definitions (versioned), the credential ledger, awards,
 * and every status transition. The scheduled job is credential-job.ts; the public side credential-registry.ts.
 *
 * | from                                  | to                         | caused by                                         |
 * |---------------------------------------|----------------------------|---------------------------------------------------|
 * | (no row), expired                     | certified / pending-sign-off | requirements met (award: job, or the holder's claim) |
 * | pending-sign-off                      | certified                  | an examiner signs off                              |
 * | certified                             | maintenance-due            | the job, 90 days before expiry, maintenance unmet  |
 * | certified, maintenance-due            | certified (next period)    | the job: maintenance met (recertified from the expiry) |
 * | certified, maintenance-due, inactive  | expired                    | the job, at expiry with maintenance unmet          |
 * | certified, maintenance-due            | suspended (membership)     | the job, when the definition suspends on a lapse   |
 * | suspended (membership)                | certified/…/expired        | the job, when good standing returns               |
 * | any but revoked, pending              | suspended                  | an admin, with a reason class and a reason         |
 * | suspended                             | certified/…/expired        | an admin reinstates, with a reason (dates decide)  |
 * | any but revoked                       | revoked (final)            | an admin, with a reason class and a reason         |
 * | certified, maintenance-due            | inactive                   | the holder, voluntarily                            |
 * | inactive                              | certified/…/expired        | the holder returns (dates decide)                  |
 *
 * The rows a person causes (an admin, the holder) are the data MOVES below, and `transition` is the one step
 * that makes them: anything the table does not allow is refused with a reason and changes nothing.
 * Every transition writes a credential_events row and an audit row in one transaction; changes are
 * conditional on the status read, so two runs never move a credential twice. Mail is recorded after the
 * commit. Holders can change nothing but inactive/active and their registry preferences.
 */
import { randomBytes, randomInt } from 'node:crypto';
import { and, desc, eq, gt, gte, inArray, isNull, lt, sql } from 'drizzle-orm';
import type { Db, DbOrTx } from '#db/client.ts';
import {
  type CredentialStatus,
  consents,
  cpdActivities,
  credentialDefinitions,
  credentialDefinitionVersions,
  credentialEvents,
  credentials,
  examAttempts,
  exams,
  memberships,
  type ReasonClass,
  registryPreferences,
  simulatorAttempts,
  users,
} from '#db/schema/index.ts';
import { maintenanceOutlook, type Outlook } from '#src/lib/credential-outlook.ts';
import {
  addMonthsUtc,
  cycleYears,
  type DefinitionInput,
  type MaintenanceRule,
  maintenanceSchema,
  type Requirements,
  requirementsSchema,
  STATUS_LABELS,
  statusFromDates,
  WEAK_CATEGORY_SHARE,
} from '#src/lib/credential-rules.ts';
import { formatLongDate, toIsoDate } from '#src/lib/dates.ts';
import { CURRENT_ETHICS_VERSION } from '#src/lib/ethics.ts';
import { isInGoodStanding } from '#src/lib/membership-rules.ts';
import { writeAudit } from '../audit.ts';
import { newId } from '../ids.ts';
import { type Refusal, refuse } from '../refusal.ts';
import type { ServiceDeps } from './deps.ts';
import { getLevelProgress } from './handbook-progress.ts';
import { mailRole } from './role-mail.ts';

// ---------------------------------------------------------------------------------------------------------
// Numbers and status-list positions

/** Crockford's base-32 alphabet (as level certificates): readable aloud and on paper. */
const ALPHABET = '0123456789ABCDEFGHJKMNPQRSTVWXYZ';

/** e.g. IECPA-CR-7K3QW-9ZPXM: 50 random bits, so numbers cannot be enumerated. */
export function newCredentialNumber(): string {
  let random = '';
  for (const byte of randomBytes(10)) random += ALPHABET[byte % 32];
  return `IECPA-CR-${random.slice(0, 5)}-${random.slice(5)}`;
}

export const CREDENTIAL_NUMBER_PATTERN = /^IECPA-CR-[0-9A-HJKMNP-TV-Z]{5}-[0-9A-HJKMNP-TV-Z]{5}$/;

/** Trimmed, upper case, O read as 0 and I/L as 1 in the random part (Crockford). */
export function normaliseCredentialNumber(input: string): string {
  const upper = input.trim().toUpperCase();
  if (!upper.startsWith('IECPA-CR-')) return upper;
  return `IECPA-CR-${upper.slice(9).replace(/O/g, '0').replace(/[IL]/g, '1')}`;
}

/**
 * Size of the portal's Bitstring Status Lists: the W3C Bitstring Status List v1.0 minimum of 131,072
 * entries (16 KiB), which gives group privacy. Positions are drawn at random (the spec's advice, §6.5), so
 * a position says nothing about when a credential was issued.
 */
export const STATUS_LIST_SIZE = 131_072;

async function freeStatusListIndex(tx: DbOrTx): Promise<number> {
  for (let attempt = 0; attempt < 50; attempt++) {
    const index = randomInt(STATUS_LIST_SIZE);
    const [taken] = await tx
      .select({ id: credentials.id })
      .from(credentials)
      .where(eq(credentials.statusListIndex, index));
    if (!taken) return index;
  }
  throw new Error('the status list has no free position');
}

// ---------------------------------------------------------------------------------------------------------
// Definitions

export interface DefinitionVersion {
  id: string;
  definitionId: string;
  slug: string;
  version: number;
  title: string;
  description: string;
  requirements: Requirements;
  maintenance: MaintenanceRule;
  validityMonths: number;
  membershipLapse: 'suspend' | 'none';
  requiresSignOff: boolean;
  createdAt: number;
}

function toVersion(row: typeof credentialDefinitionVersions.$inferSelect & { slug: string }): DefinitionVersion {
  return {
    id: row.id,
    definitionId: row.definitionId,
    slug: row.slug,
    version: row.version,
    title: row.title,
    description: row.description,
    requirements: requirementsSchema.parse(JSON.parse(row.requirementsJson)),
    maintenance: maintenanceSchema.parse(JSON.parse(row.maintenanceJson)),
    validityMonths: row.validityMonths,
    membershipLapse: row.membershipLapse,
    requiresSignOff: row.requiresSignOff,
    createdAt: row.createdAt,
  };
}

const versionColumns = { version: credentialDefinitionVersions, slug: credentialDefinitions.slug };

/** A version by id (any, current or not). */
export async function getDefinitionVersion(db: DbOrTx, versionId: string): Promise<DefinitionVersion | null> {
  const [row] = await db
    .select(versionColumns)
    .from(credentialDefinitionVersions)
    .innerJoin(credentialDefinitions, eq(credentialDefinitions.id, credentialDefinitionVersions.definitionId))
    .where(eq(credentialDefinitionVersions.id, versionId));
  return row ? toVersion({ ...row.version, slug: row.slug }) : null;
}

/** The current version of every definition that still awards (not retired). */
export async function listCurrentDefinitions(db: DbOrTx): Promise<DefinitionVersion[]> {
  const rows = await db
    .select(versionColumns)
    .from(credentialDefinitions)
    .innerJoin(
      credentialDefinitionVersions,
      eq(credentialDefinitionVersions.id, credentialDefinitions.currentVersionId),
    )
    .where(isNull(credentialDefinitions.retiredAt))
    .orderBy(credentialDefinitions.slug);
  return rows.map((r) => toVersion({ ...r.version, slug: r.slug }));
}

/** Every version of every definition, newest first per definition (the admin's list). */
export async function listAllDefinitionVersions(db: Db): Promise<(DefinitionVersion & { current: boolean })[]> {
  const rows = await db
    .select({ ...versionColumns, currentVersionId: credentialDefinitions.currentVersionId })
    .from(credentialDefinitionVersions)
    .innerJoin(credentialDefinitions, eq(credentialDefinitions.id, credentialDefinitionVersions.definitionId))
    .orderBy(credentialDefinitions.slug, desc(credentialDefinitionVersions.version));
  return rows.map((r) => ({
    ...toVersion({ ...r.version, slug: r.slug }),
    current: r.currentVersionId === r.version.id,
  }));
}

/**
 * The exams a definition names must be the right kind: its theory exam a (non-practice) exam form, its
 * knowledge check a form made for it (`purpose: knowledge-check`), or no holder could ever meet them.
 */
async function definitionExamProblems(db: DbOrTx, input: DefinitionInput): Promise<Record<string, string>> {
  const problems: Record<string, string> = {};
  const bySlug = async (slug: string) =>
    (await db.select({ practice: exams.practice, purpose: exams.purpose }).from(exams).where(eq(exams.slug, slug)))[0];
  const theorySlug = input.requirements.theoryExamSlug;
  if (theorySlug !== null) {
    const theory = await bySlug(theorySlug);
    if (!theory || theory.practice || theory.purpose !== 'exam')
      problems['requirements.theoryExamSlug'] = `No theory exam has the slug "${theorySlug}".`;
  }
  const checkSlug = input.maintenance.knowledgeCheckExamSlug;
  if (checkSlug !== null) {
    const check = await bySlug(checkSlug);
    if (check?.purpose !== 'knowledge-check')
      problems['maintenance.knowledgeCheckExamSlug'] =
        `No knowledge check has the slug "${checkSlug}" (a form with "purpose": "knowledge-check").`;
  }
  return problems;
}

export type DefinitionResult = { ok: true; definitionId: string; versionId: string; version: number } | Refusal;

/**
 * Creates a definition (a new slug) or, for an existing slug, its next version, which becomes current.
 * Holders keep the version they earned.
 */
export async function saveDefinition(
  db: Db,
  actorId: string | null,
  slug: string,
  input: DefinitionInput,
  now = Date.now(),
): Promise<DefinitionResult> {
  const examProblems = await definitionExamProblems(db, input);
  if (Object.keys(examProblems).length > 0)
    return refuse('BAD_REQUEST', Object.values(examProblems).join(' '), examProblems);
  return db.transaction(async (tx) => {
    let [definition] = await tx.select().from(credentialDefinitions).where(eq(credentialDefinitions.slug, slug));
    if (definition?.retiredAt) return refuse('CONFLICT', 'That credential is retired; it takes no new versions.');
    if (!definition) {
      definition = { id: newId(), slug, currentVersionId: null, retiredAt: null, createdAt: now };
      await tx.insert(credentialDefinitions).values(definition);
    }
    const [last] = await tx
      .select({ version: credentialDefinitionVersions.version })
      .from(credentialDefinitionVersions)
      .where(eq(credentialDefinitionVersions.definitionId, definition.id))
      .orderBy(desc(credentialDefinitionVersions.version))
      .limit(1);
    const version = (last?.version ?? 0) + 1;
    const versionId = newId();
    await tx.insert(credentialDefinitionVersions).values({
      id: versionId,
      definitionId: definition.id,
      version,
      title: input.title,
      description: input.description,
      requirementsJson: JSON.stringify(input.requirements),
      maintenanceJson: JSON.stringify(input.maintenance),
      validityMonths: input.validityMonths,
      membershipLapse: input.membershipLapse,
      requiresSignOff: input.requiresSignOff,
      createdBy: actorId,
      createdAt: now,
    });
    await tx
      .update(credentialDefinitions)
      .set({ currentVersionId: versionId })
      .where(eq(credentialDefinitions.id, definition.id));
    await writeAudit(
      tx,
      {
        actorId,
        action: version === 1 ? 'credential-definition.created' : 'credential-definition.versioned',
        subjectId: definition.id,
        details: { slug, version },
      },
      now,
    );
    return { ok: true, definitionId: definition.id, versionId, version };
  });
}

// ---------------------------------------------------------------------------------------------------------
// Requirements and maintenance, evaluated

export interface Check {
  key: string;
  label: string;
  met: boolean;
  /** What is missing, in words (empty when met). */
  detail: string;
  /** The page where it is met. */
  href: string;
}

/** Each requirement of a version for one member, met or not, with the place that meets it. */
export async function evaluateRequirements(
  db: Db,
  userId: string,
  requirements: Requirements,
  now = Date.now(),
  /** After an expiry the theory exam must be passed again: only attempts started after this count. */
  examPassedAfter: number | null = null,
): Promise<{ checks: Check[]; allMet: boolean }> {
  const checks: Check[] = [];
  if (requirements.membership) {
    const [m] = await db.select({ status: memberships.status }).from(memberships).where(eq(memberships.userId, userId));
    const met = isInGoodStanding(m?.status);
    checks.push({
      key: 'membership',
      label: 'Membership in good standing',
      met,
      detail: met ? '' : m ? `Your membership is ${m.status}.` : 'You are not a member yet.',
      href: m ? '/membership/status' : '/membership/apply',
    });
  }
  if (requirements.curriculumLevel !== null) {
    const progress = await getLevelProgress(db, userId, requirements.curriculumLevel, now);
    checks.push({
      key: 'curriculum',
      label: `Curriculum Level ${requirements.curriculumLevel} completed`,
      met: progress.complete,
      detail: progress.complete ? '' : `${progress.completedCount} of ${progress.modules.length} modules completed.`,
      href: `/curriculum/level-${requirements.curriculumLevel}`,
    });
  }
  if (requirements.theoryExamSlug !== null) {
    const [passed] = await db
      .select({ id: examAttempts.id })
      .from(examAttempts)
      .innerJoin(exams, eq(exams.id, examAttempts.examId))
      .where(
        and(
          eq(examAttempts.candidateId, userId),
          eq(exams.slug, requirements.theoryExamSlug),
          eq(exams.practice, false),
          eq(examAttempts.passed, true),
          isNull(examAttempts.voidedAt),
          examPassedAfter === null ? undefined : gt(examAttempts.startedAt, examPassedAfter),
        ),
      )
      .limit(1);
    checks.push({
      key: 'theory-exam',
      label:
        examPassedAfter === null ? 'Theory examination passed' : 'Theory examination passed again since the expiry',
      met: Boolean(passed),
      detail: passed
        ? ''
        : examPassedAfter === null
          ? 'No passed attempt at the theory examination yet.'
          : `No passed attempt since ${formatLongDate(examPassedAfter)}.`,
      href: '/exams',
    });
  }
  if (requirements.simulatorAssessment) {
    const [passed] = await db
      .select({ id: simulatorAttempts.id })
      .from(simulatorAttempts)
      .where(
        and(
          eq(simulatorAttempts.candidateId, userId),
          eq(simulatorAttempts.passed, true),
          isNull(simulatorAttempts.voidedAt),
        ),
      )
      .limit(1);
    checks.push({
      key: 'simulator',
      label: 'Simulator assessment passed',
      met: Boolean(passed),
      detail: passed ? '' : 'No passed simulator assessment yet.',
      href: '/simulator/assessments',
    });
  }
  if (requirements.ethics) {
    const [accepted] = await db
      .select({ id: consents.id })
      .from(consents)
      .where(
        and(
          eq(consents.userId, userId),
          eq(consents.document, 'code-of-ethics'),
          eq(consents.version, CURRENT_ETHICS_VERSION),
        ),
      )
      .limit(1);
    checks.push({
      key: 'ethics',
      label: `Code of ethics (version ${CURRENT_ETHICS_VERSION}) accepted`,
      met: Boolean(accepted),
      detail: accepted ? '' : 'Accept the current code of ethics.',
      href: '/membership/ethics',
    });
  }
  return { checks, allMet: checks.every((c) => c.met) };
}

export interface MaintenanceProgress {
  creditsEarned: number;
  creditsRequired: number;
  /** 0..100 for the bar: the share of the parts met (credits count by fraction). */
  percent: number;
  years: { from: number; to: number; cpdActivity: boolean; knowledgeCheck: boolean }[];
  /** Categories the latest knowledge check found weak (under 60 %): read these chapters. */
  weakCategories: string[];
  met: boolean;
}

/** How far a holder is with the maintenance of one period [start, expiry). */
export async function evaluateMaintenance(
  db: DbOrTx,
  userId: string,
  rule: MaintenanceRule,
  periodStartsAt: number,
  expiresAt: number,
): Promise<MaintenanceProgress> {
  const activities = await db
    .select({ activityDate: cpdActivities.activityDate, credits: cpdActivities.credits })
    .from(cpdActivities)
    .where(
      and(
        eq(cpdActivities.userId, userId),
        eq(cpdActivities.status, 'approved'),
        gte(cpdActivities.activityDate, toIsoDate(periodStartsAt)),
        lt(cpdActivities.activityDate, toIsoDate(expiresAt)),
      ),
    );
  const creditsEarned = Math.round(activities.reduce((s, a) => s + a.credits * 10, 0)) / 10;
  const checks = rule.knowledgeCheckExamSlug
    ? await db
        .select({ startedAt: examAttempts.startedAt, subscoresJson: examAttempts.subscoresJson })
        .from(examAttempts)
        .innerJoin(exams, eq(exams.id, examAttempts.examId))
        .where(
          and(
            eq(examAttempts.candidateId, userId),
            eq(exams.slug, rule.knowledgeCheckExamSlug),
            sql`${examAttempts.submittedAt} is not null`,
            isNull(examAttempts.voidedAt),
            gte(examAttempts.startedAt, periodStartsAt),
            lt(examAttempts.startedAt, expiresAt),
          ),
        )
        .orderBy(examAttempts.startedAt)
    : [];
  const years = cycleYears(periodStartsAt, expiresAt).map((y) => ({
    ...y,
    cpdActivity: activities.some((a) => a.activityDate >= toIsoDate(y.from) && a.activityDate < toIsoDate(y.to)),
    knowledgeCheck: checks.some((c) => c.startedAt >= y.from && c.startedAt < y.to),
  }));
  const latest = checks.at(-1);
  const weakCategories = latest?.subscoresJson
    ? (JSON.parse(latest.subscoresJson) as { category: string; score: number; max: number }[])
        .filter((s) => s.max > 0 && s.score / s.max < WEAK_CATEGORY_SHARE)
        .map((s) => s.category)
    : [];
  const parts: number[] = [rule.cpdCredits > 0 ? Math.min(1, creditsEarned / rule.cpdCredits) : 1];
  if (rule.cpdEachYear) for (const y of years) parts.push(y.cpdActivity ? 1 : 0);
  if (rule.knowledgeCheckExamSlug) for (const y of years) parts.push(y.knowledgeCheck ? 1 : 0);
  const met = parts.every((p) => p >= 1);
  return {
    creditsEarned,
    creditsRequired: rule.cpdCredits,
    percent: Math.floor((parts.reduce((s, p) => s + p, 0) / parts.length) * 100),
    years,
    weakCategories,
    met,
  };
}

// ---------------------------------------------------------------------------------------------------------
// The ledger: transitions

type CredentialRow = typeof credentials.$inferSelect;

interface Transition {
  kind: string;
  to: CredentialStatus;
  actorId: string | null;
  reason?: string | null;
  reasonClass?: ReasonClass | null;
  /** Other columns changed with the status (dates, number). */
  set?: Partial<CredentialRow>;
}

/**
 * Moves a credential from the status read to `to`, conditional on that status (and expiry), writing the
 * event and the audit row in the same transaction. False when another change got there first.
 */
async function writeTransition(tx: DbOrTx, row: CredentialRow, t: Transition, now: number): Promise<boolean> {
  const moved = await tx
    .update(credentials)
    .set({
      status: t.to,
      reasonClass: t.reasonClass ?? null,
      statusReason: t.reason ?? null,
      statusChangedAt: now,
      updatedAt: now,
      ...t.set,
    })
    .where(
      and(
        eq(credentials.id, row.id),
        eq(credentials.status, row.status),
        row.expiresAt === null ? isNull(credentials.expiresAt) : eq(credentials.expiresAt, row.expiresAt),
      ),
    )
    .returning({ id: credentials.id });
  if (moved.length === 0) return false;
  await tx.insert(credentialEvents).values({
    id: newId(),
    credentialId: row.id,
    at: now,
    actorId: t.actorId,
    kind: t.kind,
    fromStatus: row.status,
    toStatus: t.to,
    reason: t.reason ?? null,
  });
  await writeAudit(
    tx,
    {
      actorId: t.actorId,
      action: `credential.${t.kind}`,
      subjectId: row.userId,
      details: {
        credentialId: row.id,
        number: row.number,
        fromStatus: row.status,
        toStatus: t.to,
        reasonClass: t.reasonClass ?? null,
        reason: t.reason ?? null,
      },
    },
    now,
  );
  return true;
}

/** The status dates and maintenance give a credential that is not held back (suspended, inactive…). */
export async function statusNow(
  db: DbOrTx,
  row: CredentialRow,
  now: number,
): Promise<'certified' | 'maintenance-due' | 'expired'> {
  if (row.expiresAt === null || row.periodStartsAt === null) return 'certified';
  const version = await getDefinitionVersion(db, row.versionId);
  if (!version) throw new Error(`credential ${row.id} has no definition version`);
  const maintenance = await evaluateMaintenance(db, row.userId, version.maintenance, row.periodStartsAt, row.expiresAt);
  return statusFromDates(row.expiresAt, now, maintenance.met);
}

async function recipient(db: Db, userId: string): Promise<{ email: string; name: string } | null> {
  const [row] = await db
    .select({ email: users.email, name: users.name, erasedAt: users.erasedAt })
    .from(users)
    .where(eq(users.id, userId));
  return row && row.erasedAt === null ? { email: row.email, name: row.name } : null;
}

/** Mails the holder (after the commit); erased holders get nothing. */
export async function mailHolder(
  db: Db,
  deps: ServiceDeps,
  userId: string,
  subject: string,
  lines: string[],
): Promise<void> {
  const to = await recipient(db, userId);
  if (!to) return;
  await deps.mailer.send(db, {
    to: to.email,
    subject,
    text: [`Dear ${to.name},`, ...lines, `Your credentials: ${deps.siteUrl}/credentials`, 'IECPA'].join('\n\n'),
  });
}

export async function getCredential(db: DbOrTx, id: string): Promise<CredentialRow | null> {
  const [row] = await db.select().from(credentials).where(eq(credentials.id, id));
  return row ?? null;
}

export type AwardResult =
  | { ok: true; credentialId: string; status: CredentialStatus; number: string; awarded: boolean }
  | Refusal;

/**
 * Awards a definition's current version to a member who meets every requirement (or queues it for sign-off).
 * Idempotent: a member who already holds it (in any status but expired) gets it back unchanged; an expired
 * credential is issued again for a new period, with its number. A revoked credential is never re-awarded.
 */
export async function awardIfEligible(
  db: Db,
  deps: ServiceDeps,
  userId: string,
  version: DefinitionVersion,
  actorId: string | null,
  now = Date.now(),
): Promise<AwardResult> {
  const [existing] = await db
    .select()
    .from(credentials)
    .where(and(eq(credentials.userId, userId), eq(credentials.definitionId, version.definitionId)));
  if (existing && existing.status !== 'expired')
    return { ok: true, credentialId: existing.id, status: existing.status, number: existing.number, awarded: false };
  const { checks, allMet } = await evaluateRequirements(
    db,
    userId,
    version.requirements,
    now,
    existing?.expiresAt ?? null,
  );
  if (!allMet) {
    const missing = checks.filter((c) => !c.met).map((c) => c.label);
    return refuse('PRECONDITION_FAILED', `Not every requirement is met yet: ${missing.join('; ')}.`);
  }
  const status: CredentialStatus = version.requiresSignOff ? 'pending-sign-off' : 'certified';
  const period = version.requiresSignOff
    ? { periodStartsAt: null, expiresAt: null, issuedAt: existing?.issuedAt ?? null }
    : {
        periodStartsAt: now,
        expiresAt: addMonthsUtc(now, version.validityMonths),
        issuedAt: existing?.issuedAt ?? now,
      };
  const outcome = await db.transaction(async (tx) => {
    if (existing) {
      const moved = await writeTransition(
        tx,
        existing,
        {
          kind: version.requiresSignOff ? 'queued' : 'reissued',
          to: status,
          actorId,
          reason: 'Requirements met again',
          set: { ...period, versionId: version.id, earnedAt: now },
        },
        now,
      );
      return moved ? { id: existing.id, number: existing.number } : null;
    }
    const id = newId();
    const number = newCredentialNumber();
    const inserted = await tx
      .insert(credentials)
      .values({
        id,
        number,
        userId,
        definitionId: version.definitionId,
        versionId: version.id,
        status,
        reasonClass: null,
        statusReason: null,
        ...period,
        earnedAt: now,
        statusChangedAt: now,
        updatedAt: now,
        statusListIndex: await freeStatusListIndex(tx),
      })
      .onConflictDoNothing({ target: [credentials.userId, credentials.definitionId] })
      .returning({ id: credentials.id });
    if (inserted.length === 0) return null;
    await tx.insert(credentialEvents).values({
      id: newId(),
      credentialId: id,
      at: now,
      actorId,
      kind: version.requiresSignOff ? 'queued' : 'awarded',
      fromStatus: null,
      toStatus: status,
      reason: `Requirements of ${version.title} (version ${version.version}) met`,
    });
    await writeAudit(
      tx,
      {
        actorId,
        action: version.requiresSignOff ? 'credential.queued' : 'credential.awarded',
        subjectId: userId,
        details: { credentialId: id, number, definition: version.slug, version: version.version },
      },
      now,
    );
    return { id, number };
  });
  if (!outcome) {
    const [row] = await db
      .select()
      .from(credentials)
      .where(and(eq(credentials.userId, userId), eq(credentials.definitionId, version.definitionId)));
    if (!row) throw new Error('credential award raced and vanished');
    return { ok: true, credentialId: row.id, status: row.status, number: row.number, awarded: false };
  }
  if (status === 'certified' && period.expiresAt !== null)
    await mailHolder(db, deps, userId, `You are now ${version.title}`, [
      `Congratulations: you meet every requirement of ${version.title} and have been awarded the credential.`,
      `Credential number ${outcome.number}, valid until ${formatLongDate(period.expiresAt)}.`,
      `Anyone can verify it at ${deps.siteUrl}/registry/${outcome.number}`,
    ]);
  else {
    await mailHolder(db, deps, userId, `${version.title}: awaiting sign-off`, [
      `You meet every requirement of ${version.title}. An examiner signs the award off; you will be mailed when that is done.`,
    ]);
    // Examiners are told something waits, never whose award (role-mail.ts: mails outlive erasures).
    await mailRole(db, deps, 'examiner', {
      subject: 'A credential award waits for your sign-off',
      text: `A member meets every requirement of ${version.title}. Sign the award off at ${deps.siteUrl}/examiner/credentials`,
    });
  }
  return { ok: true, credentialId: outcome.id, status, number: outcome.number, awarded: true };
}

export type ChangeResult = { ok: true; status: CredentialStatus } | Refusal;

const NOT_FOUND = (): Refusal => refuse('NOT_FOUND', 'No such credential.');

/** An examiner signs off a queued award: the credential is issued now for its validity period. */
export async function signOff(
  db: Db,
  deps: ServiceDeps,
  examinerId: string,
  credentialId: string,
  now = Date.now(),
): Promise<ChangeResult> {
  const row = await getCredential(db, credentialId);
  if (!row) return NOT_FOUND();
  if (row.status !== 'pending-sign-off') return refuse('CONFLICT', 'This credential is not waiting for sign-off.');
  if (row.userId === examinerId) return refuse('FORBIDDEN', 'Nobody signs off their own credential.');
  const version = await getDefinitionVersion(db, row.versionId);
  if (!version) return NOT_FOUND();
  const expiresAt = addMonthsUtc(now, version.validityMonths);
  const moved = await db.transaction((tx) =>
    writeTransition(
      tx,
      row,
      {
        kind: 'signed-off',
        to: 'certified',
        actorId: examinerId,
        reason: 'Signed off by an examiner',
        set: { issuedAt: row.issuedAt ?? now, periodStartsAt: now, expiresAt },
      },
      now,
    ),
  );
  if (!moved) return refuse('CONFLICT', 'The credential changed meanwhile; reload and try again.');
  await mailHolder(db, deps, row.userId, `You are now ${version.title}`, [
    `Your award of ${version.title} has been signed off. Credential number ${row.number}, valid until ${formatLongDate(expiresAt)}.`,
    `Anyone can verify it at ${deps.siteUrl}/registry/${row.number}`,
  ]);
  return { ok: true, status: 'certified' };
}

/** A change a person makes: admins suspend, reinstate and revoke; the holder sets inactive and returns. */
export type Move = 'suspend' | 'reinstate' | 'revoke' | 'set-inactive' | 'reactivate';

interface MoveRule {
  /** The statuses the move starts from; from any other it is refused with `refused`. */
  from: readonly CredentialStatus[];
  /** The status it leads to; 'by-dates': what the dates and maintenance give now (statusNow). */
  to: CredentialStatus | 'by-dates';
  /** Event kind (credential_events.kind, audit action `credential.<kind>`). */
  kind: string;
  /** Who may make it: the holder only on their own credential. */
  by: 'admin' | 'holder';
  /** Why a move from a status not in `from` is refused (a message per status, then the general one). */
  refused: Partial<Record<CredentialStatus, string>> & { otherwise: string };
  /** What the holder is told (admins' moves; the holder's own need no mail). */
  mail?: (row: CredentialRow, to: CredentialStatus, reason: string) => { subject: string; lines: string[] };
}

/**
 * The people's rows of the table at the head of this file, as data: `transition` allows exactly these.
 * (The job's moves — award, maintenance due, recertification, expiry, membership — follow dates and rules.)
 */
export const MOVES: Record<Move, MoveRule> = {
  suspend: {
    from: ['certified', 'maintenance-due', 'expired', 'inactive'],
    to: 'suspended',
    kind: 'suspended',
    by: 'admin',
    refused: {
      revoked: 'A revoked credential is final; it cannot be suspended.',
      suspended: 'This credential is already suspended.',
      'pending-sign-off': 'This credential has not been issued yet; decide its sign-off instead.',
      otherwise: 'This credential cannot be suspended now.',
    },
    mail: (row, _to, reason) => ({
      subject: 'Your IECPA credential has been suspended',
      lines: [
        `Your credential ${row.number} has been suspended by the association. Reason: ${reason}`,
        'The public registry shows it as suspended until it is reinstated.',
      ],
    }),
  },
  reinstate: {
    from: ['suspended'],
    to: 'by-dates',
    kind: 'reinstated',
    by: 'admin',
    refused: {
      revoked: 'A revoked credential is final; it cannot be reinstated.',
      otherwise: 'Only a suspended credential can be reinstated.',
    },
    mail: (row, to) => ({
      subject: 'Your IECPA credential has been reinstated',
      lines: [`Your credential ${row.number} has been reinstated. Its status is now: ${STATUS_LABELS[to]}.`],
    }),
  },
  revoke: {
    from: ['pending-sign-off', 'certified', 'maintenance-due', 'expired', 'suspended', 'inactive'],
    to: 'revoked',
    kind: 'revoked',
    by: 'admin',
    refused: {
      revoked: 'This credential is already revoked; revocation is final.',
      otherwise: 'This credential cannot be revoked now.',
    },
    mail: (row, _to, reason) => ({
      subject: 'Your IECPA credential has been revoked',
      lines: [`Your credential ${row.number} has been revoked by the association. Reason: ${reason}`],
    }),
  },
  'set-inactive': {
    from: ['certified', 'maintenance-due'],
    to: 'inactive',
    kind: 'inactive',
    by: 'holder',
    refused: { otherwise: 'Only a current credential can be set inactive.' },
  },
  reactivate: {
    from: ['inactive'],
    to: 'by-dates',
    kind: 'reactivated',
    by: 'holder',
    refused: { otherwise: 'This credential is not inactive.' },
  },
};

/**
 * The one step every person's change takes: load the credential, check the move against MOVES (refused
 * with a clear reason and nothing written otherwise), move it conditionally on the status read with its
 * event and audit row in one transaction, then mail the holder where the table says so.
 */
export async function transition(
  db: Db,
  deps: ServiceDeps | null,
  move: Move,
  actorId: string | null,
  credentialId: string,
  input: { reason: string; reasonClass?: ReasonClass | null },
  now = Date.now(),
): Promise<ChangeResult> {
  const rule = MOVES[move];
  const row = await getCredential(db, credentialId);
  // Someone else's credential answers to its holder as an unknown one: ids are not a way to probe.
  if (!row || (rule.by === 'holder' && row.userId !== actorId)) return NOT_FOUND();
  if (!rule.from.includes(row.status)) return refuse('CONFLICT', rule.refused[row.status] ?? rule.refused.otherwise);
  const to = rule.to === 'by-dates' ? await statusNow(db, row, now) : rule.to;
  const moved = await db.transaction((tx) =>
    writeTransition(
      tx,
      row,
      { kind: rule.kind, to, actorId, reason: input.reason, reasonClass: input.reasonClass ?? null },
      now,
    ),
  );
  if (!moved) return refuse('CONFLICT', 'The credential changed meanwhile; reload and try again.');
  if (rule.mail && deps) {
    const mail = rule.mail(row, to, input.reason);
    await mailHolder(db, deps, row.userId, mail.subject, mail.lines);
  }
  return { ok: true, status: to };
}

/** An admin suspends a credential, with a reason class and reason. */
export function suspendCredential(
  db: Db,
  deps: ServiceDeps,
  adminId: string,
  credentialId: string,
  reasonClass: ReasonClass,
  reason: string,
  now = Date.now(),
): Promise<ChangeResult> {
  return transition(db, deps, 'suspend', adminId, credentialId, { reason, reasonClass }, now);
}

/** An admin (or the job, when membership returns) reinstates a suspended credential; dates decide the status. */
export function reinstateCredential(
  db: Db,
  deps: ServiceDeps,
  adminId: string | null,
  credentialId: string,
  reason: string,
  now = Date.now(),
): Promise<ChangeResult> {
  return transition(db, deps, 'reinstate', adminId, credentialId, { reason }, now);
}

/** An admin revokes a credential, with a reason class and reason: final. */
export function revokeCredential(
  db: Db,
  deps: ServiceDeps,
  adminId: string,
  credentialId: string,
  reasonClass: ReasonClass,
  reason: string,
  now = Date.now(),
): Promise<ChangeResult> {
  return transition(db, deps, 'revoke', adminId, credentialId, { reason, reasonClass }, now);
}

/** The holder sets their own current credential inactive (voluntarily), or returns from inactive. */
export function setInactive(
  db: Db,
  holderId: string,
  credentialId: string,
  inactive: boolean,
  now = Date.now(),
): Promise<ChangeResult> {
  return inactive
    ? transition(
        db,
        null,
        'set-inactive',
        holderId,
        credentialId,
        { reason: 'Set inactive by the holder', reasonClass: 'holder-request' },
        now,
      )
    : transition(db, null, 'reactivate', holderId, credentialId, { reason: 'Returned to active by the holder' }, now);
}

// ---------------------------------------------------------------------------------------------------------
// Scheduled moves (called by credential-job.ts), each conditional and audited with no actor

/** certified → maintenance-due (or back, once met), per dates and maintenance. */
export async function moveByDates(db: Db, row: CredentialRow, now: number): Promise<CredentialStatus | null> {
  const to = await statusNow(db, row, now);
  if (to === row.status || to === 'expired') return null;
  const moved = await db.transaction((tx) =>
    writeTransition(
      tx,
      row,
      {
        kind: to,
        to,
        actorId: null,
        reason: to === 'maintenance-due' ? 'Expiry within 90 days and maintenance not yet met' : 'Maintenance met',
        reasonClass: to === 'maintenance-due' ? 'maintenance' : null,
      },
      now,
    ),
  );
  return moved ? to : null;
}

/** Recertified for the next period, continuing from the expiry (as renewals do), when maintenance is met. */
export async function recertify(
  db: Db,
  deps: ServiceDeps,
  row: CredentialRow,
  version: DefinitionVersion,
  now: number,
): Promise<boolean> {
  if (row.expiresAt === null) return false;
  const nextExpiry = addMonthsUtc(row.expiresAt, version.validityMonths);
  const moved = await db.transaction((tx) =>
    writeTransition(
      tx,
      row,
      {
        kind: 'recertified',
        to: 'certified',
        actorId: null,
        reason: `Maintenance met; new period to ${formatLongDate(nextExpiry)}`,
        set: { periodStartsAt: row.expiresAt, expiresAt: nextExpiry },
      },
      now,
    ),
  );
  if (moved)
    await mailHolder(db, deps, row.userId, `Recertified: ${version.title}`, [
      `You met the maintenance requirements, so ${row.number} is renewed from ${formatLongDate(row.expiresAt)} to ${formatLongDate(nextExpiry)}.`,
    ]);
  return moved;
}

export async function expire(db: Db, deps: ServiceDeps, row: CredentialRow, now: number): Promise<boolean> {
  const moved = await db.transaction((tx) =>
    writeTransition(
      tx,
      row,
      {
        kind: 'expired',
        to: 'expired',
        actorId: null,
        reason: 'Validity period ended without the maintenance requirements met',
        reasonClass: 'maintenance',
      },
      now,
    ),
  );
  if (moved && row.expiresAt !== null)
    await mailHolder(db, deps, row.userId, 'Your IECPA credential has expired', [
      `Your credential ${row.number} expired on ${formatLongDate(row.expiresAt)} because its maintenance requirements were not met.`,
      'Meet the requirements of the credential again to be certified anew (your number is kept).',
    ]);
  return moved;
}

/** Suspension while membership is not in good standing (definitions that say so), and the return. */
export async function followMembership(
  db: Db,
  deps: ServiceDeps,
  row: CredentialRow,
  goodStanding: boolean,
  now: number,
): Promise<'suspended' | 'reinstated' | null> {
  if (!goodStanding && (row.status === 'certified' || row.status === 'maintenance-due')) {
    const moved = await db.transaction((tx) =>
      writeTransition(
        tx,
        row,
        {
          kind: 'suspended',
          to: 'suspended',
          actorId: null,
          reason: 'Membership not in good standing',
          reasonClass: 'membership',
        },
        now,
      ),
    );
    if (moved)
      await mailHolder(
        db,
        deps,
        row.userId,
        'Your IECPA credential is suspended while your membership is not current',
        [
          `Your credential ${row.number} requires membership in good standing, so it is suspended until your membership is renewed.`,
        ],
      );
    return moved ? 'suspended' : null;
  }
  if (goodStanding && row.status === 'suspended' && row.reasonClass === 'membership') {
    const result = await reinstateCredential(db, deps, null, row.id, 'Membership in good standing again', now);
    return result.ok ? 'reinstated' : null;
  }
  return null;
}

// ---------------------------------------------------------------------------------------------------------
// Reading

export interface CredentialView {
  id: string;
  number: string;
  definitionSlug: string;
  title: string;
  version: number;
  status: CredentialStatus;
  reasonClass: ReasonClass | null;
  statusReason: string | null;
  issuedAt: number | null;
  periodStartsAt: number | null;
  expiresAt: number | null;
  statusChangedAt: number;
  updatedAt: number;
  membershipLapse: 'suspend' | 'none';
  validityMonths: number;
  maintenance: MaintenanceProgress | null;
  maintenanceRule: MaintenanceRule;
  /** What will happen at the end of the period (renewal, or what is still missing): credential-outlook.ts. */
  outlook: Outlook;
  history: {
    at: number;
    kind: string;
    fromStatus: CredentialStatus | null;
    toStatus: CredentialStatus;
    reason: string | null;
    /** Who made the change: the scheduled job, the holder, or someone for the association (admin, examiner). */
    by: 'job' | 'holder' | 'association';
  }[];
}

/** A holder's credentials, each with its maintenance progress and history (the holder's page). */
export async function listHolderCredentials(db: Db, userId: string, now = Date.now()): Promise<CredentialView[]> {
  const rows = await db.select().from(credentials).where(eq(credentials.userId, userId));
  const views: CredentialView[] = [];
  for (const row of rows) views.push(await credentialView(db, row, now));
  return views;
}

export async function credentialView(db: Db, row: CredentialRow, now = Date.now()): Promise<CredentialView> {
  const version = await getDefinitionVersion(db, row.versionId);
  if (!version) throw new Error(`credential ${row.id} has no version`);
  const maintenance =
    row.periodStartsAt !== null && row.expiresAt !== null
      ? await evaluateMaintenance(db, row.userId, version.maintenance, row.periodStartsAt, row.expiresAt)
      : null;
  const events = await db
    .select({
      at: credentialEvents.at,
      kind: credentialEvents.kind,
      fromStatus: credentialEvents.fromStatus,
      toStatus: credentialEvents.toStatus,
      reason: credentialEvents.reason,
      actorId: credentialEvents.actorId,
    })
    .from(credentialEvents)
    .where(eq(credentialEvents.credentialId, row.id))
    .orderBy(desc(credentialEvents.at), desc(credentialEvents.id));
  const history = events.map(({ actorId, ...event }) => ({
    ...event,
    by: actorId === null ? ('job' as const) : actorId === row.userId ? ('holder' as const) : ('association' as const),
  }));
  return {
    id: row.id,
    number: row.number,
    definitionSlug: version.slug,
    title: version.title,
    version: version.version,
    status: row.status,
    reasonClass: row.reasonClass,
    statusReason: row.statusReason,
    issuedAt: row.issuedAt,
    periodStartsAt: row.periodStartsAt,
    expiresAt: row.expiresAt,
    statusChangedAt: row.statusChangedAt,
    updatedAt: row.updatedAt,
    membershipLapse: version.membershipLapse,
    validityMonths: version.validityMonths,
    maintenance,
    maintenanceRule: version.maintenance,
    outlook: maintenanceOutlook(
      {
        number: row.number,
        status: row.status,
        periodStartsAt: row.periodStartsAt,
        expiresAt: row.expiresAt,
        validityMonths: version.validityMonths,
        rule: version.maintenance,
        maintenance,
      },
      now,
    ),
    history,
  };
}

/** Every credential with its holder (admins' list), optionally only those in some statuses. */
export async function listHolders(
  db: Db,
  statuses?: CredentialStatus[],
): Promise<
  {
    id: string;
    number: string;
    holderName: string;
    holderEmail: string;
    title: string;
    status: CredentialStatus;
    expiresAt: number | null;
    statusReason: string | null;
  }[]
> {
  return db
    .select({
      id: credentials.id,
      number: credentials.number,
      holderName: users.name,
      holderEmail: users.email,
      title: credentialDefinitionVersions.title,
      status: credentials.status,
      expiresAt: credentials.expiresAt,
      statusReason: credentials.statusReason,
    })
    .from(credentials)
    .innerJoin(users, eq(users.id, credentials.userId))
    .innerJoin(credentialDefinitionVersions, eq(credentialDefinitionVersions.id, credentials.versionId))
    .where(statuses && statuses.length > 0 ? inArray(credentials.status, statuses) : undefined)
    .orderBy(users.name);
}

/** The holder's registry preferences (defaults: their account name, indexable). */
export async function getRegistryPreferences(
  db: Db,
  userId: string,
): Promise<{ displayName: string; noindex: boolean }> {
  const [row] = await db.select().from(registryPreferences).where(eq(registryPreferences.userId, userId));
  if (row) return { displayName: row.displayName, noindex: row.noindex };
  const [user] = await db.select({ name: users.name }).from(users).where(eq(users.id, userId));
  return { displayName: user?.name ?? '', noindex: false };
}

/** Sets how the holder appears in the registry (a name they choose, whether search engines may index). */
export async function setRegistryPreferences(
  db: Db,
  userId: string,
  input: { displayName: string; noindex: boolean },
  now = Date.now(),
): Promise<{ ok: true }> {
  await db.transaction(async (tx) => {
    await tx
      .insert(registryPreferences)
      .values({ userId, displayName: input.displayName, noindex: input.noindex, updatedAt: now })
      .onConflictDoUpdate({
        target: registryPreferences.userId,
        set: { displayName: input.displayName, noindex: input.noindex, updatedAt: now },
      });
    await tx.update(credentials).set({ updatedAt: now }).where(eq(credentials.userId, userId));
    await writeAudit(
      tx,
      {
        actorId: userId,
        action: 'credential.registry-preferences',
        subjectId: userId,
        details: { noindex: input.noindex },
      },
      now,
    );
  });
  return { ok: true };
}

/** One credential with its holder, for the admin's page (null when there is no such credential). */
export async function adminCredential(
  db: Db,
  id: string,
): Promise<
  | (CredentialView & {
      holderName: string;
      holderEmail: string;
      erased: boolean;
      /** Who made each change of `history` (same order): a name, "the holder" or "the scheduled job". */
      historyActors: string[];
    })
  | null
> {
  const row = await getCredential(db, id);
  if (!row) return null;
  const [holder] = await db
    .select({ name: users.name, email: users.email, erasedAt: users.erasedAt })
    .from(users)
    .where(eq(users.id, row.userId));
  const actors = await db
    .select({ name: users.name })
    .from(credentialEvents)
    .leftJoin(users, eq(users.id, credentialEvents.actorId))
    .where(eq(credentialEvents.credentialId, row.id))
    .orderBy(desc(credentialEvents.at), desc(credentialEvents.id));
  const view = await credentialView(db, row);
  return {
    ...view,
    holderName: holder?.name ?? '',
    holderEmail: holder?.email ?? '',
    erased: holder?.erasedAt != null,
    historyActors: view.history.map((h, i) =>
      h.by === 'job' ? 'the scheduled job' : h.by === 'holder' ? 'the holder' : (actors[i]?.name ?? ''),
    ),
  };
}
