import { eq } from 'drizzle-orm';
import { expect, test } from 'vitest';
import { consents, mailOutbox, sessions, users } from '#db/schema/index.ts';
import { CURRENT_ETHICS_VERSION } from '#src/lib/ethics.ts';
import { registerInput } from '#src/lib/schemas.ts';
import { validateSessionToken } from '#src/server/auth/session.ts';
import { registerUser, VERIFY_EMAIL_TTL_MS, verifyEmail } from '#src/server/services/accounts.ts';
import { useTestDb } from '#test/helpers/db.ts';
import {
  anonymousCaller,
  callerFromToken,
  lastMailTo,
  linkFrom,
  makeUser,
  recordCookies,
  TEST_PASSWORD,
  testDeps,
  uniqueMeta,
} from '#test/helpers/factories.ts';
import { trpcErrorOf } from '#test/helpers/trpc.ts';

const handle = useTestDb();
let emailSequence = 0;
function newEmail(): string {
  emailSequence++;
  return `person${emailSequence}@example.org`;
}

function registration(email: string, password = 'a long enough passphrase') {
  return {
    name: 'Ana Lima',
    email,
    password,
    country: 'BR',
    profession: 'nurse' as const,
    acceptEthics: true as const,
  };
}

function tokenFromLastMail(mail: { textBody: string } | null, path: string): string {
  return linkFrom(mail?.textBody ?? '', path).searchParams.get('token') ?? '';
}

test('registers, verifies by the mailed link, signs in and signs out', async () => {
  const deps = testDeps();
  const anon = anonymousCaller(handle.db, deps, recordCookies(), uniqueMeta());
  await anon.account.register(registration('Ana.Lima@Example.org'));
  const mail = await lastMailTo(handle.db, 'ana.lima@example.org');
  expect(mail?.subject).toContain('Confirm your email');
  const link = linkFrom(mail?.textBody ?? '', '/verify-email');
  expect(link.origin).toBe('http://portal.test');
  await anon.account.verifyEmail({ token: link.searchParams.get('token') ?? '' });

  const [user] = await handle.db.select().from(users).where(eq(users.email, 'ana.lima@example.org'));
  expect(user?.emailVerifiedAt).not.toBeNull();
  const [consent] = await handle.db
    .select()
    .from(consents)
    .where(eq(consents.userId, user?.id ?? ''));
  expect(consent?.version).toBe(CURRENT_ETHICS_VERSION);

  const cookies = recordCookies();
  const signInCaller = anonymousCaller(handle.db, deps, cookies, uniqueMeta());
  const result = await signInCaller.account.signIn({
    email: 'ana.lima@example.org',
    password: 'a long enough passphrase',
  });
  expect(result.needsTwoFactor).toBe(false);
  const token = cookies.token ?? '';
  expect(await validateSessionToken(handle.db, token)).not.toBeNull();

  const signedIn = await callerFromToken(handle.db, token);
  expect(await signedIn.caller.account.me()).toMatchObject({
    email: 'ana.lima@example.org',
    twoFactorPending: false,
  });
  const outCookies = recordCookies();
  const signingOut = await callerFromToken(handle.db, token, { cookies: outCookies });
  await signingOut.caller.account.signOut();
  expect(outCookies.cleared).toBe(true);
  expect(await validateSessionToken(handle.db, token)).toBeNull();
});

test('gives a new session token on every sign-in', async () => {
  const user = await makeUser(handle.db);
  const first = recordCookies();
  const second = recordCookies();
  await anonymousCaller(handle.db, testDeps(), first, uniqueMeta()).account.signIn({
    email: user.email,
    password: TEST_PASSWORD,
  });
  await anonymousCaller(handle.db, testDeps(), second, uniqueMeta()).account.signIn({
    email: user.email,
    password: TEST_PASSWORD,
  });
  expect(first.token).not.toBeNull();
  expect(second.token).not.toBe(first.token);
});

test('accepts a verification link only once', async () => {
  const email = newEmail();
  const anon = anonymousCaller(handle.db, testDeps(), recordCookies(), uniqueMeta());
  await anon.account.register(registration(email));
  const token = tokenFromLastMail(await lastMailTo(handle.db, email), '/verify-email');
  await expect(anon.account.verifyEmail({ token })).resolves.toEqual({ ok: true });
  const error = await trpcErrorOf(anon.account.verifyEmail({ token }));
  expect(error.code).toBe('BAD_REQUEST');
  expect(error.message).toContain('expired or was already used');
});

