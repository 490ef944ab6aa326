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
import { COUNTRY_CODES, PROFESSIONS } from '#src/lib/schemas.ts';
import { writeAudit } from '../audit.ts';
import { newId } from '../ids.ts';
import { type Refusal, refuse } from '../refusal.ts';
import type { RequestMeta, ServiceDeps } from './deps.ts';
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

export const APPLICATION_LIMITS = {
  textMax: 200,
  languagesMax: 12,
  languageMax: 40,
  yearsMax: 80,
  treatmentsMax: 1_000_000,
  messageMax: 4000,
} as const;

export const APPLICATION_STATUS_LABELS: Record<ApplicationStatus, string> = {
  draft: 'Draft (not sent)',
  submitted: 'Submitted, waiting for review',
  'info-requested': 'More information requested',
  approved: 'Approved',
  rejected: 'Rejected',
  withdrawn: 'Withdrawn',
};

// ---------------------------------------------------------------- input

const text = (max: number) =>
  z
    .string()
    .trim()
    .max(max, `Use at most ${max} characters.`)
    .refine((v) => !/\p{Cc}/u.test(v), 'Remove control characters.')
    .default('');

const wholeNumber = (max: number, what: string) =>
  z
    .preprocess(
      (v) => (v === '' || v === null || v === undefined ? 0 : typeof v === 'string' ? Number(v.trim()) : v),
      z
        .number({ error: `Enter the ${what} as a number.` })
        .int(`Enter the ${what} as a whole number.`)
        .min(0, `The ${what} cannot be negative.`)
        .max(max, `Enter at most ${max.toLocaleString('en-GB')}.`),
    )
    .default(0);

/** Languages as a list, or as the form's text ("English, Mandarin"). */
const languagesField = z.preprocess(
  (v) => (typeof v === 'string' ? v.split(/[,;\n]/) : v),
  z
    .array(z.string().trim().max(APPLICATION_LIMITS.languageMax, 'Write each language in at most 40 characters.'))
    .transform((list) => [...new Set(list.filter((l) => l.length > 0))])
    .pipe(z.array(z.string()).max(APPLICATION_LIMITS.languagesMax, 'List at most 12 languages.')),
);

/**
 * What the applicant typed. Drafts may be incomplete (blank fields are kept blank); submitting checks
 * completeness on what was saved (submissionProblems).
 */
export const applicationDraftInput = z.object({
  categoryId: z.string({ error: 'Choose a category.' }).trim().min(1, 'Choose a category.').max(64),
  profession: z
    .union([z.literal(''), z.enum(PROFESSIONS, { error: 'Choose your profession from the list.' })])
    .default(''),
  licenceNumber: text(APPLICATION_LIMITS.textMax),
  licenceIssuer: text(APPLICATION_LIMITS.textMax),
  institution: text(APPLICATION_LIMITS.textMax),
  country: z
    .union([
      z.literal(''),
      z.enum(COUNTRY_CODES as [string, ...string[]], { error: 'Choose a country from the list.' }),
    ])
    .default(''),
  yearsEcpPractice: wholeNumber(APPLICATION_LIMITS.yearsMax, 'years of ECP practice'),
  treatmentsSupervised: wholeNumber(APPLICATION_LIMITS.treatmentsMax, 'number of treatments'),
  languages: languagesField.default([]),
  acceptEthics: z.boolean().default(false),
});
export type ApplicationDraftInput = z.input<typeof applicationDraftInput>;
export type ApplicationDraft = z.output<typeof applicationDraftInput>;

const message = (what: string) =>
  z
    .string({ error: `Write ${what}.` })
    .trim()
    .min(1, `Write ${what}.`)
    .max(APPLICATION_LIMITS.messageMax, `Use at most ${APPLICATION_LIMITS.messageMax} characters.`);

export const replyInput = z.object({ message: message('a reply to the reviewers') });
export const decisionInput = z.object({
  applicationId: z.string().min(1).max(64),
  message: z.string().trim().max(APPLICATION_LIMITS.messageMax).default(''),
});
export const rejectInput = z.object({
  applicationId: z.string().min(1).max(64),
  reason: message('the reason for the rejection (the applicant reads it)'),
});
export const requestInfoInput = z.object({
  applicationId: z.string().min(1).max(64),
  message: message('what the applicant should add or change'),
});

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
async function mailApplicant(db: Db, deps: ServiceDeps, userId: string, subject: string, body: string): Promise<void> {
  const [applicant] = await db
    .select({ name: users.name, email: users.email })
    .from(users)
    .where(eq(users.id, userId))
    .limit(1);
  if (!applicant) throw new Error(`Applicant ${userId} does not exist`);
  await deps.mailer.send(db, { to: applicant.email, subject, text: `Dear ${applicant.name},\n\n${body}` });
}

/** The application as this transaction's own write left it (the write cannot have removed it). */
async function reloadedApplication(tx: Reader, id: string): Promise<Application> {
  const row = await applicationRow(tx, id);
  if (!row) throw new Error(`Application ${id} vanished inside its own transaction`);
  return toApplication(row);
}

