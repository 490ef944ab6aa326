import { eq } from 'drizzle-orm';
import { expect, test } from 'vitest';
import { users } from '#db/schema/index.ts';
import { registerInput } from '#src/lib/schemas.ts';
import { consumeRateLimit, RATE_LIMITS, rateLimitAddress } from '#src/server/auth/rate-limit.ts';
import { totpCodeAt } from '#src/server/auth/totp.ts';
import { registerUser, requestPasswordReset, signIn, verifySecondFactor } from '#src/server/services/accounts.ts';
import { useTestDb } from '#test/helpers/db.ts';
import {
  anonymousCaller,
  callerFor,
  makeUser,
  recordCookies,
  TEST_PASSWORD,
  testDeps,
  uniqueMeta,
} from '#test/helpers/factories.ts';
import { trpcErrorOf } from '#test/helpers/trpc.ts';

const handle = useTestDb();
const TOO_MANY = 'Too many attempts. Wait a few minutes and try again.';
const TOO_MANY_REFUSAL = { ok: false, code: 'TOO_MANY_REQUESTS', message: TOO_MANY };

let emailSequence = 0;
function newEmail(): string {
  emailSequence++;
  return `limited${emailSequence}@example.org`;
}

function registration(email: string) {
  return {
    name: 'Rate Limited',
    email,
    password: 'a long enough passphrase',
    country: 'FR',
    profession: 'technologist' as const,
    acceptEthics: true as const,
  };
}

/** The start of a fixed window for `windowMs` (windows are aligned to the epoch). */
function windowStart(windowMs: number): number {
  const t = Date.UTC(2026, 10, 10, 12, 0, 0);
  return t - (t % windowMs);
}

test('limits sign-in attempts per address, even with the right password, and says so', async () => {
  const user = await makeUser(handle.db);
  const meta = uniqueMeta();
  const anon = anonymousCaller(handle.db, testDeps(), recordCookies(), meta);
  for (let i = 0; i < RATE_LIMITS.signIn.limit; i++) {
    const error = await trpcErrorOf(anon.account.signIn({ email: newEmail(), password: 'wrong password' }));
    expect(error.code).toBe('UNAUTHORIZED');
  }
  const cookies = recordCookies();
  const limited = anonymousCaller(handle.db, testDeps(), cookies, meta);
  const error = await trpcErrorOf(limited.account.signIn({ email: user.email, password: TEST_PASSWORD }));
  expect(error.code).toBe('TOO_MANY_REQUESTS');
  expect(error.message).toBe(TOO_MANY);
  expect(cookies.token).toBeNull();
  // Another address is not affected.
  await expect(
    anonymousCaller(handle.db, testDeps(), recordCookies(), uniqueMeta()).account.signIn({
      email: user.email,
      password: TEST_PASSWORD,
    }),
  ).resolves.toEqual({ needsTwoFactor: false });
});

test('limits sign-in attempts per account across addresses', async () => {
  const user = await makeUser(handle.db);
  const other = await makeUser(handle.db);
  for (let i = 0; i < RATE_LIMITS.signIn.limit; i++) {
    const anon = anonymousCaller(handle.db, testDeps(), recordCookies(), uniqueMeta());
    await trpcErrorOf(anon.account.signIn({ email: user.email, password: 'wrong password' }));
  }
  const meta = uniqueMeta();
  const anon = anonymousCaller(handle.db, testDeps(), recordCookies(), meta);
  const error = await trpcErrorOf(anon.account.signIn({ email: user.email.toUpperCase(), password: TEST_PASSWORD }));
  expect(error.code).toBe('TOO_MANY_REQUESTS');
  await expect(anon.account.signIn({ email: other.email, password: TEST_PASSWORD })).resolves.toEqual({
    needsTwoFactor: false,
  });
});

test('lets sign-in attempts through again when the window has passed', async () => {
  const user = await makeUser(handle.db);
  const meta = uniqueMeta();
  const t0 = windowStart(RATE_LIMITS.signIn.windowMs);
  const attempt = (now: number, password = TEST_PASSWORD) =>
    signIn(handle.db, testDeps(), { email: user.email, password }, meta, now);
  // Failures count (a success gives its attempt back): after a sign-in, which also makes this the owner's
  // usual place (no account-wide delay), the limit's worth of wrong passwords fills the window.
  expect(await attempt(t0)).toMatchObject({ ok: true });
  for (let i = 1; i <= RATE_LIMITS.signIn.limit; i++) {
    expect(await attempt(t0 + i, 'wrong password')).toMatchObject({ ok: false, code: 'UNAUTHORIZED' });
  }
  expect(await attempt(t0 + RATE_LIMITS.signIn.windowMs - 1)).toEqual(TOO_MANY_REFUSAL);
  expect(await attempt(t0 + RATE_LIMITS.signIn.windowMs)).toMatchObject({ ok: true });
});

