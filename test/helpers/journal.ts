/**
 * Journal test helpers: staff accounts, a complete submission's draft, and small files with the right
 * magic bytes. Every call goes through the tRPC procedures, as a page or island would.
 */
import { eq } from 'drizzle-orm';
import type { Db } from '#db/client.ts';
import { mailOutbox } from '#db/schema/index.ts';
import type { DraftInput } from '#src/server/services/journal-schemas.ts';
import { callerFor, type MadeUser, makeUser } from './factories.ts';

export type Caller = Awaited<ReturnType<typeof callerFor>>['caller'];

const encode = (text: string) => new TextEncoder().encode(text);

/** A minimal PDF (header at offset 0, as uploads.ts requires). */
export function pdfBytes(label = 'manuscript'): Uint8Array<ArrayBuffer> {
  return encode(`%PDF-1.4\n% ${label}\n1 0 obj << /Type /Catalog >> endobj\n%%EOF\n`);
}

/** A DOCX-shaped ZIP: local file header and the main document part's name. */
export function docxBytes(): Uint8Array<ArrayBuffer> {
  const bytes = new Uint8Array(64);
  bytes.set([0x50, 0x4b, 0x03, 0x04]);
  bytes.set(encode('word/document.xml'), 30);
  return bytes;
}

export const PNG_BYTES = new Uint8Array([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0, 0, 0, 13]);

export function fileForm(fields: Record<string, string>, name: string, bytes: Uint8Array<ArrayBuffer>): FormData {
  const data = new FormData();
  for (const [key, value] of Object.entries(fields)) data.set(key, value);
  data.set('file', new File([bytes], name));
  return data;
}

/** A valid ORCID iD (ORCID's own documentation example). */
export const VALID_ORCID = '0000-0002-1825-0097';

export function completeDraft(
  author: { name: string; email: string },
  overrides: Partial<DraftInput> = {},
): DraftInput {
  const [given = 'Test', ...rest] = author.name.split(' ');
  return {
    type: 'original-research',
    title: 'Enhanced external counterpulsation after percutaneous coronary intervention',
    abstract: {
      background: 'Angina persists in some patients after PCI.',
      methods: 'Prospective cohort of 60 patients given 35 one-hour EECP sessions.',
      results: 'CCS angina class improved by at least one class in 41 of 60 patients.',
      conclusions: 'EECP after PCI was feasible and associated with less angina.',
    },
    keywords: ['EECP', 'PCI', 'angina'],
    language: 'en',
    coverLetter: 'We submit our cohort study for consideration.',
    authors: [
      {
        givenNames: given,
        surname: rest.join(' ') || 'Author',
        email: author.email,
        orcid: VALID_ORCID,
        affiliation: 'Harbour Heart Institute',
        country: 'DE',
        corresponding: true,
      },
      {
        givenNames: 'Olga',
        surname: 'Smirnova',
        email: 'olga.smirnova@example.org',
        orcid: '',
        affiliation: 'Northern Cardiology Centre',
        country: 'RU',
        corresponding: false,
      },
    ],
    declarations: {
      competingInterests: 'None declared.',
      deviceManufacturerTies: 'None.',
      funding: 'None.',
      ethicsApproval: 'Approved by the institutional ethics committee (HHI-2025-07).',
      consent: 'All patients gave written informed consent.',
      registration: 'ISRCTN00000000',
      dataAvailability: 'Available from the corresponding author on request.',
    },
    ...overrides,
  };
}

export interface JournalCast {
  author: MadeUser;
  authorCaller: Caller;
  editor: MadeUser;
  editorCaller: Caller;
  reviewers: MadeUser[];
  reviewerCallers: Caller[];
}

export async function makeJournalCast(db: Db): Promise<JournalCast> {
  const author = await makeUser(db, { roles: ['member'], name: 'Annika Lindqvist' });
  const editor = await makeUser(db, { roles: ['member', 'editor'], totp: true, name: 'Edith Oyelaran' });
  const reviewers = [
    await makeUser(db, { roles: ['member', 'reviewer'], name: 'Rolf Tamsberg' }),
    await makeUser(db, { roles: ['member', 'reviewer'], name: 'Rita Quennell' }),
  ];
  return {
    author,
    authorCaller: (await callerFor(db, author)).caller,
    editor,
    editorCaller: (await callerFor(db, editor)).caller,
    reviewers,
    reviewerCallers: await Promise.all(reviewers.map(async (r) => (await callerFor(db, r)).caller)),
  };
}

