import { z } from 'zod';
import { checkRenewal } from '#src/lib/membership-rules.ts';
import { refusalError, refuse, unwrap } from '../../refusal.ts';
import { acceptEthics, ethicsStatus } from '../../services/ethics-acceptance.ts';
import * as lifecycle from '../../services/membership-lifecycle.ts';
import { protectedProcedure, roleProcedure, router } from '../trpc.ts';

const adminProcedure = roleProcedure('admin');
const userIdField = z.string().trim().min(1, 'Choose a member.').max(64);
const reasonField = z
  .string({ error: 'Give a reason.' })
  .trim()
  .min(1, 'Give a reason.')
  .max(lifecycle.REASON_MAX, `Use at most ${lifecycle.REASON_MAX} characters.`);

export const membershipRouter = router({
  /** The signed-in user's membership (null when none), whether they may renew now, and their history. */
  mine: protectedProcedure.query(async ({ ctx }) => {
    const now = Date.now();
    const membership = await lifecycle.getMembershipSummary(ctx.db, ctx.user.id);
    const renewal = checkRenewal(membership, now);
    return {
      membership,
      renewal: renewal.allowed
        ? { allowed: true as const, newExpiresAt: renewal.newExpiresAt }
        : { allowed: false as const, message: lifecycle.RENEWAL_REFUSAL_MESSAGES[renewal.reason] },
      canResign: membership !== null && lifecycle.RESIGNABLE.includes(membership.status),
      history: await lifecycle.getMembershipHistory(ctx.db, ctx.user.id),
    };
  }),

  /** The current code of ethics' version and when the signed-in user accepted it (null: not yet). */
  ethics: protectedProcedure.query(({ ctx }) => ethicsStatus(ctx.db, ctx.user.id)),

  /** Accepts the code of ethics at the version the page showed (which must still be the current one). */
  acceptEthics: protectedProcedure
    .input(
      z.object({
        version: z.string().trim().min(1).max(20),
        accept: z.boolean().refine((v) => v, 'Tick the box to accept the code of ethics.'),
      }),
    )
    .mutation(async ({ ctx, input }) => {
      const { version, acceptedAt } = unwrap(await acceptEthics(ctx.db, ctx.user.id, input.version));
      return { version, acceptedAt };
    }),

  renew: protectedProcedure
    .input(z.object({ confirm: z.boolean().refine((v) => v, 'Confirm the renewal first.') }))
    .mutation(async ({ ctx }) => {
      return unwrap(await lifecycle.renewMembership(ctx.db, ctx.deps, ctx.user.id, ctx.meta)).summary;
    }),

  resign: protectedProcedure
    .input(z.object({ confirm: z.boolean().refine((v) => v, 'Confirm the resignation first.') }))
    .mutation(async ({ ctx }) => {
      return unwrap(await lifecycle.resignMembership(ctx.db, ctx.deps, ctx.user.id, ctx.meta)).summary;
    }),

  adminGet: adminProcedure.input(z.object({ userId: userIdField })).query(async ({ ctx, input }) => {
    const member = await lifecycle.getMemberForAdmin(ctx.db, input.userId);
    if (!member) throw refusalError(refuse('NOT_FOUND', lifecycle.ADMIN_REFUSAL_MESSAGES['no-such-user']));
    return member;
  }),

  suspend: adminProcedure
    .input(z.object({ userId: userIdField, reason: reasonField }))
    .mutation(async ({ ctx, input }) => {
      return unwrap(await lifecycle.suspendMembership(ctx.db, ctx.deps, ctx.user.id, input, ctx.meta)).summary;
    }),

  reinstate: adminProcedure
    .input(z.object({ userId: userIdField, reason: reasonField }))
    .mutation(async ({ ctx, input }) => {
      return unwrap(await lifecycle.reinstateMembership(ctx.db, ctx.deps, ctx.user.id, input, ctx.meta)).summary;
    }),

  recordPayment: adminProcedure
    .input(
      z.object({
        userId: userIdField,
        reference: z
          .string({ error: 'Enter the payment reference.' })
          .trim()
          .min(1, 'Enter the payment reference.')
          .max(lifecycle.PAYMENT_REFERENCE_MAX, `Use at most ${lifecycle.PAYMENT_REFERENCE_MAX} characters.`),
        note: z
          .string()
          .trim()
          .max(lifecycle.REASON_MAX, `Use at most ${lifecycle.REASON_MAX} characters.`)
          .default(''),
      }),
    )
    .mutation(async ({ ctx, input }) => {
      return unwrap(await lifecycle.recordMembershipPayment(ctx.db, ctx.deps, ctx.user.id, input, ctx.meta)).summary;
    }),
});
