import { rmSync } from 'node:fs';
import { resolve } from 'node:path';
import { afterAll, expect, test, vi } from 'vitest';
import { validateSessionToken } from '#src/server/auth/session.ts';
import { readFileFor } from '#src/server/services/journal-editorial.ts';
import { countAllRows, useTestDb } from '#test/helpers/db.ts';
import { callerFor, type MadeUser } from '#test/helpers/factories.ts';
import { holdsText, identifiedDocx, identifiedPdf } from '#test/helpers/identified-documents.ts';
import {
  fileForm,
  mailsTo,
  makeJournalCast,
  PNG_BYTES,
  pdfBytes,
  refusal,
  throughReview,
} from '#test/helpers/journal.ts';

const uploadDir = vi.hoisted(() => {
  const dir = `${process.cwd()}/test-results/uploads/journal-annotation-${process.pid}-${Date.now()}`;
  process.env.UPLOAD_DIR = dir;
  return dir;
});
afterAll(() => rmSync(uploadDir, { recursive: true, force: true }));

const handle = useTestDb();

async function sessionUser(user: MadeUser) {
  const { token } = await callerFor(handle.db, user);
  const session = await validateSessionToken(handle.db, token);
  if (!session) throw new Error('no session');
  return session.user;
}

const withoutRateLimits = ({ rate_limits: _, ...rest }: Record<string, number>) => rest;

/**
 * A reviewer's annotated file (issue 17): PDF or DOCX by its bytes, within the size limit, cleaned of the
 * reviewer's name in document metadata on arrival (or refused when it cannot be cleaned); the editor reads
 * it; the authors get it only when the editor shares it with the decision, as "Reviewer N", and their copy
 * carries no reviewer's name or email.
 */
