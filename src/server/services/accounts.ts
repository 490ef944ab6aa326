import { and, eq, gt, isNull, ne, sql } from 'drizzle-orm';
import type { Db } from '#db/client.ts';
import { recoveryCodes, sessions, totpCredentials, userRoles, users, userTokens } from '#db/schema/index.ts';
import { formatUtcDateTime } from '#src/lib/dates.ts';
import { ROLES_REQUIRING_TOTP } from '#src/lib/roles.ts';
import type { RegisterInput } from '#src/lib/schemas.ts';
import { writeAudit } from '../audit.ts';
import { ACCOUNT_BACKOFF, backoffUntil, isKnownPlace, recordFailure } from '../auth/lockout.ts';
import { hashPassword, isCommonPassword, verifyPassword } from '../auth/password.ts';
import { consumeRateLimit, RATE_LIMITS, rateLimitAddress, refundRateLimit } from '../auth/rate-limit.ts';
import { createSession, type Session } from '../auth/session.ts';
import { matchTotpStep, newTotpSecret, totpKeyUri } from '../auth/totp.ts';
import { hashSecret, newId, newSecret } from '../ids.ts';
import { type Refusal, refuse } from '../refusal.ts';
import type { RequestMeta, ServiceDeps } from './deps.ts';
import { insertUserRecord } from './user-records.ts';

export const VERIFY_EMAIL_TTL_MS = 48 * 60 * 60 * 1000;
export const RESET_PASSWORD_TTL_MS = 60 * 60 * 1000;
export const RECOVERY_CODE_COUNT = 10;

const COMMON_PASSWORD_MESSAGE = 'This password is too common. Choose a longer phrase that only you would think of.';
const WRONG_PASSWORD_MESSAGE = 'That is not your current password. Try again.';
/** Every rate-limited step of signing in, registering and resetting says the same. */
/** A limit on attempts (sign-in, codes, current password) was reached. */
export const TOO_MANY = refuse('TOO_MANY_REQUESTS', 'Too many attempts. Wait a few minutes and try again.');
const INVALID_RESET_LINK = refuse('BAD_REQUEST', 'This reset link has expired or was already used. Ask for a new one.');

/** A hash of a random password, so that unknown emails take as long to refuse as wrong passwords. */
let dummyHash: Promise<string> | null = null;
function getDummyHash(): Promise<string> {
  dummyHash ??= hashPassword(newSecret());
  return dummyHash;
}

// ---------------------------------------------------------------- registration and verification

export type RegisterResult = { ok: true } | Refusal;

/**
 * Creates an unverified account and mails a verification link. When the email is already registered the
 * answer is the same and the owner is mailed instead, so the form never tells who is a member.
 */
export async function registerUser(
  db: Db,
  deps: ServiceDeps,
  input: RegisterInput,
  meta: RequestMeta,
  now = Date.now(),
): Promise<RegisterResult> {
  if (!(await consumeRateLimit(db, `register:${rateLimitAddress(meta.ipAddress)}`, RATE_LIMITS.register, now))) {
    return TOO_MANY;
  }
  if (isCommonPassword(input.password))
    return refuse('BAD_REQUEST', 'Some fields need your attention.', { password: COMMON_PASSWORD_MESSAGE });

  const existing = await db.select({ id: users.id }).from(users).where(eq(users.email, input.email)).limit(1);
  // Hash on both paths: without it an existing email was answered ~10x faster (10 ms against 135 ms),
  // which told anyone timing the form who is a member.
  const passwordHash = await hashPassword(input.password);
  if (existing[0]) {
    await deps.mailer.send(db, {
      to: input.email,
      subject: 'Someone tried to register with your email',
      text: `Someone (perhaps you) tried to create an IECPA account with this email address, which already has one.\n\nIf it was you, sign in at ${deps.siteUrl}/sign-in, or reset your password at ${deps.siteUrl}/forgot-password.\nIf it was not you, you can ignore this message.`,
    });
    return { ok: true };
  }

  const userId = newId();
  const token = newSecret();
  await db.transaction(async (tx) => {
    await insertUserRecord(
      tx,
      {
        id: userId,
        email: input.email,
        name: input.name,
        country: input.country,
        profession: input.profession,
        passwordHash,
        emailVerifiedAt: null,
      },
      now,
    );
    await tx.insert(userTokens).values({
      tokenHash: hashSecret(token),
      userId,
      purpose: 'verify-email',
      createdAt: now,
      expiresAt: now + VERIFY_EMAIL_TTL_MS,
    });
    await writeAudit(
      tx,
      { actorId: userId, action: 'account.registered', subjectId: userId, ipAddress: meta.ipAddress },
      now,
    );
  });
  await sendVerificationMail(db, deps, input.email, input.name, token);
  return { ok: true };
}

