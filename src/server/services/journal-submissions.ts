/**
 * The author's side of the journal: drafts saved as they go, files (manuscript, anonymised copy, figures,
 * supplementary material) checked by their bytes, a completeness check before a submission can be sent,
 * revisions, and the author's own view of status and history. An author sees only their own submissions,
 * and never who reviewed them.
 */
import { and, asc, count, desc, eq, inArray } from 'drizzle-orm';
import type { Db, DbOrTx } from '#db/client.ts';
import {
  type JournalFileKind,
  journalArticles,
  journalDecisions,
  journalEvents,
  journalFiles,
  journalReviews,
  journalSubmissionAuthors,
  journalSubmissions,
  users,
} from '#db/schema/index.ts';
import { writeAudit } from '../audit.ts';
import { consumeRateLimit, type RateLimitRule } from '../auth/rate-limit.ts';
import { newId } from '../ids.ts';
import { type Refusal, refuse } from '../refusal.ts';
import { checkUpload, type FileType, newStoredName, type UploadRefusal, writeStoredFile } from '../uploads.ts';
import type { RequestMeta, ServiceDeps } from './deps.ts';
import { journalMail } from './journal-mail.ts';
import { type SharedReviewFile, sharedReviewFiles } from './journal-review-files.ts';
import type { AuthorInput, DraftInput } from './journal-schemas.ts';
import { mailRole } from './role-mail.ts';

/** Folder under UPLOAD_DIR for every journal file. */
export const JOURNAL_FILES_FOLDER = 'journal-files';

/** Largest file: the request-body limit of the upload routes (security-headers.ts) is sized for it. */
export const MAX_JOURNAL_FILE_BYTES = 5 * 1024 * 1024;

export const AUTHOR_FILE_KINDS = ['manuscript', 'anonymised', 'figure', 'supplementary'] as const;
export type AuthorFileKind = (typeof AUTHOR_FILE_KINDS)[number];

/** What each kind of file may be (by its bytes) and how many one round may carry. */
export const FILE_RULES: Record<JournalFileKind, { types: readonly FileType[]; max: number; label: string }> = {
  manuscript: { types: ['pdf', 'docx'], max: 1, label: 'Manuscript' },
  anonymised: { types: ['pdf', 'docx'], max: 1, label: 'Anonymised manuscript' },
  figure: { types: ['png', 'jpeg'], max: 10, label: 'Figure' },
  supplementary: { types: ['pdf', 'docx', 'png', 'jpeg'], max: 5, label: 'Supplementary file' },
  'review-annotation': { types: ['pdf', 'docx'], max: 1, label: 'Annotated manuscript' },
  'article-pdf': { types: ['pdf'], max: 1, label: 'Article PDF' },
};

/** Files one account may upload per day (removed ones count too): bounds what one account puts on disk. */
export const JOURNAL_UPLOAD_LIMIT: RateLimitRule = { limit: 40, windowMs: 24 * 60 * 60 * 1000 };

const TYPE_NAMES: Record<FileType, string> = {
  pdf: 'PDF',
  docx: 'Word (DOCX)',
  png: 'PNG',
  jpeg: 'JPEG',
  gif: 'GIF',
  webp: 'WebP',
};

export function fileRefusalMessage(kind: JournalFileKind, reason: UploadRefusal | 'too-many' | 'no-file'): string {
  const rule = FILE_RULES[kind];
  const types = rule.types.map((t) => TYPE_NAMES[t]).join(' or ');
  switch (reason) {
    case 'no-file':
      return 'Choose a file to upload.';
    case 'empty':
      return 'The file is empty (0 bytes).';
    case 'too-large':
      return `The file is larger than ${MAX_JOURNAL_FILE_BYTES / 1024 / 1024} MiB.`;
    case 'wrong-type':
      return `${/^[aeiou]/i.test(rule.label) ? 'An' : 'A'} ${rule.label.toLowerCase()} must be ${types} (checked by its content).`;
    case 'extension-mismatch':
      return 'The file name does not match its content (a PDF must end in .pdf, a Word file in .docx, …).';
    case 'too-many':
      return `At most ${rule.max} ${rule.label.toLowerCase()} file(s) per round. Remove one first.`;
  }
}

