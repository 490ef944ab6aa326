/**
 * The editors' and reviewers' side of the journal (OJS 3.4's editorial core): desk check, review rounds,
 * invitations with a due date accepted or declined by the reviewer, structured reports, decisions written
 * from templates and mailed, revisions, acceptance and production. Double-anonymous: what a reviewer reads
 * (reviewerView) carries no author's name, email, ORCID, affiliation or non-anonymised file; what an
 * author reads (journal-submissions.ts authorView) carries no reviewer's. Conflicts: an author of a
 * submission can neither handle nor review it; a shared affiliation is flagged and needs an explicit
 * acknowledgement. Every assignment and decision is audited.
 */
import { and, asc, desc, eq, inArray, isNull, lte, ne, sql } from 'drizzle-orm';
import type { Db, DbOrTx } from '#db/client.ts';
import {
  type Decision,
  journalDecisions,
  journalEditors,
  journalEvents,
  journalFiles,
  journalReviews,
  journalSubmissions,
  membershipApplications,
  userRoles,
  users,
} from '#db/schema/index.ts';
import { DAY_MS } from '#src/lib/dates.ts';
import { writeAudit } from '../audit.ts';
import type { SessionUser } from '../auth/session.ts';
import { newId } from '../ids.ts';
import { type Refusal, refuse } from '../refusal.ts';
import { checkUpload, newStoredName, readStoredFile, writeStoredFile } from '../uploads.ts';
import type { RequestMeta, ServiceDeps } from './deps.ts';
import { decisionLetter, journalMail } from './journal-mail.ts';
import { checkShareable, isSharedWithAuthors, markShared } from './journal-review-files.ts';
import type { inviteInput, productionInput, reportInput } from './journal-schemas.ts';
import {
  AUTHOR_FILE_KINDS,
  type AuthorRow,
  addEvent,
  declarationsOf,
  emailOf,
  FILE_RULES,
  type FileSummary,
  fileRefusalMessage,
  fileSummary,
  JOURNAL_FILES_FOLDER,
  loadAuthors,
  loadFiles,
  loadSubmission,
  MAX_JOURNAL_FILE_BYTES,
  parseAbstract,
  type StructuredAbstractText,
  type SubmissionRow,
} from './journal-submissions.ts';

type Actor = Pick<SessionUser, 'id' | 'email' | 'roles'>;

function isRefusal<T>(value: T | Refusal): value is Refusal {
  return typeof value === 'object' && value !== null && (value as Refusal).ok === false;
}

const NO_SUCH = 'No such submission.';

export async function isChief(db: DbOrTx, userId: string): Promise<boolean> {
  const [row] = await db
    .select({ chief: journalEditors.chief })
    .from(journalEditors)
    .where(eq(journalEditors.userId, userId));
  return row?.chief ?? false;
}

/** What the editor-in-chief may do that another editor may not (shown on the editors' pages, tested). */
export const CHIEF_POWERS = [
  'assign any submission to another editor (or take it over from one)',
  'record decisions on, invite reviewers to and publish any submission, not only those they handle',
  'give the editor-in-chief flag to another editor, or take it back',
] as const;

type Manager = Pick<SessionUser, 'id' | 'roles' | 'totpEnabled'>;

/** Admins and the editor-in-chief (each with the second factor their role needs) manage the chief flag. */
async function mayManageChiefs(db: DbOrTx, actor: Manager): Promise<boolean> {
  if (!actor.totpEnabled) return false;
  if (actor.roles.includes('admin')) return true;
  return actor.roles.includes('editor') && (await isChief(db, actor.id));
}

/** The journal's editors (holders of the `editor` role) with their chief flag, by name. */
export async function listEditors(db: DbOrTx, actor: Manager) {
  if (!actor.totpEnabled || (!actor.roles.includes('admin') && !actor.roles.includes('editor'))) {
    return refuse('FORBIDDEN', 'Only editors and administrators (with two-factor sign-in) see the list of editors.');
  }
  const rows = await db
    .select({ id: users.id, name: users.name, email: users.email, chief: journalEditors.chief })
    .from(userRoles)
    .innerJoin(users, eq(users.id, userRoles.userId))
    .leftJoin(journalEditors, eq(journalEditors.userId, users.id))
    .where(and(eq(userRoles.role, 'editor'), isNull(users.erasedAt)))
    .orderBy(asc(users.name));
  return {
    ok: true as const,
    editors: rows.map((r) => ({ ...r, chief: r.chief ?? false })),
    canManage: await mayManageChiefs(db, actor),
  };
}

/**
 * Sets or clears the `chief` flag of an editor: by an admin or the editor-in-chief, on a holder of the
 * `editor` role; the journal keeps at least one chief once it has one. Audited; the editor is mailed.
 */
