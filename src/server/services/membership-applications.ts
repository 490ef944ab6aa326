/**
 * Membership applications: a signed-in user keeps one open application (draft, submitted or information
 * requested), submits it with the code of ethics accepted and enough documents, and admins approve, reject
 * or ask for more. Every step is an event in the application's conversation, an audit row and a mail to
 * the applicant. Approval makes the membership active with its number (membership-lifecycle.ts).
 *
 * | from                       | to             | by                                                   |
 * |----------------------------|----------------|------------------------------------------------------|
 * | (none)                     | draft          | the applicant saves the form the first time          |
 * | draft                      | submitted      | the applicant submits (validated; pending membership) |
 * | submitted                  | info-requested | an admin asks for more information (message)          |
 * | info-requested             | submitted      | the applicant updates the application and replies     |
 * | submitted, info-requested  | approved       | an admin approves: membership active, number assigned |
 * | submitted, info-requested  | rejected       | an admin rejects with a reason                        |
 * | draft, submitted, info-req.| withdrawn      | the applicant withdraws                               |
 */
import { and, asc, count, desc, eq, inArray } from 'drizzle-orm';
import { z } from 'zod';
import type { Db, DbOrTx } from '#db/client.ts';
import {
  APPLICATION_STATUSES,
  type ApplicationEventKind,
  type ApplicationStatus,
  consents,
  type MembershipStatus,
  membershipApplicationEvents,
  membershipApplications,
  membershipCategories,
  memberships,
  users,
} from '#db/schema/index.ts';
import { CURRENT_ETHICS_VERSION } from '#src/lib/ethics.ts';
import { writeAudit } from '../audit.ts';
import { newId } from '../ids.ts';
import { type Refusal, refuse } from '../refusal.ts';
import type { RequestMeta, ServiceDeps } from './deps.ts';
import { adminApplicationMail, applicationMail, type MailText } from './membership-application-mail.ts';
import type {
  ApplicationDraft,
  decisionInput,
  rejectInput,
  replyInput,
  requestInfoInput,
} from './membership-application-schemas.ts';
import { applicationRefusal, getCategory, type MembershipCategory } from './membership-categories.ts';
import { type ApplicationDocument, listDocuments } from './membership-documents.ts';
import {
  activateMembership,
  createPendingMembership,
  discardPendingMembership,
  MembershipTransitionError,
} from './membership-lifecycle.ts';
import { pageWindow } from './paging.ts';
import { mailRole } from './role-mail.ts';

export const OPEN_STATUSES = ['draft', 'submitted', 'info-requested'] as const satisfies readonly ApplicationStatus[];
/** Statuses an admin can decide from (a draft is not theirs to see yet). */
const DECIDABLE_STATUSES = ['submitted', 'info-requested'] as const satisfies readonly ApplicationStatus[];

export const APPLICATION_STATUS_LABELS: Record<ApplicationStatus, string> = {
  draft: 'Draft (not sent)',
  submitted: 'Submitted, waiting for review',
  'info-requested': 'More information requested',
  approved: 'Approved',
  rejected: 'Rejected',
  withdrawn: 'Withdrawn',
};

/** An application's status as the rest of a sentence ("That application … , so …"). */
const STATE_PHRASES: Record<ApplicationStatus, string> = {
  draft: 'is still a draft',
  submitted: 'is waiting for review',
  'info-requested': 'is waiting for the applicant’s answer',
  approved: 'was approved already',
  rejected: 'was rejected already',
  withdrawn: 'was withdrawn by the applicant',
};

// ---------------------------------------------------------------- results

export interface ApplicationEvent {
  id: string;
  at: number;
  kind: ApplicationEventKind;
  message: string;
  actorId: string | null;
  actorName: string | null;
}

export interface Application {
  id: string;
  userId: string;
  categoryId: string;
  status: ApplicationStatus;
  profession: string;
  licenceNumber: string;
  licenceIssuer: string;
  institution: string;
  country: string;
  yearsEcpPractice: number;
  treatmentsSupervised: number;
  languages: string[];
  ethicsVersion: string | null;
  ethicsAcceptedAt: number | null;
  createdAt: number;
  updatedAt: number;
  submittedAt: number | null;
  decidedAt: number | null;
  decisionReason: string | null;
}

