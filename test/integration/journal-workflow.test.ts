import { rmSync } from 'node:fs';
import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, expect, test, vi } from 'vitest';
import { auditLog } from '#db/schema/index.ts';
import { runReviewReminders } from '#src/server/services/journal-editorial.ts';
import { useTestDb } from '#test/helpers/db.ts';
import { testDeps } from '#test/helpers/factories.ts';
import {
  dueInDays,
  fileForm,
  type JournalCast,
  mailsTo,
  makeJournalCast,
  pdfBytes,
  submitComplete,
} from '#test/helpers/journal.ts';
import { trpcErrorOf } from '#test/helpers/trpc.ts';

const uploadDir = vi.hoisted(() => {
  const dir = `${process.cwd()}/test-results/uploads/journal-workflow-${process.pid}-${Date.now()}`;
  process.env.UPLOAD_DIR = dir;
  return dir;
});
afterAll(() => rmSync(uploadDir, { recursive: true, force: true }));

const handle = useTestDb();
let cast: JournalCast;
beforeAll(async () => {
  cast = await makeJournalCast(handle.db);
});

/**
 * The whole editorial workflow through tRPC (issue 17): submit → desk check → two reviewers → major
 * revisions → round 2 → accept → production → publish, with the mails each step sends.
 */
test('a submission goes from draft to a published article with a DOI, mailing each party', async () => {
  const { author, authorCaller, editor, editorCaller, reviewers, reviewerCallers } = cast;
  const submissionId = await submitComplete(authorCaller, author);
  expect((await mailsTo(handle.db, author.email)).map((m) => m.subject)).toEqual([
    'IECPA Journal: we received your submission',
  ]);
  expect((await mailsTo(handle.db, editor.email)).at(-1)?.subject).toBe(
    'IECPA Journal: a new submission waits for a desk check',
  );
  expect((await authorCaller.journal.mySubmission({ submissionId })).status).toBe('submitted');

  // Desk check: the editor takes the submission and sends it to review (round 1).
  await editorCaller.journal.assignEditor({ submissionId, editorId: editor.id });
  const desk = await editorCaller.journal.decide({ submissionId, decision: 'send-to-review', note: '' });
  expect(desk.status).toBe('in-review');
  expect((await mailsTo(handle.db, author.email)).at(-1)?.textBody).toContain('sent for double-anonymous peer review');

  // Two reviewers, invited with a due date; they accept through the link in their mail.
  const reviewIds: string[] = [];
  for (const [i, reviewer] of reviewers.entries()) {
    const reviewId = await editorCaller.journal.invite({ submissionId, reviewerId: reviewer.id, dueOn: dueInDays(14) });
    reviewIds.push(reviewId);
    const mail = (await mailsTo(handle.db, reviewer.email)).at(-1);
    expect(mail?.subject).toBe('IECPA Journal: invitation to review');
    expect(mail?.textBody).toContain(`/journal/reviews/${reviewId}`);
    await reviewerCallers[i]?.journal.respond({ reviewId, accept: true });
  }
  expect(
    (await mailsTo(handle.db, editor.email)).filter((m) => m.subject.includes('accepted an invitation')),
  ).toHaveLength(2);

  await reviewerCallers[0]?.journal.submitReport({
    reviewId: reviewIds[0] ?? '',
    recommendation: 'major-revisions',
    commentsToAuthors: 'The control group needs describing.',
    commentsToEditor: 'Promising but incomplete.',
  });
  await reviewerCallers[1]?.journal.submitReport({
    reviewId: reviewIds[1] ?? '',
    recommendation: 'minor-revisions',
    commentsToAuthors: 'Report the follow-up length.',
  });
  expect(
    (await mailsTo(handle.db, editor.email)).filter((m) => m.subject.includes('review report arrived')),
  ).toHaveLength(2);

  // Major revisions: the letter quotes both reviewers by number and goes to the author.
  const major = await editorCaller.journal.decide({
    submissionId,
    decision: 'major-revisions',
    note: 'Please address both.',
  });
  expect(major.status).toBe('revisions-requested');
  const letterMail = (await mailsTo(handle.db, author.email)).at(-1);
  expect(letterMail?.subject).toBe('IECPA Journal: a decision on your submission');
  expect(letterMail?.textBody).toContain('Decision: Major revisions');
  expect(letterMail?.textBody).toContain('Reviewer 1 (round 1):\nThe control group needs describing.');
  expect(letterMail?.textBody).toContain('Reviewer 2 (round 1):\nReport the follow-up length.');
  expect(letterMail?.textBody).not.toContain('Promising but incomplete.');

  // The revision: new files for round 1 and a response; then round 2 with one reviewer.
  await authorCaller.journal.uploadFile(fileForm({ submissionId, kind: 'manuscript' }, 'revised.pdf', pdfBytes('rev')));
  await authorCaller.journal.uploadFile(
    fileForm({ submissionId, kind: 'anonymised' }, 'revised-anon.pdf', pdfBytes('rev-anon')),
  );
  await authorCaller.journal.submit({ submissionId, response: 'We describe the control group and the follow-up.' });
  expect((await mailsTo(handle.db, editor.email)).at(-1)?.subject).toBe('IECPA Journal: a revised manuscript arrived');

  const round2 = await editorCaller.journal.decide({ submissionId, decision: 'send-to-review', note: 'Round 2.' });
  expect(round2.status).toBe('in-review');
  const review2 = await editorCaller.journal.invite({
    submissionId,
    reviewerId: reviewers[0]?.id ?? '',
    dueOn: dueInDays(10),
  });
  await reviewerCallers[0]?.journal.respond({ reviewId: review2, accept: true });
  const round2View = await reviewerCallers[0]?.journal.review({ reviewId: review2 });
  expect(round2View?.round).toBe(2);
  expect(round2View?.files.map((f) => f.originalName)).toEqual(['revised-anon.pdf']);
  await reviewerCallers[0]?.journal.submitReport({
    reviewId: review2,
    recommendation: 'accept',
    commentsToAuthors: 'Addressed.',
  });

  const accepted = await editorCaller.journal.decide({ submissionId, decision: 'accept', note: '' });
  expect(accepted.status).toBe('accepted');
  expect((await mailsTo(handle.db, author.email)).at(-1)?.textBody).toContain('Decision: Accepted');

  // Production: full text, references and the PDF; then publication.
  await editorCaller.journal.saveProduction({
    submissionId,
    bodyMarkdown: '## Introduction\n\nEECP after PCI.\n\n## Methods\n\nCohort.',
    references: ['Arora RR, et al. J Am Coll Cardiol. 1999;33(7):1833-40.'],
  });
  await editorCaller.journal.uploadArticlePdf(fileForm({ submissionId }, 'article.pdf', pdfBytes('article')));
  const published = await editorCaller.journal.publish({ submissionId });
  const year = new Date().getUTCFullYear();
  expect(published.doi).toBe(`10.5555/iecpa.${year}.001`);
  expect((await mailsTo(handle.db, author.email)).at(-1)?.textBody).toContain(published.doi);

  const article = await authorCaller.journal.article({ articleId: published.articleId });
  expect(article.title).toContain('counterpulsation');
  expect(article.authors.map((a) => a.surname)).toEqual(['Lindqvist', 'Smirnova']);
  expect(article.authors[0]?.orcid).toBe('0000-0002-1825-0097');
  expect(JSON.stringify(article)).not.toContain('@');
  expect(article.revisedAt).not.toBeNull();
  expect(article.hasPdf).toBe(true);
  expect(article.articleNumber).toBe(`e${year}001`);
  const found = await authorCaller.journal.search({ q: 'counterpulsation' });
  expect(found.articles.map((a) => a.id)).toEqual([published.articleId]);

  // The author's history: every step, no reviewer named.
  const view = await authorCaller.journal.mySubmission({ submissionId });
  expect(view.status).toBe('published');
  expect(view.decisions.map((d) => d.decision)).toEqual([
    'send-to-review',
    'major-revisions',
    'send-to-review',
    'accept',
  ]);

  // Every decision and assignment is audited.
  const actions = (
    await handle.db
      .select({ action: auditLog.action })
      .from(auditLog)
      .where(sql`${auditLog.subjectId} = ${submissionId}`)
  ).map((r) => r.action);
  expect(actions.filter((a) => a === 'journal.decision')).toHaveLength(4);
  expect(actions.filter((a) => a === 'journal.reviewer-invited')).toHaveLength(3);
  expect(actions).toContain('journal.editor-assigned');
  expect(actions).toContain('journal.published');
});