export async function setChiefFlag(
  db: Db,
  deps: ServiceDeps,
  actor: Manager,
  input: { userId: string; chief: boolean },
  meta: RequestMeta,
  now = Date.now(),
): Promise<{ ok: true; changed: boolean } | Refusal> {
  const outcome = await db.transaction(async (tx) => {
    if (!(await mayManageChiefs(tx, actor))) {
      return refuse('FORBIDDEN', 'Only an administrator or the editor-in-chief sets the editor-in-chief flag.');
    }
    const [editor] = await tx
      .select({ id: users.id, email: users.email })
      .from(users)
      .innerJoin(userRoles, and(eq(userRoles.userId, users.id), eq(userRoles.role, 'editor')))
      .where(and(eq(users.id, input.userId), isNull(users.erasedAt)));
    if (!editor) return refuse('BAD_REQUEST', 'That account is not an editor: grant the editor role first.');
    if ((await isChief(tx, editor.id)) === input.chief) return { ok: true as const, changed: false, email: '' };
    if (!input.chief) {
      const chiefs = await tx
        .select({ userId: journalEditors.userId })
        .from(journalEditors)
        .where(eq(journalEditors.chief, true));
      if (chiefs.length <= 1) {
        return refuse(
          'CONFLICT',
          'The journal needs an editor-in-chief: give the flag to another editor before taking it from this one.',
        );
      }
    }
    await tx
      .insert(journalEditors)
      .values({ userId: editor.id, chief: input.chief, updatedAt: now })
      .onConflictDoUpdate({ target: journalEditors.userId, set: { chief: input.chief, updatedAt: now } });
    await writeAudit(
      tx,
      {
        actorId: actor.id,
        action: input.chief ? 'journal.chief-granted' : 'journal.chief-revoked',
        subjectId: editor.id,
        ipAddress: meta.ipAddress,
      },
      now,
    );
    return { ok: true as const, changed: true, email: editor.email };
  });
  if (!outcome.ok) return outcome;
  if (outcome.changed) {
    await deps.mailer.send(db, { to: outcome.email, ...journalMail.chiefFlag(deps.siteUrl, input.chief) });
  }
  return { ok: true, changed: outcome.changed };
}

const normalise = (text: string) => text.trim().toLowerCase().replace(/\s+/g, ' ');

/** The institution a user gave on their latest membership application ('' when none). */
async function institutionOf(db: DbOrTx, userId: string): Promise<string> {
  const [row] = await db
    .select({ institution: membershipApplications.institution })
    .from(membershipApplications)
    .where(eq(membershipApplications.userId, userId))
    .orderBy(desc(membershipApplications.createdAt))
    .limit(1);
  return row?.institution ?? '';
}

/**
 * Why `person` may not (or only with an acknowledgement may) handle or review a submission: they are its
 * submitter or one of its authors (by account email), or they share an author's affiliation.
 */
export async function conflictOf(
  db: DbOrTx,
  person: { id: string; email: string },
  submission: SubmissionRow,
  authors: AuthorRow[],
): Promise<'author' | 'affiliation' | null> {
  const email = person.email.toLowerCase();
  if (submission.submitterId === person.id || authors.some((a) => a.email && a.email === email)) return 'author';
  const institution = normalise(await institutionOf(db, person.id));
  if (institution && authors.some((a) => normalise(a.affiliation) === institution)) return 'affiliation';
  return null;
}

/** The submission for an editor who may act on it: not an author, and its handling editor or the chief. */
async function forEditor(
  db: DbOrTx,
  editor: Actor,
  submissionId: string,
  options: { mustHandle: boolean },
): Promise<{ row: SubmissionRow; authors: AuthorRow[] } | Refusal> {
  const row = await loadSubmission(db, submissionId);
  if (!row || row.status === 'draft') return refuse('NOT_FOUND', NO_SUCH);
  const authors = await loadAuthors(db, row.id);
  if ((await conflictOf(db, editor, row, authors)) === 'author') {
    return refuse('FORBIDDEN', 'You are an author of this submission: another editor handles it.');
  }
  if (options.mustHandle && row.handlingEditorId !== editor.id && !(await isChief(db, editor.id))) {
    return refuse('FORBIDDEN', 'Only the handling editor (or the editor-in-chief) may do this.');
  }
  return { row, authors };
}

export const EDITOR_QUEUE_STATUSES = [
  'submitted',
  'in-review',
  'revisions-requested',
  'accepted',
  'production',
] as const;

/** Submissions editors work on (the editor's own are left out: another editor handles them). */
export async function editorQueue(db: Db, editor: Actor) {
  const rows = await db
    .select({
      id: journalSubmissions.id,
      title: journalSubmissions.title,
      status: journalSubmissions.status,
      type: journalSubmissions.type,
      round: journalSubmissions.round,
      submittedAt: journalSubmissions.submittedAt,
      updatedAt: journalSubmissions.updatedAt,
      submitterId: journalSubmissions.submitterId,
      handlingEditorId: journalSubmissions.handlingEditorId,
      handlingEditorName: users.name,
    })
    .from(journalSubmissions)
    .leftJoin(users, eq(users.id, journalSubmissions.handlingEditorId))
    .where(ne(journalSubmissions.status, 'draft'))
    .orderBy(desc(journalSubmissions.updatedAt))
    .limit(500);
  const out = [];
  for (const r of rows) {
    const full = await loadSubmission(db, r.id);
    if (!full) continue;
    if ((await conflictOf(db, editor, full, await loadAuthors(db, r.id))) === 'author') continue;
    const { submitterId: _, ...rest } = r;
    out.push(rest);
  }
  return out;
}