export interface ApplicationDetails {
  application: Application;
  category: MembershipCategory | null;
  documents: ApplicationDocument[];
  events: ApplicationEvent[];
  applicant: { id: string; name: string; email: string; profession: string; country: string };
  membership: { status: MembershipStatus; number: string | null } | null;
}

type ApplicationRow = typeof membershipApplications.$inferSelect;

function toApplication(row: ApplicationRow): Application {
  const languages = z.array(z.string()).safeParse(JSON.parse(row.languagesJson));
  return {
    id: row.id,
    userId: row.userId,
    categoryId: row.categoryId,
    status: row.status,
    profession: row.profession,
    licenceNumber: row.licenceNumber,
    licenceIssuer: row.licenceIssuer,
    institution: row.institution,
    country: row.country,
    yearsEcpPractice: row.yearsEcpPractice,
    treatmentsSupervised: row.treatmentsSupervised,
    languages: languages.success ? languages.data : [],
    ethicsVersion: row.ethicsVersion,
    ethicsAcceptedAt: row.ethicsAcceptedAt,
    createdAt: row.createdAt,
    updatedAt: row.updatedAt,
    submittedAt: row.submittedAt,
    decidedAt: row.decidedAt,
    decisionReason: row.decisionReason,
  };
}

// ---------------------------------------------------------------- reading

type Reader = Pick<Db, 'select'>;

async function openApplicationRow(db: Reader, userId: string): Promise<ApplicationRow | null> {
  const [row] = await db
    .select()
    .from(membershipApplications)
    .where(and(eq(membershipApplications.userId, userId), inArray(membershipApplications.status, [...OPEN_STATUSES])))
    .orderBy(desc(membershipApplications.createdAt))
    .limit(1);
  return row ?? null;
}

async function applicationRow(db: Reader, id: string): Promise<ApplicationRow | null> {
  const [row] = await db.select().from(membershipApplications).where(eq(membershipApplications.id, id)).limit(1);
  return row ?? null;
}

async function eventsOf(db: Reader, applicationId: string): Promise<ApplicationEvent[]> {
  return db
    .select({
      id: membershipApplicationEvents.id,
      at: membershipApplicationEvents.at,
      kind: membershipApplicationEvents.kind,
      message: membershipApplicationEvents.message,
      actorId: membershipApplicationEvents.actorId,
      actorName: users.name,
    })
    .from(membershipApplicationEvents)
    .leftJoin(users, eq(users.id, membershipApplicationEvents.actorId))
    .where(eq(membershipApplicationEvents.applicationId, applicationId))
    .orderBy(asc(membershipApplicationEvents.at), asc(membershipApplicationEvents.id));
}

async function detailsOf(db: Reader, row: ApplicationRow): Promise<ApplicationDetails> {
  const [applicant] = await db
    .select({
      id: users.id,
      name: users.name,
      email: users.email,
      profession: users.profession,
      country: users.country,
    })
    .from(users)
    .where(eq(users.id, row.userId))
    .limit(1);
  const [membership] = await db
    .select({ status: memberships.status, number: memberships.number })
    .from(memberships)
    .where(eq(memberships.userId, row.userId))
    .limit(1);
  return {
    application: toApplication(row),
    category: await getCategory(db, row.categoryId),
    documents: await listDocuments(db, row.id),
    events: await eventsOf(db, row.id),
    applicant: applicant ?? { id: row.userId, name: '', email: '', profession: '', country: '' },
    membership: membership ?? null,
  };
}

/** The user's open application, or else their latest one, with its documents and conversation. */
export async function getMyApplication(db: Reader, userId: string): Promise<ApplicationDetails | null> {
  const open = await openApplicationRow(db, userId);
  if (open) return detailsOf(db, open);
  const [latest] = await db
    .select()
    .from(membershipApplications)
    .where(eq(membershipApplications.userId, userId))
    .orderBy(desc(membershipApplications.createdAt))
    .limit(1);
  return latest ? detailsOf(db, latest) : null;
}

