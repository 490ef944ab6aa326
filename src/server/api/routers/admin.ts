import { z } from 'zod';
import { ROLES } from '#src/lib/roles.ts';
import { LIMITS } from '#src/lib/schemas.ts';
import { unwrap } from '../../refusal.ts';
import * as admin from '../../services/admin.ts';
import { roleProcedure, router } from '../trpc.ts';

const adminProcedure = roleProcedure('admin');
const pageField = z.coerce.number().int().min(1).max(100_000).default(1);

export const adminRouter = router({
  users: adminProcedure
    .input(z.object({ query: z.string().max(LIMITS.searchMax).default(''), page: pageField }))
    .query(({ ctx, input }) => admin.listUsers(ctx.db, input)),

  setRole: adminProcedure
    .input(z.object({ userId: z.string().min(1).max(64), role: z.enum(ROLES), granted: z.boolean() }))
    .mutation(async ({ ctx, input }) => {
      return unwrap(await admin.setUserRole(ctx.db, ctx.user.id, input, ctx.meta));
    }),

  outbox: adminProcedure
    .input(z.object({ page: pageField }))
    .query(({ ctx, input }) => admin.listOutbox(ctx.db, input)),
});