export interface EditorReviewView {
  id: string;
  round: number;
  reviewerId: string;
  reviewerName: string;
  status: string;
  invitedAt: number;
  dueAt: number;
  respondedAt: number | null;
  overdueAt: number | null;
  recommendation: string | null;
  commentsToAuthors: string;
  commentsToEditor: string;
  submittedAt: number | null;
  annotatedFileId: string | null;
  annotationSharedAt: number | null;
}

/** Everything about a submission for a non-conflicted editor. */
export async function editorView(db: Db, editor: Actor, submissionId: string) {
  const found = await forEditor(db, editor, submissionId, { mustHandle: false });
  if (isRefusal(found)) return found;
  const { row, authors } = found;
  const reviews: EditorReviewView[] = await db
    .select({
      id: journalReviews.id,
      round: journalReviews.round,
      reviewerId: journalReviews.reviewerId,
      reviewerName: users.name,
      status: journalReviews.status,
      invitedAt: journalReviews.invitedAt,
      dueAt: journalReviews.dueAt,
      respondedAt: journalReviews.respondedAt,
      overdueAt: journalReviews.overdueAt,
      recommendation: journalReviews.recommendation,
      commentsToAuthors: journalReviews.commentsToAuthors,
      commentsToEditor: journalReviews.commentsToEditor,
      submittedAt: journalReviews.submittedAt,
      annotatedFileId: journalReviews.annotatedFileId,
      annotationSharedAt: journalReviews.annotationSharedAt,
    })
    .from(journalReviews)
    .innerJoin(users, eq(users.id, journalReviews.reviewerId))
    .where(eq(journalReviews.submissionId, row.id))
    .orderBy(asc(journalReviews.round), asc(journalReviews.invitedAt));
  const events = await db
    .select()
    .from(journalEvents)
    .where(eq(journalEvents.submissionId, row.id))
    .orderBy(asc(journalEvents.at));
  const decisions = await db
    .select()
    .from(journalDecisions)
    .where(eq(journalDecisions.submissionId, row.id))
    .orderBy(asc(journalDecisions.at));
  const [handler] = row.handlingEditorId
    ? await db.select({ name: users.name }).from(users).where(eq(users.id, row.handlingEditorId))
    : [];
  return {
    ok: true as const,
    submission: {
      ...row,
      abstract: parseAbstract(row.abstractJson),
      keywords: JSON.parse(row.keywordsJson) as string[],
      references: JSON.parse(row.referencesJson) as string[],
      declarations: declarationsOf(row),
      handlingEditorName: handler?.name ?? null,
    },
    authors,
    files: (await loadFiles(db, row.id)).map(fileSummary),
    reviews,
    events,
    decisions,
    canAct: row.handlingEditorId === editor.id || (await isChief(db, editor.id)),
    isChief: await isChief(db, editor.id),
  };
}

/** Reviewers who may be invited: the `reviewer` role, not an author; shared affiliations flagged. */
export async function reviewerCandidates(db: Db, editor: Actor, submissionId: string) {
  const found = await forEditor(db, editor, submissionId, { mustHandle: false });
  if (isRefusal(found)) return found;
  const rows = await db
    .select({ id: users.id, name: users.name, email: users.email })
    .from(userRoles)
    .innerJoin(users, eq(users.id, userRoles.userId))
    .where(and(eq(userRoles.role, 'reviewer'), isNull(users.erasedAt)))
    .orderBy(asc(users.name));
  const out = [];
  for (const r of rows) {
    const conflict = await conflictOf(db, r, found.row, found.authors);
    if (conflict === 'author') continue;
    out.push({ id: r.id, name: r.name, sharedAffiliation: conflict === 'affiliation' });
  }
  return { ok: true as const, reviewers: out };
}

/** An editor takes a submission (or the chief assigns it to an editor); never to one of its authors. */
export async function assignEditor(
  db: Db,
  actor: Actor,
  input: { submissionId: string; editorId: string },
  meta: RequestMeta,
  now = Date.now(),
): Promise<{ ok: true } | Refusal> {
  const found = await forEditor(db, actor, input.submissionId, { mustHandle: false });
  if (isRefusal(found)) return found;
  const { row, authors } = found;
  if (input.editorId !== actor.id && !(await isChief(db, actor.id))) {
    return refuse('FORBIDDEN', 'Only the editor-in-chief assigns submissions to other editors.');
  }
  if (row.handlingEditorId && row.handlingEditorId !== input.editorId && !(await isChief(db, actor.id))) {
    return refuse('CONFLICT', 'Another editor already handles this submission.');
  }
  const [editor] = await db
    .select({ id: users.id, email: users.email })
    .from(users)
    .innerJoin(userRoles, and(eq(userRoles.userId, users.id), eq(userRoles.role, 'editor')))
    .where(eq(users.id, input.editorId));
  if (!editor) return refuse('BAD_REQUEST', 'That account is not an editor.');
  if ((await conflictOf(db, editor, row, authors)) === 'author') {
    return refuse('CONFLICT', 'That editor is an author of this submission and cannot handle it.');
  }
  await db.transaction(async (tx) => {
    await tx
      .update(journalSubmissions)
      .set({ handlingEditorId: editor.id, updatedAt: now })
      .where(eq(journalSubmissions.id, row.id));
    await addEvent(
      tx,
      {
        submissionId: row.id,
        actorId: actor.id,
        kind: 'editor-assigned',
        message: 'An editor was assigned.',
        authorVisible: false,
      },
      now,
    );
    await writeAudit(
      tx,
      {
        actorId: actor.id,
        action: 'journal.editor-assigned',
        subjectId: row.id,
        ipAddress: meta.ipAddress,
        details: { editorId: editor.id },
      },
      now,
    );
  });
  return { ok: true };
}