/**
 * What a new application form starts with: the profession and country the user gave when registering, so
 * nobody is asked twice (they can still change them on the form).
 */
export async function applicationStartingValues(
  db: Reader,
  userId: string,
): Promise<{ profession: string; country: string; ethicsAcceptedAt: number | null }> {
  const [account] = await db
    .select({ profession: users.profession, country: users.country })
    .from(users)
    .where(eq(users.id, userId))
    .limit(1);
  return {
    profession: account?.profession ?? '',
    country: account?.country ?? '',
    ethicsAcceptedAt: await currentEthicsAcceptedAt(db, userId),
  };
}

/**
 * When the user accepted the current version of the code of ethics (at registration, or with an earlier
 * application), or null: the code is accepted once per version, so the application does not ask again.
 */
export async function currentEthicsAcceptedAt(db: Reader, userId: string): Promise<number | null> {
  const [consent] = await db
    .select({ acceptedAt: consents.acceptedAt })
    .from(consents)
    .where(
      and(
        eq(consents.userId, userId),
        eq(consents.document, 'code-of-ethics'),
        eq(consents.version, CURRENT_ETHICS_VERSION),
      ),
    )
    .orderBy(consents.acceptedAt)
    .limit(1);
  return consent?.acceptedAt ?? null;
}

/** One application for an admin; drafts are the applicant's own until submitted. */
export async function getApplicationForReview(db: Reader, id: string): Promise<ApplicationDetails | null> {
  const row = await applicationRow(db, id);
  if (!row || row.status === 'draft') return null;
  return detailsOf(db, row);
}

export interface QueueItem {
  id: string;
  status: ApplicationStatus;
  applicantName: string;
  applicantEmail: string;
  categoryId: string;
  categoryName: string;
  country: string;
  submittedAt: number | null;
  updatedAt: number;
}

/** The statuses an admin can list (drafts are the applicant's own until submitted). */
export const QUEUE_STATUSES = ['submitted', 'info-requested', 'approved', 'rejected', 'withdrawn'] as const;
export type QueueStatus = (typeof QUEUE_STATUSES)[number];
export const QUEUE_PAGE_SIZE = 25;

export interface Queue {
  items: QueueItem[];
  status: ApplicationStatus;
  counts: Record<ApplicationStatus, number>;
  page: number;
  pageCount: number;
}

/** The review queue: applications in one status, the longest waiting first, and the count of each status. */
export async function listQueue(db: Reader, input: { status: QueueStatus; page: number }): Promise<Queue> {
  const countRows = await db
    .select({ status: membershipApplications.status, n: count() })
    .from(membershipApplications)
    .groupBy(membershipApplications.status);
  const counts = Object.fromEntries(APPLICATION_STATUSES.map((s) => [s, 0])) as Record<ApplicationStatus, number>;
  for (const row of countRows) counts[row.status] = row.n;
  const total = counts[input.status];
  const { page, pageCount, offset } = pageWindow(total, QUEUE_PAGE_SIZE, input.page);
  const rows = await db
    .select({
      id: membershipApplications.id,
      status: membershipApplications.status,
      applicantName: users.name,
      applicantEmail: users.email,
      categoryId: membershipApplications.categoryId,
      categoryName: membershipCategories.name,
      country: membershipApplications.country,
      submittedAt: membershipApplications.submittedAt,
      updatedAt: membershipApplications.updatedAt,
    })
    .from(membershipApplications)
    .innerJoin(users, eq(users.id, membershipApplications.userId))
    .innerJoin(membershipCategories, eq(membershipCategories.id, membershipApplications.categoryId))
    .where(eq(membershipApplications.status, input.status))
    .orderBy(asc(membershipApplications.submittedAt), asc(membershipApplications.createdAt))
    .limit(QUEUE_PAGE_SIZE)
    .offset(offset);
  return { items: rows, status: input.status, counts, page, pageCount };
}