async function sendVerificationMail(
  db: Db,
  deps: ServiceDeps,
  email: string,
  name: string,
  token: string,
): Promise<void> {
  await deps.mailer.send(db, {
    to: email,
    subject: 'Confirm your email address for IECPA',
    text: `Dear ${name},\n\nPlease confirm your email address by opening this link within 48 hours:\n${deps.siteUrl}/verify-email?token=${token}\n\nIf you did not create an IECPA account, ignore this message.`,
  });
}

/** Consumes a single-use token of the given purpose; returns its user id, or null if invalid/expired/used. */
async function consumeToken(
  tx: Pick<Db, 'update'>,
  token: string,
  purpose: 'verify-email' | 'reset-password',
  now: number,
): Promise<string | null> {
  const rows = await tx
    .update(userTokens)
    .set({ usedAt: now })
    .where(
      and(
        eq(userTokens.tokenHash, hashSecret(token)),
        eq(userTokens.purpose, purpose),
        isNull(userTokens.usedAt),
        gt(userTokens.expiresAt, now),
      ),
    )
    .returning({ userId: userTokens.userId });
  return rows[0]?.userId ?? null;
}

/** Whether a single-use token of the given purpose exists, unused and unexpired (consumeToken decides). */
async function isUsableToken(
  db: Db,
  token: string,
  purpose: 'verify-email' | 'reset-password',
  now: number,
): Promise<boolean> {
  const rows = await db
    .select({ userId: userTokens.userId })
    .from(userTokens)
    .where(
      and(
        eq(userTokens.tokenHash, hashSecret(token)),
        eq(userTokens.purpose, purpose),
        isNull(userTokens.usedAt),
        gt(userTokens.expiresAt, now),
      ),
    )
    .limit(1);
  return rows.length === 1;
}

export async function verifyEmail(db: Db, token: string, now = Date.now()): Promise<{ ok: true } | Refusal> {
  return db.transaction(async (tx) => {
    const userId = await consumeToken(tx, token, 'verify-email', now);
    if (!userId)
      return refuse(
        'BAD_REQUEST',
        'This link has expired or was already used. Sign in and we will send you a new one.',
      );
    await tx.update(users).set({ emailVerifiedAt: now, updatedAt: now }).where(eq(users.id, userId));
    await writeAudit(tx, { actorId: userId, action: 'account.email-verified', subjectId: userId }, now);
    return { ok: true } as const;
  });
}

/**
 * Checks a signed-in user's current password (before a password change, turning off 2FA, closing the
 * account): a stolen session may guess it at most RATE_LIMITS.currentPassword times in a window.
 */
export async function checkCurrentPassword(
  db: Db,
  userId: string,
  password: string,
  now = Date.now(),
): Promise<'right' | 'wrong' | 'too-many'> {
  const key = `current-password:user:${userId}`;
  if (!(await consumeRateLimit(db, key, RATE_LIMITS.currentPassword, now))) return 'too-many';
  const [user] = await db.select({ passwordHash: users.passwordHash }).from(users).where(eq(users.id, userId));
  if (!user || !(await verifyPassword(user.passwordHash, password))) return 'wrong';
  await refundRateLimit(db, key, RATE_LIMITS.currentPassword, now);
  return 'right';
}

// ---------------------------------------------------------------- sign in and the second factor

export type SignInResult = { ok: true; token: string; session: Session; needsTwoFactor: boolean } | Refusal;

