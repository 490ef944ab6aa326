import { rmSync } from 'node:fs';
import { resolve } from 'node:path';
import { afterAll, expect, test, vi } from 'vitest';
import { validateSessionToken } from '#src/server/auth/session.ts';
import { readFileFor } from '#src/server/services/journal-editorial.ts';
import { useTestDb } from '#test/helpers/db.ts';
import { callerFor } from '#test/helpers/factories.ts';
import {
  completeDraft,
  dueInDays,
  fileForm,
  mailsTo,
  makeJournalCast,
  pdfBytes,
  VALID_ORCID,
} from '#test/helpers/journal.ts';

const uploadDir = vi.hoisted(() => {
  const dir = `${process.cwd()}/test-results/uploads/journal-anonymity-${process.pid}-${Date.now()}`;
  process.env.UPLOAD_DIR = dir;
  return dir;
});
afterAll(() => rmSync(uploadDir, { recursive: true, force: true }));

const handle = useTestDb();

function expectNoneOf(text: string, secrets: string[], who: string): void {
  for (const secret of secrets) {
    expect(text.toLowerCase(), `${who} must not see "${secret}"`).not.toContain(secret.toLowerCase());
  }
}

/**
 * Double-anonymous review (issue 17): everything a reviewer can reach (their invitations, the submission
 * they review, its files, their mails) holds no author's name, email, ORCID or affiliation; everything an
 * author can reach (their submissions, history, decision letters, mails) holds no reviewer's name or email.
 */
test('reviewers and authors never see who the other side is', async () => {
  const cast = await makeJournalCast(handle.db);
  const { author, authorCaller, editor, editorCaller, reviewers, reviewerCallers } = cast;
  const draft = completeDraft(author, { title: 'Anonymity of review in counterpulsation studies' });
  const submissionId = await authorCaller.journal.saveDraft(draft);
  const named = await authorCaller.journal.uploadFile(
    fileForm({ submissionId, kind: 'manuscript' }, 'Author-named-manuscript.pdf', pdfBytes('named')),
  );
  await authorCaller.journal.uploadFile(
    fileForm({ submissionId, kind: 'anonymised' }, 'blinded.pdf', pdfBytes('blind')),
  );
  await authorCaller.journal.submit({ submissionId });
  await editorCaller.journal.assignEditor({ submissionId, editorId: editor.id });
  await editorCaller.journal.decide({ submissionId, decision: 'send-to-review', note: '' });
  const reviewIds: string[] = [];
  for (const [i, reviewer] of reviewers.entries()) {
    const reviewId = await editorCaller.journal.invite({ submissionId, reviewerId: reviewer.id, dueOn: dueInDays(14) });
    reviewIds.push(reviewId);
    await reviewerCallers[i]?.journal.respond({ reviewId, accept: true });
    await reviewerCallers[i]?.journal.submitReport({
      reviewId,
      recommendation: 'minor-revisions',
      commentsToAuthors: `Comments of reviewer ${i + 1}.`,
      commentsToEditor: `Confidential note of reviewer ${i + 1}.`,
    });
  }
  await editorCaller.journal.decide({ submissionId, decision: 'minor-revisions', note: 'Please revise.' });

  const authorSecrets = draft.authors
    .flatMap((a) => [a.givenNames, a.surname, a.email, a.affiliation, a.orcid])
    .filter(Boolean);
  authorSecrets.push(author.name, author.email, VALID_ORCID, 'Author-named-manuscript');
  const reviewerSecrets = reviewers.flatMap((r) => [r.name, r.email, ...r.name.split(' ')]);
  reviewerSecrets.push('Confidential note');

  // What each reviewer reaches.
  for (const [i, reviewer] of reviewers.entries()) {
    const caller = reviewerCallers[i];
    if (!caller) throw new Error('no caller');
    const reachable = [
      await caller.journal.myReviews(),
      await caller.journal.review({ reviewId: reviewIds[i] ?? '' }),
      await mailsTo(handle.db, reviewer.email),
    ];
    expectNoneOf(JSON.stringify(reachable), authorSecrets, `reviewer ${i + 1}`);
    const { token } = await callerFor(handle.db, reviewer);
    const session = await validateSessionToken(handle.db, token);
    if (!session) throw new Error('no session');
    // The named manuscript is not theirs to download; the anonymised copy is.
    expect(await readFileFor(handle.db, resolve(uploadDir), session.user, named.id)).toBeNull();
    const view = await caller.journal.review({ reviewId: reviewIds[i] ?? '' });
    expect(view.files.map((f) => f.originalName)).toEqual(['blinded.pdf']);
    expect(await readFileFor(handle.db, resolve(uploadDir), session.user, view.files[0]?.id ?? '')).not.toBeNull();
  }

  // What the author reaches.
  const authorReachable = [
    await authorCaller.journal.mySubmissions(),
    await authorCaller.journal.mySubmission({ submissionId }),
    await mailsTo(handle.db, author.email),
  ];
  const authorText = JSON.stringify(authorReachable);
  expectNoneOf(authorText, reviewerSecrets, 'the author');
  expect(authorText).toContain('Comments of reviewer 1.');
  expect(authorText).toContain('Reviewer 2 (round 1)');
});
