import { eq } from 'drizzle-orm';
import { expect, test } from 'vitest';
import { sessions, users } from '#db/schema/index.ts';
import { createSession } from '#src/server/auth/session.ts';
import { RESET_PASSWORD_TTL_MS, requestPasswordReset, resetPassword, signIn } from '#src/server/services/accounts.ts';
import { countAllRows, useTestDb } from '#test/helpers/db.ts';
import {
  anonymousCaller,
  callerFor,
  lastMailTo,
  linkFrom,
  makeUser,
  recordCookies,
  TEST_META,
  TEST_PASSWORD,
  testDeps,
  uniqueMeta,
} from '#test/helpers/factories.ts';
import { trpcErrorOf } from '#test/helpers/trpc.ts';

const handle = useTestDb();
const NEW_PASSWORD = 'a brand new passphrase';
const INVALID_LINK = {
  ok: false,
  code: 'BAD_REQUEST',
  message: 'This reset link has expired or was already used. Ask for a new one.',
};

async function resetTokenFor(email: string): Promise<string> {
  const mail = await lastMailTo(handle.db, email);
  expect(mail?.subject).toBe('Reset your IECPA password');
  return linkFrom(mail?.textBody ?? '', '/reset-password').searchParams.get('token') ?? '';
}

async function sessionCount(userId: string): Promise<number> {
  return (await handle.db.select().from(sessions).where(eq(sessions.userId, userId))).length;
}

async function passwordWorks(email: string, password: string): Promise<boolean> {
  const result = await signIn(handle.db, testDeps(), { email, password }, uniqueMeta());
  return result.ok;
}

test('resets a password by the mailed link and ends every session of the account', async () => {
  const user = await makeUser(handle.db);
  await createSession(handle.db, user.id, true, TEST_META);
  await createSession(handle.db, user.id, true, TEST_META);
  const cookies = recordCookies();
  const anon = anonymousCaller(handle.db, testDeps(), cookies, uniqueMeta());
  await expect(anon.account.requestPasswordReset({ email: user.email })).resolves.toEqual({ ok: true });
  const token = await resetTokenFor(user.email);

  await expect(anon.account.resetPassword({ token, password: NEW_PASSWORD })).resolves.toEqual({ ok: true });
  expect(cookies.cleared).toBe(true);
  expect(await sessionCount(user.id)).toBe(0);
  expect(await passwordWorks(user.email, TEST_PASSWORD)).toBe(false);
  expect(await passwordWorks(user.email, NEW_PASSWORD)).toBe(true);
  // The owner is told, with where it came from and what to do if it was not them; no link that signs in.
  const told = await lastMailTo(handle.db, user.email);
  expect(told?.subject).toBe('Your IECPA password was reset');
  expect(told?.textBody).toMatch(/from the address .+\.\n\nIf this was you, there is nothing to do/);
  expect(told?.textBody).not.toContain('token=');
});

test('accepts a reset link only once', async () => {
  const user = await makeUser(handle.db);
  const anon = anonymousCaller(handle.db, testDeps(), recordCookies(), uniqueMeta());
  await anon.account.requestPasswordReset({ email: user.email });
  const token = await resetTokenFor(user.email);
  await anon.account.resetPassword({ token, password: NEW_PASSWORD });
  const error = await trpcErrorOf(anon.account.resetPassword({ token, password: 'yet another passphrase' }));
  expect(error.code).toBe('BAD_REQUEST');
  expect(error.message).toContain('expired or was already used');
  expect(await passwordWorks(user.email, NEW_PASSWORD)).toBe(true);
});

test('refuses a reset link after one hour and accepts it just before', async () => {
  const t0 = Date.UTC(2026, 10, 2, 10, 0, 0);
  const late = await makeUser(handle.db);
  const inTime = await makeUser(handle.db);
  await requestPasswordReset(handle.db, testDeps(), late.email, uniqueMeta(), t0);
  const lateToken = await resetTokenFor(late.email);
  await requestPasswordReset(handle.db, testDeps(), inTime.email, uniqueMeta(), t0);
  const inTimeToken = await resetTokenFor(inTime.email);

  const lateResult = await resetPassword(
    handle.db,
    { token: lateToken, password: NEW_PASSWORD },
    uniqueMeta(),
    t0 + RESET_PASSWORD_TTL_MS,
  );
  expect(lateResult).toEqual(INVALID_LINK);
  const inTimeResult = await resetPassword(
    handle.db,
    { token: inTimeToken, password: NEW_PASSWORD },
    uniqueMeta(),
    t0 + RESET_PASSWORD_TTL_MS - 1,
  );
  expect(inTimeResult).toEqual({ ok: true, userId: inTime.id });
  expect(await passwordWorks(late.email, TEST_PASSWORD)).toBe(true);
});

