import { TRPCError } from '@trpc/server';
import { formatUtcDateTime as formatDateTime } from '#src/lib/dates.ts';
import { RATE_LIMITS } from '../../auth/rate-limit.ts';
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
/** How many of the engine's messages the error shows; the rest are counted. */
const LOG_ERRORS_SHOWN = 5;

function refusedLog(errors: string[]): TRPCError {
  const shown = errors.slice(0, LOG_ERRORS_SHOWN).join('; ');
  const more = errors.length > LOG_ERRORS_SHOWN ? ` (and ${errors.length - LOG_ERRORS_SHOWN} more)` : '';
  return fieldErrors(`The control log was refused and nothing was stored: ${shown}${more}.`, {
    controlLog: `${shown}${more}`,
  });
}

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
    const result = await assessments.updateAssessment(ctx.db, ctx.user.id, input.id, input.settings, ctx.meta);
    if (!result.ok && result.reason === 'not-found') {
      throw new TRPCError({ code: 'NOT_FOUND', message: NOT_FOUND_ASSESSMENT });
    }
    if (!result.ok) {
      throw new TRPCError({ code: 'BAD_REQUEST', message: 'This assessment is closed. Create a new one instead.' });
    }
    return result;
  }),

  publishAssessment: examinerProcedure.input(simulatorInputs.id).mutation(async ({ ctx, input }) => {
    const result = await assessments.setAssessmentStatus(ctx.db, ctx.user.id, input.id, 'published', ctx.meta);
    if (!result.ok && result.reason === 'not-found') {
      throw new TRPCError({ code: 'NOT_FOUND', message: NOT_FOUND_ASSESSMENT });
    }
    if (!result.ok) {
      throw new TRPCError({ code: 'BAD_REQUEST', message: 'A closed assessment cannot be published again.' });
    }
    return result;
  }),

  closeAssessment: examinerProcedure.input(simulatorInputs.id).mutation(async ({ ctx, input }) => {
    const result = await assessments.setAssessmentStatus(ctx.db, ctx.user.id, input.id, 'closed', ctx.meta);
    if (!result.ok) throw new TRPCError({ code: 'NOT_FOUND', message: NOT_FOUND_ASSESSMENT });
    return result;
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
    const result = await attempts.annotateAttempt(ctx.db, ctx.user.id, input, ctx.meta);
    if (!result.ok) throw new TRPCError({ code: 'NOT_FOUND', message: 'That attempt does not exist.' });
    return result;
  }),

  // ------------------------------------------------------------------ candidates
  openAssessments: memberProcedure.query(({ ctx }) => attempts.listOpenAssessments(ctx.db, ctx.user.id)),

  startAttempt: memberProcedure.input(simulatorInputs.id).mutation(async ({ ctx, input }) => {
    const result = await attempts.startAttempt(ctx.db, ctx.user.id, input.id, ctx.meta);
    if (result.ok) {
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
    }
    switch (result.reason) {
      case 'not-found':
        throw new TRPCError({ code: 'NOT_FOUND', message: NOT_FOUND_ASSESSMENT });
      case 'not-open':
        throw new TRPCError({ code: 'BAD_REQUEST', message: 'This assessment is not open for attempts now.' });
      case 'no-attempts-left':
        throw new TRPCError({ code: 'BAD_REQUEST', message: 'You have used all the attempts this assessment allows.' });
      case 'cooldown':
        throw new TRPCError({
          code: 'BAD_REQUEST',
          message: `You can start your next attempt at ${formatDateTime(result.nextStartAt)} (UTC).`,
        });
    }
  }),

  /** The console's report of its run so far (every few seconds); acknowledged with what the server holds. */
  checkpointAttempt: memberProcedure.input(simulatorInputs.checkpointAttempt).mutation(async ({ ctx, input }) => {
    const result = await attempts.checkpointAttempt(ctx.db, ctx.user.id, input, ctx.meta);
    if (result.ok) return result;
    switch (result.reason) {
      case 'not-found':
        throw new TRPCError({ code: 'NOT_FOUND', message: NOT_FOUND_ATTEMPT });
      case 'already-submitted':
        throw new TRPCError({ code: 'CONFLICT', message: 'This attempt was already submitted and scored.' });
      case 'void':
        throw new TRPCError({ code: 'BAD_REQUEST', message: result.message });
      case 'deadline-passed':
        throw new TRPCError({
          code: 'BAD_REQUEST',
          message: `The time for this attempt ended at ${formatDateTime(result.deadline)} (UTC).`,
        });
      case 'refused':
        throw new TRPCError({ code: 'BAD_REQUEST', message: `The report was refused: ${result.message}` });
      case 'invalid-log':
        throw refusedLog(result.errors);
    }
  }),

  submitAttempt: memberProcedure.input(simulatorInputs.submitAttempt).mutation(async ({ ctx, input }) => {
    const result = await attempts.submitAttempt(ctx.db, ctx.user.id, input, ctx.meta);
    if (result.ok) return result;
    switch (result.reason) {
      case 'not-found':
        throw new TRPCError({ code: 'NOT_FOUND', message: NOT_FOUND_ATTEMPT });
      case 'already-submitted':
        throw new TRPCError({ code: 'CONFLICT', message: 'This attempt was already submitted and scored.' });
      case 'void':
        throw new TRPCError({ code: 'BAD_REQUEST', message: result.message });
      case 'no-run':
        throw new TRPCError({
          code: 'BAD_REQUEST',
          message:
            'The server received no report of a run of this attempt: only a run the console reported while it went on is scored.',
        });
      case 'too-early':
        throw new TRPCError({
          code: 'BAD_REQUEST',
          message: `The run cannot have finished yet: submissions are accepted from ${formatDateTime(result.earliest)} (UTC), when the run's time is up. Nothing was stored.`,
        });
      case 'deadline-passed':
        throw new TRPCError({
          code: 'BAD_REQUEST',
          message: `The time for this attempt ended at ${formatDateTime(result.deadline)} (UTC); late submissions are not scored.`,
        });
      case 'invalid-log':
        throw refusedLog(result.errors);
    }
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
    const result = await practice.savePractice(ctx.db, ctx.user.id, input);
    if (result.ok) {
      // A curriculum module whose last step was this exercise completes now, not at the next page view.
      await completeModulesAfterPractice(ctx.db, ctx.user.id, input.scenarioId);
      return result;
    }
    if (result.reason === 'invalid-log') throw refusedLog(result.errors);
    if (result.reason === 'rate-limited') {
      throw new TRPCError({
        code: 'TOO_MANY_REQUESTS',
        message:
          'You have saved many practice sessions in the last hour. Keep practising; saving works again within the hour.',
      });
    }
    throw fieldErrors('Choose one of the listed scenarios.', { scenarioId: 'Choose one of the listed scenarios.' });
  }),

  myPractice: memberProcedure.query(({ ctx }) => practice.listMyPractice(ctx.db, ctx.user.id)),
});