export async function signIn(
  db: Db,
  deps: ServiceDeps,
  input: { email: string; password: string },
  meta: RequestMeta,
  now = Date.now(),
): Promise<SignInResult> {
  // Per address, and per account AND address: a stranger's guesses never use up the owner's allowance.
  // Keys end with the email, so erasure and the data export find them (account-closure.ts, personal-data.ts).
  const address = rateLimitAddress(meta.ipAddress);
  // Failures count: a success gives its attempt back, so many people signing in behind one office address
  // are not locked out by each other.
  const ipKey = `sign-in:ip:${address}`;
  const pairKey = `sign-in:pair:${address}:${input.email}`;
  const allowedByIp = await consumeRateLimit(db, ipKey, RATE_LIMITS.signIn, now);
  const allowedByPair = await consumeRateLimit(db, pairKey, RATE_LIMITS.signIn, now);
  if (!allowedByIp || !allowedByPair) return TOO_MANY;

  const rows = await db
    .select({
      id: users.id,
      name: users.name,
      passwordHash: users.passwordHash,
      emailVerifiedAt: users.emailVerifiedAt,
    })
    .from(users)
    .where(eq(users.email, input.email))
    .limit(1);
  const user = rows[0];
  // Across addresses: a progressive delay for places the owner has not signed in from (auth/lockout.ts).
  const accountKey = `sign-in:account:${input.email}`;
  const knownPlace = user ? await isKnownPlace(db, user.id, meta.ipAddress, now) : false;
  if (!knownPlace && (await backoffUntil(db, accountKey, now)) > now) return TOO_MANY;
  const passwordOk = await verifyPassword(user?.passwordHash ?? (await getDummyHash()), input.password);
  if (!user || !passwordOk) {
    await writeAudit(
      db,
      { actorId: null, action: 'auth.sign-in-failed', subjectId: user?.id ?? null, ipAddress: meta.ipAddress },
      now,
    );
    if (!knownPlace) await countAccountFailure(db, accountKey, user?.id ?? null, 'auth.sign-in-throttled', meta, now);
    return refuse('UNAUTHORIZED', 'That email and password do not match an account.');
  }
  if (user.emailVerifiedAt === null) {
    const token = newSecret();
    await db.insert(userTokens).values({
      tokenHash: hashSecret(token),
      userId: user.id,
      purpose: 'verify-email',
      createdAt: now,
      expiresAt: now + VERIFY_EMAIL_TTL_MS,
    });
    await sendVerificationMail(db, deps, input.email, user.name, token);
    return refuse('FORBIDDEN', 'Confirm your email address first: we have sent you a new link.');
  }
  const hasTotp =
    (await db.select({ u: totpCredentials.userId }).from(totpCredentials).where(eq(totpCredentials.userId, user.id)))
      .length > 0;
  const { token, session } = await createSession(db, user.id, !hasTotp, meta, now);
  await refundRateLimit(db, ipKey, RATE_LIMITS.signIn, now);
  await refundRateLimit(db, pairKey, RATE_LIMITS.signIn, now);
  await writeAudit(
    db,
    {
      actorId: user.id,
      action: 'auth.signed-in',
      subjectId: user.id,
      ipAddress: meta.ipAddress,
      details: { twoFactorPending: hasTotp },
    },
    now,
  );
  return { ok: true, token, session, needsTwoFactor: hasTotp };
}

/**
 * Counts a failure against the account-wide key; when the failures first reach the point where delays begin,
 * records it for the owner (shown on their security page).
 */
async function countAccountFailure(
  db: Db,
  key: string,
  userId: string | null,
  action: 'auth.sign-in-throttled' | 'auth.two-factor-throttled',
  meta: RequestMeta,
  now: number,
): Promise<void> {
  const failures = await recordFailure(db, key, now);
  if (userId && failures === ACCOUNT_BACKOFF.freeFailures + 1) {
    await writeAudit(
      db,
      { actorId: null, action, subjectId: userId, ipAddress: meta.ipAddress, details: { failures } },
      now,
    );
  }
}

export type TwoFactorResult = { ok: true } | Refusal;

