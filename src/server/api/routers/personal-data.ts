import { TRPCError } from '@trpc/server';
import { z } from 'zod';
import { currentPasswordField } from '#src/lib/schemas.ts';
import { getEnv } from '../../env.ts';
import { unwrap } from '../../refusal.ts';
import * as closure from '../../services/account-closure.ts';
import { exportPersonalData } from '../../services/personal-data.ts';
import { protectedProcedure, roleProcedure, router } from '../trpc.ts';

const adminProcedure = roleProcedure('admin');
const requestIdField = z.string().trim().min(1, 'Choose a request.').max(64);

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
      return unwrap(await closure.requestClosure(ctx.db, ctx.deps, ctx.user.id, input, ctx.meta));
    }),

  cancelClosure: protectedProcedure.mutation(async ({ ctx }) =>
    unwrap(await closure.cancelClosure(ctx.db, ctx.user.id, ctx.meta)),
  ),

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
      const options = { uploadDir: getEnv().UPLOAD_DIR };
      return unwrap(await closure.confirmClosure(ctx.db, ctx.deps, ctx.user.id, input, ctx.meta, options));
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
      return unwrap(await closure.declineClosure(ctx.db, ctx.deps, ctx.user.id, input, ctx.meta));
    }),
});