test('an annotated review file reaches the authors only when shared, with no reviewer name in it', async () => {
  const cast = await makeJournalCast(handle.db);
  const { submissionId, reviewIds } = await throughReview(cast, { reviewers: 2 });
  const [first, second] = cast.reviewerCallers;
  const [firstReviewer, secondReviewer] = cast.reviewers;
  if (!first || !second || !firstReviewer || !secondReviewer) throw new Error('cast');
  const [firstReview = '', secondReview = ''] = reviewIds;
  const attach = (caller: typeof first, reviewId: string, name: string, bytes: Uint8Array<ArrayBuffer>) =>
    caller.journal.attachAnnotation(fileForm({ reviewId }, name, bytes));

  // Refused, changing nothing: a PNG, a PDF over 5 MiB, a PDF that cannot be read to clean, another's review.
  const before = await countAllRows(handle);
  expect(await refusal(attach(first, firstReview, 'notes.png', PNG_BYTES))).toEqual({
    code: 'BAD_REQUEST',
    message: 'An annotated manuscript must be PDF or Word (DOCX) (checked by its content).',
  });
  const huge = new Uint8Array(5 * 1024 * 1024 + 1);
  huge.set(pdfBytes());
  expect((await refusal(attach(first, firstReview, 'big.pdf', huge))).code).toBe('PAYLOAD_TOO_LARGE');
  expect(await refusal(attach(first, firstReview, 'broken.pdf', pdfBytes('not parseable')))).toMatchObject({
    code: 'BAD_REQUEST',
    message: expect.stringMatching(/^This PDF cannot be read to remove its author details/),
  });
  expect((await refusal(attach(second, firstReview, 'x.pdf', await identifiedPdf('X', 'x@x.org')))).code).toBe(
    'NOT_FOUND',
  );
  expect(withoutRateLimits(await countAllRows(handle))).toEqual(withoutRateLimits(before));

  // Reviewer 1 sends a PDF and reviewer 2 a Word file, each full of their names.
  const pdf = await attach(
    first,
    firstReview,
    `${firstReviewer.name} review.pdf`,
    await identifiedPdf(firstReviewer.name, firstReviewer.email),
  );
  expect(pdf.originalName).toBe('annotated-manuscript-round-1.pdf');
  const docx = await attach(
    second,
    secondReview,
    'review.docx',
    identifiedDocx(secondReviewer.name, secondReviewer.email),
  );
  for (const [i, caller] of [first, second].entries()) {
    await caller.journal.submitReport({
      reviewId: reviewIds[i] ?? '',
      recommendation: 'minor-revisions',
      commentsToAuthors: `Comments ${i + 1}.`,
      commentsToEditor: '',
    });
  }
  expect(await refusal(attach(first, firstReview, 'late.pdf', await identifiedPdf('A', 'a@b.org')))).toEqual({
    code: 'CONFLICT',
    message: 'Your report is sent: its annotated file can no longer change.',
  });

  // Who may read what before any sharing.
  const dir = resolve(uploadDir);
  const author = await sessionUser(cast.author);
  expect(await readFileFor(handle.db, dir, author, pdf.id)).toBeNull();
  expect(await readFileFor(handle.db, dir, await sessionUser(cast.editor), pdf.id)).not.toBeNull();
  expect(await readFileFor(handle.db, dir, await sessionUser(firstReviewer), pdf.id)).not.toBeNull();
  expect(await readFileFor(handle.db, dir, await sessionUser(secondReviewer), pdf.id)).toBeNull();
  const editorView = await cast.editorCaller.journal.submission({ submissionId });
  expect(editorView.reviews.map((r) => r.annotatedFileId)).toEqual([pdf.id, docx.id]);

  // Sharing a review that is not this round's sent report is refused, and nothing changes.
  const beforeDecision = await countAllRows(handle);
  expect(
    await refusal(
      cast.editorCaller.journal.decide({
        submissionId,
        decision: 'minor-revisions',
        note: '',
        shareAnnotations: ['no-such-review'],
      }),
    ),
  ).toEqual({ code: 'BAD_REQUEST', message: 'Only annotated files of reports sent in this round can be shared.' });
  expect(await countAllRows(handle)).toEqual(beforeDecision);

  // The editor shares reviewer 1's file only.
  const decided = await cast.editorCaller.journal.decide({
    submissionId,
    decision: 'minor-revisions',
    note: 'Please revise.',
    shareAnnotations: [firstReview],
  });
  expect(decided.letter).toContain("The annotated manuscript of Reviewer 1 is on your submission's page.");
  const view = await cast.authorCaller.journal.mySubmission({ submissionId });
  expect(view.reviewFiles).toEqual([
    {
      id: pdf.id,
      round: 1,
      label: 'Reviewer 1, round 1: annotated manuscript (PDF)',
      mimeType: 'application/pdf',
      sizeBytes: pdf.sizeBytes,
    },
  ]);
  const copy = await readFileFor(handle.db, dir, author, pdf.id);
  if (!copy) throw new Error('the author cannot read the shared file');
  expect(copy.originalName).toBe('annotated-manuscript-round-1.pdf');
  for (const reviewer of cast.reviewers) {
    for (const secret of [reviewer.name, reviewer.email, ...reviewer.name.split(' ')]) {
      expect(holdsText(copy.bytes, secret), secret).toBe(false);
    }
  }
  expect(holdsText(copy.bytes, 'The methods need a power calculation.')).toBe(true);
  expect(await readFileFor(handle.db, dir, author, docx.id)).toBeNull();
  // The editor's and the stored copy are the cleaned one too: no copy with the name is kept.
  const editorCopy = await readFileFor(handle.db, dir, await sessionUser(cast.editor), docx.id);
  if (!editorCopy) throw new Error('no editor copy');
  expect(holdsText(editorCopy.bytes, secondReviewer.email)).toBe(false);
  // What the author reaches names no reviewer.
  const reachable = JSON.stringify([view, await mailsTo(handle.db, cast.author.email)]);
  for (const reviewer of cast.reviewers) expect(reachable).not.toContain(reviewer.name.split(' ')[1]);
});