/** Completes a sign-in with a TOTP code or a single-use recovery code. */
export async function verifySecondFactor(
  db: Db,
  session: Session,
  code: string,
  meta: RequestMeta,
  now = Date.now(),
): Promise<TwoFactorResult> {
  const pairKey = `two-factor:${session.userId}|${rateLimitAddress(meta.ipAddress)}`;
  if (!(await consumeRateLimit(db, pairKey, RATE_LIMITS.twoFactor, now))) return TOO_MANY;
  const accountKey = `two-factor:account:${session.userId}`;
  const knownPlace = await isKnownPlace(db, session.userId, meta.ipAddress, now);
  if (!knownPlace && (await backoffUntil(db, accountKey, now)) > now) return TOO_MANY;
  const ok = code.includes('-')
    ? await useRecoveryCode(db, session.userId, code.toLowerCase(), now)
    : await useTotpCode(db, session.userId, code, now);
  if (!ok) {
    await writeAudit(
      db,
      {
        actorId: session.userId,
        action: 'auth.two-factor-failed',
        subjectId: session.userId,
        ipAddress: meta.ipAddress,
      },
      now,
    );
    if (!knownPlace) await countAccountFailure(db, accountKey, session.userId, 'auth.two-factor-throttled', meta, now);
    return refuse('BAD_REQUEST', 'That code is not valid.', {
      code: 'That code is not valid. Enter the current code or an unused recovery code.',
    });
  }
  await db.update(sessions).set({ twoFactorVerified: true }).where(eq(sessions.id, session.id));
  await writeAudit(
    db,
    {
      actorId: session.userId,
      action: 'auth.two-factor-passed',
      subjectId: session.userId,
      ipAddress: meta.ipAddress,
      details: { method: code.includes('-') ? 'recovery-code' : 'totp' },
    },
    now,
  );
  return { ok: true };
}

async function useTotpCode(db: Db, userId: string, code: string, now: number): Promise<boolean> {
  const rows = await db.select().from(totpCredentials).where(eq(totpCredentials.userId, userId)).limit(1);
  const credential = rows[0];
  if (!credential) return false;
  const step = matchTotpStep(credential.secret, code, now, credential.lastUsedStep);
  if (step === null) return false;
  // Conditional update: two requests racing with the same code cannot both win.
  const updated = await db
    .update(totpCredentials)
    .set({ lastUsedStep: step })
    .where(and(eq(totpCredentials.userId, userId), eq(totpCredentials.lastUsedStep, credential.lastUsedStep)))
    .returning({ userId: totpCredentials.userId });
  return updated.length === 1;
}

async function useRecoveryCode(db: Db, userId: string, code: string, now: number): Promise<boolean> {
  const rows = await db
    .update(recoveryCodes)
    .set({ usedAt: now })
    .where(
      and(eq(recoveryCodes.codeHash, hashSecret(code)), eq(recoveryCodes.userId, userId), isNull(recoveryCodes.usedAt)),
    )
    .returning({ userId: recoveryCodes.userId });
  return rows.length === 1;
}

export async function signOut(db: Db, session: Session, meta: RequestMeta, now = Date.now()): Promise<void> {
  await db.delete(sessions).where(eq(sessions.id, session.id));
  await writeAudit(
    db,
    { actorId: session.userId, action: 'auth.signed-out', subjectId: session.userId, ipAddress: meta.ipAddress },
    now,
  );
}

// ---------------------------------------------------------------- passwords

/** Always the same outcome for the caller; mails a single-use link when the email belongs to an account. */
export async function requestPasswordReset(
  db: Db,
  deps: ServiceDeps,
  email: string,
  meta: RequestMeta,
  now = Date.now(),
): Promise<{ ok: true } | Refusal> {
  const address = rateLimitAddress(meta.ipAddress);
  const allowedByIp = await consumeRateLimit(db, `reset:ip:${address}`, RATE_LIMITS.passwordReset, now);
  const allowedByPair = await consumeRateLimit(db, `reset:pair:${address}:${email}`, RATE_LIMITS.passwordReset, now);
  if (!allowedByIp || !allowedByPair) return TOO_MANY;
  // An erased account's pseudonymous address is not an address anyone can own: treated as unknown.
  const rows = await db
    .select({ id: users.id, name: users.name })
    .from(users)
    .where(and(eq(users.email, email), isNull(users.erasedAt)))
    .limit(1);
  // The cap per mailbox (against mail bombing) does not apply where the owner signs in: strangers using it
  // up cannot stop the owner resetting from their usual place.
  const ownersPlace = rows[0] ? await isKnownPlace(db, rows[0].id, meta.ipAddress, now) : false;
  if (!ownersPlace && !(await consumeRateLimit(db, `reset:email:${email}`, RATE_LIMITS.passwordResetPerEmail, now))) {
    return TOO_MANY;
  }
  const user = rows[0];
  if (!user) {
    // Same answer as for a known address, and a write on this path too, so neither the reply nor its
    // timing tells who has an account (the mail itself is delivered in the background: mailer.ts).
    await writeAudit(
      db,
      { actorId: null, action: 'auth.password-reset-unknown-email', subjectId: null, ipAddress: meta.ipAddress },
      now,
    );
    return { ok: true };
  }
  const token = newSecret();
  await db.transaction(async (tx) => {
    await tx.insert(userTokens).values({
      tokenHash: hashSecret(token),
      userId: user.id,
      purpose: 'reset-password',
      createdAt: now,
      expiresAt: now + RESET_PASSWORD_TTL_MS,
    });
    await writeAudit(
      tx,
      { actorId: null, action: 'auth.password-reset-requested', subjectId: user.id, ipAddress: meta.ipAddress },
      now,
    );
  });
  await deps.mailer.send(db, {
    to: email,
    subject: 'Reset your IECPA password',
    text: `Dear ${user.name},\n\nTo choose a new password, open this link within one hour. It works once.\n${deps.siteUrl}/reset-password?token=${token}\n\nIf you did not ask for this, ignore this message: your password has not changed.`,
  });
  return { ok: true };
}