test('refuses a verification link after 48 hours and accepts it just before', async () => {
  const t0 = Date.UTC(2026, 10, 1, 9, 0, 0);
  const deps = testDeps();
  const late = newEmail();
  const inTime = newEmail();
  await registerUser(handle.db, deps, registerInput.parse(registration(late)), uniqueMeta(), t0);
  await registerUser(handle.db, deps, registerInput.parse(registration(inTime)), uniqueMeta(), t0);
  const lateToken = tokenFromLastMail(await lastMailTo(handle.db, late), '/verify-email');
  const inTimeToken = tokenFromLastMail(await lastMailTo(handle.db, inTime), '/verify-email');
  expect(await verifyEmail(handle.db, lateToken, t0 + VERIFY_EMAIL_TTL_MS)).toEqual({
    ok: false,
    code: 'BAD_REQUEST',
    message: 'This link has expired or was already used. Sign in and we will send you a new one.',
  });
  expect(await verifyEmail(handle.db, inTimeToken, t0 + VERIFY_EMAIL_TTL_MS - 1)).toEqual({ ok: true });
  const [lateUser] = await handle.db.select().from(users).where(eq(users.email, late));
  expect(lateUser?.emailVerifiedAt).toBeNull();
});

test('answers a registration with an existing email the same way and mails the owner instead', async () => {
  const email = newEmail();
  const anon = anonymousCaller(handle.db, testDeps(), recordCookies(), uniqueMeta());
  const first = await anon.account.register(registration(email));
  const [before] = await handle.db.select().from(users).where(eq(users.email, email));

  const again = await anon.account.register({
    ...registration(email.toUpperCase(), 'another long passphrase'),
    name: 'Someone Else',
  });
  expect(again).toEqual(first);
  const rows = await handle.db.select().from(users).where(eq(users.email, email));
  expect(rows).toHaveLength(1);
  expect(rows[0]?.name).toBe('Ana Lima');
  expect(rows[0]?.passwordHash).toBe(before?.passwordHash);
  const mail = await lastMailTo(handle.db, email);
  expect(mail?.subject).toBe('Someone tried to register with your email');
  expect(mail?.textBody).not.toContain('/verify-email');
});

test('refuses an unverified sign-in and mails a new verification link', async () => {
  const email = newEmail();
  const anon = anonymousCaller(handle.db, testDeps(), recordCookies(), uniqueMeta());
  await anon.account.register(registration(email));
  const firstToken = tokenFromLastMail(await lastMailTo(handle.db, email), '/verify-email');

  const cookies = recordCookies();
  const signIn = anonymousCaller(handle.db, testDeps(), cookies, uniqueMeta()).account.signIn({
    email,
    password: 'a long enough passphrase',
  });
  const error = await trpcErrorOf(signIn);
  expect(error.code).toBe('FORBIDDEN');
  expect(error.message).toContain('Confirm your email');
  expect(cookies.token).toBeNull();
  const [user] = await handle.db.select().from(users).where(eq(users.email, email));
  expect(
    await handle.db
      .select()
      .from(sessions)
      .where(eq(sessions.userId, user?.id ?? '')),
  ).toHaveLength(0);

  const secondToken = tokenFromLastMail(await lastMailTo(handle.db, email), '/verify-email');
  expect(secondToken).not.toBe(firstToken);
  await expect(anon.account.verifyEmail({ token: secondToken })).resolves.toEqual({ ok: true });
});

test('gives the identical error for a wrong password, an unknown email and an unverified wrong password', async () => {
  const verified = await makeUser(handle.db);
  const unverified = await makeUser(handle.db, { verified: false });
  const attempt = (email: string) =>
    trpcErrorOf(
      anonymousCaller(handle.db, testDeps(), recordCookies(), uniqueMeta()).account.signIn({
        email,
        password: 'not the password at all',
      }),
    );
  const wrongPassword = await attempt(verified.email);
  const unknownEmail = await attempt('nobody-here@example.org');
  const unverifiedWrong = await attempt(unverified.email);
  const shape = (e: { code: string; message: string }) => ({ code: e.code, message: e.message });
  expect(shape(wrongPassword)).toEqual({
    code: 'UNAUTHORIZED',
    message: 'That email and password do not match an account.',
  });
  expect(shape(unknownEmail)).toEqual(shape(wrongPassword));
  expect(shape(unverifiedWrong)).toEqual(shape(wrongPassword));
  const mails = await handle.db.select().from(mailOutbox).where(eq(mailOutbox.toAddress, unverified.email));
  expect(mails).toHaveLength(0);
});

test('signs in with the email in any letter case', async () => {
  const user = await makeUser(handle.db);
  const result = await anonymousCaller(handle.db, testDeps(), recordCookies(), uniqueMeta()).account.signIn({
    email: `  ${user.email.toUpperCase()} `,
    password: TEST_PASSWORD,
  });
  expect(result).toEqual({ needsTwoFactor: false });
});
