import { resolve } from 'node:path';
import { TRPCError } from '@trpc/server';
import { z } from 'zod';
import { getEnv } from '../../env.ts';
import { unwrap } from '../../refusal.ts';
import * as articles from '../../services/journal-articles.ts';
import * as editorial from '../../services/journal-editorial.ts';
import * as issues from '../../services/journal-issues.ts';
import * as reviewFiles from '../../services/journal-review-files.ts';
import * as schemas from '../../services/journal-schemas.ts';
import * as submissions from '../../services/journal-submissions.ts';
import * as translations from '../../services/journal-translations.ts';
import { membersContentProcedure, protectedProcedure, publicProcedure, roleProcedure, router } from '../trpc.ts';

const editorProcedure = roleProcedure('editor');
const reviewerProcedure = roleProcedure('reviewer');
const { idField } = schemas;

function uploadDir(): string {
  return resolve(getEnv().UPLOAD_DIR);
}

/** The uploaded file of a multipart form (field `file`), or null when none was chosen. */
async function fileFrom(form: FormData): Promise<{ bytes: Uint8Array; name: string } | null> {
  const file = form.get('file');
  if (!(file instanceof File)) return null;
  if (file.size === 0 && file.name === '') return null;
  return { bytes: new Uint8Array(await file.arrayBuffer()), name: file.name };
}

function formField(form: FormData, name: string, parser: z.ZodType<string>): string {
  const parsed = parser.safeParse(form.get(name));
  if (!parsed.success) throw new TRPCError({ code: 'BAD_REQUEST', message: `Missing or invalid field: ${name}.` });
  return parsed.data;
}

function notFound<T>(value: T | null, message: string): T {
  if (value === null) throw new TRPCError({ code: 'NOT_FOUND', message });
  return value;
}