// ---------------------------------------------------------------- applicant steps

async function addEvent(
  tx: DbOrTx,
  applicationId: string,
  actorId: string,
  kind: ApplicationEventKind,
  text: string,
  now: number,
): Promise<void> {
  await tx
    .insert(membershipApplicationEvents)
    .values({ id: newId(), applicationId, at: now, actorId, kind, message: text });
}

/**
 * Moves an application on, but only from one of `from`: a request that lost a race with another (two admins
 * deciding at once, a withdrawal during review) changes nothing and is told so. Always the first write of
 * its transaction, so returning the refusal leaves nothing written.
 */
async function moveApplication(
  tx: DbOrTx,
  id: string,
  from: readonly ApplicationStatus[],
  values: Partial<typeof membershipApplications.$inferInsert>,
): Promise<boolean> {
  const moved = await tx
    .update(membershipApplications)
    .set(values)
    .where(and(eq(membershipApplications.id, id), inArray(membershipApplications.status, [...from])))
    .returning({ id: membershipApplications.id });
  return moved.length > 0;
}

function raced(): Refusal {
  return refuse('CONFLICT', 'The application changed a moment ago (someone else acted on it). Reload it and check.');
}

/** Why `userId` cannot start an application for `category`, or null. */
async function startRefusal(db: Reader, userId: string, category: MembershipCategory): Promise<string | null> {
  const [membership] = await db
    .select({ status: memberships.status, categoryId: memberships.categoryId })
    .from(memberships)
    .where(eq(memberships.userId, userId))
    .limit(1);
  if (membership?.status === 'suspended') {
    return 'Your membership is suspended. Contact the association before applying again.';
  }
  if (
    membership &&
    (membership.status === 'active' || membership.status === 'grace') &&
    membership.categoryId === category.id
  ) {
    return `You are already a ${category.name} member.`;
  }
  return null;
}

export type SaveDraftResult = { ok: true; application: Application; created: boolean } | Refusal;

/**
 * Saves what the applicant typed into their open application (creating the draft the first time). Only
 * drafts and applications waiting for more information can be edited. The category must be one this
 * applicant may apply for (judged by the profession given, or the account's when none is given yet).
 */
export async function saveDraft(
  db: Db,
  userId: string,
  input: ApplicationDraft,
  meta: RequestMeta,
  now = Date.now(),
): Promise<SaveDraftResult> {
  const category = await getCategory(db, input.categoryId);
  if (!category)
    return refuse('BAD_REQUEST', 'Choose a category from the list.', {
      categoryId: 'Choose a category from the list.',
    });
  const [account] = await db.select({ profession: users.profession }).from(users).where(eq(users.id, userId)).limit(1);
  const refusal = applicationRefusal(category, input.profession || (account?.profession ?? ''));
  if (refusal) return refuse('BAD_REQUEST', refusal, { categoryId: refusal });

  const fields = {
    categoryId: category.id,
    profession: input.profession,
    licenceNumber: input.licenceNumber,
    licenceIssuer: input.licenceIssuer,
    institution: input.institution,
    country: input.country,
    yearsEcpPractice: input.yearsEcpPractice,
    treatmentsSupervised: input.treatmentsSupervised,
    languagesJson: JSON.stringify(input.languages),
    updatedAt: now,
  };
  return db.transaction(async (tx): Promise<SaveDraftResult> => {
    const open = await openApplicationRow(tx, userId);
    if (open && open.status === 'submitted') {
      return refuse(
        'CONFLICT',
        'Your application is with the reviewers. You can change it if they ask for more information, or withdraw it.',
      );
    }
    const acceptedBefore = await currentEthicsAcceptedAt(tx, userId);
    const ethics =
      acceptedBefore !== null
        ? { ethicsVersion: CURRENT_ETHICS_VERSION, ethicsAcceptedAt: acceptedBefore }
        : input.acceptEthics
          ? {
              ethicsVersion: CURRENT_ETHICS_VERSION,
              ethicsAcceptedAt:
                open?.ethicsVersion === CURRENT_ETHICS_VERSION && open.ethicsAcceptedAt ? open.ethicsAcceptedAt : now,
            }
          : { ethicsVersion: null, ethicsAcceptedAt: null };
    if (open) {
      const moved = await moveApplication(tx, open.id, ['draft', 'info-requested'], { ...fields, ...ethics });
      if (!moved) return raced();
      await writeAudit(
        tx,
        { actorId: userId, action: 'membership.application-saved', subjectId: open.id, ipAddress: meta.ipAddress },
        now,
      );
      return { ok: true, application: await reloadedApplication(tx, open.id), created: false };
    }
    const startRefused = await startRefusal(tx, userId, category);
    if (startRefused) return refuse('CONFLICT', startRefused, { categoryId: startRefused });
    const id = newId();
    await tx.insert(membershipApplications).values({
      id,
      userId,
      status: 'draft',
      ...fields,
      ...ethics,
      createdAt: now,
      submittedAt: null,
      decidedAt: null,
      decidedBy: null,
      decisionReason: null,
    });
    await writeAudit(
      tx,
      {
        actorId: userId,
        action: 'membership.application-started',
        subjectId: id,
        ipAddress: meta.ipAddress,
        details: { categoryId: category.id },
      },
      now,
    );
    return { ok: true, application: await reloadedApplication(tx, id), created: true };
  });
}