export type StepResult = { ok: true; application: Application } | Refusal;

/** Sends the draft to the reviewers: validated, consent recorded, pending membership created, mail sent. */
export async function submitApplication(
  db: Db,
  deps: ServiceDeps,
  userId: string,
  meta: RequestMeta,
  now = Date.now(),
): Promise<StepResult> {
  const outcome = await db.transaction(async (tx): Promise<StepResult> => {
    const open = await openApplicationRow(tx, userId);
    if (!open) return refuse('NOT_FOUND', 'You have no application to submit. Fill in the form first.');
    if (open.status === 'submitted') return refuse('CONFLICT', 'Your application has already been submitted.');
    if (open.status === 'info-requested') {
      return refuse('CONFLICT', 'The reviewers asked for more information: update the application and send a reply.');
    }
    const problems = await submissionProblems(tx, open);
    if (Object.keys(problems).length > 0) {
      return refuse('BAD_REQUEST', 'Your application is not complete yet.', problems);
    }
    const moved = await moveApplication(tx, open.id, ['draft'], {
      status: 'submitted',
      submittedAt: now,
      updatedAt: now,
    });
    if (!moved) return raced();
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
    await addEvent(tx, open.id, userId, 'submitted', 'Application submitted.', now);
    await writeAudit(
      tx,
      {
        actorId: userId,
        action: 'membership.application-submitted',
        subjectId: open.id,
        ipAddress: meta.ipAddress,
        details: { categoryId: open.categoryId, ethicsVersion: CURRENT_ETHICS_VERSION },
      },
      now,
    );
    return { ok: true, application: await reloadedApplication(tx, open.id) };
  });
  if (outcome.ok) {
    await mailApplicant(
      db,
      deps,
      userId,
      'We received your IECPA membership application',
      `Thank you for applying for IECPA membership. The membership committee will review your application and write to you when they have decided or if they need more information.\n\nYou can follow your application at ${deps.siteUrl}/membership/application\n`,
    );
    const category = await getCategory(db, outcome.application.categoryId);
    await mailRole(db, deps, 'admin', {
      subject: 'A membership application is waiting for review',
      text: `A new application for IECPA membership (${category?.name ?? outcome.application.categoryId}) was submitted. Review it at ${deps.siteUrl}/admin/applications/${outcome.application.id}\n\nAll applications waiting: ${deps.siteUrl}/admin/applications\n`,
    });
  }
  return outcome;
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
  const outcome = await db.transaction(async (tx): Promise<StepResult> => {
    const open = await openApplicationRow(tx, userId);
    if (!open) return refuse('NOT_FOUND', 'You have no open application.');
    if (open.status !== 'info-requested') {
      return refuse('CONFLICT', 'The reviewers have not asked for more information, so there is nothing to reply to.');
    }
    const problems = await submissionProblems(tx, open);
    if (Object.keys(problems).length > 0) {
      return refuse('BAD_REQUEST', 'Your application is not complete yet.', problems);
    }
    const moved = await moveApplication(tx, open.id, ['info-requested'], { status: 'submitted', updatedAt: now });
    if (!moved) return raced();
    await addEvent(tx, open.id, userId, 'applicant-replied', input.message, now);
    await writeAudit(
      tx,
      { actorId: userId, action: 'membership.application-replied', subjectId: open.id, ipAddress: meta.ipAddress },
      now,
    );
    return { ok: true, application: await reloadedApplication(tx, open.id) };
  });
  if (outcome.ok) {
    await mailApplicant(
      db,
      deps,
      userId,
      'Your reply has been sent to the IECPA membership committee',
      `Your updated application and your reply have been sent to the membership committee. They will write to you again when they have reviewed it.\n\nYour application: ${deps.siteUrl}/membership/application\n`,
    );
    await mailRole(db, deps, 'admin', {
      subject: 'An applicant replied to your request for information',
      text: `An applicant updated their IECPA membership application and replied to the committee's request for information. Review it at ${deps.siteUrl}/admin/applications/${outcome.application.id}\n`,
    });
  }
  return outcome;
}

/** The applicant withdraws their open application; a first application's pending membership goes too. */
export async function withdrawApplication(
  db: Db,
  deps: ServiceDeps,
  userId: string,
  meta: RequestMeta,
  now = Date.now(),
): Promise<StepResult> {
  const outcome = await db.transaction(async (tx): Promise<StepResult> => {
    const open = await openApplicationRow(tx, userId);
    if (!open) return refuse('NOT_FOUND', 'You have no open application to withdraw.');
    const moved = await moveApplication(tx, open.id, OPEN_STATUSES, {
      status: 'withdrawn',
      decidedAt: now,
      updatedAt: now,
    });
    if (!moved) return raced();
    await addEvent(tx, open.id, userId, 'withdrawn', 'Application withdrawn by the applicant.', now);
    if (open.status !== 'draft') {
      await discardPendingMembership(tx, { userId, actorId: userId, now, reason: 'Application withdrawn.' });
    }
    await writeAudit(
      tx,
      {
        actorId: userId,
        action: 'membership.application-withdrawn',
        subjectId: open.id,
        ipAddress: meta.ipAddress,
        details: { fromStatus: open.status },
      },
      now,
    );
    return { ok: true, application: await reloadedApplication(tx, open.id) };
  });
  if (outcome.ok && outcome.application.submittedAt !== null) {
    await mailApplicant(
      db,
      deps,
      userId,
      'You withdrew your IECPA membership application',
      `Your membership application has been withdrawn, as you asked. You are welcome to apply again at any time: ${deps.siteUrl}/membership\n`,
    );
  }
  return outcome;
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
    return refuse(
      'CONFLICT',
      `That application is ${APPLICATION_STATUS_LABELS[row.status].toLowerCase()}, so this action no longer applies.`,
    );
  }
  return row;
}

