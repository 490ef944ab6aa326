import { and, eq } from 'drizzle-orm';
import { beforeAll, expect, test } from 'vitest';
import type { DbHandle } from '#db/client.ts';
import { auditLog } from '#db/schema/index.ts';
import { ACCOUNT_BACKOFF, backoffDelayMs } from '#src/server/auth/lockout.ts';
import { RATE_LIMITS } from '#src/server/auth/rate-limit.ts';
import { totpCodeAt } from '#src/server/auth/totp.ts';
import { signIn, verifySecondFactor } from '#src/server/services/accounts.ts';
import type { RequestMeta } from '#src/server/services/deps.ts';
import { createTestDb } from '#test/helpers/db.ts';
import {
  anonymousCaller,
  callerFor,
  type MadeUser,
  makeUser,
  recordCookies,
  TEST_PASSWORD,
  testDeps,
  uniqueMeta,
} from '#test/helpers/factories.ts';
import { outcomeOf } from '#test/helpers/trpc.ts';

let handle: DbHandle;
beforeAll(async () => {
  handle = await createTestDb();
});

/** The owner signs in once from `meta`, which makes it their usual place. */
async function ownerSignsInFrom(user: MadeUser, meta: RequestMeta): Promise<void> {
  const caller = anonymousCaller(handle.db, testDeps(), recordCookies(), meta);
  await expect(caller.account.signIn({ email: user.email, password: TEST_PASSWORD })).resolves.toEqual({
    needsTwoFactor: false,
  });
}

/** Failures counted before delays begin, plus the one that starts them; later guesses are refused unread. */
const ANSWERED_GUESSES = ACCOUNT_BACKOFF.freeFailures + 1;

async function wrongPasswordsFromTenAddresses(email: string): Promise<void> {
  for (let i = 0; i < 10; i++) {
    const stranger = anonymousCaller(handle.db, testDeps(), recordCookies(), uniqueMeta());
    const expected = i < ANSWERED_GUESSES ? 'UNAUTHORIZED' : 'TOO_MANY_REQUESTS';
    expect(await outcomeOf(stranger.account.signIn({ email, password: 'not the password' }))).toBe(expected);
  }
}

async function auditActionsAbout(userId: string, action: string): Promise<number> {
  const rows = await handle.db
    .select({ id: auditLog.id })
    .from(auditLog)
    .where(and(eq(auditLog.subjectId, userId), eq(auditLog.action, action)));
  return rows.length;
}

test('ten wrong passwords from ten addresses do not lock the owner out of their usual place', async () => {
  const user = await makeUser(handle.db);
  const home = uniqueMeta();
  await ownerSignsInFrom(user, home);
  await wrongPasswordsFromTenAddresses(user.email);
  // Case and padding variants name the same account: still the owner's own allowance from home.
  const owner = anonymousCaller(handle.db, testDeps(), recordCookies(), home);
  await expect(
    owner.account.signIn({ email: ` ${user.email.toUpperCase()} `, password: TEST_PASSWORD }),
  ).resolves.toEqual({
    needsTwoFactor: false,
  });
});

test('guesses spread over many addresses meet a growing delay, which the owner is told about', async () => {
  const user = await makeUser(handle.db);
  await wrongPasswordsFromTenAddresses(user.email);
  // An eleventh place, even with the right password, must wait: spreading guesses does not get round it.
  const fresh = anonymousCaller(handle.db, testDeps(), recordCookies(), uniqueMeta());
  expect(await outcomeOf(fresh.account.signIn({ email: user.email, password: TEST_PASSWORD }))).toBe(
    'TOO_MANY_REQUESTS',
  );
  expect(await auditActionsAbout(user.id, 'auth.sign-in-throttled')).toBe(1);
  // Once the delay after the last counted failure has passed, a new place may try again.
  const later = Date.now() + backoffDelayMs(ANSWERED_GUESSES) + 1_000;
  expect(
    (await signIn(handle.db, testDeps(), { email: user.email, password: TEST_PASSWORD }, uniqueMeta(), later)).ok,
  ).toBe(true);
});

test('the delay grows with each failure from unknown places and is capped', () => {
  expect(backoffDelayMs(ACCOUNT_BACKOFF.freeFailures)).toBe(0);
  expect(backoffDelayMs(ACCOUNT_BACKOFF.freeFailures + 1)).toBe(ACCOUNT_BACKOFF.baseDelayMs);
  expect(backoffDelayMs(ACCOUNT_BACKOFF.freeFailures + 2)).toBe(2 * ACCOUNT_BACKOFF.baseDelayMs);
  expect(backoffDelayMs(1_000)).toBe(ACCOUNT_BACKOFF.maxDelayMs);
});

test('one address guessing one account is still stopped at the per-account-and-address limit', async () => {
  const user = await makeUser(handle.db);
  const home = uniqueMeta();
  await ownerSignsInFrom(user, home);
  const owner = anonymousCaller(handle.db, testDeps(), recordCookies(), home);
  // The successful sign-in gave its attempt back: the limit counts the wrong ones.
  for (let i = 1; i <= RATE_LIMITS.signIn.limit; i++) {
    expect(await outcomeOf(owner.account.signIn({ email: user.email, password: 'not the password' }))).toBe(
      'UNAUTHORIZED',
    );
  }
  expect(await outcomeOf(owner.account.signIn({ email: user.email, password: 'not the password' }))).toBe(
    'TOO_MANY_REQUESTS',
  );
});

