import { z } from 'zod';
import { verifyLevelCertificate } from '../../services/level-certificates.ts';
import { publicProcedure, router } from '../trpc.ts';

export const certificatesRouter = router({
  /** Public: what a certificate number certifies, or null (unknown, mistyped or its holder's account closed). */
  verify: publicProcedure
    .input(z.object({ number: z.string().max(64, 'A certificate number is at most 64 characters.') }))
    .query(({ ctx, input }) => verifyLevelCertificate(ctx.db, input.number)),
});
