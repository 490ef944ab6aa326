import { z } from 'zod';
import { unwrap } from '../../refusal.ts';
import * as memberAdmin from '../../services/member-admin.ts';
import { roleProcedure, router } from '../trpc.ts';

const adminProcedure = roleProcedure('admin');
const pageField = z.coerce.number().int().min(1).max(100_000).default(1);

export const memberAdminRouter = router({
  stats: adminProcedure.query(({ ctx }) => memberAdmin.memberStats(ctx.db)),

  countries: adminProcedure.query(({ ctx }) => memberAdmin.memberCountries(ctx.db)),

  search: adminProcedure
    .input(memberAdmin.memberFilterInput.extend({ page: pageField }))
    .query(({ ctx, input }) => memberAdmin.searchMembers(ctx.db, input)),

  bulkRemindPreview: adminProcedure
    .input(memberAdmin.memberFilterInput)
    .query(({ ctx, input }) => memberAdmin.previewBulkReminder(ctx.db, input)),

  bulkRemind: adminProcedure
    .input(
      z.object({
        filter: memberAdmin.memberFilterInput,
        expectedRenewable: z.number().int().min(0).max(1_000_000),
      }),
    )
    .mutation(async ({ ctx, input }) => {
      return unwrap(await memberAdmin.sendBulkReminder(ctx.db, ctx.deps, ctx.user.id, input, ctx.meta));
    }),
});