/** The statuses each decision may be taken from, and where it leads. */
const DECISION_MOVES: Record<Decision, { from: readonly SubmissionRow['status'][]; to: SubmissionRow['status'] }> = {
  'desk-decline': { from: ['submitted'], to: 'declined' },
  'send-to-review': { from: ['submitted'], to: 'in-review' },
  'minor-revisions': { from: ['in-review'], to: 'revisions-requested' },
  'major-revisions': { from: ['in-review'], to: 'revisions-requested' },
  resubmit: { from: ['in-review'], to: 'revisions-requested' },
  decline: { from: ['in-review'], to: 'declined' },
  accept: { from: ['in-review', 'submitted'], to: 'accepted' },
};

/**
 * A decision by the handling editor: written from its template with the editor's note and the reviewers'
 * comments to the authors (numbered, never named), recorded, audited and mailed to the corresponding
 * author (and the submitter). A decision after review closes the round: invitations still open in it end.
 */
export async function decide(
  db: Db,
  deps: ServiceDeps,
  editor: Actor,
  input: { submissionId: string; decision: Decision; note: string; shareAnnotations?: string[] },
  meta: RequestMeta,
  now = Date.now(),
): Promise<{ ok: true; status: SubmissionRow['status']; letter: string } | Refusal> {
  const share = input.shareAnnotations ?? [];
  const outcome = await db.transaction(async (tx) => {
    const found = await forEditor(tx, editor, input.submissionId, { mustHandle: true });
    if (isRefusal(found)) return found;
    const { row, authors } = found;
    const move = DECISION_MOVES[input.decision];
    if (!move.from.includes(row.status)) {
      return refuse('CONFLICT', `This decision cannot be taken while the submission is "${row.status}".`);
    }
    if (input.decision === 'desk-decline' && row.round > 0) {
      return refuse('CONFLICT', 'A reviewed submission is declined with "Decline", not at the desk.');
    }
    if (input.decision === 'accept' && row.status === 'submitted' && row.round === 0) {
      return refuse('CONFLICT', 'A submission is accepted only after peer review.');
    }
    const reviews =
      row.status === 'in-review'
        ? await tx
            .select()
            .from(journalReviews)
            .where(and(eq(journalReviews.submissionId, row.id), eq(journalReviews.round, row.round)))
            .orderBy(asc(journalReviews.invitedAt))
        : [];
    if (row.status === 'in-review' && !reviews.some((r) => r.status === 'submitted')) {
      return refuse('PRECONDITION_FAILED', 'Wait for at least one review report before deciding.');
    }
    const sharedNumbers = await checkShareable(tx, row.id, row.round, row.status === 'in-review' ? share : []);
    if (isRefusal(sharedNumbers)) return sharedNumbers;
    if (share.length > 0 && row.status !== 'in-review') {
      const message = 'Annotated files are shared with a decision after review.';
      return refuse('BAD_REQUEST', message, { shareAnnotations: message });
    }
    const round = input.decision === 'send-to-review' ? row.round + 1 : row.round;
    const letter = decisionLetter({
      decision: input.decision,
      title: row.title,
      round,
      note: input.note,
      sharedFiles: sharedNumbers,
      reviews: reviews
        .map((r, i) => ({ number: i + 1, ...r }))
        .flatMap((r) =>
          r.status === 'submitted' && r.recommendation
            ? [{ number: r.number, recommendation: r.recommendation, commentsToAuthors: r.commentsToAuthors }]
            : [],
        ),
    });
    const updated = await tx
      .update(journalSubmissions)
      .set({
        status: move.to,
        round,
        updatedAt: now,
        decidedAt: now,
        handlingEditorId: row.handlingEditorId ?? editor.id,
        ...(move.to === 'accepted' ? { acceptedAt: now } : {}),
      })
      .where(and(eq(journalSubmissions.id, row.id), eq(journalSubmissions.status, row.status)))
      .returning({ id: journalSubmissions.id });
    if (updated.length === 0) return refuse('CONFLICT', 'The submission changed meanwhile; reload the page.');
    await markShared(tx, share, now);
    if (row.status === 'in-review') {
      await tx
        .update(journalReviews)
        .set({ status: 'cancelled' })
        .where(
          and(
            eq(journalReviews.submissionId, row.id),
            eq(journalReviews.round, row.round),
            inArray(journalReviews.status, ['invited', 'accepted']),
          ),
        );
    }
    await tx.insert(journalDecisions).values({
      id: newId(),
      submissionId: row.id,
      round,
      editorId: editor.id,
      decision: input.decision,
      letter,
      at: now,
    });
    await addEvent(
      tx,
      {
        submissionId: row.id,
        actorId: editor.id,
        kind: `decision:${input.decision}`,
        message: letter,
        authorVisible: true,
      },
      now,
    );
    await writeAudit(
      tx,
      {
        actorId: editor.id,
        action: 'journal.decision',
        subjectId: row.id,
        ipAddress: meta.ipAddress,
        details: { decision: input.decision, round, sharedAnnotations: share.length },
      },
      now,
    );
    const corresponding = authors.find((a) => a.corresponding)?.email ?? '';
    return { ok: true as const, row, letter, to: move.to, corresponding };
  });
  if (!outcome.ok) return outcome;
  const mail = journalMail.decision(deps.siteUrl, outcome.row.id, outcome.letter);
  const submitter = await emailOf(db, outcome.row.submitterId);
  for (const to of new Set([outcome.corresponding, submitter].filter(Boolean)))
    await deps.mailer.send(db, { to, ...mail });
  return { ok: true, status: outcome.to, letter: outcome.letter };
}