test('people signing in behind one office address are not stopped by each other’s successes', async () => {
  const office = uniqueMeta();
  for (let i = 0; i <= RATE_LIMITS.signIn.limit + 2; i++) {
    const colleague = await makeUser(handle.db);
    const caller = anonymousCaller(handle.db, testDeps(), recordCookies(), office);
    expect(await outcomeOf(caller.account.signIn({ email: colleague.email, password: TEST_PASSWORD }))).toBe('OK');
  }
});

test('a signed-in session guessing the current password is stopped at the limit; the owner is not', async () => {
  const user = await makeUser(handle.db);
  const { caller } = await callerFor(handle.db, user);
  const change = (currentPassword: string) =>
    outcomeOf(caller.account.changePassword({ currentPassword, newPassword: 'a new long passphrase 2026' }));
  // Typing it right gives the attempt back.
  expect(await outcomeOf(caller.account.disableTotp({ password: TEST_PASSWORD }))).not.toBe('TOO_MANY_REQUESTS');
  for (let i = 0; i < RATE_LIMITS.currentPassword.limit; i++) expect(await change('a wrong guess')).toBe('BAD_REQUEST');
  expect(await change('a wrong guess')).toBe('TOO_MANY_REQUESTS');
  expect(await change(TEST_PASSWORD)).toBe('TOO_MANY_REQUESTS');
  expect(await outcomeOf(caller.account.disableTotp({ password: 'a wrong guess' }))).toBe('TOO_MANY_REQUESTS');
});

test('reset requests by strangers do not stop the owner asking from their usual place', async () => {
  const user = await makeUser(handle.db);
  const home = uniqueMeta();
  await ownerSignsInFrom(user, home);
  for (let i = 0; i < RATE_LIMITS.passwordReset.limit + 1; i++) {
    const stranger = anonymousCaller(handle.db, testDeps(), recordCookies(), uniqueMeta());
    expect(await outcomeOf(stranger.account.requestPasswordReset({ email: user.email }))).toBe('OK');
  }
  const owner = anonymousCaller(handle.db, testDeps(), recordCookies(), home);
  expect(await outcomeOf(owner.account.requestPasswordReset({ email: user.email }))).toBe('OK');
});

test('ten wrong second-factor codes from other places do not block the right one from the usual place', async () => {
  const user = await makeUser(handle.db, { totp: true });
  const secret = user.totpSecret ?? '';
  const home = uniqueMeta();
  const first = await callerFor(handle.db, user, { twoFactorVerified: false, meta: home });
  const t0 = Date.now();
  const firstSession = first.ctx.session;
  if (!firstSession) throw new Error('no session');
  expect(await verifySecondFactor(handle.db, firstSession, totpCodeAt(secret, t0), home, t0)).toEqual({ ok: true });

  const good = totpCodeAt(secret, t0 + 30_000);
  const wrong = good === '000000' ? '111111' : '000000';
  for (let i = 0; i < 10; i++) {
    const stranger = await callerFor(handle.db, user, { twoFactorVerified: false, meta: uniqueMeta() });
    const expected = i < ANSWERED_GUESSES ? 'BAD_REQUEST' : 'TOO_MANY_REQUESTS';
    expect(await outcomeOf(stranger.caller.account.verifySecondFactor({ code: wrong }))).toBe(expected);
  }
  expect(await auditActionsAbout(user.id, 'auth.two-factor-throttled')).toBe(1);
  const again = await callerFor(handle.db, user, { twoFactorVerified: false, meta: home });
  const session = again.ctx.session;
  if (!session) throw new Error('no session');
  expect(await verifySecondFactor(handle.db, session, good, home, t0 + 30_000)).toEqual({ ok: true });
  const elsewhere = await callerFor(handle.db, user, { twoFactorVerified: false, meta: uniqueMeta() });
  const elsewhereSession = elsewhere.ctx.session;
  if (!elsewhereSession) throw new Error('no session');
  expect(await verifySecondFactor(handle.db, elsewhereSession, good, uniqueMeta(), Date.now())).toMatchObject({
    ok: false,
    code: 'TOO_MANY_REQUESTS',
  });
});

test('the owner sees on their security page when guessing from elsewhere was slowed down', async () => {
  const user = await makeUser(handle.db);
  const { caller } = await callerFor(handle.db, user);
  expect(await caller.account.securityEvents()).toEqual([]);
  await wrongPasswordsFromTenAddresses(user.email);
  const events = await caller.account.securityEvents();
  expect(events).toHaveLength(1);
  expect(events[0]?.kind).toBe('password');
  expect(Math.abs((events[0]?.at ?? 0) - Date.now())).toBeLessThan(60_000);
  // Nobody else's page shows it.
  const other = await callerFor(handle.db, await makeUser(handle.db));
  expect(await other.caller.account.securityEvents()).toEqual([]);
});
