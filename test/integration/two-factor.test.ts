import { eq } from 'drizzle-orm';
import { expect, test } from 'vitest';
import { recoveryCodes, totpCredentials } from '#db/schema/index.ts';
import type { Role } from '#src/lib/roles.ts';
import { TOTP_PERIOD_S, totpCodeAt } from '#src/server/auth/totp.ts';
import { RECOVERY_CODE_COUNT, verifySecondFactor } from '#src/server/services/accounts.ts';
import { countAllRows, useTestDb } from '#test/helpers/db.ts';
import {
  anonymousCaller,
  callerFor,
  callerFromToken,
  lastMailTo,
  type MadeUser,
  makeUser,
  recordCookies,
  TEST_PASSWORD,
  testDeps,
  uniqueMeta,
} from '#test/helpers/factories.ts';
import { trpcErrorOf } from '#test/helpers/trpc.ts';

const handle = useTestDb();
async function hasTotp(userId: string): Promise<boolean> {
  return (await handle.db.select().from(totpCredentials).where(eq(totpCredentials.userId, userId))).length === 1;
}

/** Signs in with the password; returns the (pending) session token. */
async function signInPending(user: MadeUser): Promise<string> {
  const cookies = recordCookies();
  const result = await anonymousCaller(handle.db, testDeps(), cookies, uniqueMeta()).account.signIn({
    email: user.email,
    password: TEST_PASSWORD,
  });
  expect(result).toEqual({ needsTwoFactor: true });
  return cookies.token ?? '';
}

async function enrol(user: MadeUser): Promise<{ secret: string; recoveryCodes: string[] }> {
  const { caller } = await callerFor(handle.db, user);
  const { secret } = await caller.account.beginTotp();
  const { recoveryCodes } = await caller.account.confirmTotp({
    secret,
    code: totpCodeAt(secret, Date.now()),
  });
  return { secret, recoveryCodes };
}

test('enrols TOTP with a code from the app and issues ten distinct recovery codes', async () => {
  const user = await makeUser(handle.db);
  const { caller } = await callerFor(handle.db, user);
  const { secret, keyUri } = await caller.account.beginTotp();
  expect(secret).toMatch(/^[A-Z2-7]{32}$/);
  expect(keyUri).toMatch(/^otpauth:\/\/totp\/IECPA:/);
  expect(keyUri).toContain(`secret=${secret}`);
  const { recoveryCodes: codes } = await caller.account.confirmTotp({
    secret,
    code: totpCodeAt(secret, Date.now()),
  });
  expect(codes).toHaveLength(RECOVERY_CODE_COUNT);
  expect(new Set(codes).size).toBe(RECOVERY_CODE_COUNT);
  for (const code of codes) expect(code).toMatch(/^[a-z2-7]{5}-[a-z2-7]{5}$/);
  const stored = await handle.db.select().from(recoveryCodes).where(eq(recoveryCodes.userId, user.id));
  expect(stored.map((r) => r.codeHash)).not.toContain(codes[0]);

  const { caller: fresh } = await callerFor(handle.db, user);
  expect(await fresh.account.twoFactorStatus()).toEqual({
    enabled: true,
    required: false,
    recoveryCodesLeft: 10,
  });
});

test('refuses to enrol TOTP with a wrong code and stores nothing', async () => {
  const user = await makeUser(handle.db);
  const { caller } = await callerFor(handle.db, user);
  const { secret } = await caller.account.beginTotp();
  const good = totpCodeAt(secret, Date.now());
  const wrong = good === '000000' ? '111111' : '000000';
  const before = await countAllRows(handle);
  const error = await trpcErrorOf(caller.account.confirmTotp({ secret, code: wrong }));
  expect(error.code).toBe('BAD_REQUEST');
  expect(await countAllRows(handle)).toEqual(before);
  expect(await hasTotp(user.id)).toBe(false);
});

test('makes a TOTP user’s sign-in pending: protected procedures refuse until the second factor is given', async () => {
  const user = await makeUser(handle.db, { totp: true });
  const token = await signInPending(user);
  const pending = await callerFromToken(handle.db, token);
  expect(await pending.caller.account.me()).toMatchObject({ id: user.id, twoFactorPending: true });
  const refused = await trpcErrorOf(pending.caller.account.sessions());
  expect(refused.code).toBe('UNAUTHORIZED');
  expect(refused.message).toContain('two-factor code');

  await expect(
    pending.caller.account.verifySecondFactor({ code: totpCodeAt(user.totpSecret ?? '', Date.now()) }),
  ).resolves.toEqual({ ok: true });
  const done = await callerFromToken(handle.db, token);
  expect(await done.caller.account.me()).toMatchObject({ twoFactorPending: false });
  await expect(done.caller.account.sessions()).resolves.toHaveLength(1);
});

test('refuses a wrong second-factor code and leaves the session pending', async () => {
  const user = await makeUser(handle.db, { totp: true });
  const token = await signInPending(user);
  const pending = await callerFromToken(handle.db, token);
  const good = totpCodeAt(user.totpSecret ?? '', Date.now());
  const error = await trpcErrorOf(
    pending.caller.account.verifySecondFactor({ code: good === '123456' ? '654321' : '123456' }),
  );
  expect(error.code).toBe('BAD_REQUEST');
  expect((await callerFromToken(handle.db, token)).ctx.session?.twoFactorVerified).toBe(false);
});

