import { z } from 'zod';
import { unwrap } from '../../refusal.ts';
import * as contact from '../../services/contact.ts';
import { publicProcedure, roleProcedure, router } from '../trpc.ts';

const adminProcedure = roleProcedure('admin');

export const contactRouter = router({
  /** Anyone may write; a signed-in sender's message is tied to their account (and erased with it). */
  send: publicProcedure.input(contact.contactInput).mutation(async ({ ctx, input }) => {
    unwrap(await contact.sendContactMessage(ctx.db, ctx.deps, input, { userId: ctx.user?.id ?? null, meta: ctx.meta }));
    return { ok: true as const };
  }),

  list: adminProcedure.query(({ ctx }) => contact.listContactMessages(ctx.db, { limit: 200 })),

  markHandled: adminProcedure
    .input(z.object({ messageId: z.string().trim().min(1, 'Choose a message.').max(64) }))
    .mutation(async ({ ctx, input }) => {
      unwrap(await contact.markContactMessageHandled(ctx.db, ctx.user.id, input.messageId));
      return { ok: true as const };
    }),
});