/** Invites a reviewer to the current round, with a due date; mails them the accept/decline link. */
export async function invite(
  db: Db,
  deps: ServiceDeps,
  editor: Actor,
  input: ReturnType<typeof inviteInput.parse>,
  meta: RequestMeta,
  now = Date.now(),
): Promise<{ ok: true; reviewId: string } | Refusal> {
  const dueAt = Date.parse(`${input.dueOn}T23:59:59Z`);
  if (!(dueAt > now))
    return refuse('BAD_REQUEST', 'The due date must be in the future.', {
      dueOn: 'The due date must be in the future.',
    });
  if (dueAt > now + 120 * DAY_MS)
    return refuse('BAD_REQUEST', 'Give a due date within 120 days.', { dueOn: 'Give a due date within 120 days.' });
  const outcome = await db.transaction(async (tx) => {
    const found = await forEditor(tx, editor, input.submissionId, { mustHandle: true });
    if (isRefusal(found)) return found;
    const { row, authors } = found;
    if (row.status !== 'in-review')
      return refuse('CONFLICT', 'Reviewers are invited while the submission is in review.');
    const [reviewer] = await tx
      .select({ id: users.id, email: users.email })
      .from(users)
      .innerJoin(userRoles, and(eq(userRoles.userId, users.id), eq(userRoles.role, 'reviewer')))
      .where(and(eq(users.id, input.reviewerId), isNull(users.erasedAt)));
    if (!reviewer)
      return refuse('BAD_REQUEST', 'That account is not a reviewer.', { reviewerId: 'Choose a reviewer.' });
    const conflict = await conflictOf(tx, reviewer, row, authors);
    if (conflict === 'author') return refuse('CONFLICT', 'That reviewer is an author of this submission.');
    if (conflict === 'affiliation' && !input.acknowledgeSharedAffiliation) {
      return refuse(
        'CONFLICT',
        'That reviewer shares an affiliation with an author. Tick the box to invite them anyway.',
        {
          acknowledgeSharedAffiliation: 'Shared affiliation: confirm to invite anyway.',
        },
      );
    }
    const [already] = await tx
      .select({ id: journalReviews.id })
      .from(journalReviews)
      .where(
        and(
          eq(journalReviews.submissionId, row.id),
          eq(journalReviews.round, row.round),
          eq(journalReviews.reviewerId, reviewer.id),
        ),
      );
    if (already) return refuse('CONFLICT', 'That reviewer is already invited to this round.');
    const id = newId();
    await tx.insert(journalReviews).values({
      id,
      submissionId: row.id,
      round: row.round,
      reviewerId: reviewer.id,
      invitedBy: editor.id,
      status: 'invited',
      invitedAt: now,
      dueAt,
      commentsToAuthors: '',
      commentsToEditor: '',
    });
    await addEvent(
      tx,
      {
        submissionId: row.id,
        actorId: editor.id,
        kind: 'reviewer-invited',
        message: `Reviewer invited for round ${row.round}.`,
        authorVisible: false,
      },
      now,
    );
    await writeAudit(
      tx,
      {
        actorId: editor.id,
        action: 'journal.reviewer-invited',
        subjectId: row.id,
        ipAddress: meta.ipAddress,
        details: { reviewerId: reviewer.id, round: row.round, sharedAffiliation: conflict === 'affiliation' },
      },
      now,
    );
    return { ok: true as const, id, email: reviewer.email, title: row.title };
  });
  if (!outcome.ok) return outcome;
  await deps.mailer.send(db, {
    to: outcome.email,
    ...journalMail.invitation(deps.siteUrl, outcome.id, outcome.title, dueAt),
  });
  return { ok: true, reviewId: outcome.id };
}

type ReviewRow = typeof journalReviews.$inferSelect;

