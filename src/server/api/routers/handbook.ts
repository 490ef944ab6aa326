import { TRPCError } from '@trpc/server';
import { z } from 'zod';
import { DOCUMENT_KINDS } from '#db/schema/index.ts';
import { hasMembersAccess } from '#src/lib/access.ts';
import { getScenario } from '#src/lib/scenario-presets.ts';
import { RATE_LIMITS } from '../../auth/rate-limit.ts';
import { getEnv } from '../../env.ts';
import { renderMarkdownOffThread, renderPublished } from '../../markdown-pool.ts';
import { unwrap } from '../../refusal.ts';
import * as cpd from '../../services/cpd.ts';
import * as handbook from '../../services/handbook.ts';
import * as authoring from '../../services/handbook-authoring.ts';
import { diffStats, lineDiff, renderedDiff, wordStats } from '../../services/handbook-diff.ts';
import * as images from '../../services/handbook-images.ts';
import * as progress from '../../services/handbook-progress.ts';
import { membersContentProcedure, perUserLimit, publicProcedure, roleProcedure, router } from '../trpc.ts';

const educatorProcedure = roleProcedure('educator');

const slug = z.string().min(1).max(120);
const documentRef = z.object({ kind: z.enum(DOCUMENT_KINDS), slug });
const revisionNumber = z.coerce.number().int().min(1).max(1_000_000);
/** Source text limit: the longest first-edition chapter is about 25 kB. */
const SOURCE_MAX_CHARS = 200_000;
const source = z.string().max(SOURCE_MAX_CHARS, `The text is longer than ${SOURCE_MAX_CHARS} characters.`);
const note = z.string().max(2000);

function notFound(what: string): TRPCError {
  return new TRPCError({ code: 'NOT_FOUND', message: `${what} does not exist or is not published.` });
}

const cpdActivityInput = z.object({
  title: z.string().trim().min(3, 'Give the activity a title.').max(200),
  activityDate: z.iso.date('Enter the date the activity took place.'),
  credits: z.coerce.number().min(0.5, 'At least 0.5 credits.').max(50, 'At most 50 credits per activity.'),
  evidenceText: z.string().trim().min(10, 'Describe the evidence (at least 10 characters).').max(2000),
  evidenceUrl: z
    .union([
      z.literal(''),
      z.url({ protocol: /^https?$/, message: 'Enter an http(s) address, or leave it empty.' }).max(500),
    ])
    .default(''),
});