export type ResetPasswordResult = { ok: true; userId: string } | Refusal;

/** Sets a new password from a reset link, ends every session of the account, and marks the email verified. */
export async function resetPassword(
  db: Db,
  input: { token: string; password: string },
  meta: RequestMeta,
  now = Date.now(),
): Promise<ResetPasswordResult> {
  // Tokens are 160-bit, so guessing is hopeless; the limit per address still caps what a client can make the
  // server do (each usable-looking attempt costs an argon2 hash).
  const allowed = await consumeRateLimit(
    db,
    `reset-use:ip:${rateLimitAddress(meta.ipAddress)}`,
    RATE_LIMITS.passwordResetUse,
    now,
  );
  if (!allowed) return TOO_MANY;
  // Look the link up before the (deliberately slow) hash, so a made-up token costs no argon2 hash.
  if (!(await isUsableToken(db, input.token, 'reset-password', now))) return INVALID_RESET_LINK;
  if (isCommonPassword(input.password))
    return refuse('BAD_REQUEST', 'Choose a different password.', { password: COMMON_PASSWORD_MESSAGE });
  const passwordHash = await hashPassword(input.password);
  return db.transaction(async (tx): Promise<ResetPasswordResult> => {
    const userId = await consumeToken(tx, input.token, 'reset-password', now);
    if (!userId) return INVALID_RESET_LINK;
    // Following the link proves the mailbox, so an unverified email becomes verified.
    await tx
      .update(users)
      .set({ passwordHash, updatedAt: now, emailVerifiedAt: sql`coalesce(${users.emailVerifiedAt}, ${now})` })
      .where(eq(users.id, userId));
    await tx.delete(sessions).where(eq(sessions.userId, userId));
    await tx
      .update(userTokens)
      .set({ usedAt: now })
      .where(and(eq(userTokens.userId, userId), eq(userTokens.purpose, 'reset-password'), isNull(userTokens.usedAt)));
    await writeAudit(
      tx,
      { actorId: userId, action: 'auth.password-reset', subjectId: userId, ipAddress: meta.ipAddress },
      now,
    );
    return { ok: true as const, userId };
  });
}

/** A change to how an account signs in, which its owner is told of by email (ASVS 2.5.5, 2.8.x). */
export type SecurityChange = 'password-changed' | 'password-reset' | 'two-factor-on' | 'two-factor-off';

const SECURITY_CHANGE_TEXT: Record<SecurityChange, { subject: string; what: string }> = {
  'password-changed': { subject: 'Your IECPA password was changed', what: 'Your password was changed' },
  'password-reset': { subject: 'Your IECPA password was reset', what: 'Your password was reset with an emailed link' },
  'two-factor-on': {
    subject: 'Two-factor authentication is on',
    what: 'Two-factor authentication was turned on for your account',
  },
  'two-factor-off': {
    subject: 'Two-factor authentication was turned off',
    what: 'Two-factor authentication was turned off for your account',
  },
};

/**
 * Tells the account's owner, at their email address, that its sign-in changed, when and from where: if it was
 * not them, they learn at once. No secret is in the mail.
 */