function isRefusal(value: ApplicationRow | Refusal): value is Refusal {
  return 'ok' in value && value.ok === false;
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
  let outcome: ApproveResult;
  try {
    outcome = await db.transaction(async (tx): Promise<ApproveResult> => {
      const row = await decidable(tx, input.applicationId, DECIDABLE_STATUSES);
      if (isRefusal(row)) return row;
      const moved = await moveApplication(tx, row.id, DECIDABLE_STATUSES, {
        status: 'approved',
        decidedAt: now,
        decidedBy: actorId,
        updatedAt: now,
      });
      if (!moved) return raced();
      // activateMembership also grants the member role (syncMemberRole).
      const { number } = await activateMembership(tx, { userId: row.userId, categoryId: row.categoryId, actorId, now });
      await addEvent(tx, row.id, actorId, 'approved', input.message || 'Application approved.', now);
      await writeAudit(
        tx,
        {
          actorId,
          action: 'membership.application-approved',
          subjectId: row.id,
          ipAddress: meta.ipAddress,
          details: { userId: row.userId, categoryId: row.categoryId, number },
        },
        now,
      );
      return { ok: true, application: await reloadedApplication(tx, row.id), number };
    });
  } catch (error) {
    if (error instanceof MembershipTransitionError) return refuse('CONFLICT', error.message);
    throw error;
  }
  if (outcome.ok) {
    const category = await getCategory(db, outcome.application.categoryId);
    const note = input.message ? `\n\nA note from the committee:\n${input.message}` : '';
    await mailApplicant(
      db,
      deps,
      outcome.application.userId,
      `Welcome to IECPA: your membership number is ${outcome.number}`,
      `Your application has been approved: you are now a ${category?.name ?? ''} member of the International External Counterpulsation Association.\n\nYour membership number is ${outcome.number}.${note}\n\nYour membership: ${deps.siteUrl}/membership/status\n`,
    );
  }
  return outcome;
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
  const outcome = await db.transaction(async (tx): Promise<StepResult> => {
    const row = await decidable(tx, input.applicationId, DECIDABLE_STATUSES);
    if (isRefusal(row)) return row;
    const moved = await moveApplication(tx, row.id, DECIDABLE_STATUSES, {
      status: 'rejected',
      decidedAt: now,
      decidedBy: actorId,
      decisionReason: input.reason,
      updatedAt: now,
    });
    if (!moved) return raced();
    await discardPendingMembership(tx, { userId: row.userId, actorId, now, reason: input.reason });
    await addEvent(tx, row.id, actorId, 'rejected', input.reason, now);
    await writeAudit(
      tx,
      {
        actorId,
        action: 'membership.application-rejected',
        subjectId: row.id,
        ipAddress: meta.ipAddress,
        details: { userId: row.userId, categoryId: row.categoryId },
      },
      now,
    );
    return { ok: true, application: await reloadedApplication(tx, row.id) };
  });
  if (outcome.ok) {
    await mailApplicant(
      db,
      deps,
      outcome.application.userId,
      'Your IECPA membership application',
      `Thank you for applying for IECPA membership. The membership committee has decided not to approve your application, for this reason:\n\n${input.reason}\n\nYou are welcome to apply again when the situation has changed: ${deps.siteUrl}/membership\n`,
    );
  }
  return outcome;
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
  const outcome = await db.transaction(async (tx): Promise<StepResult> => {
    const row = await decidable(tx, input.applicationId, ['submitted']);
    if (isRefusal(row)) return row;
    const moved = await moveApplication(tx, row.id, ['submitted'], { status: 'info-requested', updatedAt: now });
    if (!moved) return raced();
    await addEvent(tx, row.id, actorId, 'info-requested', input.message, now);
    await writeAudit(
      tx,
      {
        actorId,
        action: 'membership.application-info-requested',
        subjectId: row.id,
        ipAddress: meta.ipAddress,
        details: { userId: row.userId },
      },
      now,
    );
    return { ok: true, application: await reloadedApplication(tx, row.id) };
  });
  if (outcome.ok) {
    await mailApplicant(
      db,
      deps,
      outcome.application.userId,
      'The IECPA membership committee needs more information',
      `The membership committee is reviewing your application and asks:\n\n${input.message}\n\nPlease update your application and send your reply at ${deps.siteUrl}/membership/application\n`,
    );
  }
  return outcome;
}
