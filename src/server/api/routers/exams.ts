import { TRPCError } from '@trpc/server';
import { z } from 'zod';
import { ITEM_STATUSES } from '#db/schema/index.ts';
import { answerSchema } from '../../exams/grading.ts';
import { unwrap } from '../../refusal.ts';
import * as attempts from '../../services/exam-attempts.ts';
import { engineOutcomeInWorker, resolveEngineItemInWorker } from '../../services/exam-engine-pool.ts';
import * as forms from '../../services/exam-forms.ts';
import * as items from '../../services/exam-items.ts';
import { roleProcedure, router } from '../trpc.ts';

const examinerProcedure = roleProcedure('examiner');
/** Candidates are members in good standing (the `member` role follows membership status: access.ts). */
const candidateProcedure = roleProcedure('member');

const id = z.string().min(1).max(64);
const bank = z.string().regex(/^[a-z0-9-]{1,60}$/, 'Use lower-case letters, digits and hyphens.');
/** An items file: about 5000 items at most. */
const IMPORT_MAX_CHARS = 5_000_000;

/** About a second of engine each (beat 500 of a run): an import request stays well under a minute. */
const PORTAL_ENGINE_RUNS_PER_IMPORT = 20;
/** Engine items written on the portal run the engine in the replay worker pool, never on the request thread. */
const runEngine = (spec: Parameters<typeof engineOutcomeInWorker>[0]) => engineOutcomeInWorker(spec);

function found<T>(value: T | null, message: string): T {
  if (value === null) throw new TRPCError({ code: 'NOT_FOUND', message });
  return value;
}

