/**
 * A reviewer's annotated manuscript (issue 17: "optional annotated file"): one PDF or DOCX per report,
 * checked by its bytes and size like every journal file. Its identifying document metadata (author fields,
 * XMP, annotation and tracked-change authors: src/server/document-metadata.ts) is removed when it arrives,
 * off the request thread; a file that cannot be cleaned is refused. Only the cleaned copy is kept, under a
 * neutral name, so no stored copy carries the reviewer's details or a file name they chose. The editor
 * reads it; the authors receive it only when the editor shares it with a decision, as "Reviewer N".
 */
import { and, asc, eq, inArray, isNotNull } from 'drizzle-orm';
import type { Db, DbOrTx } from '#db/client.ts';
import { journalFiles, journalReviews } from '#db/schema/index.ts';
import { writeAudit } from '../audit.ts';
import { consumeRateLimit } from '../auth/rate-limit.ts';
import type { SessionUser } from '../auth/session.ts';
import { newId } from '../ids.ts';
import { stripIdentifyingMetadataOffThread } from '../markdown-pool.ts';
import { type Refusal, refuse } from '../refusal.ts';
import { checkUpload, newStoredName, type UploadRefusal, writeStoredFile } from '../uploads.ts';
import type { RequestMeta } from './deps.ts';
import {
  FILE_RULES,
  type FileSummary,
  fileRefusalMessage,
  fileSummary,
  JOURNAL_FILES_FOLDER,
  JOURNAL_UPLOAD_LIMIT,
  loadSubmission,
  MAX_JOURNAL_FILE_BYTES,
} from './journal-submissions.ts';

type Actor = Pick<SessionUser, 'id'>;

/** Attaches (or replaces) the reviewer's annotated file, while their report is not sent yet. */
export async function attachAnnotation(
  db: Db,
  uploadDir: string,
  reviewer: Actor,
  input: { reviewId: string; file: { bytes: Uint8Array; name: string } | null },
  meta: RequestMeta,
  now = Date.now(),
): Promise<{ ok: true; file: FileSummary } | Refusal> {
  const refuseFile = (reason: UploadRefusal | 'no-file') => {
    const message = fileRefusalMessage('review-annotation', reason);
    return refuse(reason === 'too-large' ? 'PAYLOAD_TOO_LARGE' : 'BAD_REQUEST', message, { file: message });
  };
  if (!input.file) return refuseFile('no-file');
  const [review] = await db.select().from(journalReviews).where(eq(journalReviews.id, input.reviewId));
  if (!review || review.reviewerId !== reviewer.id) {
    return refuse('NOT_FOUND', 'No such review invitation, or it is not yours.');
  }
  const row = await loadSubmission(db, review.submissionId);
  if (!row) return refuse('NOT_FOUND', 'No such review invitation, or it is not yours.');
  if (review.status === 'submitted') {
    return refuse('CONFLICT', 'Your report is sent: its annotated file can no longer change.');
  }
  if (review.status !== 'accepted' || row.status !== 'in-review' || row.round !== review.round) {
    return refuse('CONFLICT', 'Accept the invitation first; files are attached while the review round is open.');
  }
  const checked = checkUpload(input.file.bytes, input.file.name, {
    allowed: FILE_RULES['review-annotation'].types,
    maxBytes: MAX_JOURNAL_FILE_BYTES,
  });
  if (!checked.ok) return refuseFile(checked.reason);
  const type = checked.contentType === 'application/pdf' ? 'pdf' : 'docx';
  if (!(await consumeRateLimit(db, `journal-upload:user:${reviewer.id}`, JOURNAL_UPLOAD_LIMIT))) {
    return refuse(
      'TOO_MANY_REQUESTS',
      `You have uploaded ${JOURNAL_UPLOAD_LIMIT.limit} files today. Try again tomorrow.`,
    );
  }
  const cleaned = await stripIdentifyingMetadataOffThread(input.file.bytes, type);
  if (!cleaned.ok) return refuse('BAD_REQUEST', cleaned.message, { file: cleaned.message });
  if (cleaned.bytes.length > MAX_JOURNAL_FILE_BYTES) return refuseFile('too-large');
  const storedName = newStoredName();
  await writeStoredFile(uploadDir, JOURNAL_FILES_FOLDER, storedName, cleaned.bytes);
  const values = {
    id: newId(),
    submissionId: row.id,
    kind: 'review-annotation' as const,
    round: review.round,
    storedName,
    // Never the reviewer's own file name: it may carry their name.
    originalName: `annotated-manuscript-round-${review.round}.${type}`,
    mimeType: checked.contentType,
    sizeBytes: cleaned.bytes.length,
    uploadedBy: reviewer.id,
    uploadedAt: now,
  };
  const outcome = await db.transaction(async (tx) => {
    const updated = await tx
      .update(journalReviews)
      .set({ annotatedFileId: values.id })
      .where(and(eq(journalReviews.id, review.id), eq(journalReviews.status, 'accepted')))
      .returning({ id: journalReviews.id });
    if (updated.length === 0)
      return refuse('CONFLICT', 'Your report is sent: its annotated file can no longer change.');
    if (review.annotatedFileId) await tx.delete(journalFiles).where(eq(journalFiles.id, review.annotatedFileId));
    await tx.insert(journalFiles).values(values);
    await writeAudit(
      tx,
      {
        actorId: reviewer.id,
        action: 'journal.review-annotation',
        subjectId: row.id,
        ipAddress: meta.ipAddress,
        details: { reviewId: review.id, sizeBytes: values.sizeBytes, replaced: review.annotatedFileId !== null },
      },
      now,
    );
    return { ok: true as const };
  });
  if (!outcome.ok) return outcome;
  return { ok: true, file: fileSummary(values) };
}