test('the scheduled job reminds a reviewer before the due date and marks an overdue review once', async () => {
  const { author, editor, editorCaller, reviewers } = cast;
  const authorCaller = cast.authorCaller;
  const submissionId = await submitComplete(authorCaller, author, { title: 'A second study for reminders' });
  await editorCaller.journal.assignEditor({ submissionId, editorId: editor.id });
  await editorCaller.journal.decide({ submissionId, decision: 'send-to-review', note: '' });
  const now = Date.now();
  await editorCaller.journal.invite({ submissionId, reviewerId: reviewers[1]?.id ?? '', dueOn: dueInDays(2, now) });
  const reviewerMails = () => mailsTo(handle.db, reviewers[1]?.email ?? '');
  const before = (await reviewerMails()).length;

  expect(await runReviewReminders(handle.db, testDeps(), now)).toEqual({ reminded: 1, overdue: 0 });
  expect((await reviewerMails()).at(-1)?.subject).toBe('IECPA Journal: your review is due soon');
  expect(await runReviewReminders(handle.db, testDeps(), now)).toEqual({ reminded: 0, overdue: 0 });
  expect((await reviewerMails()).length).toBe(before + 1);

  const later = now + 4 * 86_400_000;
  expect(await runReviewReminders(handle.db, testDeps(), later)).toEqual({ reminded: 0, overdue: 1 });
  expect(await runReviewReminders(handle.db, testDeps(), later)).toEqual({ reminded: 0, overdue: 0 });
  expect((await mailsTo(handle.db, editor.email)).at(-1)?.subject).toBe('IECPA Journal: a review is overdue');
  const view = await editorCaller.journal.submission({ submissionId });
  expect(view.reviews[0]?.overdueAt).toBe(later);
});