export const SUBMISSION_STATUS_LABELS = {
  draft: 'Draft (not sent)',
  submitted: 'Submitted: waiting for the editors',
  'in-review': 'In peer review',
  'revisions-requested': 'Revisions requested',
  accepted: 'Accepted',
  production: 'In production',
  published: 'Published',
  declined: 'Declined',
  withdrawn: 'Withdrawn',
} as const;

export interface StructuredAbstractText {
  background: string;
  methods: string;
  results: string;
  conclusions: string;
}

export interface SubmissionDeclarations {
  competingInterests: string;
  deviceManufacturerTies: string;
  funding: string;
  ethicsApproval: string;
  consent: string;
  registration: string;
  dataAvailability: string;
}

export type SubmissionRow = typeof journalSubmissions.$inferSelect;
export type AuthorRow = typeof journalSubmissionAuthors.$inferSelect;
export type FileRow = typeof journalFiles.$inferSelect;

export interface FileSummary {
  id: string;
  kind: JournalFileKind;
  round: number;
  originalName: string;
  mimeType: string;
  sizeBytes: number;
  uploadedAt: number;
}

export function fileSummary(row: FileRow): FileSummary {
  return {
    id: row.id,
    kind: row.kind,
    round: row.round,
    originalName: row.originalName,
    mimeType: row.mimeType,
    sizeBytes: row.sizeBytes,
    uploadedAt: row.uploadedAt,
  };
}

export function parseAbstract(json: string): StructuredAbstractText {
  return JSON.parse(json) as StructuredAbstractText;
}

export function declarationsOf(row: SubmissionRow): SubmissionDeclarations {
  return {
    competingInterests: row.competingInterests,
    deviceManufacturerTies: row.deviceManufacturerTies,
    funding: row.funding,
    ethicsApproval: row.ethicsApproval,
    consent: row.consent,
    registration: row.registration,
    dataAvailability: row.dataAvailability,
  };
}

export async function loadSubmission(db: DbOrTx, id: string): Promise<SubmissionRow | null> {
  const [row] = await db.select().from(journalSubmissions).where(eq(journalSubmissions.id, id));
  return row ?? null;
}

export async function loadAuthors(db: DbOrTx, submissionId: string): Promise<AuthorRow[]> {
  return db
    .select()
    .from(journalSubmissionAuthors)
    .where(eq(journalSubmissionAuthors.submissionId, submissionId))
    .orderBy(asc(journalSubmissionAuthors.position));
}

export async function loadFiles(db: DbOrTx, submissionId: string): Promise<FileRow[]> {
  return db
    .select()
    .from(journalFiles)
    .where(eq(journalFiles.submissionId, submissionId))
    .orderBy(asc(journalFiles.uploadedAt));
}

export async function addEvent(
  db: DbOrTx,
  event: { submissionId: string; actorId: string | null; kind: string; message: string; authorVisible: boolean },
  now: number,
): Promise<void> {
  await db.insert(journalEvents).values({ id: newId(), at: now, ...event });
}

const NOT_YOURS = 'No such submission, or it is not yours.';

/** The submitter's own submission in a status the author may edit, or the refusal. */
async function ownEditable(db: DbOrTx, userId: string, submissionId: string): Promise<SubmissionRow | Refusal> {
  const row = await loadSubmission(db, submissionId);
  if (!row || row.submitterId !== userId) return refuse('NOT_FOUND', NOT_YOURS);
  if (row.status !== 'draft' && row.status !== 'revisions-requested') {
    return refuse('CONFLICT', 'This submission can no longer be changed: it is with the editors.');
  }
  return row;
}

function isRefusal<T>(value: T | Refusal): value is Refusal {
  return typeof value === 'object' && value !== null && (value as Refusal).ok === false;
}

function authorValues(submissionId: string, authors: AuthorInput[]) {
  return authors.map((a, position) => ({
    id: newId(),
    submissionId,
    position,
    givenNames: a.givenNames,
    surname: a.surname,
    email: a.email.toLowerCase(),
    orcid: a.orcid,
    affiliation: a.affiliation,
    country: a.country,
    corresponding: a.corresponding,
  }));
}