test('limits registrations per address and creates no account when refused', async () => {
  const meta = uniqueMeta();
  const anon = anonymousCaller(handle.db, testDeps(), recordCookies(), meta);
  for (let i = 0; i < RATE_LIMITS.register.limit; i++) {
    await expect(anon.account.register(registration(newEmail()))).resolves.toEqual({ ok: true });
  }
  const refusedEmail = newEmail();
  const error = await trpcErrorOf(anon.account.register(registration(refusedEmail)));
  expect(error.code).toBe('TOO_MANY_REQUESTS');
  expect(error.message).toBe(TOO_MANY);
  expect(await handle.db.select().from(users).where(eq(users.email, refusedEmail))).toHaveLength(0);
});

test('lets registrations through again when the window has passed', async () => {
  const meta = uniqueMeta();
  const t0 = windowStart(RATE_LIMITS.register.windowMs);
  const attempt = (now: number) =>
    registerUser(handle.db, testDeps(), registerInput.parse(registration(newEmail())), meta, now);
  for (let i = 0; i < RATE_LIMITS.register.limit; i++) expect(await attempt(t0 + i)).toEqual({ ok: true });
  expect(await attempt(t0 + RATE_LIMITS.register.windowMs - 1)).toEqual(TOO_MANY_REFUSAL);
  expect(await attempt(t0 + RATE_LIMITS.register.windowMs)).toEqual({ ok: true });
});

test('limits password-reset requests per address and per email from strangers, for known and unknown emails alike', async () => {
  const meta = uniqueMeta();
  const anon = anonymousCaller(handle.db, testDeps(), recordCookies(), meta);
  for (let i = 0; i < RATE_LIMITS.passwordReset.limit; i++) {
    await anon.account.requestPasswordReset({ email: newEmail() });
  }
  const byAddress = await trpcErrorOf(anon.account.requestPasswordReset({ email: newEmail() }));
  expect(byAddress.code).toBe('TOO_MANY_REQUESTS');

  // Per mailbox, from places its owner has not signed in from (lockout.test.ts shows the owner's own place).
  const user = await makeUser(handle.db);
  for (let i = 0; i < RATE_LIMITS.passwordResetPerEmail.limit; i++) {
    await anonymousCaller(handle.db, testDeps(), recordCookies(), uniqueMeta()).account.requestPasswordReset({
      email: user.email,
    });
  }
  const byEmail = await trpcErrorOf(
    anonymousCaller(handle.db, testDeps(), recordCookies(), uniqueMeta()).account.requestPasswordReset({
      email: user.email,
    }),
  );
  expect(byEmail.code).toBe('TOO_MANY_REQUESTS');
  expect(byEmail.message).toBe(byAddress.message);
});

test('lets password-reset requests through again when the window has passed', async () => {
  const user = await makeUser(handle.db);
  const meta = uniqueMeta();
  const t0 = windowStart(RATE_LIMITS.passwordReset.windowMs);
  const attempt = (now: number) => requestPasswordReset(handle.db, testDeps(), user.email, meta, now);
  for (let i = 0; i < RATE_LIMITS.passwordReset.limit; i++) expect(await attempt(t0 + i)).toEqual({ ok: true });
  expect(await attempt(t0 + RATE_LIMITS.passwordReset.windowMs - 1)).toEqual(TOO_MANY_REFUSAL);
  expect(await attempt(t0 + RATE_LIMITS.passwordReset.windowMs)).toEqual({ ok: true });
});

test('limits uses of reset links per address: the next is refused with 429 before the link is looked at', async () => {
  const meta = uniqueMeta();
  const anon = anonymousCaller(handle.db, testDeps(), recordCookies(), meta);
  const madeUp = 'a'.repeat(32);
  for (let i = 0; i < RATE_LIMITS.passwordResetUse.limit; i++) {
    expect(
      (await trpcErrorOf(anon.account.resetPassword({ token: madeUp, password: 'a fine new passphrase' }))).code,
    ).toBe('BAD_REQUEST');
  }
  const refused = await trpcErrorOf(anon.account.resetPassword({ token: madeUp, password: 'a fine new passphrase' }));
  expect(refused.code).toBe('TOO_MANY_REQUESTS');
  expect(refused.message).toBe(TOO_MANY);
  // Another address is not affected.
  const other = anonymousCaller(handle.db, testDeps(), recordCookies(), uniqueMeta());
  expect(
    (await trpcErrorOf(other.account.resetPassword({ token: madeUp, password: 'a fine new passphrase' }))).code,
  ).toBe('BAD_REQUEST');
});