export const handbookRouter = router({
  overview: publicProcedure.query(({ ctx }) => handbook.handbookOverview(ctx.db)),

  /** A chapter: everyone sees its summary; members in good standing and staff read the text (src/lib/access.ts). */
  chapter: publicProcedure.input(z.object({ slug })).query(async ({ ctx, input }) => {
    const chapter = await handbook.getPublished(ctx.db, 'chapter', input.slug);
    if (!chapter) throw notFound('That chapter');
    const canRead = Boolean(ctx.user && ctx.session?.twoFactorVerified && hasMembersAccess(ctx.user));
    const base = {
      slug: chapter.slug,
      title: chapter.frontMatter.title,
      part: chapter.frontMatter.part,
      summary: chapter.frontMatter.summary,
      revision: chapter.revision,
      publishedAt: chapter.publishedAt,
    };
    if (!canRead) return { ...base, locked: true as const };
    const rendered = await renderPublished(chapter.revisionId, chapter.body);
    const read = ctx.user ? (await progress.chaptersRead(ctx.db, ctx.user.id)).has(chapter.slug) : false;
    return { ...base, locked: false as const, html: rendered.html, headings: rendered.headings, read };
  }),

  search: membersContentProcedure
    .input(z.object({ q: z.string().max(200) }))
    .query(({ ctx, input }) => handbook.searchPublished(ctx.db, input.q)),

  levels: publicProcedure.query(({ ctx }) => handbook.listLevels(ctx.db)),

  /** A level and its published modules (overview: no module text). */
  level: publicProcedure.input(z.object({ level: slug })).query(async ({ ctx, input }) => {
    const level = await handbook.getLevelBySlug(ctx.db, input.level);
    if (!level) throw notFound('That level');
    const modules = (await handbook.listPublishedModules(ctx.db))
      .filter((m) => m.frontMatter.level === level.level)
      .map((m) => ({
        slug: m.slug,
        title: m.frontMatter.title,
        summary: m.frontMatter.summary,
        estimatedHours: m.frontMatter.estimatedHours,
        cpdCredits: m.frontMatter.cpdCredits,
      }));
    return { ...level, modules };
  }),

  /** A module: everyone sees its outline; members read the text and get the quiz without its answers. */
  module: publicProcedure.input(z.object({ level: slug, module: slug })).query(async ({ ctx, input }) => {
    const level = await handbook.getLevelBySlug(ctx.db, input.level);
    const mod = await handbook.getPublished(ctx.db, 'module', input.module);
    if (!level || !mod || mod.frontMatter.level !== level.level) throw notFound('That module');
    const fm = mod.frontMatter;
    const chapters = new Map((await handbook.listPublishedChapters(ctx.db)).map((c) => [c.slug, c.frontMatter.title]));
    const base = {
      slug: mod.slug,
      level,
      title: fm.title,
      summary: fm.summary,
      objectives: fm.objectives,
      estimatedHours: fm.estimatedHours,
      cpdCredits: fm.cpdCredits,
      passMark: fm.passMark,
      passMarkReason: progress.passMarkReason(fm.passMark, Math.min(progress.QUIZ_DRAW_SIZE, fm.quiz.length)),
      quizPoolSize: fm.quiz.length,
      reading: fm.reading.map((r) => ({
        chapter: r.chapter,
        section: r.section ?? null,
        chapterTitle: chapters.get(r.chapter) ?? r.chapter,
      })),
      simulatorExercise: fm.simulatorExercise
        ? {
            ...fm.simulatorExercise,
            minScore: progress.exerciseMinScore(fm.simulatorExercise),
            scenarioTitle: getScenario(fm.simulatorExercise.scenario)?.title ?? fm.simulatorExercise.scenario,
          }
        : null,
      revision: mod.revision,
      publishedAt: mod.publishedAt,
    };
    if (!ctx.user || !ctx.session?.twoFactorVerified || !hasMembersAccess(ctx.user))
      return { ...base, locked: true as const };
    const rendered = await renderPublished(mod.revisionId, mod.body);
    return {
      ...base,
      locked: false as const,
      html: rendered.html,
      headings: rendered.headings,
    };
  }),

  /** What changed in a chapter's published text: every publication with its note, and the newest diff. */
  changes: membersContentProcedure.input(z.object({ slug })).query(async ({ ctx, input }) => {
    const changes = await authoring.listPublishedChanges(ctx.db, { kind: 'chapter', slug: input.slug });
    const [current, previous] = changes ?? [];
    if (!changes || !current) throw notFound('That chapter');
    const publications = changes.map(({ body: _body, id: _id, ...rest }) => rest);
    if (!previous) return { publications, diff: null };
    // Readers compare what they read: the rendered text, word by word (editors keep the source diff).
    const [before, after] = await Promise.all([
      renderPublished(previous.id, previous.body),
      renderPublished(current.id, current.body),
    ]);
    const blocks = renderedDiff(before.html, after.html);
    return { publications, diff: { from: previous.revision, to: current.revision, blocks, stats: wordStats(blocks) } };
  }),

  markRead: membersContentProcedure.input(z.object({ slug })).mutation(async ({ ctx, input }) => {
    return unwrap(await progress.markChapterRead(ctx.db, ctx.user.id, input.slug));
  }),

  /**
   * The questions of the member's current attempt, drawn and stored on the server (the same draw until it
   * is submitted). Keys and explanations never leave the server.
   */
  drawQuiz: membersContentProcedure.input(z.object({ module: slug })).mutation(async ({ ctx, input }) => {
    return unwrap(await progress.drawQuiz(ctx.db, ctx.user.id, input.module));
  }),

  /** The member's attempts at a module's quiz: date, revision, score and result; no answers. */
  quizHistory: membersContentProcedure.input(z.object({ module: slug })).query(async ({ ctx, input }) => {
    const history = await progress.quizHistory(ctx.db, ctx.user.id, input.module);
    if (!history) throw notFound('That module');
    return history;
  }),

  submitQuiz: membersContentProcedure
    .use(perUserLimit('quiz-submit', RATE_LIMITS.quizSubmit))
    .input(
      z.object({
        module: slug,
        drawId: z.string().min(1).max(40),
        answers: z.record(z.string().min(1).max(20), z.array(z.string().min(1).max(20)).max(10)),
      }),
    )
    .mutation(async ({ ctx, input }) => {
      return unwrap(await progress.gradeQuiz(ctx.db, ctx.user.id, input));
    }),

  moduleProgress: membersContentProcedure.input(z.object({ module: slug })).query(async ({ ctx, input }) => {
    const result = await progress.getModuleProgress(ctx.db, ctx.user.id, input.module);
    if (!result) throw notFound('That module');
    return result;
  }),

  levelProgress: membersContentProcedure
    .input(z.object({ level: z.coerce.number().int().min(1).max(9) }))
    .query(({ ctx, input }) => progress.getLevelProgress(ctx.db, ctx.user.id, input.level)),

  cpdLog: membersContentProcedure.query(({ ctx }) => cpd.getCpdLog(ctx.db, ctx.user.id)),

  cpdAdd: membersContentProcedure
    .use(perUserLimit('cpd-add', RATE_LIMITS.cpdAdd))
    .input(cpdActivityInput)
    .mutation(async ({ ctx, input }) =>
      unwrap(await cpd.addExternalActivity(ctx.db, ctx.user.id, { ...input, evidenceUrl: input.evidenceUrl || null })),
    ),

  cpdPending: educatorProcedure.query(({ ctx }) => cpd.listPendingActivities(ctx.db)),

  cpdReview: educatorProcedure
    .input(
      z.object({ id: z.string().min(1).max(64), decision: z.enum(['approve', 'reject']), comment: note.default('') }),
    )
    .mutation(async ({ ctx, input }) => {
      return unwrap(await cpd.reviewActivity(ctx.db, ctx.user.id, input, ctx.meta));
    }),

  // Authoring (educators).

  documents: educatorProcedure.query(({ ctx }) => authoring.listDocumentsForEditing(ctx.db)),

  /** The image travels as bytes: the upload page passes the posted file through the server-side caller. */
  uploadImage: educatorProcedure
    .use(perUserLimit('upload-image', RATE_LIMITS.uploadImage))
    .input(z.object({ bytes: z.custom<Uint8Array>((v) => v instanceof Uint8Array, 'Choose an image file to upload.') }))
    .mutation(async ({ ctx, input }) =>
      unwrap(await images.storeImage(ctx.db, getEnv().UPLOAD_DIR, ctx.user.id, input.bytes)),
    ),

  editor: educatorProcedure.input(documentRef).query(async ({ ctx, input }) => {
    const state = await authoring.getEditorState(ctx.db, input, ctx.user.id);
    if (!state) throw notFound('That document');
    return state;
  }),

  /**
   * Renders the editor's text as it would appear (the renderer and sanitiser of the published pages), with
   * validation messages and broken links. It changes nothing, but it is a mutation so that the text travels
   * in a POST body: a query carries its input in the URL, and a chapter (up to 200 kB) exceeds URL limits.
   */
  preview: educatorProcedure
    .use(perUserLimit('preview', RATE_LIMITS.preview))
    .input(documentRef.extend({ source }))
    .mutation(async ({ ctx, input }) => {
      const checked = authoring.checkSource(input, input.source);
      if (!checked.ok) return { ok: false as const, messages: checked.messages };
      const brokenLinks = await authoring.brokenLinksOf(ctx.db, input, checked.value.frontMatter, checked.value.body);
      const rendered = await renderMarkdownOffThread(checked.value.body);
      return { ok: true as const, title: checked.value.title, ...rendered, brokenLinks };
    }),

  create: educatorProcedure
    .input(z.object({ kind: z.enum(DOCUMENT_KINDS), source }))
    .mutation(async ({ ctx, input }) => {
      return unwrap(await authoring.createDocument(ctx.db, ctx.user.id, input));
    }),

  saveDraft: educatorProcedure
    .use(perUserLimit('save-draft', RATE_LIMITS.saveDraft))
    .input(documentRef.extend({ baseRevision: z.coerce.number().int().min(0).max(1_000_000), source }))
    .mutation(async ({ ctx, input }) => {
      const result = await authoring.saveDraft(ctx.db, ctx.user.id, input);
      return 'conflict' in result ? result : unwrap(result);
    }),

  /** Keeps the editor's working text on the server (not a revision); refused when someone saved since. */
  autosaveDraft: educatorProcedure
    .use(perUserLimit('save-draft', RATE_LIMITS.saveDraft))
    .input(documentRef.extend({ baseRevision: z.coerce.number().int().min(0).max(1_000_000), source }))
    .mutation(async ({ ctx, input }) => {
      const result = await authoring.autosaveDraft(ctx.db, ctx.user.id, input);
      return 'conflict' in result ? result : unwrap(result);
    }),

  /** Forgets the educator's automatically saved text of a document. */
  discardAutosave: educatorProcedure.input(documentRef).mutation(async ({ ctx, input }) => {
    if (!(await authoring.discardAutosave(ctx.db, ctx.user.id, input))) throw notFound('That document');
    return { ok: true as const };
  }),

  submit: educatorProcedure.input(documentRef.extend({ revision: revisionNumber })).mutation(async ({ ctx, input }) => {
    return unwrap(await authoring.submitForReview(ctx.db, ctx.deps, ctx.user.id, input));
  }),

  review: educatorProcedure
    .input(
      documentRef.extend({
        revision: revisionNumber,
        decision: z.enum(['approve', 'request-changes']),
        comment: note.default(''),
      }),
    )
    .mutation(async ({ ctx, input }) => {
      return unwrap(await authoring.reviewRevision(ctx.db, ctx.user.id, input));
    }),

  publish: educatorProcedure
    .input(
      documentRef.extend({
        revision: revisionNumber,
        changeNote: note.trim().min(3, 'Say what changed (a change note).'),
      }),
    )
    .mutation(async ({ ctx, input }) => {
      return unwrap(await authoring.publishRevision(ctx.db, ctx.user.id, input, ctx.meta));
    }),

  history: educatorProcedure.input(documentRef).query(async ({ ctx, input }) => {
    const revisions = await authoring.listRevisions(ctx.db, input);
    if (!revisions) throw notFound('That document');
    return revisions.map(({ body: _body, source: _source, frontMatter: _fm, ...summary }) => summary);
  }),

  diff: educatorProcedure
    .input(documentRef.extend({ from: revisionNumber, to: revisionNumber }))
    .query(async ({ ctx, input }) => {
      const [from, to] = await Promise.all([
        authoring.getRevision(ctx.db, input, input.from),
        authoring.getRevision(ctx.db, input, input.to),
      ]);
      if (!from || !to) throw new TRPCError({ code: 'NOT_FOUND', message: 'One of those revisions does not exist.' });
      const rows = lineDiff(from.source, to.source);
      return { from: from.revision, to: to.revision, rows, stats: diffStats(rows) };
    }),

  rollback: educatorProcedure
    .input(documentRef.extend({ revision: revisionNumber, changeNote: note.default('') }))
    .mutation(async ({ ctx, input }) => {
      return unwrap(await authoring.rollbackTo(ctx.db, ctx.deps, ctx.user.id, input, ctx.meta));
    }),
});