/** Creates a complete draft with its manuscript and anonymised copy, and submits it. */
export async function submitComplete(
  caller: Caller,
  author: MadeUser,
  overrides: Partial<DraftInput> = {},
): Promise<string> {
  const id = await caller.journal.saveDraft(completeDraft(author, overrides));
  await caller.journal.uploadFile(fileForm({ submissionId: id, kind: 'manuscript' }, 'manuscript.pdf', pdfBytes()));
  await caller.journal.uploadFile(
    fileForm({ submissionId: id, kind: 'anonymised' }, 'anonymised.pdf', pdfBytes('anon')),
  );
  await caller.journal.submit({ submissionId: id });
  return id;
}

/** Every mail in the outbox to `to`, oldest first. */
export async function mailsTo(db: Db, to: string): Promise<{ subject: string; textBody: string }[]> {
  return db
    .select({ subject: mailOutbox.subject, textBody: mailOutbox.textBody })
    .from(mailOutbox)
    .where(eq(mailOutbox.toAddress, to));
}

/** A date `days` from now as YYYY-MM-DD. */
export function dueInDays(days: number, now = Date.now()): string {
  return new Date(now + days * 86_400_000).toISOString().slice(0, 10);
}

/**
 * Takes a submission from the author's draft to review: submitted, handled by the cast's editor, sent to
 * review, and reviewer i invited for each of `reviewers` (accepted; a report when `report` is set).
 * Returns the submission and review ids.
 */
export async function throughReview(
  cast: JournalCast,
  options: { reviewers?: number; report?: boolean; overrides?: Partial<DraftInput> } = {},
): Promise<{ submissionId: string; reviewIds: string[] }> {
  const { author, authorCaller, editor, editorCaller, reviewers, reviewerCallers } = cast;
  const submissionId = await submitComplete(authorCaller, author, options.overrides);
  await editorCaller.journal.assignEditor({ submissionId, editorId: editor.id });
  await editorCaller.journal.decide({ submissionId, decision: 'send-to-review', note: '' });
  const reviewIds: string[] = [];
  for (const [i, reviewer] of reviewers.slice(0, options.reviewers ?? 1).entries()) {
    const caller = reviewerCallers[i];
    if (!caller) throw new Error('no reviewer caller');
    const reviewId = await editorCaller.journal.invite({ submissionId, reviewerId: reviewer.id, dueOn: dueInDays(14) });
    reviewIds.push(reviewId);
    await caller.journal.respond({ reviewId, accept: true });
    if (options.report) {
      await caller.journal.submitReport({
        reviewId,
        recommendation: 'accept',
        commentsToAuthors: `Comments of reviewer ${i + 1}.`,
        commentsToEditor: '',
      });
    }
  }
  return { submissionId, reviewIds };
}

/** A submission of the cast's author taken through one review round to publication; returns the article. */
export async function publishedThroughWorkflow(
  cast: JournalCast,
  overrides: Partial<DraftInput> = {},
): Promise<{ submissionId: string; articleId: string; doi: string }> {
  const { submissionId } = await throughReview(cast, { reviewers: 1, report: true, overrides });
  const { editorCaller } = cast;
  await editorCaller.journal.decide({ submissionId, decision: 'accept', note: '' });
  await editorCaller.journal.saveProduction({
    submissionId,
    bodyMarkdown: '## Methods\n\nA cohort.\n\n## Results\n\nLess angina.',
    references: ['Arora RR, et al. J Am Coll Cardiol. 1999;33(7):1833-40.'],
  });
  const published = await editorCaller.journal.publish({ submissionId });
  return { submissionId, ...published };
}

/** The code and message of a tRPC call that must be refused (fails the test when it is not). */
export async function refusal(promise: Promise<unknown>): Promise<{ code: string; message: string }> {
  try {
    await promise;
  } catch (error) {
    const e = error as { code: string; message: string };
    return { code: e.code, message: e.message };
  }
  throw new Error('expected a refusal');
}
