import { rmSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, test, vi } from 'vitest';
import { renderMarkdown } from '#src/server/markdown.ts';
import { MAX_JOURNAL_FILE_BYTES } from '#src/server/services/journal-submissions.ts';
import { countAllRows, useTestDb } from '#test/helpers/db.ts';
import { callerFor, makeUser } from '#test/helpers/factories.ts';
import {
  type Caller,
  completeDraft,
  docxBytes,
  dueInDays,
  fileForm,
  type JournalCast,
  makeJournalCast,
  PNG_BYTES,
  pdfBytes,
  submitComplete,
} from '#test/helpers/journal.ts';
import { trpcErrorOf } from '#test/helpers/trpc.ts';
import { expectInert, XSS_PAYLOADS } from '#test/helpers/xss-corpus.ts';

const uploadDir = vi.hoisted(() => {
  const dir = `${process.cwd()}/test-results/uploads/journal-bad-input-${process.pid}-${Date.now()}`;
  process.env.UPLOAD_DIR = dir;
  return dir;
});
afterAll(() => rmSync(uploadDir, { recursive: true, force: true }));

const handle = useTestDb();
let cast: JournalCast;
let draftId: string;
beforeAll(async () => {
  cast = await makeJournalCast(handle.db);
  draftId = await cast.authorCaller.journal.saveDraft(completeDraft(cast.author));
});

/** Runs a refused call and checks that no table changed. */
async function refusedWithoutChange(call: () => Promise<unknown>) {
  const before = await countAllRows(handle);
  const error = await trpcErrorOf(call());
  expect(await countAllRows(handle)).toEqual(before);
  return error;
}

describe('files', () => {
  const upload = (kind: string, name: string, bytes: Uint8Array<ArrayBuffer>) =>
    cast.authorCaller.journal.uploadFile(fileForm({ submissionId: draftId, kind }, name, bytes));

  test('a manuscript that is not a PDF or DOCX by its bytes is refused', async () => {
    const elf = new Uint8Array([0x7f, 0x45, 0x4c, 0x46, 2, 1, 1, 0, 0, 0, 0, 0]);
    const error = await refusedWithoutChange(() => upload('manuscript', 'paper.pdf', elf));
    expect(error.code).toBe('BAD_REQUEST');
    expect(error.message).toBe('A manuscript must be PDF or Word (DOCX) (checked by its content).');
    // A PNG renamed to .pdf, and a ZIP that is not a Word document.
    expect((await refusedWithoutChange(() => upload('manuscript', 'paper.pdf', PNG_BYTES))).code).toBe('BAD_REQUEST');
    const zip = new Uint8Array(64);
    zip.set([0x50, 0x4b, 0x03, 0x04]);
    expect((await refusedWithoutChange(() => upload('manuscript', 'paper.docx', zip))).code).toBe('BAD_REQUEST');
  });

  test('a file whose name does not match its content is refused', async () => {
    const error = await refusedWithoutChange(() => upload('manuscript', 'paper.docx', pdfBytes()));
    expect(error.message).toContain('does not match its content');
  });

  test('an oversized file is refused with 413', async () => {
    const big = new Uint8Array(MAX_JOURNAL_FILE_BYTES + 1);
    big.set(pdfBytes());
    expect((await refusedWithoutChange(() => upload('supplementary', 'big.pdf', big))).code).toBe('PAYLOAD_TOO_LARGE');
  });

  test('a figure must be an image, and a second manuscript in one round is refused', async () => {
    expect((await refusedWithoutChange(() => upload('figure', 'figure.pdf', pdfBytes()))).code).toBe('BAD_REQUEST');
    await upload('manuscript', 'paper.docx', docxBytes());
    const error = await refusedWithoutChange(() => upload('manuscript', 'again.pdf', pdfBytes()));
    expect(error.message).toBe('At most 1 manuscript file(s) per round. Remove one first.');
  });

  test('more figures than allowed are refused', async () => {
    for (let i = 0; i < 10; i++) await upload('figure', `figure-${i}.png`, PNG_BYTES);
    expect((await refusedWithoutChange(() => upload('figure', 'figure-11.png', PNG_BYTES))).code).toBe('BAD_REQUEST');
  });

  test('an unknown kind or a missing file is refused', async () => {
    const form = fileForm({ submissionId: draftId, kind: 'article-pdf' }, 'a.pdf', pdfBytes());
    expect((await refusedWithoutChange(() => cast.authorCaller.journal.uploadFile(form))).code).toBe('BAD_REQUEST');
    const empty = new FormData();
    empty.set('submissionId', draftId);
    empty.set('kind', 'manuscript');
    expect((await refusedWithoutChange(() => cast.authorCaller.journal.uploadFile(empty))).message).toBe(
      'Choose a file to upload.',
    );
  });
});