/** Creates a draft, or saves the author's draft (or their submission while revisions are requested). */
export async function saveDraft(
  db: Db,
  userId: string,
  input: DraftInput,
  now = Date.now(),
): Promise<{ ok: true; submissionId: string } | Refusal> {
  if (input.authors.filter((a) => a.corresponding).length > 1) {
    return refuse('BAD_REQUEST', 'Mark one corresponding author.', { authors: 'Mark one corresponding author.' });
  }
  return db.transaction(async (tx) => {
    const fields = {
      type: input.type,
      title: input.title,
      abstractJson: JSON.stringify(input.abstract),
      keywordsJson: JSON.stringify(input.keywords.filter((k) => k !== '')),
      language: input.language,
      coverLetter: input.coverLetter,
      ...input.declarations,
      updatedAt: now,
    };
    let submissionId = input.submissionId;
    if (submissionId) {
      const row = await ownEditable(tx, userId, submissionId);
      if (isRefusal(row)) return row;
      await tx.update(journalSubmissions).set(fields).where(eq(journalSubmissions.id, submissionId));
      await tx.delete(journalSubmissionAuthors).where(eq(journalSubmissionAuthors.submissionId, submissionId));
    } else {
      submissionId = newId();
      await tx.insert(journalSubmissions).values({
        id: submissionId,
        submitterId: userId,
        status: 'draft',
        round: 0,
        bodyMarkdown: '',
        referencesJson: '[]',
        createdAt: now,
        ...fields,
      });
    }
    if (input.authors.length > 0) {
      await tx.insert(journalSubmissionAuthors).values(authorValues(submissionId, input.authors));
    }
    return { ok: true as const, submissionId };
  });
}

/**
 * What a submission still lacks, per form field (empty when it can be sent). Declarations are required in
 * words: "None" is an answer, an empty box is not — readers must see every tie to a device manufacturer.
 */
export function completenessProblems(
  row: SubmissionRow,
  authors: AuthorRow[],
  files: FileRow[],
): Record<string, string> {
  const problems: Record<string, string> = {};
  if (!row.title) problems.title = 'Give the title.';
  const abstract = parseAbstract(row.abstractJson);
  for (const part of ['background', 'methods', 'results', 'conclusions'] as const) {
    if (!abstract[part]) problems[`abstract.${part}`] = `Write the ${part} section of the abstract.`;
  }
  if ((JSON.parse(row.keywordsJson) as string[]).length === 0) problems.keywords = 'Give at least one keyword.';
  if (authors.length === 0) problems.authors = 'List the authors.';
  authors.forEach((a, i) => {
    if (!a.givenNames || !a.surname) problems[`authors.${i}.surname`] = `Give author ${i + 1}'s names.`;
    if (!a.affiliation) problems[`authors.${i}.affiliation`] = `Give author ${i + 1}'s affiliation.`;
    if (!a.country) problems[`authors.${i}.country`] = `Give author ${i + 1}'s country.`;
  });
  const corresponding = authors.find((a) => a.corresponding);
  if (authors.length > 0 && !corresponding) problems.authors = 'Mark the corresponding author.';
  if (corresponding && !corresponding.email) {
    problems[`authors.${authors.indexOf(corresponding)}.email`] = "Give the corresponding author's email.";
  }
  const declarations = declarationsOf(row);
  const labels: Record<keyof SubmissionDeclarations, string> = {
    competingInterests: 'competing interests (write "None" if there are none)',
    deviceManufacturerTies: 'ties to device manufacturers (write "None" if there are none)',
    funding: 'funding (write "None" if there was none)',
    ethicsApproval: 'ethics approval (or why none was needed)',
    consent: 'consent (or why none was needed)',
    registration: 'trial or registry registration (or "Not registered")',
    dataAvailability: 'data availability',
  };
  for (const [key, label] of Object.entries(labels) as [keyof SubmissionDeclarations, string][]) {
    if (!declarations[key]) problems[`declarations.${key}`] = `Declare ${label}.`;
  }
  const round = row.round;
  const current = files.filter((f) => f.round === round);
  if (!current.some((f) => f.kind === 'manuscript')) problems.manuscript = 'Upload the manuscript (PDF or DOCX).';
  if (!current.some((f) => f.kind === 'anonymised')) {
    problems.anonymised = 'Upload an anonymised copy (no names, affiliations or acknowledgements) for the reviewers.';
  }
  return problems;
}