/**
 * What keeps a saved application from being sent, by field (empty when it can go): required details, the
 * current code of ethics accepted, a category this applicant may apply for, and enough documents.
 */
export async function submissionProblems(db: Reader, row: ApplicationRow): Promise<Record<string, string>> {
  const problems: Record<string, string> = {};
  const category = await getCategory(db, row.categoryId);
  if (!category) problems.categoryId = 'Choose a category from the list.';
  if (!row.profession) problems.profession = 'Choose your profession.';
  else if (category) {
    const refusal = applicationRefusal(category, row.profession);
    if (refusal) problems.categoryId = refusal;
  }
  // Industry applicants (device makers) hold no clinical licence; everyone else names theirs.
  if (row.profession !== 'industry') {
    if (!row.licenceNumber) problems.licenceNumber = 'Enter your licence or registration number.';
    if (!row.licenceIssuer) problems.licenceIssuer = 'Enter the body that issued your licence or registration.';
  }
  if (!row.institution) problems.institution = 'Enter your institution, practice or company.';
  if (!row.country) problems.country = 'Choose the country where you practise.';
  if (toApplication(row).languages.length === 0) problems.languages = 'List at least one language you work in.';
  if (row.ethicsVersion !== CURRENT_ETHICS_VERSION) {
    problems.acceptEthics = 'Accept the current code of ethics to apply.';
  }
  if (category) {
    const documents = await listDocuments(db, row.id);
    if (documents.length < category.minDocuments) {
      const needed = category.minDocuments;
      problems.documents = `Upload at least ${needed} supporting document${needed === 1 ? '' : 's'}: ${category.evidenceRequired}`;
    }
  }
  return problems;
}

/** Mails the applicant `userId`, addressed by name ("Dear ..."), after the step's transaction committed. */
async function mailApplicant(db: Db, deps: ServiceDeps, userId: string, mail: MailText): Promise<void> {
  const [applicant] = await db
    .select({ name: users.name, email: users.email })
    .from(users)
    .where(eq(users.id, userId))
    .limit(1);
  if (!applicant) throw new Error(`Applicant ${userId} does not exist`);
  await deps.mailer.send(db, {
    to: applicant.email,
    subject: mail.subject,
    text: `Dear ${applicant.name},\n\n${mail.body}`,
  });
}

/** The application as this transaction's own write left it (the write cannot have removed it). */
async function reloadedApplication(tx: Reader, id: string): Promise<Application> {
  const row = await applicationRow(tx, id);
  if (!row) throw new Error(`Application ${id} vanished inside its own transaction`);
  return toApplication(row);
}