describe('completeness and fields', () => {
  test('a submission missing declarations and the anonymised copy cannot be sent', async () => {
    const base = completeDraft(cast.author);
    const id = await cast.authorCaller.journal.saveDraft({
      ...base,
      declarations: { ...base.declarations, deviceManufacturerTies: '', competingInterests: '' },
    });
    await cast.authorCaller.journal.uploadFile(fileForm({ submissionId: id, kind: 'manuscript' }, 'm.pdf', pdfBytes()));
    const error = await refusedWithoutChange(() => cast.authorCaller.journal.submit({ submissionId: id }));
    expect(error.code).toBe('BAD_REQUEST');
    const fields = (error.cause as unknown as { fieldErrors: Record<string, string> }).fieldErrors;
    expect(Object.keys(fields).sort()).toEqual([
      'anonymised',
      'declarations.competingInterests',
      'declarations.deviceManufacturerTies',
    ]);
    expect(fields['declarations.deviceManufacturerTies']).toContain('ties to device manufacturers');
  });

  test('an ORCID iD with a bad check digit is refused', async () => {
    const draft = completeDraft(cast.author);
    const authors = draft.authors.map((a, i) => (i === 0 ? { ...a, orcid: '0000-0002-1825-0096' } : a));
    const error = await refusedWithoutChange(() => cast.authorCaller.journal.saveDraft({ ...draft, authors }));
    expect(error.code).toBe('BAD_REQUEST');
    expect(JSON.stringify(error.cause)).toContain('check digit');
  });

  test('two corresponding authors, too many keywords or an overlong title are refused', async () => {
    const draft = completeDraft(cast.author);
    const both = draft.authors.map((a) => ({ ...a, corresponding: true }));
    expect(
      (await refusedWithoutChange(() => cast.authorCaller.journal.saveDraft({ ...draft, authors: both }))).code,
    ).toBe('BAD_REQUEST');
    const keywords = Array.from({ length: 11 }, (_, i) => `k${i}`);
    expect((await refusedWithoutChange(() => cast.authorCaller.journal.saveDraft({ ...draft, keywords }))).code).toBe(
      'BAD_REQUEST',
    );
    expect(
      (await refusedWithoutChange(() => cast.authorCaller.journal.saveDraft({ ...draft, title: 'x'.repeat(301) })))
        .code,
    ).toBe('BAD_REQUEST');
  });
});