/** Adds an author's file to their draft (or to the current round while revisions are requested). */
export async function addFile(
  db: Db,
  uploadDir: string,
  userId: string,
  input: { submissionId: string; kind: AuthorFileKind; file: { bytes: Uint8Array; name: string } | null },
  meta: RequestMeta,
  now = Date.now(),
): Promise<{ ok: true; file: FileSummary } | Refusal> {
  const { kind, file } = input;
  const refuseFile = (reason: UploadRefusal | 'too-many' | 'no-file') => {
    const message = fileRefusalMessage(kind, reason);
    return refuse(reason === 'too-large' ? 'PAYLOAD_TOO_LARGE' : 'BAD_REQUEST', message, { file: message });
  };
  if (!file) return refuseFile('no-file');
  const row = await ownEditable(db, userId, input.submissionId);
  if (isRefusal(row)) return row;
  const checked = checkUpload(file.bytes, file.name, {
    allowed: FILE_RULES[kind].types,
    maxBytes: MAX_JOURNAL_FILE_BYTES,
  });
  if (!checked.ok) return refuseFile(checked.reason);
  const [existing] = await db
    .select({ n: count() })
    .from(journalFiles)
    .where(and(eq(journalFiles.submissionId, row.id), eq(journalFiles.kind, kind), eq(journalFiles.round, row.round)));
  if ((existing?.n ?? 0) >= FILE_RULES[kind].max) return refuseFile('too-many');
  if (!(await consumeRateLimit(db, `journal-upload:user:${userId}`, JOURNAL_UPLOAD_LIMIT))) {
    return refuse(
      'TOO_MANY_REQUESTS',
      `You have uploaded ${JOURNAL_UPLOAD_LIMIT.limit} files today. Try again tomorrow.`,
    );
  }
  const storedName = newStoredName();
  await writeStoredFile(uploadDir, JOURNAL_FILES_FOLDER, storedName, file.bytes);
  const values = {
    id: newId(),
    submissionId: row.id,
    kind,
    round: row.round,
    storedName,
    originalName: checked.displayName,
    mimeType: checked.contentType,
    sizeBytes: file.bytes.length,
    uploadedBy: userId,
    uploadedAt: now,
  };
  await db.insert(journalFiles).values(values);
  await writeAudit(db, {
    actorId: userId,
    action: 'journal.file-uploaded',
    subjectId: row.id,
    ipAddress: meta.ipAddress,
    details: { kind, sizeBytes: values.sizeBytes },
  });
  return { ok: true, file: fileSummary(values) };
}

/** Removes a file of the current round from the author's editable submission (the stored file stays for the audit). */
export async function removeFile(db: Db, userId: string, fileId: string): Promise<{ ok: true } | Refusal> {
  const [file] = await db.select().from(journalFiles).where(eq(journalFiles.id, fileId));
  if (!file) return refuse('NOT_FOUND', 'No such file.');
  const row = await ownEditable(db, userId, file.submissionId);
  if (isRefusal(row)) return row;
  if (file.round !== row.round || file.uploadedBy !== userId) {
    return refuse('CONFLICT', 'Files already sent to the editors cannot be removed.');
  }
  await db.delete(journalFiles).where(eq(journalFiles.id, fileId));
  return { ok: true };
}

/**
 * Sends a draft (or a revision) to the editors once it is complete: one conditional update, so a double
 * click sends once. A revision carries the authors' response to the reviewers.
 */
export async function submit(
  db: Db,
  deps: ServiceDeps,
  userId: string,
  input: { submissionId: string; response?: string },
  meta: RequestMeta,
  now = Date.now(),
): Promise<{ ok: true; submissionId: string } | Refusal> {
  const outcome = await db.transaction(async (tx) => {
    const row = await ownEditable(tx, userId, input.submissionId);
    if (isRefusal(row)) return row;
    const problems = completenessProblems(row, await loadAuthors(tx, row.id), await loadFiles(tx, row.id));
    if (Object.keys(problems).length > 0) {
      return refuse('BAD_REQUEST', 'The submission is not complete yet: see the marked fields.', problems);
    }
    const revision = row.status === 'revisions-requested';
    if (revision && !input.response?.trim()) {
      const message = 'Write your response to the reviewers and the editor.';
      return refuse('BAD_REQUEST', message, { response: message });
    }
    const updated = await tx
      .update(journalSubmissions)
      .set(
        revision
          ? { status: 'submitted', revisedAt: now, updatedAt: now }
          : { status: 'submitted', submittedAt: now, updatedAt: now },
      )
      .where(and(eq(journalSubmissions.id, row.id), eq(journalSubmissions.status, row.status)))
      .returning({ id: journalSubmissions.id });
    if (updated.length === 0) return refuse('CONFLICT', 'This submission was already sent.');
    await addEvent(
      tx,
      {
        submissionId: row.id,
        actorId: userId,
        kind: revision ? 'revision-submitted' : 'submitted',
        message: revision ? `Revision submitted. Response to the reviewers:\n${input.response?.trim()}` : 'Submitted.',
        authorVisible: true,
      },
      now,
    );
    await writeAudit(tx, {
      actorId: userId,
      action: revision ? 'journal.revision-submitted' : 'journal.submitted',
      subjectId: row.id,
      ipAddress: meta.ipAddress,
      details: { round: row.round },
    });
    return { ok: true as const, row, revision };
  });
  if (!outcome.ok) return outcome;
  const { row, revision } = outcome;
  await deps.mailer.send(db, {
    to: await emailOf(db, userId),
    ...journalMail.submitted(deps.siteUrl, row.title, row.id),
  });
  if (revision && row.handlingEditorId) {
    const editor = await emailOf(db, row.handlingEditorId);
    await deps.mailer.send(db, { to: editor, ...journalMail.revisionSubmitted(deps.siteUrl, row.id) });
  } else if (!revision) {
    await mailRole(db, deps, 'editor', journalMail.editorsNewSubmission(deps.siteUrl, row.id), userId);
  }
  return { ok: true, submissionId: row.id };
}

