import { rmSync } from 'node:fs';
import { eq } from 'drizzle-orm';
import { afterAll, expect, test, vi } from 'vitest';
import { auditLog } from '#db/schema/index.ts';
import { countAllRows, useTestDb } from '#test/helpers/db.ts';
import { callerFor, makeUser } from '#test/helpers/factories.ts';
import { mailsTo, makeJournalCast, refusal, throughReview } from '#test/helpers/journal.ts';

const uploadDir = vi.hoisted(() => {
  const dir = `${process.cwd()}/test-results/uploads/journal-withdrawal-${process.pid}-${Date.now()}`;
  process.env.UPLOAD_DIR = dir;
  return dir;
});
afterAll(() => rmSync(uploadDir, { recursive: true, force: true }));

const handle = useTestDb();

/**
 * The submitting author withdraws a submission in review (issue 17): with a reason; open invitations end
 * and their reviewers are mailed (a sent report stays); the editor is mailed; audited and in the history.
 * Refused for someone else's submission, without a reason, twice, and after acceptance (a retraction is
 * the editors' act), each changing nothing.
 */
test('the author withdraws a submission in review; after acceptance it is refused', async () => {
  const cast = await makeJournalCast(handle.db);
  const { submissionId, reviewIds } = await throughReview(cast, { reviewers: 2 });
  const [first, second] = cast.reviewerCallers;
  const [firstReviewer, secondReviewer] = cast.reviewers;
  if (!first || !second || !firstReviewer || !secondReviewer) throw new Error('cast');
  await first.journal.submitReport({
    reviewId: reviewIds[0] ?? '',
    recommendation: 'major-revisions',
    commentsToAuthors: 'More detail.',
    commentsToEditor: '',
  });
  const stranger = await makeUser(handle.db, { roles: ['member'] });
  const strangerCaller = (await callerFor(handle.db, stranger)).caller;

  const before = await countAllRows(handle);
  expect(await refusal(strangerCaller.journal.withdraw({ submissionId, reason: 'Mine now.' }))).toEqual({
    code: 'NOT_FOUND',
    message: 'No such submission, or it is not yours.',
  });
  expect((await refusal(cast.authorCaller.journal.withdraw({ submissionId, reason: '  ' }))).code).toBe('BAD_REQUEST');
  expect(await countAllRows(handle)).toEqual(before);

  await cast.authorCaller.journal.withdraw({ submissionId, reason: 'We found an error in the outcome data.' });

  const view = await cast.authorCaller.journal.mySubmission({ submissionId });
  expect(view.status).toBe('withdrawn');
  expect(view.events.at(-1)?.message).toBe('Withdrawn by the authors. Reason: We found an error in the outcome data.');
  const editorView = await cast.editorCaller.journal.submission({ submissionId });
  expect(editorView.reviews.map((r) => r.status)).toEqual(['submitted', 'cancelled']);
  expect(editorView.events.at(-1)?.kind).toBe('withdrawn');
  // The reviewer whose invitation ended is told (without the authors' names); the one who reported is not.
  const ended = (await mailsTo(handle.db, secondReviewer.email)).filter((m) => m.subject.includes('no longer needed'));
  expect(ended).toHaveLength(1);
  for (const a of [cast.author.name, cast.author.email, 'Smirnova']) expect(ended[0]?.textBody).not.toContain(a);
  expect((await mailsTo(handle.db, firstReviewer.email)).some((m) => m.subject.includes('no longer needed'))).toBe(
    false,
  );
  expect((await mailsTo(handle.db, cast.editor.email)).map((m) => m.subject)).toContain(
    'IECPA Journal: a submission was withdrawn by its authors',
  );
  expect((await mailsTo(handle.db, cast.author.email)).map((m) => m.subject)).toContain(
    'IECPA Journal: your submission is withdrawn',
  );
  const [audit] = await handle.db
    .select({ actorId: auditLog.actorId, details: auditLog.details })
    .from(auditLog)
    .where(eq(auditLog.action, 'journal.withdrawn'));
  expect(audit?.actorId).toBe(cast.author.id);
  expect(JSON.parse(audit?.details ?? '{}')).toEqual({ fromStatus: 'in-review', round: 1, cancelledInvitations: 1 });
  // The ended invitation takes no report, and the editors can take no decision on it.
  expect(
    (
      await refusal(
        second.journal.submitReport({
          reviewId: reviewIds[1] ?? '',
          recommendation: 'accept',
          commentsToAuthors: 'Late.',
          commentsToEditor: '',
        }),
      )
    ).code,
  ).toBe('CONFLICT');
  expect((await refusal(cast.editorCaller.journal.decide({ submissionId, decision: 'accept', note: '' }))).code).toBe(
    'CONFLICT',
  );

  const afterFirst = await countAllRows(handle);
  expect(await refusal(cast.authorCaller.journal.withdraw({ submissionId, reason: 'Again.' }))).toEqual({
    code: 'CONFLICT',
    message: 'This submission is closed already.',
  });

  // After acceptance: refused; retraction is the editors' act.
  const accepted = await throughReview(cast, { reviewers: 1, report: true });
  await cast.editorCaller.journal.decide({ submissionId: accepted.submissionId, decision: 'accept', note: '' });
  const beforeAccepted = await countAllRows(handle);
  expect(
    await refusal(
      cast.authorCaller.journal.withdraw({ submissionId: accepted.submissionId, reason: 'Changed our minds.' }),
    ),
  ).toEqual({
    code: 'CONFLICT',
    message:
      'This submission is accepted, so it can no longer be withdrawn. Once it is published, only the editors can retract it: write to them.',
  });
  expect(await countAllRows(handle)).toEqual(beforeAccepted);
  expect(beforeAccepted.journal_submissions).toBe((afterFirst.journal_submissions ?? 0) + 1);
});