test('ends every earlier reset link once one of them is used', async () => {
  const user = await makeUser(handle.db);
  const anon = anonymousCaller(handle.db, testDeps(), recordCookies(), uniqueMeta());
  await anon.account.requestPasswordReset({ email: user.email });
  const first = await resetTokenFor(user.email);
  await anon.account.requestPasswordReset({ email: user.email });
  const second = await resetTokenFor(user.email);
  await anon.account.resetPassword({ token: second, password: NEW_PASSWORD });
  expect((await trpcErrorOf(anon.account.resetPassword({ token: first, password: 'other passphrase' }))).code).toBe(
    'BAD_REQUEST',
  );
});

test('marks an unverified email verified when its reset link is used', async () => {
  const user = await makeUser(handle.db, { verified: false });
  const anon = anonymousCaller(handle.db, testDeps(), recordCookies(), uniqueMeta());
  await anon.account.requestPasswordReset({ email: user.email });
  await anon.account.resetPassword({ token: await resetTokenFor(user.email), password: NEW_PASSWORD });
  const [row] = await handle.db.select().from(users).where(eq(users.id, user.id));
  expect(row?.emailVerifiedAt).not.toBeNull();
});

test('answers a reset request for a known and an unknown email the same way and mails only the owner', async () => {
  const user = await makeUser(handle.db);
  const anon = anonymousCaller(handle.db, testDeps(), recordCookies(), uniqueMeta());
  const known = await anon.account.requestPasswordReset({ email: user.email });
  const before = await countAllRows(handle);
  const unknown = await anon.account.requestPasswordReset({ email: 'not-a-member@example.org' });
  expect(unknown).toEqual(known);
  const after = await countAllRows(handle);
  // New: the rate-limit counters for the unknown address (per mailbox, and per mailbox and address) and one
  // audit entry (a write on this path too, so its timing does not stand out); no token, no mail.
  expect(after).toEqual({
    ...before,
    rate_limits: (before.rate_limits ?? 0) + 2,
    audit_log: (before.audit_log ?? 0) + 1,
  });
  expect(await lastMailTo(handle.db, 'not-a-member@example.org')).toBeNull();
});

test('changes the password, ends every other session and keeps the current one', async () => {
  const user = await makeUser(handle.db);
  const other1 = await createSession(handle.db, user.id, true, TEST_META);
  const other2 = await createSession(handle.db, user.id, true, TEST_META);
  const { caller, ctx } = await callerFor(handle.db, user);
  await expect(
    caller.account.changePassword({ currentPassword: TEST_PASSWORD, newPassword: NEW_PASSWORD }),
  ).resolves.toEqual({ ok: true });
  const left = await handle.db.select().from(sessions).where(eq(sessions.userId, user.id));
  expect(left.map((s) => s.id)).toEqual([ctx.session?.id]);
  expect(left.map((s) => s.id)).not.toContain(other1.session.id);
  expect(left.map((s) => s.id)).not.toContain(other2.session.id);
  expect(await passwordWorks(user.email, NEW_PASSWORD)).toBe(true);
  expect((await lastMailTo(handle.db, user.email))?.subject).toBe('Your IECPA password was changed');
});

test('refuses a password change with a wrong current password and changes nothing', async () => {
  const user = await makeUser(handle.db);
  await createSession(handle.db, user.id, true, TEST_META);
  const { caller } = await callerFor(handle.db, user);
  const before = await countAllRows(handle);
  const error = await trpcErrorOf(
    caller.account.changePassword({ currentPassword: 'not my password', newPassword: NEW_PASSWORD }),
  );
  expect(error.code).toBe('BAD_REQUEST');
  // Only the counter of wrong current passwords (RATE_LIMITS.currentPassword) moves.
  expect(await countAllRows(handle)).toEqual({ ...before, rate_limits: (before.rate_limits ?? 0) + 1 });
  expect(await sessionCount(user.id)).toBe(2);
  expect(await passwordWorks(user.email, TEST_PASSWORD)).toBe(true);
});

