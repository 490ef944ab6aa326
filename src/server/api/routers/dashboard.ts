import { adminOverview, nextSteps } from '../../services/dashboard.ts';
import { protectedProcedure, roleProcedure, router } from '../trpc.ts';

export const dashboardRouter = router({
  /** The signed-in user's next steps (the landing page after sign-in). */
  nextSteps: protectedProcedure.query(({ ctx }) => nextSteps(ctx.db, ctx.user)),
  /** What waits for the administrators (/admin). */
  adminOverview: roleProcedure('admin').query(({ ctx }) => adminOverview(ctx.db)),
});
