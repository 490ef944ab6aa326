import { TRPCError } from '@trpc/server';
import { z } from 'zod';
import { currentPasswordField } from '#src/lib/schemas.ts';
import { getEnv } from '../../env.ts';
import * as closure from '../../services/account-closure.ts';
import { exportPersonalData } from '../../services/personal-data.ts';
import { fieldErrors, protectedProcedure, roleProcedure, router } from '../trpc.ts';

const adminProcedure = roleProcedure('admin');
const requestIdField = z.string().trim().min(1, 'Choose a request.').max(64);

/** Why a decision on a closure request was refused, in words an admin can act on. */
function decisionError(result: Exclude<closure.DecideClosureResult, { ok: true }>): TRPCError {
  switch (result.reason) {
    case 'not-found':
      return new TRPCError({ code: 'NOT_FOUND', message: 'There is no such closure request. Reload the list.' });
    case 'not-open':
      return new TRPCError({
        code: 'CONFLICT',
        message: 'This request has already been decided or withdrawn. Reload the list to see its state.',
      });
    case 'own-request':
      return new TRPCError({
        code: 'FORBIDDEN',
        message: 'You cannot confirm the closure of your own account. Another administrator must do it.',
      });
    case 'unhandled-tables':
      // A developer's omission, but said plainly (an internal error's message is hidden from the admin).
      return new TRPCError({
        code: 'PRECONDITION_FAILED',
        message: `Erasure has no rule for the table(s) ${(result.tables ?? []).join(', ')} yet, so nothing was changed. Ask the developers to add one (ERASURE_RULES).`,
      });
  }
}

export const personalDataRouter = router({
  /** Everything held about the signed-in user (the JSON download on /account/data). */
  export: protectedProcedure.query(async ({ ctx }) => {
    const data = await exportPersonalData(ctx.db, ctx.user.id, { uploadDir: getEnv().UPLOAD_DIR });
    if (!data) throw new TRPCError({ code: 'NOT_FOUND', message: 'Your account no longer exists.' });
    return data;
  }),

  closureStatus: protectedProcedure.query(({ ctx }) => closure.latestClosureRequest(ctx.db, ctx.user.id)),

  requestClosure: protectedProcedure
    .input(
      z.object({
        reason: z
          .string()
          .trim()
          .max(closure.CLOSURE_REASON_MAX, `Use at most ${closure.CLOSURE_REASON_MAX} characters.`)
          .default(''),
        password: currentPasswordField,
      }),
    )
    .mutation(async ({ ctx, input }) => {
      const result = await closure.requestClosure(ctx.db, ctx.deps, ctx.user.id, input, ctx.meta);
      if (result.ok) return result;
      if ('fieldErrors' in result) {
        throw fieldErrors('That is not your current password. Try again.', result.fieldErrors);
      }
      throw new TRPCError({
        code: 'CONFLICT',
        message: 'You have already asked to close your account. An administrator will confirm it soon.',
      });
    }),

  cancelClosure: protectedProcedure.mutation(async ({ ctx }) => {
    if (!(await closure.cancelClosure(ctx.db, ctx.user.id, ctx.meta))) {
      throw new TRPCError({ code: 'NOT_FOUND', message: 'You have no open request to close your account.' });
    }
    return { ok: true as const };
  }),

  closures: adminProcedure.query(({ ctx }) => closure.listClosureRequests(ctx.db)),

  confirmClosure: adminProcedure
    .input(
      z.object({
        requestId: requestIdField,
        note: z
          .string()
          .trim()
          .max(closure.CLOSURE_NOTE_MAX, `Use at most ${closure.CLOSURE_NOTE_MAX} characters.`)
          .default(''),
      }),
    )
    .mutation(async ({ ctx, input }) => {
      const result = await closure.confirmClosure(ctx.db, ctx.deps, ctx.user.id, input, ctx.meta, {
        uploadDir: getEnv().UPLOAD_DIR,
      });
      if (!result.ok) throw decisionError(result);
      return result;
    }),

  declineClosure: adminProcedure
    .input(
      z.object({
        requestId: requestIdField,
        note: z
          .string({ error: 'Tell the member why.' })
          .trim()
          .min(1, 'Tell the member why the account stays open.')
          .max(closure.CLOSURE_NOTE_MAX, `Use at most ${closure.CLOSURE_NOTE_MAX} characters.`),
      }),
    )
    .mutation(async ({ ctx, input }) => {
      const result = await closure.declineClosure(ctx.db, ctx.deps, ctx.user.id, input, ctx.meta);
      if (!result.ok) throw decisionError(result);
      return result;
    }),
});