test('refuses the current password as the new one, and changes nothing else', async () => {
  const user = await makeUser(handle.db);
  await createSession(handle.db, user.id, true, TEST_META);
  const { caller } = await callerFor(handle.db, user);
  const error = await trpcErrorOf(
    caller.account.changePassword({ currentPassword: TEST_PASSWORD, newPassword: TEST_PASSWORD }),
  );
  expect(error.code).toBe('BAD_REQUEST');
  expect(JSON.stringify(error.cause)).toContain('This is your current password. Choose a different one.');
  // The other session is not signed out: nothing changed.
  expect(await sessionCount(user.id)).toBe(2);
});

test('refuses a common password on change and on reset', async () => {
  const user = await makeUser(handle.db);
  const { caller } = await callerFor(handle.db, user);
  const change = await trpcErrorOf(
    caller.account.changePassword({ currentPassword: TEST_PASSWORD, newPassword: 'Password123' }),
  );
  expect(change.code).toBe('BAD_REQUEST');
  const anon = anonymousCaller(handle.db, testDeps(), recordCookies(), uniqueMeta());
  await anon.account.requestPasswordReset({ email: user.email });
  const token = await resetTokenFor(user.email);
  const reset = await trpcErrorOf(anon.account.resetPassword({ token, password: 'qwertyuiop' }));
  expect(reset.code).toBe('BAD_REQUEST');
  // The refused attempt did not use up the link.
  await expect(anon.account.resetPassword({ token, password: NEW_PASSWORD })).resolves.toEqual({ ok: true });
});

test('accepts a reset link once even when several requests use it at the same moment', async () => {
  const user = await makeUser(handle.db);
  await requestPasswordReset(handle.db, testDeps(), user.email, uniqueMeta());
  const token = await resetTokenFor(user.email);
  const results = await Promise.all(
    [1, 2, 3, 4].map((i) => resetPassword(handle.db, { token, password: `racing passphrase ${i}` }, uniqueMeta())),
  );
  expect(results.filter((r) => r.ok)).toHaveLength(1);
  expect(results.filter((r) => !r.ok)).toEqual(Array(3).fill(INVALID_LINK));
});

test('refuses a reset link as an email-verification link and the other way round', async () => {
  const user = await makeUser(handle.db, { verified: false });
  const anon = anonymousCaller(handle.db, testDeps(), recordCookies(), uniqueMeta());
  await anon.account.requestPasswordReset({ email: user.email });
  const resetToken = await resetTokenFor(user.email);
  expect((await trpcErrorOf(anon.account.verifyEmail({ token: resetToken }))).code).toBe('BAD_REQUEST');
  const [row] = await handle.db.select().from(users).where(eq(users.id, user.id));
  expect(row?.emailVerifiedAt).toBeNull();

  await signIn(handle.db, testDeps(), { email: user.email, password: TEST_PASSWORD }, uniqueMeta());
  const verifyMail = await lastMailTo(handle.db, user.email);
  const verifyToken = linkFrom(verifyMail?.textBody ?? '', '/verify-email').searchParams.get('token') ?? '';
  const error = await trpcErrorOf(anon.account.resetPassword({ token: verifyToken, password: NEW_PASSWORD }));
  expect(error.code).toBe('BAD_REQUEST');
  expect(await passwordWorks(user.email, NEW_PASSWORD)).toBe(false);
});

test('ends an outstanding reset link when the password is changed', async () => {
  const user = await makeUser(handle.db);
  const anon = anonymousCaller(handle.db, testDeps(), recordCookies(), uniqueMeta());
  await anon.account.requestPasswordReset({ email: user.email });
  const token = await resetTokenFor(user.email);
  const { caller } = await callerFor(handle.db, user);
  await caller.account.changePassword({ currentPassword: TEST_PASSWORD, newPassword: NEW_PASSWORD });
  const error = await trpcErrorOf(anon.account.resetPassword({ token, password: 'an attacker passphrase' }));
  expect(error.code).toBe('BAD_REQUEST');
  expect(await passwordWorks(user.email, NEW_PASSWORD)).toBe(true);
});

test('refuses a made-up reset link before judging the new password', async () => {
  const result = await resetPassword(
    handle.db,
    { token: 'abcdefghijklmnopqrstuvwxyz234567', password: 'password123' },
    uniqueMeta(),
  );
  expect(result).toEqual(INVALID_LINK);
});
