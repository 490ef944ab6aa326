import { z } from 'zod';
import { ROLES_REQUIRING_TOTP } from '#src/lib/roles.ts';
import {
  currentPasswordField,
  emailField,
  passwordField,
  registerInput,
  secondFactorField,
  tokenField,
  totpCodeField,
} from '#src/lib/schemas.ts';
import { throttleEventsOf } from '../../auth/lockout.ts';
import { unwrap } from '../../refusal.ts';
import * as accounts from '../../services/accounts.ts';
import { pendingSessionProcedure, protectedProcedure, publicProcedure, router } from '../trpc.ts';

const totpSecretField = z.string().regex(/^[A-Z2-7]{32}$/, 'Start the set-up again.');

export const accountRouter = router({
  me: publicProcedure.query(({ ctx }) => {
    if (!ctx.user || !ctx.session) return null;
    return { ...ctx.user, twoFactorPending: !ctx.session.twoFactorVerified };
  }),

  register: publicProcedure.input(registerInput).mutation(async ({ ctx, input }) => {
    unwrap(await accounts.registerUser(ctx.db, ctx.deps, input, ctx.meta));
    return { ok: true as const };
  }),

  verifyEmail: publicProcedure.input(z.object({ token: tokenField })).mutation(async ({ ctx, input }) => {
    unwrap(await accounts.verifyEmail(ctx.db, input.token));
    return { ok: true as const };
  }),

  signIn: publicProcedure
    .input(z.object({ email: emailField, password: currentPasswordField }))
    .mutation(async ({ ctx, input }) => {
      const result = unwrap(await accounts.signIn(ctx.db, ctx.deps, input, ctx.meta));
      ctx.cookies.set(result.token);
      return { needsTwoFactor: result.needsTwoFactor };
    }),

  verifySecondFactor: pendingSessionProcedure
    .input(z.object({ code: secondFactorField }))
    .mutation(async ({ ctx, input }) => {
      unwrap(await accounts.verifySecondFactor(ctx.db, ctx.session, input.code, ctx.meta));
      return { ok: true as const };
    }),

  signOut: pendingSessionProcedure.mutation(async ({ ctx }) => {
    await accounts.signOut(ctx.db, ctx.session, ctx.meta);
    ctx.cookies.clear();
    return { ok: true as const };
  }),

  requestPasswordReset: publicProcedure.input(z.object({ email: emailField })).mutation(async ({ ctx, input }) => {
    unwrap(await accounts.requestPasswordReset(ctx.db, ctx.deps, input.email, ctx.meta));
    return { ok: true as const };
  }),

  resetPassword: publicProcedure
    .input(z.object({ token: tokenField, password: passwordField }))
    .mutation(async ({ ctx, input }) => {
      const { userId } = unwrap(await accounts.resetPassword(ctx.db, input, ctx.meta));
      await accounts.mailSecurityChange(ctx.db, ctx.deps, userId, 'password-reset', ctx.meta);
      ctx.cookies.clear();
      return { ok: true as const };
    }),

  changePassword: protectedProcedure
    .input(z.object({ currentPassword: currentPasswordField, newPassword: passwordField }))
    .mutation(async ({ ctx, input }) => {
      unwrap(await accounts.changePassword(ctx.db, ctx.session, input, ctx.meta));
      await accounts.mailSecurityChange(ctx.db, ctx.deps, ctx.user.id, 'password-changed', ctx.meta);
      return { ok: true as const };
    }),

  sessions: protectedProcedure.query(({ ctx }) => accounts.listSessions(ctx.db, ctx.session)),

  endSession: protectedProcedure
    .input(z.object({ sessionId: z.string().min(1).max(64) }))
    .mutation(async ({ ctx, input }) => {
      unwrap(await accounts.endSession(ctx.db, ctx.session, input.sessionId, ctx.meta));
      if (input.sessionId === ctx.session.id) ctx.cookies.clear();
      return { ok: true as const };
    }),

  /** Times someone elsewhere guessed at this account's password or codes often enough to be delayed. */
  securityEvents: protectedProcedure.query(({ ctx }) => throttleEventsOf(ctx.db, ctx.user.id, Date.now())),

  twoFactorStatus: protectedProcedure.query(async ({ ctx }) => ({
    enabled: ctx.user.totpEnabled,
    required: ctx.user.roles.some((r) => ROLES_REQUIRING_TOTP.includes(r)),
    recoveryCodesLeft: ctx.user.totpEnabled ? await accounts.countUnusedRecoveryCodes(ctx.db, ctx.user.id) : 0,
  })),

  /** A new secret to enrol, or the key URI again for a secret being enrolled (after a mistyped code). */
  beginTotp: protectedProcedure
    .input(z.object({ secret: totpSecretField.optional() }).optional())
    .query(({ ctx, input }) => accounts.beginTotpEnrolment(ctx.user.email, input?.secret)),

  confirmTotp: protectedProcedure
    .input(z.object({ secret: totpSecretField, code: totpCodeField }))
    .mutation(async ({ ctx, input }) => {
      const result = unwrap(await accounts.confirmTotpEnrolment(ctx.db, ctx.session, input, ctx.meta));
      await accounts.mailSecurityChange(ctx.db, ctx.deps, ctx.user.id, 'two-factor-on', ctx.meta);
      return { recoveryCodes: result.recoveryCodes };
    }),

  disableTotp: protectedProcedure
    .input(z.object({ password: currentPasswordField }))
    .mutation(async ({ ctx, input }) => {
      unwrap(await accounts.disableTotp(ctx.db, ctx.session, input, ctx.meta));
      await accounts.mailSecurityChange(ctx.db, ctx.deps, ctx.user.id, 'two-factor-off', ctx.meta);
      return { ok: true as const };
    }),
});