async function ownReview(
  db: DbOrTx,
  reviewerId: string,
  reviewId: string,
): Promise<{ review: ReviewRow; row: SubmissionRow } | Refusal> {
  const [review] = await db.select().from(journalReviews).where(eq(journalReviews.id, reviewId));
  if (!review || review.reviewerId !== reviewerId)
    return refuse('NOT_FOUND', 'No such review invitation, or it is not yours.');
  const row = await loadSubmission(db, review.submissionId);
  if (!row) return refuse('NOT_FOUND', 'No such review invitation, or it is not yours.');
  return { review, row };
}

function roundOpen(review: ReviewRow, row: SubmissionRow): boolean {
  return row.status === 'in-review' && row.round === review.round;
}

/** The reviewer accepts or declines an invitation (through the link in the mail, signed in). */
export async function respond(
  db: Db,
  deps: ServiceDeps,
  reviewer: Actor,
  input: { reviewId: string; accept: boolean },
  meta: RequestMeta,
  now = Date.now(),
): Promise<{ ok: true } | Refusal> {
  const found = await ownReview(db, reviewer.id, input.reviewId);
  if (isRefusal(found)) return found;
  const { review, row } = found;
  if (review.status !== 'invited' || !roundOpen(review, row))
    return refuse('CONFLICT', 'This invitation is no longer open.');
  const updated = await db
    .update(journalReviews)
    .set({ status: input.accept ? 'accepted' : 'declined', respondedAt: now })
    .where(and(eq(journalReviews.id, review.id), eq(journalReviews.status, 'invited')))
    .returning({ id: journalReviews.id });
  if (updated.length === 0) return refuse('CONFLICT', 'This invitation is no longer open.');
  await writeAudit(
    db,
    {
      actorId: reviewer.id,
      action: input.accept ? 'journal.review-accepted' : 'journal.review-declined',
      subjectId: row.id,
      ipAddress: meta.ipAddress,
    },
    now,
  );
  if (row.handlingEditorId) {
    await deps.mailer.send(db, {
      to: await emailOf(db, row.handlingEditorId),
      ...journalMail.reviewResponse(deps.siteUrl, row.id, input.accept),
    });
  }
  return { ok: true };
}

/** The reviewer's report: once, while the round is open, after accepting. */
export async function submitReport(
  db: Db,
  deps: ServiceDeps,
  reviewer: Actor,
  input: ReturnType<typeof reportInput.parse>,
  meta: RequestMeta,
  now = Date.now(),
): Promise<{ ok: true } | Refusal> {
  const found = await ownReview(db, reviewer.id, input.reviewId);
  if (isRefusal(found)) return found;
  const { review, row } = found;
  if (review.status === 'submitted')
    return refuse('CONFLICT', 'You have already submitted your report for this round.');
  if (!roundOpen(review, row) || review.status === 'cancelled')
    return refuse('CONFLICT', 'This review round is closed.');
  if (review.status !== 'accepted')
    return refuse('PRECONDITION_FAILED', 'Accept the invitation before submitting a report.');
  const updated = await db
    .update(journalReviews)
    .set({
      status: 'submitted',
      recommendation: input.recommendation,
      commentsToAuthors: input.commentsToAuthors,
      commentsToEditor: input.commentsToEditor,
      submittedAt: now,
    })
    .where(and(eq(journalReviews.id, review.id), eq(journalReviews.status, 'accepted')))
    .returning({ id: journalReviews.id });
  if (updated.length === 0) return refuse('CONFLICT', 'You have already submitted your report for this round.');
  await addEvent(
    db,
    {
      submissionId: row.id,
      actorId: reviewer.id,
      kind: 'report-submitted',
      message: `A review report arrived (round ${review.round}).`,
      authorVisible: false,
    },
    now,
  );
  await writeAudit(
    db,
    {
      actorId: reviewer.id,
      action: 'journal.report-submitted',
      subjectId: row.id,
      ipAddress: meta.ipAddress,
      details: { round: review.round, recommendation: input.recommendation },
    },
    now,
  );
  if (row.handlingEditorId) {
    await deps.mailer.send(db, {
      to: await emailOf(db, row.handlingEditorId),
      ...journalMail.reportSubmitted(deps.siteUrl, row.id),
    });
  }
  return { ok: true };
}

export interface ReviewerView {
  reviewId: string;
  round: number;
  status: ReviewRow['status'];
  dueAt: number;
  overdue: boolean;
  roundOpen: boolean;
  recommendation: string | null;
  commentsToAuthors: string;
  commentsToEditor: string;
  submission: {
    type: SubmissionRow['type'];
    title: string;
    abstract: StructuredAbstractText;
    keywords: string[];
    language: string;
  };
  /** The anonymised manuscript and the figures only: never the named manuscript or other files. */
  files: FileSummary[];
  /** The reviewer's own annotated file (already cleaned of document metadata), if attached. */
  annotation: FileSummary | null;
}

