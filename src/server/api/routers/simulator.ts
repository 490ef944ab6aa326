import { TRPCError } from '@trpc/server';
import { RATE_LIMITS } from '../../auth/rate-limit.ts';
import { unwrap } from '../../refusal.ts';
import { completeModulesAfterPractice } from '../../services/handbook-progress.ts';
import * as assessments from '../../services/simulator-assessments.ts';
import * as attempts from '../../services/simulator-attempts.ts';
import { replayBeat } from '../../services/simulator-beat-replay.ts';
import * as practice from '../../services/simulator-practice.ts';
import { assessmentSettingsSchema, simulatorInputs } from '../../services/simulator-schemas.ts';
import { fieldErrors, perUserLimit, protectedProcedure, roleProcedure, router } from '../trpc.ts';

const examinerProcedure = roleProcedure('examiner');
const memberProcedure = roleProcedure('member');

const NOT_FOUND_ASSESSMENT = 'That assessment does not exist.';
const NOT_FOUND_ATTEMPT = 'That attempt does not exist or is not yours.';

export const simulatorRouter = router({
  // ------------------------------------------------------------------ examiners
  listAssessments: examinerProcedure.query(({ ctx }) => assessments.listAssessments(ctx.db)),

  getAssessment: examinerProcedure.input(simulatorInputs.id).query(async ({ ctx, input }) => {
    const found = await assessments.getAssessment(ctx.db, input.id);
    if (!found) throw new TRPCError({ code: 'NOT_FOUND', message: NOT_FOUND_ASSESSMENT });
    return found;
  }),

  createAssessment: examinerProcedure
    .input(assessmentSettingsSchema)
    .mutation(({ ctx, input }) => assessments.createAssessment(ctx.db, ctx.user.id, input, ctx.meta)),

  updateAssessment: examinerProcedure.input(simulatorInputs.update).mutation(async ({ ctx, input }) => {
    return unwrap(await assessments.updateAssessment(ctx.db, ctx.user.id, input.id, input.settings, ctx.meta));
  }),

  publishAssessment: examinerProcedure.input(simulatorInputs.id).mutation(async ({ ctx, input }) => {
    return unwrap(await assessments.setAssessmentStatus(ctx.db, ctx.user.id, input.id, 'published', ctx.meta));
  }),

  closeAssessment: examinerProcedure.input(simulatorInputs.id).mutation(async ({ ctx, input }) => {
    return unwrap(await assessments.setAssessmentStatus(ctx.db, ctx.user.id, input.id, 'closed', ctx.meta));
  }),

  previewAssessment: examinerProcedure.input(assessmentSettingsSchema).mutation(async ({ input }) => {
    const preview = await assessments.previewAssessment(input);
    if (!preview)
      throw fieldErrors('Choose one of the listed scenarios.', { scenarioId: 'Choose one of the listed scenarios.' });
    return preview;
  }),

  listAttempts: examinerProcedure
    .input(simulatorInputs.listAttempts)
    .query(({ ctx, input }) => attempts.listAttempts(ctx.db, input)),

  annotateAttempt: examinerProcedure.input(simulatorInputs.annotate).mutation(async ({ ctx, input }) => {
    return unwrap(await attempts.annotateAttempt(ctx.db, ctx.user.id, input, ctx.meta));
  }),

  // ------------------------------------------------------------------ candidates
  openAssessments: memberProcedure.query(({ ctx }) => attempts.listOpenAssessments(ctx.db, ctx.user.id)),

  /** Published assessments that open later, and those closed lately, with dates and pass marks. */
  scheduledAssessments: memberProcedure.query(({ ctx }) => attempts.listScheduledAssessments(ctx.db, ctx.user.id)),

  startAttempt: memberProcedure.input(simulatorInputs.id).mutation(async ({ ctx, input }) => {
    const result = unwrap(await attempts.startAttempt(ctx.db, ctx.user.id, input.id, ctx.meta));
    // No scored seed: it stays on the server until the attempt is scored (simulator-attempts.ts, "Integrity").
    const { attemptId, displaySeed, runStartedAt, startSettings, scenarioId, durationMs, deadline, resumed } =
      result.attempt;
    return {
      attemptId,
      displaySeed,
      runStartedAt,
      startSettings,
      scenarioId,
      durationMs,
      deadline,
      resumed,
      checkpointEveryMs: attempts.CHECKPOINT_EVERY_MS,
    };
  }),

  /** The console's report of its run so far (every few seconds); acknowledged with what the server holds. */
  checkpointAttempt: memberProcedure.input(simulatorInputs.checkpointAttempt).mutation(async ({ ctx, input }) => {
    return unwrap(await attempts.checkpointAttempt(ctx.db, ctx.user.id, input, ctx.meta));
  }),

  submitAttempt: memberProcedure.input(simulatorInputs.submitAttempt).mutation(async ({ ctx, input }) => {
    return unwrap(await attempts.submitAttempt(ctx.db, ctx.user.id, input, ctx.meta));
  }),

  myAttempts: memberProcedure.query(({ ctx }) => attempts.listMyAttempts(ctx.db, ctx.user.id)),

  /** The candidate reads their own attempt; examiners read any. */
  attempt: protectedProcedure.input(simulatorInputs.attemptId).query(async ({ ctx, input }) => {
    const mayReadAll = ctx.user.roles.includes('examiner') && ctx.user.totpEnabled;
    const found = await attempts.getAttempt(ctx.db, { id: ctx.user.id, mayReadAll }, input.attemptId);
    if (!found) throw new TRPCError({ code: 'NOT_FOUND', message: NOT_FOUND_ATTEMPT });
    return found;
  }),

  /** Waveforms around one beat of a scored attempt, re-simulated from its seed and log. */
  attemptBeat: protectedProcedure
    .use(perUserLimit('attempt-beat', RATE_LIMITS.attemptBeat))
    .input(simulatorInputs.attemptBeat)
    .query(async ({ ctx, input }) => {
      const mayReadAll = ctx.user.roles.includes('examiner') && ctx.user.totpEnabled;
      const found = await attempts.getAttempt(ctx.db, { id: ctx.user.id, mayReadAll }, input.attemptId);
      if (!found) throw new TRPCError({ code: 'NOT_FOUND', message: NOT_FOUND_ATTEMPT });
      const replay = await replayBeat(found, input.beatIndex);
      if (!replay) {
        throw new TRPCError({
          code: 'NOT_FOUND',
          message: 'That beat is not in this attempt, or the attempt has no score yet.',
        });
      }
      return replay;
    }),

  // ------------------------------------------------------------------ practice
  savePractice: memberProcedure.input(simulatorInputs.savePractice).mutation(async ({ ctx, input }) => {
    const result = unwrap(await practice.savePractice(ctx.db, ctx.user.id, input));
    // A curriculum module whose last step was this exercise completes now, not at the next page view.
    await completeModulesAfterPractice(ctx.db, ctx.user.id, input.scenarioId);
    return result;
  }),

  myPractice: memberProcedure.query(({ ctx }) => practice.listMyPractice(ctx.db, ctx.user.id)),
});