test('refuses a TOTP code that was already used, even on another session', async () => {
  const user = await makeUser(handle.db, { totp: true });
  const code = totpCodeAt(user.totpSecret ?? '', Date.now());
  const first = await callerFromToken(handle.db, await signInPending(user));
  await first.caller.account.verifySecondFactor({ code });
  const second = await callerFromToken(handle.db, await signInPending(user));
  const error = await trpcErrorOf(second.caller.account.verifySecondFactor({ code }));
  expect(error.code).toBe('BAD_REQUEST');
});

test('accepts the code of the next time step after an earlier step was used', async () => {
  const user = await makeUser(handle.db, { totp: true });
  const secret = user.totpSecret ?? '';
  const first = await callerFor(handle.db, user, { twoFactorVerified: false });
  const second = await callerFor(handle.db, user, { twoFactorVerified: false });
  // A fixed clock, so that no step boundary falls between making a code and checking it.
  const t = Date.UTC(2026, 10, 23, 12, 0, 10);
  const previousStepCode = totpCodeAt(secret, t - TOTP_PERIOD_S * 1000);
  const firstSession = first.ctx.session;
  const secondSession = second.ctx.session;
  if (!firstSession || !secondSession) throw new Error('no session');
  expect(await verifySecondFactor(handle.db, firstSession, previousStepCode, uniqueMeta(), t)).toEqual({ ok: true });
  expect(await verifySecondFactor(handle.db, secondSession, previousStepCode, uniqueMeta(), t)).toMatchObject({
    ok: false,
    code: 'BAD_REQUEST',
    fieldErrors: { code: 'That code is not valid. Enter the current code or an unused recovery code.' },
  });
  expect(await verifySecondFactor(handle.db, secondSession, totpCodeAt(secret, t), uniqueMeta(), t)).toEqual({
    ok: true,
  });
});

test('accepts a recovery code once, in any letter case', async () => {
  const user = await makeUser(handle.db);
  const { recoveryCodes: codes } = await enrol(user);
  const code = codes[3] ?? '';
  const first = await callerFromToken(handle.db, await signInPending(user));
  await expect(first.caller.account.verifySecondFactor({ code: code.toUpperCase() })).resolves.toEqual({
    ok: true,
  });
  const second = await callerFromToken(handle.db, await signInPending(user));
  expect((await trpcErrorOf(second.caller.account.verifySecondFactor({ code }))).code).toBe('BAD_REQUEST');
  const status = await (await callerFor(handle.db, user)).caller.account.twoFactorStatus();
  expect(status.recoveryCodesLeft).toBe(RECOVERY_CODE_COUNT - 1);
});

test('refuses another user’s recovery code', async () => {
  const owner = await makeUser(handle.db);
  const { recoveryCodes: codes } = await enrol(owner);
  const other = await makeUser(handle.db);
  await enrol(other);
  const pending = await callerFromToken(handle.db, await signInPending(other));
  expect((await trpcErrorOf(pending.caller.account.verifySecondFactor({ code: codes[0] ?? '' }))).code).toBe(
    'BAD_REQUEST',
  );
});

test('refuses to turn off TOTP for the admin, examiner and editor roles', async () => {
  for (const role of ['admin', 'examiner', 'editor'] satisfies Role[]) {
    const user = await makeUser(handle.db, { roles: ['member', role], totp: true });
    const { caller } = await callerFor(handle.db, user);
    const error = await trpcErrorOf(caller.account.disableTotp({ password: TEST_PASSWORD }));
    expect(error.code, role).toBe('FORBIDDEN');
    expect(await hasTotp(user.id), role).toBe(true);
  }
});

test('turns off TOTP for a member with the right password only', async () => {
  const user = await makeUser(handle.db);
  await enrol(user);
  expect((await lastMailTo(handle.db, user.email))?.subject).toBe('Two-factor authentication is on');
  const { caller } = await callerFor(handle.db, user);
  expect((await trpcErrorOf(caller.account.disableTotp({ password: 'not my password' }))).code).toBe('BAD_REQUEST');
  expect(await hasTotp(user.id)).toBe(true);
  await expect(caller.account.disableTotp({ password: TEST_PASSWORD })).resolves.toEqual({ ok: true });
  expect(await hasTotp(user.id)).toBe(false);
  // The owner is told by email: if it was not them, they learn at once.
  expect((await lastMailTo(handle.db, user.email))?.subject).toBe('Two-factor authentication was turned off');
  expect(await handle.db.select().from(recoveryCodes).where(eq(recoveryCodes.userId, user.id))).toHaveLength(0);
});

test('lets a pending session sign out', async () => {
  const user = await makeUser(handle.db, { totp: true });
  const token = await signInPending(user);
  const pending = await callerFromToken(handle.db, token);
  await expect(pending.caller.account.signOut()).resolves.toEqual({ ok: true });
  expect((await callerFromToken(handle.db, token)).ctx.session).toBeNull();
});

test('refuses to replace a working second factor without turning it off first', async () => {
  const user = await makeUser(handle.db, { totp: true });
  const { caller } = await callerFor(handle.db, user);
  const { secret } = await caller.account.beginTotp();
  const error = await trpcErrorOf(caller.account.confirmTotp({ secret, code: totpCodeAt(secret, Date.now()) }));
  expect(error.code).toBe('BAD_REQUEST');
  const rows = await handle.db.select().from(totpCredentials).where(eq(totpCredentials.userId, user.id));
  expect(rows[0]?.secret).toBe(user.totpSecret);
});
