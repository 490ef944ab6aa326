import { rmSync } from 'node:fs';
import { resolve } from 'node:path';
import { afterAll, expect, test, vi } from 'vitest';
import { appRouter } from '#src/server/api/root.ts';
import { validateSessionToken } from '#src/server/auth/session.ts';
import { readFileFor } from '#src/server/services/journal-editorial.ts';
import { useTestDb } from '#test/helpers/db.ts';
import { callerFor } from '#test/helpers/factories.ts';
import { identifiedPdf } from '#test/helpers/identified-documents.ts';
import {
  type Caller,
  completeDraft,
  dueInDays,
  fileForm,
  mailsTo,
  makeJournalCast,
  PNG_BYTES,
  pdfBytes,
  submitComplete,
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

/**
 * Every journal procedure, by who of the two sides of a review can reach it. A procedure added to the
 * journal router and not listed here fails the first test below: decide whether a reviewer or an author
 * reaches it, and the second test then calls it and reads its answer.
 */
const REACHED_BY_BOTH = [
  'search',
  'facets',
  'article',
  'issues',
  'issue',
  'translations',
  'translation',
  'reviewTranslation',
];
const REACHED_BY_AUTHORS = [
  'mySubmissions',
  'mySubmission',
  'saveDraft',
  'uploadFile',
  'removeFile',
  'submit',
  'withdraw',
];
const REACHED_BY_REVIEWERS = ['myReviews', 'review', 'respond', 'submitReport', 'attachAnnotation'];
/** Refused to a member who is neither editor, translator nor admin (checked below). */
const REACHED_BY_NEITHER = [
  'queue',
  'submission',
  'reviewerCandidates',
  'assignEditor',
  'decide',
  'invite',
  'saveProduction',
  'uploadArticlePdf',
  'publish',
  'addNotice',
  'acceptTranslation',
  'saveTranslation',
  'publishTranslation',
  'editorIssues',
  'editorIssue',
  'createIssue',
  'addToIssue',
  'removeFromIssue',
  'publishIssue',
  'editors',
  'setChief',
];

test('every journal procedure is listed by which side of a review reaches it', () => {
  const journal = Object.keys(appRouter._def.procedures)
    .filter((path) => path.startsWith('journal.'))
    .map((path) => path.slice('journal.'.length))
    .sort();
  const listed = [...REACHED_BY_BOTH, ...REACHED_BY_AUTHORS, ...REACHED_BY_REVIEWERS, ...REACHED_BY_NEITHER].sort();
  expect(journal).toEqual(listed);
});

type Answers = Map<string, unknown[]>;

/** The caller's journal procedures, recording every answer (or refusal message) under the procedure's name. */
function recording(caller: Caller, answers: Answers): Caller['journal'] {
  return new Proxy(caller.journal, {
    get(target, name: string) {
      const procedure = (target as unknown as Record<string, (input?: unknown) => Promise<unknown>>)[name];
      if (typeof procedure !== 'function') return procedure;
      return async (input?: unknown) => {
        const list = answers.get(name) ?? [];
        answers.set(name, list);
        try {
          const out = await procedure(input);
          list.push(out);
          return out;
        } catch (error) {
          list.push((error as Error).message);
          throw error;
        }
      };
    },
  });
}

const settle = (promise: Promise<unknown>) => promise.catch(() => undefined);

/**
 * Through two review rounds (an annotated file shared with the first decision, a revision, a second round in
 * review), every procedure a reviewer or an author can reach is called by them and each answer is read: no
 * name, email, ORCID or affiliation of the other side. The procedures neither reaches are refused to both.
 */
test('no answer of any procedure a reviewer or an author reaches names the other side', async () => {
  const cast = await makeJournalCast(handle.db);
  const { author, editor, editorCaller, reviewers } = cast;
  const authorAnswers: Answers = new Map();
  const reviewerAnswers: Answers = new Map();
  const a = recording(cast.authorCaller, authorAnswers);
  const [r1, r2] = cast.reviewerCallers.map((c) => recording(c as Caller, reviewerAnswers));
  if (!r1 || !r2) throw new Error('cast');
  const draft = completeDraft(author, { title: 'Two rounds of anonymous review' });

  const submissionId = await a.saveDraft(draft);
  await a.uploadFile(fileForm({ submissionId, kind: 'manuscript' }, 'named.pdf', pdfBytes('named')));
  await a.uploadFile(fileForm({ submissionId, kind: 'anonymised' }, 'blinded.pdf', pdfBytes('blind')));
  const figure = await a.uploadFile(fileForm({ submissionId, kind: 'figure' }, 'figure.png', PNG_BYTES));
  await a.removeFile({ fileId: figure.id });
  await a.submit({ submissionId });
  await editorCaller.journal.assignEditor({ submissionId, editorId: editor.id });
  await editorCaller.journal.decide({ submissionId, decision: 'send-to-review', note: '' });
  const reviewIds: string[] = [];
  for (const [i, r] of [r1, r2].entries()) {
    const reviewer = reviewers[i];
    if (!reviewer) throw new Error('cast');
    const reviewId = await editorCaller.journal.invite({ submissionId, reviewerId: reviewer.id, dueOn: dueInDays(14) });
    reviewIds.push(reviewId);
    await r.myReviews();
    await r.review({ reviewId });
    await r.respond({ reviewId, accept: true });
    await r.attachAnnotation(fileForm({ reviewId }, 'mine.pdf', await identifiedPdf(reviewer.name, reviewer.email)));
    await r.submitReport({
      reviewId,
      recommendation: 'major-revisions',
      commentsToAuthors: `Round 1 comments of reviewer ${i + 1}.`,
      commentsToEditor: `Confidential note of reviewer ${i + 1}.`,
    });
  }
  await editorCaller.journal.decide({
    submissionId,
    decision: 'major-revisions',
    note: 'Please revise.',
    shareAnnotations: reviewIds,
  });
  await a.mySubmission({ submissionId });
  await a.saveDraft({ ...draft, submissionId });
  await a.uploadFile(fileForm({ submissionId, kind: 'manuscript' }, 'named-2.pdf', pdfBytes('named 2')));
  await a.uploadFile(fileForm({ submissionId, kind: 'anonymised' }, 'blinded-2.pdf', pdfBytes('blind 2')));
  await a.submit({ submissionId, response: 'We answered every comment.' });
  await editorCaller.journal.decide({ submissionId, decision: 'send-to-review', note: '' });
  const round2 = await editorCaller.journal.invite({
    submissionId,
    reviewerId: reviewers[0]?.id ?? '',
    dueOn: dueInDays(14),
  });
  await r1.respond({ reviewId: round2, accept: true });

  // A second submission the author withdraws.
  const other = await submitComplete(cast.authorCaller, author, { title: 'Withdrawn study' });
  await a.withdraw({ submissionId: other, reason: 'Superseded.' });

  // Every query each side reaches, on this submission in its second round of review.
  for (const side of [a, r1]) {
    await side.search({ q: 'anonymous review', page: 1 });
    await side.facets();
    await settle(side.article({ articleId: 'no-such-article' }));
    await side.issues();
    await settle(side.issue({ issueId: 'no-such-issue' }));
    await side.translations();
    await settle(side.translation({ translationId: 'no-such-translation' }));
    await settle(side.reviewTranslation({ translationId: 'no-such-translation', approve: true, comments: '' }));
  }
  await a.mySubmissions();
  await a.mySubmission({ submissionId });
  await settle(a.mySubmission({ submissionId: other }));
  await r1.myReviews();
  for (const reviewId of [reviewIds[0] ?? '', round2]) await r1.review({ reviewId });

  // Each side called everything it reaches.
  expect([...authorAnswers.keys()].sort()).toEqual([...REACHED_BY_BOTH, ...REACHED_BY_AUTHORS].sort());
  expect([...reviewerAnswers.keys()].sort()).toEqual([...REACHED_BY_BOTH, ...REACHED_BY_REVIEWERS].sort());

  const authorSecrets = draft.authors
    .flatMap((x) => [x.givenNames, x.surname, x.email, x.affiliation, x.orcid])
    .filter(Boolean);
  authorSecrets.push(author.name, author.email, VALID_ORCID, 'named.pdf', 'named-2.pdf');
  const reviewerSecrets = reviewers.flatMap((r) => [r.name, r.email, ...r.name.split(' ')]);
  reviewerSecrets.push('Confidential note', 'mine.pdf');
  expectNoneOf(JSON.stringify([...reviewerAnswers]), authorSecrets, 'a reviewer');
  const authorText = JSON.stringify([...authorAnswers]);
  expectNoneOf(authorText, reviewerSecrets, 'the author');
  // The author did read the reviewers' comments and the shared files, as "Reviewer N".
  expect(authorText).toContain('Round 1 comments of reviewer 2.');
  expect(authorText).toContain('Reviewer 2, round 1: annotated manuscript (PDF)');

  // What neither side reaches is refused to both, whatever the input.
  for (const caller of [cast.authorCaller, cast.reviewerCallers[0] as Caller]) {
    for (const name of REACHED_BY_NEITHER) {
      const procedure = (caller.journal as unknown as Record<string, (input?: unknown) => Promise<unknown>>)[name];
      const code = await procedure?.({ submissionId, userId: author.id, chief: true }).then(
        () => 'answered',
        (error: { code?: string }) => error.code,
      );
      expect(['FORBIDDEN', 'UNAUTHORIZED'], `${name} must be refused`).toContain(code);
    }
  }
});