export const examsRouter = router({
  // ------------------------------------------------------------------ item bank (examiners)
  listItems: examinerProcedure
    .input(z.object({ bank: bank.optional(), status: z.enum(ITEM_STATUSES).optional() }).default({}))
    .query(({ ctx, input }) => items.listItems(ctx.db, input)),

  getItem: examinerProcedure
    .input(z.object({ id }))
    .query(async ({ ctx, input }) => found(await items.getItem(ctx.db, input.id), 'That item does not exist.')),

  createItem: examinerProcedure
    .input(z.object({ bank, item: z.unknown() }))
    .mutation(async ({ ctx, input }) =>
      unwrap(await items.createItem(ctx.db, ctx.user.id, input.bank, input.item, ctx.meta, runEngine)),
    ),

  updateItem: examinerProcedure
    .input(z.object({ id, item: z.unknown() }))
    .mutation(async ({ ctx, input }) =>
      unwrap(await items.updateItem(ctx.db, ctx.user.id, input.id, input.item, ctx.meta, runEngine)),
    ),

  /** The frame and key an engine item's spec gives (the item form's preview); writes nothing. */
  previewEngineItem: examinerProcedure
    .input(z.object({ engine: z.unknown() }))
    .mutation(async ({ input }) => unwrap(await items.previewEngineItem(input.engine, runEngine))),

  submitForReview: examinerProcedure
    .input(z.object({ id }))
    .mutation(async ({ ctx, input }) => unwrap(await items.submitForReview(ctx.db, ctx.user.id, input.id))),

  reviewItem: examinerProcedure
    .input(z.object({ id, decision: z.enum(['approve', 'reject']), comment: z.string().trim().max(2000).default('') }))
    .mutation(async ({ ctx, input }) =>
      unwrap(await items.reviewItem(ctx.db, ctx.user.id, input.id, input.decision, input.comment, ctx.meta)),
    ),

  retireItem: examinerProcedure
    .input(z.object({ id }))
    .mutation(async ({ ctx, input }) => unwrap(await items.retireItem(ctx.db, ctx.user.id, input.id, ctx.meta))),

  importItems: examinerProcedure
    .input(z.object({ bank, json: z.string().max(IMPORT_MAX_CHARS, 'The file is too large: split it.') }))
    .mutation(({ ctx, input }) =>
      items.importItems(ctx.db, ctx.user.id, input.bank, input.json, {
        live: false,
        engine: (source) => resolveEngineItemInWorker(source),
        meta: ctx.meta,
        maxEngineRuns: PORTAL_ENGINE_RUNS_PER_IMPORT,
      }),
    ),

  exportItems: examinerProcedure
    .input(z.object({ bank }))
    .query(async ({ ctx, input }) => ({ json: await items.exportItems(ctx.db, input.bank) })),

  // ------------------------------------------------------------------ exams (examiners)
  listExams: examinerProcedure.query(({ ctx }) => forms.listExams(ctx.db)),

  createExam: examinerProcedure
    .input(z.object({ exam: z.unknown() }))
    .mutation(async ({ ctx, input }) =>
      unwrap(await forms.upsertExam(ctx.db, ctx.user.id, input.exam, { publish: false, updateExisting: false })),
    ),

  publishExam: examinerProcedure
    .input(z.object({ id }))
    .mutation(async ({ ctx, input }) =>
      unwrap(await forms.setExamStatus(ctx.db, ctx.user.id, input.id, 'published', ctx.meta)),
    ),

  /** Closes an exam; `confirmedInProgress` (from the confirmation) must still be the attempts in progress. */
  closeExam: examinerProcedure
    .input(z.object({ id, confirmedInProgress: z.number().int().min(0).optional() }))
    .mutation(async ({ ctx, input }) =>
      unwrap(await attempts.closeExam(ctx.db, ctx.user.id, input.id, input.confirmedInProgress, ctx.meta)),
    ),

  setExamWindow: examinerProcedure
    .input(
      z.object({
        examId: id,
        opensAt: z.number().int().min(0, 'Give the open date.').max(8_640_000_000_000),
        closesAt: z.number().int().min(0).max(8_640_000_000_000).nullable(),
      }),
    )
    .mutation(async ({ ctx, input }) =>
      unwrap(await forms.setExamWindow(ctx.db, ctx.user.id, input.examId, input, ctx.meta)),
    ),

  attemptsInProgress: examinerProcedure
    .input(z.object({ examId: id }))
    .query(({ ctx, input }) => attempts.attemptsInProgress(ctx.db, input.examId)),

  rateItems: examinerProcedure
    .input(
      z.object({
        examId: id,
        ratings: z
          .array(z.object({ itemId: id, probability: z.number().min(0).max(1) }))
          .min(1)
          .max(1000),
      }),
    )
    .mutation(async ({ ctx, input }) =>
      unwrap(await forms.rateItems(ctx.db, ctx.user.id, input.examId, input.ratings)),
    ),

  angoffPanel: examinerProcedure
    .input(z.object({ examId: id }))
    .query(async ({ ctx, input }) =>
      found(await forms.getAngoffPanel(ctx.db, input.examId), 'That exam does not exist.'),
    ),

  applyAngoffCut: examinerProcedure
    .input(z.object({ examId: id }))
    .mutation(async ({ ctx, input }) =>
      unwrap(await forms.applyAngoffCut(ctx.db, ctx.user.id, input.examId, ctx.meta)),
    ),

  /** Extra time for a candidate named by account id or (from the exam's page) by email. */
  grantExtraTime: examinerProcedure
    .input(
      z
        .object({
          examId: id,
          candidateId: id.optional(),
          candidateEmail: z.email("Enter the candidate's email address.").max(254).optional(),
          extraMinutes: z.number().int('Give whole minutes.').min(0).max(600, 'Give at most 600 minutes.'),
        })
        .refine((v) => v.candidateId !== undefined || v.candidateEmail !== undefined, {
          message: 'Name the candidate.',
          path: ['candidateEmail'],
        }),
    )
    .mutation(async ({ ctx, input }) => {
      const candidateId = input.candidateId ?? (await forms.findCandidateByEmail(ctx.db, input.candidateEmail ?? ''));
      if (candidateId === null)
        throw new TRPCError({ code: 'NOT_FOUND', message: 'No account has that email address.' });
      return unwrap(
        await forms.grantExtraTime(ctx.db, ctx.user.id, input.examId, candidateId, input.extraMinutes, ctx.meta),
      );
    }),

  accommodations: examinerProcedure
    .input(z.object({ examId: id }))
    .query(({ ctx, input }) => forms.listAccommodations(ctx.db, input.examId)),

  setReleasePolicy: examinerProcedure
    .input(z.object({ examId: id, release: z.enum(['immediate', 'after-review']) }))
    .mutation(async ({ ctx, input }) =>
      unwrap(await forms.setReleasePolicy(ctx.db, ctx.user.id, input.examId, input.release, ctx.meta)),
    ),

  releaseResults: examinerProcedure
    .input(z.object({ examId: id, attemptIds: z.union([z.literal('all'), z.array(id).min(1).max(1000)]) }))
    .mutation(async ({ ctx, input }) =>
      unwrap(await attempts.releaseResults(ctx.db, ctx.user.id, input.examId, input.attemptIds, ctx.meta)),
    ),

  listAttempts: examinerProcedure
    .input(
      z.object({
        examId: id,
        outcome: z.enum(attempts.ATTEMPT_OUTCOMES).default('any'),
        candidate: z.string().trim().max(100).default(''),
      }),
    )
    .query(({ ctx, input }) => attempts.listAttempts(ctx.db, input.examId, input)),

  voidAttempt: examinerProcedure
    .input(z.object({ attemptId: id, reason: z.string().max(1000) }))
    .mutation(async ({ ctx, input }) =>
      unwrap(await attempts.voidAttempt(ctx.db, ctx.user.id, input.attemptId, input.reason, ctx.meta)),
    ),

  statistics: examinerProcedure
    .input(z.object({ examId: id }))
    .query(({ ctx, input }) => forms.getStatistics(ctx.db, input.examId)),

  recomputeStatistics: examinerProcedure
    .input(z.object({ examId: id }))
    .mutation(async ({ ctx, input }) =>
      found(await forms.recomputeStatistics(ctx.db, input.examId), 'That exam does not exist.'),
    ),

  examBySlug: examinerProcedure
    .input(z.object({ slug: z.string().max(60) }))
    .query(async ({ ctx, input }) => found(await forms.getExamBySlug(ctx.db, input.slug), 'That exam does not exist.')),

  reviewQueue: examinerProcedure.query(({ ctx }) => forms.listOpenFlags(ctx.db)),

  keepFlaggedItem: examinerProcedure
    .input(z.object({ flagId: id }))
    .mutation(async ({ ctx, input }) =>
      unwrap(await forms.keepFlaggedItem(ctx.db, ctx.user.id, input.flagId, ctx.meta)),
    ),

  // ------------------------------------------------------------------ candidates
  openExams: candidateProcedure.query(({ ctx }) => attempts.listExamsForCandidate(ctx.db, ctx.user.id)),

  myAttempts: candidateProcedure.query(({ ctx }) => attempts.listMyAttempts(ctx.db, ctx.user.id)),

  start: candidateProcedure
    .input(z.object({ examId: id }))
    .mutation(async ({ ctx, input }) =>
      unwrap(await attempts.startAttempt(ctx.db, ctx.user.id, input.examId, ctx.meta)),
    ),

  attempt: candidateProcedure
    .input(z.object({ attemptId: id }))
    .query(
      async ({ ctx, input }) =>
        unwrap(await attempts.getAttemptForCandidate(ctx.db, ctx.user.id, input.attemptId)).attempt,
    ),

  saveAnswer: candidateProcedure
    .input(
      z.object({
        attemptId: id,
        itemVersionId: id,
        answer: answerSchema.nullable().optional(),
        flagged: z.boolean().optional(),
      }),
    )
    .mutation(async ({ ctx, input }) => unwrap(await attempts.saveAnswer(ctx.db, ctx.user.id, input))),

  submit: candidateProcedure
    .input(z.object({ attemptId: id }))
    .mutation(async ({ ctx, input }) => unwrap(await attempts.submitAttempt(ctx.db, ctx.user.id, input.attemptId))),

  result: candidateProcedure
    .input(z.object({ attemptId: id }))
    .query(async ({ ctx, input }) => unwrap(await attempts.getResult(ctx.db, ctx.user.id, input.attemptId)).result),
});