/**
 * Checks the annotated files a decision would share with the authors (read only, before the decision
 * writes anything): each must belong to a report sent in this round. Returns the reviewers' numbers (1-based
 * in invitation order, the letter's numbering), or the refusal.
 */
export async function checkShareable(
  tx: DbOrTx,
  submissionId: string,
  round: number,
  reviewIds: readonly string[],
): Promise<number[] | Refusal> {
  if (reviewIds.length === 0) return [];
  const reviews = await tx
    .select()
    .from(journalReviews)
    .where(and(eq(journalReviews.submissionId, submissionId), eq(journalReviews.round, round)))
    .orderBy(asc(journalReviews.invitedAt));
  const numbers: number[] = [];
  for (const id of new Set(reviewIds)) {
    const index = reviews.findIndex((r) => r.id === id);
    const review = reviews[index];
    if (review?.status !== 'submitted' || !review.annotatedFileId) {
      const message = 'Only annotated files of reports sent in this round can be shared.';
      return refuse('BAD_REQUEST', message, { shareAnnotations: message });
    }
    numbers.push(index + 1);
  }
  return numbers.sort((a, b) => a - b);
}

/** Marks the annotated files of checked reports as shared with the authors (in the decision's transaction). */
export async function markShared(tx: DbOrTx, reviewIds: readonly string[], now: number): Promise<void> {
  if (reviewIds.length === 0) return;
  await tx
    .update(journalReviews)
    .set({ annotationSharedAt: now })
    .where(inArray(journalReviews.id, [...new Set(reviewIds)]));
}

export interface SharedReviewFile {
  id: string;
  round: number;
  /** "Reviewer 2, round 1: annotated manuscript (PDF)": the only name the authors see. */
  label: string;
  mimeType: string;
  sizeBytes: number;
}

/** The annotated files the editor shared with the authors, labelled by reviewer number and round. */
export async function sharedReviewFiles(db: DbOrTx, submissionId: string): Promise<SharedReviewFile[]> {
  const reviews = await db
    .select({
      id: journalReviews.id,
      round: journalReviews.round,
      fileId: journalReviews.annotatedFileId,
      sharedAt: journalReviews.annotationSharedAt,
    })
    .from(journalReviews)
    .where(eq(journalReviews.submissionId, submissionId))
    .orderBy(asc(journalReviews.round), asc(journalReviews.invitedAt));
  const shared = reviews
    .map((r) => ({ ...r, number: reviews.filter((o) => o.round === r.round).indexOf(r) + 1 }))
    .filter((r) => r.sharedAt !== null && r.fileId !== null);
  if (shared.length === 0) return [];
  const files = await db
    .select()
    .from(journalFiles)
    .where(
      and(
        inArray(
          journalFiles.id,
          shared.map((r) => r.fileId as string),
        ),
        eq(journalFiles.kind, 'review-annotation'),
      ),
    );
  return shared.flatMap((r) => {
    const file = files.find((f) => f.id === r.fileId);
    if (!file) return [];
    const kind = file.mimeType === 'application/pdf' ? 'PDF' : 'Word';
    return [
      {
        id: file.id,
        round: r.round,
        label: `Reviewer ${r.number}, round ${r.round}: annotated manuscript (${kind})`,
        mimeType: file.mimeType,
        sizeBytes: file.sizeBytes,
      },
    ];
  });
}

/** Whether `fileId` is an annotated file the editor shared with the authors of its submission. */
export async function isSharedWithAuthors(db: DbOrTx, fileId: string): Promise<boolean> {
  const [row] = await db
    .select({ id: journalReviews.id })
    .from(journalReviews)
    .where(and(eq(journalReviews.annotatedFileId, fileId), isNotNull(journalReviews.annotationSharedAt)));
  return row !== undefined;
}