export type StepResult = { ok: true; application: Application } | Refusal;

/** One step of an application: what the transition helper does for every step, in this order. */
interface Step<Extra> {
  /** Reads the application and refuses what this step may not do; runs first, before any write. */
  guard: (tx: DbOrTx) => Promise<ApplicationRow | Refusal>;
  /** The statuses the step moves from (checked again by the update itself, against races). */
  from: readonly ApplicationStatus[];
  set: Partial<typeof membershipApplications.$inferInsert>;
  /** The step's other writes (membership, consent), in the same transaction. */
  alsoWrite?: (tx: DbOrTx, row: ApplicationRow) => Promise<Extra>;
  event: { actorId: string; kind: ApplicationEventKind; text: string };
  audit: (row: ApplicationRow, extra: Extra) => { actorId: string; action: string; details?: Record<string, unknown> };
}

/**
 * Runs a step in one transaction: guard, move (conditional on the status, so a lost race writes nothing),
 * the step's other writes, the conversation event and the audit row; then the application as it now is.
 * Mail is the caller's, after the commit (a refused or rolled-back step mails nobody).
 */
async function runStep<Extra = undefined>(
  db: Db,
  meta: RequestMeta,
  now: number,
  step: Step<Extra>,
): Promise<{ ok: true; application: Application; extra: Extra } | Refusal> {
  return db.transaction(async (tx) => {
    const row = await step.guard(tx);
    if (isRefusal(row)) return row;
    if (!(await moveApplication(tx, row.id, step.from, { ...step.set, updatedAt: now }))) return raced();
    const extra = (step.alsoWrite ? await step.alsoWrite(tx, row) : undefined) as Extra;
    await addEvent(tx, row.id, step.event.actorId, step.event.kind, step.event.text, now);
    const audit = step.audit(row, extra);
    await writeAudit(tx, { ...audit, subjectId: row.id, ipAddress: meta.ipAddress }, now);
    return { ok: true, application: await reloadedApplication(tx, row.id), extra } as const;
  });
}

function isRefusal(value: ApplicationRow | Refusal): value is Refusal {
  return 'ok' in value && value.ok === false;
}

/** The applicant's open application, or the refusal `missing` when there is none. */
async function openOrRefusal(tx: DbOrTx, userId: string, missing: string): Promise<ApplicationRow | Refusal> {
  return (await openApplicationRow(tx, userId)) ?? refuse('NOT_FOUND', missing);
}

/** An open application that is complete enough to go (back) to the reviewers, or why not. */
async function completeOrRefusal(tx: DbOrTx, row: ApplicationRow): Promise<ApplicationRow | Refusal> {
  const problems = await submissionProblems(tx, row);
  return Object.keys(problems).length > 0
    ? refuse('BAD_REQUEST', 'Your application is not complete yet.', problems)
    : row;
}

/** Sends the draft to the reviewers: validated, consent recorded, pending membership created, mail sent. */
export async function submitApplication(
  db: Db,
  deps: ServiceDeps,
  userId: string,
  meta: RequestMeta,
  now = Date.now(),
): Promise<StepResult> {
  const outcome = await runStep(db, meta, now, {
    guard: async (tx) => {
      const open = await openOrRefusal(tx, userId, 'You have no application to submit. Fill in the form first.');
      if (isRefusal(open)) return open;
      if (open.status === 'submitted') return refuse('CONFLICT', 'Your application has already been submitted.');
      if (open.status === 'info-requested') {
        return refuse('CONFLICT', 'The reviewers asked for more information: update the application and send a reply.');
      }
      return completeOrRefusal(tx, open);
    },
    from: ['draft'],
    set: { status: 'submitted', submittedAt: now },
    alsoWrite: async (tx, open) => {
      // The same record registration keeps: which version of the code was accepted, and when (once per version).
      if ((await currentEthicsAcceptedAt(tx, userId)) === null) {
        await tx.insert(consents).values({
          id: newId(),
          userId,
          document: 'code-of-ethics',
          version: CURRENT_ETHICS_VERSION,
          acceptedAt: open.ethicsAcceptedAt ?? now,
        });
      }
      await createPendingMembership(tx, { userId, categoryId: open.categoryId, now });
    },
    event: { actorId: userId, kind: 'submitted', text: 'Application submitted.' },
    audit: (open) => ({
      actorId: userId,
      action: 'membership.application-submitted',
      details: { categoryId: open.categoryId, ethicsVersion: CURRENT_ETHICS_VERSION },
    }),
  });
  if (!outcome.ok) return outcome;
  const { application } = outcome;
  await mailApplicant(db, deps, userId, applicationMail.submitted(deps.siteUrl));
  const category = await getCategory(db, application.categoryId);
  const categoryName = category?.name ?? application.categoryId;
  await mailRole(db, deps, 'admin', adminApplicationMail.submitted(deps.siteUrl, categoryName, application.id));
  return { ok: true, application };
}