/** Statuses from which the submitting author may withdraw: sent, and no final decision yet. */
export const WITHDRAWABLE_STATUSES: readonly SubmissionRow['status'][] = [
  'submitted',
  'in-review',
  'revisions-requested',
];

/**
 * The submitting author withdraws a submission before a final decision, giving a reason. Open review
 * invitations end (their reviewers are mailed, without the authors' names), the handling editor (or, when
 * none yet, the editors) is mailed, and the withdrawal is in the history and the audit log. After
 * acceptance it is refused: a published article is retracted by the editors, with a notice.
 */
export async function withdraw(
  db: Db,
  deps: ServiceDeps,
  userId: string,
  input: { submissionId: string; reason: string },
  meta: RequestMeta,
  now = Date.now(),
): Promise<{ ok: true } | Refusal> {
  const outcome = await db.transaction(async (tx) => {
    const row = await loadSubmission(tx, input.submissionId);
    if (!row || row.submitterId !== userId) return refuse('NOT_FOUND', NOT_YOURS);
    if (!WITHDRAWABLE_STATUSES.includes(row.status)) {
      if (row.status === 'draft') return refuse('CONFLICT', 'This draft was never sent: there is nothing to withdraw.');
      if (row.status === 'declined' || row.status === 'withdrawn') {
        return refuse('CONFLICT', 'This submission is closed already.');
      }
      return refuse(
        'CONFLICT',
        'This submission is accepted, so it can no longer be withdrawn. Once it is published, only the editors can retract it: write to them.',
      );
    }
    const updated = await tx
      .update(journalSubmissions)
      .set({ status: 'withdrawn', updatedAt: now, decidedAt: now })
      .where(and(eq(journalSubmissions.id, row.id), eq(journalSubmissions.status, row.status)))
      .returning({ id: journalSubmissions.id });
    if (updated.length === 0) return refuse('CONFLICT', 'The submission changed meanwhile; reload the page.');
    const cancelled = await tx
      .update(journalReviews)
      .set({ status: 'cancelled' })
      .where(and(eq(journalReviews.submissionId, row.id), inArray(journalReviews.status, ['invited', 'accepted'])))
      .returning({ id: journalReviews.id, reviewerId: journalReviews.reviewerId });
    await addEvent(
      tx,
      {
        submissionId: row.id,
        actorId: userId,
        kind: 'withdrawn',
        message: `Withdrawn by the authors. Reason: ${input.reason}`,
        authorVisible: true,
      },
      now,
    );
    await writeAudit(
      tx,
      {
        actorId: userId,
        action: 'journal.withdrawn',
        subjectId: row.id,
        ipAddress: meta.ipAddress,
        details: { fromStatus: row.status, round: row.round, cancelledInvitations: cancelled.length },
      },
      now,
    );
    return { ok: true as const, row, cancelled };
  });
  if (!outcome.ok) return outcome;
  const { row, cancelled } = outcome;
  for (const review of cancelled) {
    await deps.mailer.send(db, {
      to: await emailOf(db, review.reviewerId),
      ...journalMail.invitationWithdrawn(deps.siteUrl, review.id, row.title),
    });
  }
  const toEditors = journalMail.withdrawnToEditor(deps.siteUrl, row.id);
  if (row.handlingEditorId) await deps.mailer.send(db, { to: await emailOf(db, row.handlingEditorId), ...toEditors });
  else await mailRole(db, deps, 'editor', toEditors, userId);
  await deps.mailer.send(db, {
    to: await emailOf(db, userId),
    ...journalMail.withdrawnToAuthor(deps.siteUrl, row.id, row.title),
  });
  return { ok: true };
}