export const journalRouter = router({
  // Readers (public)
  search: publicProcedure.input(schemas.searchInput).query(({ ctx, input }) => articles.searchArticles(ctx.db, input)),
  facets: publicProcedure.query(({ ctx }) => articles.browseFacets(ctx.db)),
  article: publicProcedure
    .input(z.object({ articleId: idField }))
    .query(async ({ ctx, input }) => notFound(await articles.getArticle(ctx.db, input.articleId), 'No such article.')),

  // Authors (members in good standing)
  mySubmissions: membersContentProcedure.query(({ ctx }) => submissions.listMine(ctx.db, ctx.user.id)),
  mySubmission: membersContentProcedure
    .input(z.object({ submissionId: idField }))
    .query(
      async ({ ctx, input }) =>
        unwrap(await submissions.authorView(ctx.db, ctx.user.id, input.submissionId)).submission,
    ),
  saveDraft: membersContentProcedure.input(schemas.draftInput).mutation(async ({ ctx, input }) => {
    return unwrap(await submissions.saveDraft(ctx.db, ctx.user.id, input)).submissionId;
  }),
  /** Multipart form: `submissionId`, `kind` (manuscript, anonymised, figure, supplementary) and `file`. */
  uploadFile: membersContentProcedure.input(z.instanceof(FormData)).mutation(async ({ ctx, input }) => {
    const submissionId = formField(input, 'submissionId', idField);
    const kind = formField(input, 'kind', z.enum(submissions.AUTHOR_FILE_KINDS)) as submissions.AuthorFileKind;
    const file = await fileFrom(input);
    return unwrap(await submissions.addFile(ctx.db, uploadDir(), ctx.user.id, { submissionId, kind, file }, ctx.meta))
      .file;
  }),
  removeFile: membersContentProcedure.input(z.object({ fileId: idField })).mutation(async ({ ctx, input }) => {
    return unwrap(await submissions.removeFile(ctx.db, ctx.user.id, input.fileId));
  }),
  submit: membersContentProcedure
    .input(z.object({ submissionId: idField, response: z.string().trim().max(20_000).optional() }))
    .mutation(async ({ ctx, input }) => {
      return unwrap(await submissions.submit(ctx.db, ctx.deps, ctx.user.id, input, ctx.meta)).submissionId;
    }),

  /** The submitting author withdraws before a final decision (signed in; the service checks it is theirs). */
  withdraw: protectedProcedure
    .input(z.object({ submissionId: idField, reason: schemas.withdrawalReason }))
    .mutation(async ({ ctx, input }) =>
      unwrap(await submissions.withdraw(ctx.db, ctx.deps, ctx.user.id, input, ctx.meta)),
    ),

  // Reviewers
  myReviews: reviewerProcedure.query(({ ctx }) => editorial.myReviews(ctx.db, ctx.user.id)),
  review: reviewerProcedure
    .input(z.object({ reviewId: idField }))
    .query(async ({ ctx, input }) => unwrap(await editorial.reviewerView(ctx.db, ctx.user.id, input.reviewId)).view),
  respond: reviewerProcedure
    .input(z.object({ reviewId: idField, accept: z.boolean() }))
    .mutation(async ({ ctx, input }) => unwrap(await editorial.respond(ctx.db, ctx.deps, ctx.user, input, ctx.meta))),
  /** Multipart form: `reviewId` and `file` (the annotated manuscript, PDF or DOCX). */
  attachAnnotation: reviewerProcedure.input(z.instanceof(FormData)).mutation(async ({ ctx, input }) => {
    const reviewId = formField(input, 'reviewId', idField);
    const file = await fileFrom(input);
    return unwrap(await reviewFiles.attachAnnotation(ctx.db, uploadDir(), ctx.user, { reviewId, file }, ctx.meta)).file;
  }),
  submitReport: reviewerProcedure
    .input(schemas.reportInput)
    .mutation(async ({ ctx, input }) =>
      unwrap(await editorial.submitReport(ctx.db, ctx.deps, ctx.user, input, ctx.meta)),
    ),

  // Editors
  queue: editorProcedure.query(({ ctx }) => editorial.editorQueue(ctx.db, ctx.user)),
  submission: editorProcedure
    .input(z.object({ submissionId: idField }))
    .query(async ({ ctx, input }) => unwrap(await editorial.editorView(ctx.db, ctx.user, input.submissionId))),
  reviewerCandidates: editorProcedure
    .input(z.object({ submissionId: idField }))
    .query(
      async ({ ctx, input }) =>
        unwrap(await editorial.reviewerCandidates(ctx.db, ctx.user, input.submissionId)).reviewers,
    ),
  assignEditor: editorProcedure
    .input(z.object({ submissionId: idField, editorId: idField }))
    .mutation(async ({ ctx, input }) => unwrap(await editorial.assignEditor(ctx.db, ctx.user, input, ctx.meta))),
  decide: editorProcedure.input(schemas.decisionInput).mutation(async ({ ctx, input }) => {
    const result = unwrap(await editorial.decide(ctx.db, ctx.deps, ctx.user, input, ctx.meta));
    return { status: result.status, letter: result.letter };
  }),
  invite: editorProcedure
    .input(schemas.inviteInput)
    .mutation(
      async ({ ctx, input }) => unwrap(await editorial.invite(ctx.db, ctx.deps, ctx.user, input, ctx.meta)).reviewId,
    ),
  saveProduction: editorProcedure
    .input(schemas.productionInput)
    .mutation(async ({ ctx, input }) => unwrap(await editorial.saveProduction(ctx.db, ctx.user, input, ctx.meta))),
  /** Multipart form: `submissionId` and `file` (the article's PDF). */
  uploadArticlePdf: editorProcedure.input(z.instanceof(FormData)).mutation(async ({ ctx, input }) => {
    const submissionId = formField(input, 'submissionId', idField);
    const file = await fileFrom(input);
    return unwrap(await editorial.uploadArticlePdf(ctx.db, uploadDir(), ctx.user, { submissionId, file }, ctx.meta))
      .file;
  }),
  publish: editorProcedure.input(z.object({ submissionId: idField })).mutation(async ({ ctx, input }) => {
    const result = unwrap(await articles.publishSubmission(ctx.db, ctx.deps, ctx.user, input.submissionId, ctx.meta));
    return { articleId: result.articleId, doi: result.doi };
  }),
  addNotice: editorProcedure
    .input(schemas.noticeInput)
    .mutation(async ({ ctx, input }) => unwrap(await articles.addNotice(ctx.db, ctx.user, input, ctx.meta)).noticeId),

  // Translations
  acceptTranslation: editorProcedure.input(schemas.translationAcceptInput).mutation(async ({ ctx, input }) => {
    return unwrap(await translations.acceptForTranslation(ctx.db, ctx.deps, ctx.user, input, ctx.meta)).translationId;
  }),
  translations: protectedProcedure.query(({ ctx }) => translations.listTranslations(ctx.db, ctx.user)),
  translation: protectedProcedure
    .input(z.object({ translationId: idField }))
    .query(async ({ ctx, input }) =>
      notFound(
        await translations.translationView(ctx.db, ctx.user, input.translationId),
        'No such translation, or it is not yours.',
      ),
    ),
  saveTranslation: roleProcedure('translator')
    .input(schemas.translationTextInput.extend({ submitForReview: z.boolean().default(false) }))
    .mutation(async ({ ctx, input }) => {
      const { submitForReview, ...text } = input;
      return unwrap(
        await translations.saveTranslation(ctx.db, ctx.deps, ctx.user, text, { submitForReview }, ctx.meta),
      );
    }),
  reviewTranslation: protectedProcedure
    .input(schemas.translationReviewInput)
    .mutation(async ({ ctx, input }) =>
      unwrap(await translations.reviewTranslation(ctx.db, ctx.user, input, ctx.meta)),
    ),
  publishTranslation: editorProcedure.input(z.object({ translationId: idField })).mutation(async ({ ctx, input }) => {
    const result = unwrap(
      await translations.publishTranslation(ctx.db, ctx.deps, uploadDir(), ctx.user, input.translationId, ctx.meta),
    );
    return { articleId: result.articleId, doi: result.doi };
  }),

  // Issues
  issues: publicProcedure.query(({ ctx }) => issues.listIssues(ctx.db, { includeUnpublished: false })),
  issue: publicProcedure
    .input(z.object({ issueId: idField }))
    .query(async ({ ctx, input }) =>
      notFound(await issues.getIssue(ctx.db, input.issueId, { includeUnpublished: false }), 'No such issue.'),
    ),
  editorIssues: editorProcedure.query(({ ctx }) => issues.listIssues(ctx.db, { includeUnpublished: true })),
  editorIssue: editorProcedure.input(z.object({ issueId: idField })).query(async ({ ctx, input }) => ({
    issue: notFound(await issues.getIssue(ctx.db, input.issueId, { includeUnpublished: true }), 'No such issue.'),
    candidates: await issues.articlesWithoutIssue(ctx.db),
  })),
  createIssue: editorProcedure
    .input(schemas.issueInput)
    .mutation(async ({ ctx, input }) => unwrap(await issues.createIssue(ctx.db, ctx.user, input, ctx.meta)).issueId),
  addToIssue: editorProcedure
    .input(schemas.issueArticleInput)
    .mutation(async ({ ctx, input }) => unwrap(await issues.addArticleToIssue(ctx.db, ctx.user, input, ctx.meta))),
  removeFromIssue: editorProcedure
    .input(schemas.issueArticleInput)
    .mutation(async ({ ctx, input }) => unwrap(await issues.removeArticleFromIssue(ctx.db, ctx.user, input, ctx.meta))),
  publishIssue: editorProcedure
    .input(z.object({ issueId: idField }))
    .mutation(async ({ ctx, input }) =>
      unwrap(await issues.publishIssue(ctx.db, ctx.deps, ctx.user, input.issueId, ctx.meta)),
    ),

  // The editor-in-chief flag (admins and the chief set it; the service checks who acts)
  editors: protectedProcedure.query(async ({ ctx }) => {
    const result = unwrap(await editorial.listEditors(ctx.db, ctx.user));
    return { editors: result.editors, canManage: result.canManage };
  }),
  setChief: protectedProcedure
    .input(z.object({ userId: idField, chief: z.boolean() }))
    .mutation(async ({ ctx, input }) =>
      unwrap(await editorial.setChiefFlag(ctx.db, ctx.deps, ctx.user, input, ctx.meta)),
    ),
});