/** The applicant answers a request for information: the edited application goes back to the reviewers. */
export async function replyToReviewers(
  db: Db,
  deps: ServiceDeps,
  userId: string,
  input: z.output<typeof replyInput>,
  meta: RequestMeta,
  now = Date.now(),
): Promise<StepResult> {
  const outcome = await runStep(db, meta, now, {
    guard: async (tx) => {
      const open = await openOrRefusal(tx, userId, 'You have no open application.');
      if (isRefusal(open)) return open;
      if (open.status !== 'info-requested') {
        return refuse(
          'CONFLICT',
          'The reviewers have not asked for more information, so there is nothing to reply to.',
        );
      }
      return completeOrRefusal(tx, open);
    },
    from: ['info-requested'],
    set: { status: 'submitted' },
    event: { actorId: userId, kind: 'applicant-replied', text: input.message },
    audit: () => ({ actorId: userId, action: 'membership.application-replied' }),
  });
  if (!outcome.ok) return outcome;
  await mailApplicant(db, deps, userId, applicationMail.replied(deps.siteUrl));
  await mailRole(db, deps, 'admin', adminApplicationMail.replied(deps.siteUrl, outcome.application.id));
  return { ok: true, application: outcome.application };
}

/** The applicant withdraws their open application; a first application's pending membership goes too. */
export async function withdrawApplication(
  db: Db,
  deps: ServiceDeps,
  userId: string,
  meta: RequestMeta,
  now = Date.now(),
): Promise<StepResult> {
  const outcome = await runStep(db, meta, now, {
    guard: (tx) => openOrRefusal(tx, userId, 'You have no open application to withdraw.'),
    from: OPEN_STATUSES,
    set: { status: 'withdrawn', decidedAt: now },
    alsoWrite: async (tx, open) => {
      if (open.status !== 'draft') {
        await discardPendingMembership(tx, { userId, actorId: userId, now, reason: 'Application withdrawn.' });
      }
    },
    event: { actorId: userId, kind: 'withdrawn', text: 'Application withdrawn by the applicant.' },
    audit: (open) => ({
      actorId: userId,
      action: 'membership.application-withdrawn',
      details: { fromStatus: open.status },
    }),
  });
  if (!outcome.ok) return outcome;
  // Nobody was told of a draft, so nobody is told of its withdrawal.
  if (outcome.application.submittedAt !== null) {
    await mailApplicant(db, deps, userId, applicationMail.withdrawn(deps.siteUrl));
  }
  return { ok: true, application: outcome.application };
}

// ---------------------------------------------------------------- admin decisions

/** An application an admin may act on, or the refusal (missing: NOT_FOUND; decided or draft: CONFLICT). */
async function decidable(
  tx: Reader,
  applicationId: string,
  allowed: readonly ApplicationStatus[],
): Promise<ApplicationRow | Refusal> {
  const row = await applicationRow(tx, applicationId);
  if (!row || row.status === 'draft') return refuse('NOT_FOUND', 'That application does not exist.');
  if (!allowed.includes(row.status)) {
    return refuse('CONFLICT', `That application ${STATE_PHRASES[row.status]}, so this action no longer applies.`);
  }
  return row;
}