test('limits second-factor attempts per account, even with the right code', async () => {
  const user = await makeUser(handle.db, { totp: true });
  const { caller, ctx } = await callerFor(handle.db, user, { twoFactorVerified: false });
  const good = totpCodeAt(user.totpSecret ?? '', Date.now());
  const wrong = good === '000000' ? '111111' : '000000';
  for (let i = 0; i < RATE_LIMITS.twoFactor.limit; i++) {
    // Wrong codes, or refused unread once the account-wide delay for unknown places starts (lockout.test.ts).
    expect(['BAD_REQUEST', 'TOO_MANY_REQUESTS']).toContain(
      (await trpcErrorOf(caller.account.verifySecondFactor({ code: wrong }))).code,
    );
  }
  const error = await trpcErrorOf(caller.account.verifySecondFactor({ code: good }));
  expect(error.code).toBe('TOO_MANY_REQUESTS');
  const session = ctx.session;
  if (!session) throw new Error('no session');
  const later = Date.now() + RATE_LIMITS.twoFactor.windowMs;
  const outcome = await verifySecondFactor(
    handle.db,
    session,
    totpCodeAt(user.totpSecret ?? '', later),
    uniqueMeta(),
    later,
  );
  expect(outcome).toEqual({ ok: true });
});

test('lets exactly the limit through when attempts arrive at the same moment', async () => {
  const rule = { limit: 10, windowMs: 60_000 };
  const now = Date.now();
  const allowed = await Promise.all(
    Array.from({ length: 25 }, () => consumeRateLimit(handle.db, 'race-key', rule, now)),
  );
  expect(allowed.filter(Boolean)).toHaveLength(rule.limit);
});

test('counts an IPv6 client by its /64 network and an IPv4 client by its address', () => {
  expect(rateLimitAddress('203.0.113.7')).toBe('203.0.113.7');
  expect(rateLimitAddress('::ffff:203.0.113.7')).toBe('203.0.113.7');
  expect(rateLimitAddress('2001:db8:1:2:aaaa:bbbb:cccc:dddd')).toBe('2001:db8:1:2::/64');
  expect(rateLimitAddress('2001:DB8:1:2::9')).toBe('2001:db8:1:2::/64');
  expect(rateLimitAddress('2001:0db8:0001:0002::9%eth0')).toBe('2001:db8:1:2::/64');
  expect(rateLimitAddress('2001:db8::1')).toBe('2001:db8:0:0::/64');
  expect(rateLimitAddress('::1')).toBe('0:0:0:0::/64');
  expect(rateLimitAddress('2001:db8:1:3::9')).not.toBe(rateLimitAddress('2001:db8:1:2::9'));
  // Not an address: counted as given rather than merged with anything.
  expect(rateLimitAddress('not-an-address')).toBe('not-an-address');
  expect(rateLimitAddress('1:2:3')).toBe('1:2:3');
});

test('limits registrations from one IPv6 /64 however many addresses it uses', async () => {
  const network = '3fff:0:0:1';
  for (let i = 0; i < RATE_LIMITS.register.limit; i++) {
    const anon = anonymousCaller(handle.db, testDeps(), recordCookies(), {
      ipAddress: `${network}::${(i + 1).toString(16)}`,
      userAgent: 'vitest',
    });
    await anon.account.register(registration(newEmail()));
  }
  const nextAddress = anonymousCaller(handle.db, testDeps(), recordCookies(), {
    ipAddress: `${network}:abcd:ef01:2345:6789`,
    userAgent: 'vitest',
  });
  expect((await trpcErrorOf(nextAddress.account.register(registration(newEmail())))).code).toBe('TOO_MANY_REQUESTS');
  const otherNetwork = anonymousCaller(handle.db, testDeps(), recordCookies(), {
    ipAddress: '3fff:0:0:2::1',
    userAgent: 'vitest',
  });
  await expect(otherNetwork.account.register(registration(newEmail()))).resolves.toEqual({ ok: true });
});