export async function emailOf(db: Db, userId: string): Promise<string> {
  const [user] = await db.select({ email: users.email }).from(users).where(eq(users.id, userId));
  return user?.email ?? '';
}

export interface AuthorSubmissionView {
  id: string;
  status: SubmissionRow['status'];
  type: SubmissionRow['type'];
  title: string;
  abstract: StructuredAbstractText;
  keywords: string[];
  language: string;
  coverLetter: string;
  declarations: SubmissionDeclarations;
  round: number;
  createdAt: number;
  submittedAt: number | null;
  revisedAt: number | null;
  acceptedAt: number | null;
  authors: Omit<AuthorRow, 'submissionId'>[];
  files: FileSummary[];
  /** History as the author sees it: no reviewer is named. */
  events: { at: number; kind: string; message: string }[];
  decisions: { at: number; decision: string; letter: string; round: number }[];
  problems: Record<string, string>;
  articleId: string | null;
  /** Reviewers' annotated files the editor shared, as "Reviewer N" (cleaned of document metadata). */
  reviewFiles: SharedReviewFile[];
}

/** The author's view of their own submission (NOT_FOUND for anyone else's). */
export async function authorView(
  db: Db,
  userId: string,
  submissionId: string,
): Promise<{ ok: true; submission: AuthorSubmissionView } | Refusal> {
  const row = await loadSubmission(db, submissionId);
  if (!row || row.submitterId !== userId) return refuse('NOT_FOUND', NOT_YOURS);
  const authors = await loadAuthors(db, row.id);
  const files = (await loadFiles(db, row.id)).filter((f) => AUTHOR_FILE_KINDS.includes(f.kind as AuthorFileKind));
  const events = await db
    .select({ at: journalEvents.at, kind: journalEvents.kind, message: journalEvents.message })
    .from(journalEvents)
    .where(and(eq(journalEvents.submissionId, row.id), eq(journalEvents.authorVisible, true)))
    .orderBy(asc(journalEvents.at));
  const decisions = await db
    .select({
      at: journalDecisions.at,
      decision: journalDecisions.decision,
      letter: journalDecisions.letter,
      round: journalDecisions.round,
    })
    .from(journalDecisions)
    .where(eq(journalDecisions.submissionId, row.id))
    .orderBy(asc(journalDecisions.at));
  const [article] = await db
    .select({ id: journalArticles.id })
    .from(journalArticles)
    .where(eq(journalArticles.submissionId, row.id));
  return {
    ok: true,
    submission: {
      id: row.id,
      status: row.status,
      type: row.type,
      title: row.title,
      abstract: parseAbstract(row.abstractJson),
      keywords: JSON.parse(row.keywordsJson) as string[],
      language: row.language,
      coverLetter: row.coverLetter,
      declarations: declarationsOf(row),
      round: row.round,
      createdAt: row.createdAt,
      submittedAt: row.submittedAt,
      revisedAt: row.revisedAt,
      acceptedAt: row.acceptedAt,
      authors: authors.map(({ submissionId: _, ...a }) => a),
      files: files.map(fileSummary),
      events,
      decisions,
      problems: completenessProblems(row, authors, files),
      articleId: article?.id ?? null,
      reviewFiles: await sharedReviewFiles(db, row.id),
    },
  };
}

/** The author's submissions, newest first. */
export async function listMine(db: Db, userId: string) {
  return db
    .select({
      id: journalSubmissions.id,
      title: journalSubmissions.title,
      status: journalSubmissions.status,
      type: journalSubmissions.type,
      createdAt: journalSubmissions.createdAt,
      submittedAt: journalSubmissions.submittedAt,
      updatedAt: journalSubmissions.updatedAt,
    })
    .from(journalSubmissions)
    .where(eq(journalSubmissions.submitterId, userId))
    .orderBy(desc(journalSubmissions.createdAt));
}