export async function mailSecurityChange(
  db: Db,
  deps: ServiceDeps,
  userId: string,
  change: SecurityChange,
  meta: RequestMeta,
  now = Date.now(),
): Promise<void> {
  const [user] = await db.select({ name: users.name, email: users.email }).from(users).where(eq(users.id, userId));
  if (!user) return;
  const { subject, what } = SECURITY_CHANGE_TEXT[change];
  await deps.mailer.send(db, {
    to: user.email,
    subject,
    text: `Dear ${user.name},\n\n${what} on ${formatUtcDateTime(now)} (UTC), from the address ${meta.ipAddress}.\n\nIf this was you, there is nothing to do.\nIf it was not, reset your password now at ${deps.siteUrl}/forgot-password and write to us at ${deps.siteUrl}/contact.`,
  });
}

export type ChangePasswordResult = { ok: true } | Refusal;

const PASSWORD_NOT_CHANGED = 'Your password was not changed.';

/** Changes the password and ends every other session of the account (README, Security baseline). */
export async function changePassword(
  db: Db,
  session: Session,
  input: { currentPassword: string; newPassword: string },
  meta: RequestMeta,
  now = Date.now(),
): Promise<ChangePasswordResult> {
  const current = await checkCurrentPassword(db, session.userId, input.currentPassword, now);
  if (current === 'too-many') return TOO_MANY;
  if (current === 'wrong') {
    return refuse('BAD_REQUEST', PASSWORD_NOT_CHANGED, { currentPassword: WRONG_PASSWORD_MESSAGE });
  }
  if (input.newPassword === input.currentPassword)
    return refuse('BAD_REQUEST', PASSWORD_NOT_CHANGED, {
      newPassword: 'This is your current password. Choose a different one.',
    });
  if (isCommonPassword(input.newPassword))
    return refuse('BAD_REQUEST', PASSWORD_NOT_CHANGED, { newPassword: COMMON_PASSWORD_MESSAGE });
  const passwordHash = await hashPassword(input.newPassword);
  await db.transaction(async (tx) => {
    await tx.update(users).set({ passwordHash, updatedAt: now }).where(eq(users.id, session.userId));
    await tx.delete(sessions).where(and(eq(sessions.userId, session.userId), ne(sessions.id, session.id)));
    // A reset link asked for earlier would otherwise still set a password over the one just chosen.
    await tx
      .update(userTokens)
      .set({ usedAt: now })
      .where(
        and(eq(userTokens.userId, session.userId), eq(userTokens.purpose, 'reset-password'), isNull(userTokens.usedAt)),
      );
    await writeAudit(
      tx,
      {
        actorId: session.userId,
        action: 'auth.password-changed',
        subjectId: session.userId,
        ipAddress: meta.ipAddress,
      },
      now,
    );
  });
  return { ok: true };
}

// ---------------------------------------------------------------- sessions

export interface SessionListItem {
  id: string;
  createdAt: number;
  lastSeenAt: number;
  userAgent: string;
  ipAddress: string;
  current: boolean;
}

/** The session list query, built once per database handle (drizzle's prepare: the SQL is not rebuilt per call). */
function buildSessionListQuery(db: Db) {
  return db
    .select({
      id: sessions.id,
      createdAt: sessions.createdAt,
      lastSeenAt: sessions.lastSeenAt,
      userAgent: sessions.userAgent,
      ipAddress: sessions.ipAddress,
    })
    .from(sessions)
    .where(eq(sessions.userId, sql.placeholder('userId')))
    .orderBy(sessions.createdAt)
    .prepare();
}
const sessionListQueries = new WeakMap<Db, ReturnType<typeof buildSessionListQuery>>();

export async function listSessions(db: Db, session: Session): Promise<SessionListItem[]> {
  let query = sessionListQueries.get(db);
  if (!query) {
    query = buildSessionListQuery(db);
    sessionListQueries.set(db, query);
  }
  const rows = await query.all({ userId: session.userId });
  return rows.map((r) => ({ ...r, current: r.id === session.id }));
}

/** Ends one of the user's own sessions; refused when there is no such session of theirs. */
export async function endSession(
  db: Db,
  session: Session,
  sessionId: string,
  meta: RequestMeta,
  now = Date.now(),
): Promise<{ ok: true } | Refusal> {
  const rows = await db
    .delete(sessions)
    .where(and(eq(sessions.id, sessionId), eq(sessions.userId, session.userId)))
    .returning({ id: sessions.id });
  if (rows.length === 0) return refuse('NOT_FOUND', 'That session has already ended.');
  await writeAudit(
    db,
    {
      actorId: session.userId,
      action: 'auth.session-ended',
      subjectId: session.userId,
      ipAddress: meta.ipAddress,
      details: { sessionId },
    },
    now,
  );
  return { ok: true };
}