test('a decision before any report is refused, and an author cannot take a decision', async () => {
  const { author, editor, editorCaller } = cast;
  const submissionId = await submitComplete(cast.authorCaller, author, { title: 'A third study' });
  await editorCaller.journal.assignEditor({ submissionId, editorId: editor.id });
  expect((await trpcErrorOf(editorCaller.journal.decide({ submissionId, decision: 'accept', note: '' }))).code).toBe(
    'CONFLICT',
  );
  await editorCaller.journal.decide({ submissionId, decision: 'send-to-review', note: '' });
  const early = await trpcErrorOf(editorCaller.journal.decide({ submissionId, decision: 'major-revisions', note: '' }));
  expect(early.code).toBe('PRECONDITION_FAILED');
});

test('corrections and retractions are notices: a retracted article stays online, marked, and notices cannot be edited', async () => {
  const { author, editor, editorCaller, reviewers, reviewerCallers } = cast;
  const submissionId = await submitComplete(cast.authorCaller, author, { title: 'A study that will be retracted' });
  await editorCaller.journal.assignEditor({ submissionId, editorId: editor.id });
  await editorCaller.journal.decide({ submissionId, decision: 'send-to-review', note: '' });
  const reviewId = await editorCaller.journal.invite({
    submissionId,
    reviewerId: reviewers[0]?.id ?? '',
    dueOn: dueInDays(7),
  });
  await reviewerCallers[0]?.journal.respond({ reviewId, accept: true });
  await reviewerCallers[0]?.journal.submitReport({ reviewId, recommendation: 'accept', commentsToAuthors: 'Fine.' });
  await editorCaller.journal.decide({ submissionId, decision: 'accept', note: '' });
  await editorCaller.journal.saveProduction({ submissionId, bodyMarkdown: 'Text.', references: [] });
  const { articleId } = await editorCaller.journal.publish({ submissionId });
  const before = await cast.authorCaller.journal.article({ articleId });

  await editorCaller.journal.addNotice({ articleId, kind: 'correction', text: 'Table 1 had a typo.' });
  await editorCaller.journal.addNotice({ articleId, kind: 'retraction', text: 'Retracted at the authors’ request.' });
  const after = await cast.authorCaller.journal.article({ articleId });
  expect(after.retracted).toBe(true);
  expect(after.title).toBe(before.title);
  expect(after.bodyMarkdown).toBe(before.bodyMarkdown);
  expect(after.notices.map((n) => n.kind)).toEqual(['correction', 'retraction']);
  expect(after.updatedAt).toBeGreaterThanOrEqual(before.updatedAt);
  expect(
    (await trpcErrorOf(editorCaller.journal.addNotice({ articleId, kind: 'correction', text: 'More.' }))).code,
  ).toBe('CONFLICT');
  await expect(handle.client.execute("update journal_notices set text = 'rewritten'")).rejects.toThrow(/append-only/);
  await expect(handle.client.execute('delete from journal_notices')).rejects.toThrow(/append-only/);
});