describe('access', () => {
  test("an author cannot read or change another author's submission", async () => {
    const other = await makeUser(handle.db, { roles: ['member'] });
    const otherCaller = (await callerFor(handle.db, other)).caller;
    expect((await refusedWithoutChange(() => otherCaller.journal.mySubmission({ submissionId: draftId }))).code).toBe(
      'NOT_FOUND',
    );
    const draft = completeDraft(other);
    expect(
      (await refusedWithoutChange(() => otherCaller.journal.saveDraft({ ...draft, submissionId: draftId }))).code,
    ).toBe('NOT_FOUND');
    expect((await refusedWithoutChange(() => otherCaller.journal.submit({ submissionId: draftId }))).code).toBe(
      'NOT_FOUND',
    );
  });

  test('a reviewer cannot read a submission they were not invited to, nor report twice or after the round closed', async () => {
    const { author, editor, editorCaller, reviewers, reviewerCallers } = cast;
    const submissionId = await submitComplete(cast.authorCaller, author, { title: 'Access study' });
    await editorCaller.journal.assignEditor({ submissionId, editorId: editor.id });
    await editorCaller.journal.decide({ submissionId, decision: 'send-to-review', note: '' });
    const first = await editorCaller.journal.invite({
      submissionId,
      reviewerId: reviewers[0]?.id ?? '',
      dueOn: dueInDays(14),
    });
    const second = await editorCaller.journal.invite({
      submissionId,
      reviewerId: reviewers[1]?.id ?? '',
      dueOn: dueInDays(14),
    });
    // The other reviewer's invitation is not theirs.
    expect(
      (await refusedWithoutChange(() => (reviewerCallers[1] as Caller).journal.review({ reviewId: first }))).code,
    ).toBe('NOT_FOUND');
    // A report before accepting, then twice.
    const report = { reviewId: first, recommendation: 'accept' as const, commentsToAuthors: 'Fine.' };
    expect((await refusedWithoutChange(() => (reviewerCallers[0] as Caller).journal.submitReport(report))).code).toBe(
      'PRECONDITION_FAILED',
    );
    await reviewerCallers[0]?.journal.respond({ reviewId: first, accept: true });
    await reviewerCallers[0]?.journal.submitReport(report);
    const twice = await refusedWithoutChange(() => (reviewerCallers[0] as Caller).journal.submitReport(report));
    expect(twice.code).toBe('CONFLICT');
    expect(twice.message).toBe('You have already submitted your report for this round.');
    // The round closes with the decision; the second reviewer's late report is refused.
    await reviewerCallers[1]?.journal.respond({ reviewId: second, accept: true });
    await editorCaller.journal.decide({ submissionId, decision: 'minor-revisions', note: '' });
    const late = await refusedWithoutChange(() =>
      (reviewerCallers[1] as Caller).journal.submitReport({
        reviewId: second,
        recommendation: 'accept',
        commentsToAuthors: 'Late.',
      }),
    );
    expect(late.message).toBe('This review round is closed.');
    // An empty report, a past due date, a duplicate invitation.
    expect(
      (
        await refusedWithoutChange(() =>
          (reviewerCallers[0] as Caller).journal.submitReport({ ...report, commentsToAuthors: '  ' }),
        )
      ).code,
    ).toBe('BAD_REQUEST');
  });

  test('an author of a submission can be neither its editor nor its reviewer; a shared affiliation needs a tick', async () => {
    const { author, editor, editorCaller } = cast;
    const coauthorEditor = await makeUser(handle.db, { roles: ['member', 'editor'], totp: true });
    const coauthorReviewer = await makeUser(handle.db, { roles: ['member', 'reviewer'] });
    const draft = completeDraft(author, { title: 'Conflict study' });
    draft.authors.push(
      {
        givenNames: 'Co',
        surname: 'Editor',
        email: coauthorEditor.email,
        orcid: '',
        affiliation: 'X',
        country: 'DE',
        corresponding: false,
      },
      {
        givenNames: 'Co',
        surname: 'Reviewer',
        email: coauthorReviewer.email,
        orcid: '',
        affiliation: 'Y',
        country: 'DE',
        corresponding: false,
      },
    );
    const id = await cast.authorCaller.journal.saveDraft(draft);
    await cast.authorCaller.journal.uploadFile(fileForm({ submissionId: id, kind: 'manuscript' }, 'm.pdf', pdfBytes()));
    await cast.authorCaller.journal.uploadFile(fileForm({ submissionId: id, kind: 'anonymised' }, 'a.pdf', pdfBytes()));
    await cast.authorCaller.journal.submit({ submissionId: id });

    const coEditorCaller = (await callerFor(handle.db, coauthorEditor)).caller;
    expect((await refusedWithoutChange(() => coEditorCaller.journal.submission({ submissionId: id }))).code).toBe(
      'FORBIDDEN',
    );
    expect((await coEditorCaller.journal.queue()).some((s) => s.id === id)).toBe(false);
    expect(
      (
        await refusedWithoutChange(() =>
          coEditorCaller.journal.assignEditor({ submissionId: id, editorId: coauthorEditor.id }),
        )
      ).code,
    ).toBe('FORBIDDEN');

    await editorCaller.journal.assignEditor({ submissionId: id, editorId: editor.id });
    await editorCaller.journal.decide({ submissionId: id, decision: 'send-to-review', note: '' });
    const invite = (reviewerId: string, acknowledgeSharedAffiliation = false) =>
      editorCaller.journal.invite({ submissionId: id, reviewerId, dueOn: dueInDays(14), acknowledgeSharedAffiliation });
    expect((await refusedWithoutChange(() => invite(coauthorReviewer.id))).code).toBe('CONFLICT');
    expect(
      (await editorCaller.journal.reviewerCandidates({ submissionId: id })).some((r) => r.id === coauthorReviewer.id),
    ).toBe(false);
    expect((await refusedWithoutChange(() => invite(author.id))).message).toBe('That account is not a reviewer.');
    expect(
      (
        await refusedWithoutChange(() =>
          editorCaller.journal.invite({
            submissionId: id,
            reviewerId: cast.reviewers[0]?.id ?? '',
            dueOn: '2020-01-01',
          }),
        )
      ).code,
    ).toBe('BAD_REQUEST');
  });
});

describe('text shown to editors and readers', () => {
  test('HTML, javascript: URLs and SVG in the production text are rendered inert', () => {
    for (const payload of XSS_PAYLOADS) {
      expectInert(renderMarkdown(`## Results\n\n${payload}\n\n[link](javascript:alert(1))`).html);
    }
  });
});