/** What a reviewer reads: the anonymised submission only (no names, emails, ORCID iDs, affiliations). */
export async function reviewerView(
  db: Db,
  reviewerId: string,
  reviewId: string,
): Promise<{ ok: true; view: ReviewerView } | Refusal> {
  const found = await ownReview(db, reviewerId, reviewId);
  if (isRefusal(found)) return found;
  const { review, row } = found;
  const files = review.status === 'declined' ? [] : await reviewerFiles(db, row.id, review.round);
  return {
    ok: true,
    view: {
      reviewId: review.id,
      round: review.round,
      status: review.status,
      dueAt: review.dueAt,
      overdue: review.overdueAt !== null,
      roundOpen: roundOpen(review, row),
      recommendation: review.recommendation,
      commentsToAuthors: review.commentsToAuthors,
      commentsToEditor: review.commentsToEditor,
      submission: {
        type: row.type,
        title: row.title,
        abstract: parseAbstract(row.abstractJson),
        keywords: JSON.parse(row.keywordsJson) as string[],
        language: row.language,
      },
      files: files.map(fileSummary),
      annotation: review.annotatedFileId
        ? ((await loadFiles(db, row.id)).filter((f) => f.id === review.annotatedFileId).map(fileSummary)[0] ?? null)
        : null,
    },
  };
}

/**
 * What reviewers of `round` read: the latest anonymised copy sent before that round (round 1 reads the
 * original submission, round 2 the revision sent while revisions were requested after round 1) and the
 * figures sent with it.
 */
async function reviewerFiles(db: DbOrTx, submissionId: string, round: number) {
  const files = (await loadFiles(db, submissionId)).filter((f) => f.round < round);
  const latest = files.filter((f) => f.kind === 'anonymised').at(-1);
  if (!latest) return [];
  return files.filter((f) => f === latest || (f.kind === 'figure' && f.round === latest.round));
}

/** The reviewer's invitations, newest first (titles only). */
export async function myReviews(db: Db, reviewerId: string) {
  return db
    .select({
      id: journalReviews.id,
      round: journalReviews.round,
      status: journalReviews.status,
      dueAt: journalReviews.dueAt,
      overdueAt: journalReviews.overdueAt,
      title: journalSubmissions.title,
    })
    .from(journalReviews)
    .innerJoin(journalSubmissions, eq(journalSubmissions.id, journalReviews.submissionId))
    .where(eq(journalReviews.reviewerId, reviewerId))
    .orderBy(desc(journalReviews.invitedAt));
}

/** Production: the accepted manuscript's full text (Markdown) and references, by the handling editor. */
export async function saveProduction(
  db: Db,
  editor: Actor,
  input: ReturnType<typeof productionInput.parse>,
  meta: RequestMeta,
  now = Date.now(),
): Promise<{ ok: true } | Refusal> {
  const found = await forEditor(db, editor, input.submissionId, { mustHandle: true });
  if (isRefusal(found)) return found;
  const { row } = found;
  if (row.status !== 'accepted' && row.status !== 'production')
    return refuse('CONFLICT', 'Only accepted submissions go to production.');
  await db
    .update(journalSubmissions)
    .set({
      status: 'production',
      bodyMarkdown: input.bodyMarkdown,
      referencesJson: JSON.stringify(input.references),
      updatedAt: now,
    })
    .where(eq(journalSubmissions.id, row.id));
  if (row.status === 'accepted') {
    await addEvent(
      db,
      {
        submissionId: row.id,
        actorId: editor.id,
        kind: 'production',
        message: 'Copyediting and production started.',
        authorVisible: true,
      },
      now,
    );
    await writeAudit(
      db,
      { actorId: editor.id, action: 'journal.production-started', subjectId: row.id, ipAddress: meta.ipAddress },
      now,
    );
  }
  return { ok: true };
}

/** The article's PDF, uploaded in production (replaces an earlier one). */
export async function uploadArticlePdf(
  db: Db,
  uploadDir: string,
  editor: Actor,
  input: { submissionId: string; file: { bytes: Uint8Array; name: string } | null },
  meta: RequestMeta,
  now = Date.now(),
): Promise<{ ok: true; file: FileSummary } | Refusal> {
  const message = (reason: Parameters<typeof fileRefusalMessage>[1]) => fileRefusalMessage('article-pdf', reason);
  if (!input.file) return refuse('BAD_REQUEST', message('no-file'), { file: message('no-file') });
  const found = await forEditor(db, editor, input.submissionId, { mustHandle: true });
  if (isRefusal(found)) return found;
  if (found.row.status !== 'production') return refuse('CONFLICT', 'Start production first.');
  const checked = checkUpload(input.file.bytes, input.file.name, {
    allowed: FILE_RULES['article-pdf'].types,
    maxBytes: MAX_JOURNAL_FILE_BYTES,
  });
  if (!checked.ok) {
    return refuse(checked.reason === 'too-large' ? 'PAYLOAD_TOO_LARGE' : 'BAD_REQUEST', message(checked.reason), {
      file: message(checked.reason),
    });
  }
  const storedName = newStoredName();
  await writeStoredFile(uploadDir, JOURNAL_FILES_FOLDER, storedName, input.file.bytes);
  const values = {
    id: newId(),
    submissionId: found.row.id,
    kind: 'article-pdf' as const,
    round: found.row.round,
    storedName,
    originalName: checked.displayName,
    mimeType: checked.contentType,
    sizeBytes: input.file.bytes.length,
    uploadedBy: editor.id,
    uploadedAt: now,
  };
  await db.transaction(async (tx) => {
    await tx
      .delete(journalFiles)
      .where(and(eq(journalFiles.submissionId, found.row.id), eq(journalFiles.kind, 'article-pdf')));
    await tx.insert(journalFiles).values(values);
    await writeAudit(
      tx,
      { actorId: editor.id, action: 'journal.article-pdf', subjectId: found.row.id, ipAddress: meta.ipAddress },
      now,
    );
  });
  return { ok: true, file: fileSummary(values) };
}