// ---------------------------------------------------------------- TOTP enrolment

export interface TotpEnrolment {
  secret: string;
  keyUri: string;
}

export function beginTotpEnrolment(email: string, existingSecret?: string): TotpEnrolment {
  const secret = existingSecret ?? newTotpSecret();
  return { secret, keyUri: totpKeyUri(secret, email) };
}

export type ConfirmTotpResult = { ok: true; recoveryCodes: string[] } | Refusal;

const TOTP_NOT_SET_UP = 'Two-factor authentication is not set up yet.';

/** Stores the secret once the user proves their app has it, and issues fresh recovery codes (shown once). */
export async function confirmTotpEnrolment(
  db: Db,
  session: Session,
  input: { secret: string; code: string },
  meta: RequestMeta,
  now = Date.now(),
): Promise<ConfirmTotpResult> {
  // Replacing a working second factor needs more than a session: turn it off first (password required).
  const enrolled = await db
    .select({ userId: totpCredentials.userId })
    .from(totpCredentials)
    .where(eq(totpCredentials.userId, session.userId))
    .limit(1);
  if (enrolled.length > 0) {
    return refuse('BAD_REQUEST', TOTP_NOT_SET_UP, {
      code: 'Two-factor authentication is already on. To move it to a new app, turn it off first with your password.',
    });
  }
  const step = matchTotpStep(input.secret, input.code, now, -1);
  if (step === null) {
    return refuse('BAD_REQUEST', TOTP_NOT_SET_UP, {
      code: 'That code does not match. Check the time on your phone and enter the current code.',
    });
  }
  const codes = Array.from({ length: RECOVERY_CODE_COUNT }, newRecoveryCode);
  await db.transaction(async (tx) => {
    await tx.delete(totpCredentials).where(eq(totpCredentials.userId, session.userId));
    await tx
      .insert(totpCredentials)
      .values({ userId: session.userId, secret: input.secret, createdAt: now, lastUsedStep: step });
    await tx.delete(recoveryCodes).where(eq(recoveryCodes.userId, session.userId));
    await tx
      .insert(recoveryCodes)
      .values(codes.map((c) => ({ codeHash: hashSecret(c), userId: session.userId, createdAt: now })));
    await tx.update(sessions).set({ twoFactorVerified: true }).where(eq(sessions.id, session.id));
    await writeAudit(
      tx,
      { actorId: session.userId, action: 'auth.totp-enrolled', subjectId: session.userId, ipAddress: meta.ipAddress },
      now,
    );
  });
  return { ok: true, recoveryCodes: codes };
}

function newRecoveryCode(): string {
  const s = newSecret();
  return `${s.slice(0, 5)}-${s.slice(5, 10)}`;
}

export type DisableTotpResult = { ok: true } | Refusal;

export async function disableTotp(
  db: Db,
  session: Session,
  input: { password: string },
  meta: RequestMeta,
  now = Date.now(),
): Promise<DisableTotpResult> {
  const roles = await db.select({ role: userRoles.role }).from(userRoles).where(eq(userRoles.userId, session.userId));
  if (roles.some((r) => (ROLES_REQUIRING_TOTP as readonly string[]).includes(r.role)))
    return refuse('FORBIDDEN', 'Your role requires two-factor authentication, so it cannot be turned off.');
  const current = await checkCurrentPassword(db, session.userId, input.password, now);
  if (current === 'too-many') return TOO_MANY;
  if (current === 'wrong') {
    return refuse('BAD_REQUEST', 'Two-factor authentication is still on.', { password: WRONG_PASSWORD_MESSAGE });
  }
  await db.transaction(async (tx) => {
    await tx.delete(totpCredentials).where(eq(totpCredentials.userId, session.userId));
    await tx.delete(recoveryCodes).where(eq(recoveryCodes.userId, session.userId));
    await writeAudit(
      tx,
      { actorId: session.userId, action: 'auth.totp-disabled', subjectId: session.userId, ipAddress: meta.ipAddress },
      now,
    );
  });
  return { ok: true };
}

export async function countUnusedRecoveryCodes(db: Db, userId: string): Promise<number> {
  const rows = await db
    .select({ h: recoveryCodes.codeHash })
    .from(recoveryCodes)
    .where(and(eq(recoveryCodes.userId, userId), isNull(recoveryCodes.usedAt)));
  return rows.length;
}