export type ApproveResult = { ok: true; application: Application; number: string } | Refusal;

/**
 * Approves: the membership becomes active with its number (kept if the applicant already had one), the
 * applicant holds the member role, and is mailed the number.
 */
export async function approveApplication(
  db: Db,
  deps: ServiceDeps,
  actorId: string,
  input: z.output<typeof decisionInput>,
  meta: RequestMeta,
  now = Date.now(),
): Promise<ApproveResult> {
  let outcome: Awaited<ReturnType<typeof runStep<string>>>;
  try {
    outcome = await runStep(db, meta, now, {
      guard: (tx) => decidable(tx, input.applicationId, DECIDABLE_STATUSES),
      from: DECIDABLE_STATUSES,
      set: { status: 'approved', decidedAt: now, decidedBy: actorId },
      // activateMembership also grants the member role (syncMemberRole).
      alsoWrite: async (tx, row) =>
        (await activateMembership(tx, { userId: row.userId, categoryId: row.categoryId, actorId, now })).number,
      event: { actorId, kind: 'approved', text: input.message || 'Application approved.' },
      audit: (row, number) => ({
        actorId,
        action: 'membership.application-approved',
        details: { userId: row.userId, categoryId: row.categoryId, number },
      }),
    });
  } catch (error) {
    if (error instanceof MembershipTransitionError) return refuse('CONFLICT', error.message);
    throw error;
  }
  if (!outcome.ok) return outcome;
  const { application, extra: number } = outcome;
  const category = await getCategory(db, application.categoryId);
  const mail = applicationMail.approved(deps.siteUrl, category?.name ?? '', number, input.message);
  await mailApplicant(db, deps, application.userId, mail);
  return { ok: true, application, number };
}

/** Rejects with a reason the applicant reads; a first application's pending membership is removed. */
export async function rejectApplication(
  db: Db,
  deps: ServiceDeps,
  actorId: string,
  input: z.output<typeof rejectInput>,
  meta: RequestMeta,
  now = Date.now(),
): Promise<StepResult> {
  const outcome = await runStep(db, meta, now, {
    guard: (tx) => decidable(tx, input.applicationId, DECIDABLE_STATUSES),
    from: DECIDABLE_STATUSES,
    set: { status: 'rejected', decidedAt: now, decidedBy: actorId, decisionReason: input.reason },
    alsoWrite: async (tx, row) => {
      await discardPendingMembership(tx, { userId: row.userId, actorId, now, reason: input.reason });
    },
    event: { actorId, kind: 'rejected', text: input.reason },
    audit: (row) => ({
      actorId,
      action: 'membership.application-rejected',
      details: { userId: row.userId, categoryId: row.categoryId },
    }),
  });
  if (!outcome.ok) return outcome;
  await mailApplicant(db, deps, outcome.application.userId, applicationMail.rejected(deps.siteUrl, input.reason));
  return { ok: true, application: outcome.application };
}

/** Asks the applicant for more information; they update the application and reply. */
export async function requestMoreInformation(
  db: Db,
  deps: ServiceDeps,
  actorId: string,
  input: z.output<typeof requestInfoInput>,
  meta: RequestMeta,
  now = Date.now(),
): Promise<StepResult> {
  const outcome = await runStep(db, meta, now, {
    guard: (tx) => decidable(tx, input.applicationId, ['submitted']),
    from: ['submitted'],
    set: { status: 'info-requested' },
    event: { actorId, kind: 'info-requested', text: input.message },
    audit: (row) => ({ actorId, action: 'membership.application-info-requested', details: { userId: row.userId } }),
  });
  if (!outcome.ok) return outcome;
  const mail = applicationMail.infoRequested(deps.siteUrl, input.message);
  await mailApplicant(db, deps, outcome.application.userId, mail);
  return { ok: true, application: outcome.application };
}