/**
 * A submission file for whoever may read it, else null (the same answer as for an id that does not exist):
 * the submitter reads the files they sent; a reviewer with an open or finished review reads what
 * reviewerView lists; a non-conflicted editor reads everything.
 */
export async function readFileFor(
  db: Db,
  uploadDir: string,
  user: Actor,
  fileId: string,
): Promise<{ bytes: Uint8Array<ArrayBuffer>; mimeType: string; originalName: string } | null> {
  const [file] = await db.select().from(journalFiles).where(eq(journalFiles.id, fileId));
  if (!file) return null;
  const row = await loadSubmission(db, file.submissionId);
  if (!row) return null;
  let allowed = false;
  if (row.submitterId === user.id) {
    allowed =
      AUTHOR_FILE_KINDS.includes(file.kind as (typeof AUTHOR_FILE_KINDS)[number]) ||
      (file.kind === 'review-annotation' && (await isSharedWithAuthors(db, file.id)));
  }
  // A reviewer reads back the annotated file they attached.
  if (!allowed && file.kind === 'review-annotation' && file.uploadedBy === user.id) allowed = true;
  if (!allowed && user.roles.includes('reviewer')) {
    const reviews = await db
      .select()
      .from(journalReviews)
      .where(
        and(
          eq(journalReviews.submissionId, row.id),
          eq(journalReviews.reviewerId, user.id),
          inArray(journalReviews.status, ['invited', 'accepted', 'submitted']),
        ),
      );
    for (const review of reviews) {
      if ((await reviewerFiles(db, row.id, review.round)).some((f) => f.id === file.id)) allowed = true;
    }
  }
  if (!allowed && user.roles.includes('editor') && row.status !== 'draft') {
    allowed = (await conflictOf(db, user, row, await loadAuthors(db, row.id))) !== 'author';
  }
  if (!allowed) return null;
  const bytes = await readStoredFile(uploadDir, JOURNAL_FILES_FOLDER, file.storedName);
  return bytes ? { bytes, mimeType: file.mimeType, originalName: file.originalName } : null;
}

/** Days before the due date a reviewer is reminded. */
export const REMINDER_DAYS_BEFORE_DUE = 3;

/**
 * The scheduled job: reminds reviewers REMINDER_DAYS_BEFORE_DUE days before their report is due, and marks
 * overdue invitations (mailing the handling editor). Each row is claimed by a conditional update first,
 * so two runs never mail twice.
 */
export async function runReviewReminders(db: Db, deps: ServiceDeps, now = Date.now()) {
  const open = inArray(journalReviews.status, ['invited', 'accepted']);
  let reminded = 0;
  let overdue = 0;
  const dueSoon = await db
    .select({ id: journalReviews.id, reviewerId: journalReviews.reviewerId, dueAt: journalReviews.dueAt })
    .from(journalReviews)
    .where(
      and(
        open,
        isNull(journalReviews.remindedAt),
        lte(journalReviews.dueAt, now + REMINDER_DAYS_BEFORE_DUE * DAY_MS),
        sql`${journalReviews.dueAt} > ${now}`,
      ),
    );
  for (const r of dueSoon) {
    const claimed = await db
      .update(journalReviews)
      .set({ remindedAt: now })
      .where(and(eq(journalReviews.id, r.id), isNull(journalReviews.remindedAt)))
      .returning({ id: journalReviews.id });
    if (claimed.length === 0) continue;
    await deps.mailer.send(db, {
      to: await emailOf(db, r.reviewerId),
      ...journalMail.reminder(deps.siteUrl, r.id, r.dueAt),
    });
    reminded++;
  }
  const late = await db
    .select({
      id: journalReviews.id,
      submissionId: journalReviews.submissionId,
      editorId: journalSubmissions.handlingEditorId,
    })
    .from(journalReviews)
    .innerJoin(journalSubmissions, eq(journalSubmissions.id, journalReviews.submissionId))
    .where(and(open, isNull(journalReviews.overdueAt), lte(journalReviews.dueAt, now)));
  for (const r of late) {
    const claimed = await db
      .update(journalReviews)
      .set({ overdueAt: now })
      .where(and(eq(journalReviews.id, r.id), isNull(journalReviews.overdueAt)))
      .returning({ id: journalReviews.id });
    if (claimed.length === 0) continue;
    await addEvent(
      db,
      {
        submissionId: r.submissionId,
        actorId: null,
        kind: 'review-overdue',
        message: 'A review report is overdue.',
        authorVisible: false,
      },
      now,
    );
    if (r.editorId)
      await deps.mailer.send(db, {
        to: await emailOf(db, r.editorId),
        ...journalMail.overdue(deps.siteUrl, r.submissionId),
      });
    overdue++;
  }
  return { reminded, overdue };
}
