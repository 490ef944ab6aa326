import { eq } from 'drizzle-orm';
import { expect, test } from 'vitest';
import { sessions } from '#db/schema/index.ts';
import {
  createSession,
  SESSION_ABSOLUTE_TIMEOUT_MS,
  SESSION_IDLE_TIMEOUT_MS,
  sessionCookieName,
  sessionCookieOptions,
  validateSessionToken,
} from '#src/server/auth/session.ts';
import { useTestDb } from '#test/helpers/db.ts';
import { callerFor, makeUser, recordCookies, TEST_META } from '#test/helpers/factories.ts';
import { trpcErrorOf } from '#test/helpers/trpc.ts';

const handle = useTestDb();
const MINUTE_MS = 60 * 1000;

async function sessionExists(id: string): Promise<boolean> {
  return (await handle.db.select().from(sessions).where(eq(sessions.id, id))).length === 1;
}

test('validates an untouched token and returns its user with roles', async () => {
  const user = await makeUser(handle.db, { roles: ['member', 'reviewer'] });
  const { token, session } = await createSession(handle.db, user.id, true, TEST_META);
  const validated = await validateSessionToken(handle.db, token);
  expect(validated?.session.id).toBe(session.id);
  expect(validated?.user).toMatchObject({
    id: user.id,
    email: user.email,
    emailVerified: true,
    totpEnabled: false,
  });
  expect(validated?.user.roles.sort()).toEqual(['member', 'reviewer']);
});

test('treats a token with a wrong secret as signed out and keeps the session', async () => {
  const user = await makeUser(handle.db);
  const { token, session } = await createSession(handle.db, user.id, true, TEST_META);
  const [id, secret = ''] = token.split('.');
  const flipped = secret.at(-1) === 'a' ? `${secret.slice(0, -1)}b` : `${secret.slice(0, -1)}a`;
  expect(await validateSessionToken(handle.db, `${id}.${flipped}`)).toBeNull();
  expect(await validateSessionToken(handle.db, `${id}.${secret}x`)).toBeNull();
  expect(await sessionExists(session.id)).toBe(true);
});

test('treats malformed tokens as signed out', async () => {
  const user = await makeUser(handle.db);
  const { token } = await createSession(handle.db, user.id, true, TEST_META);
  const [id = '', secret = ''] = token.split('.');
  const malformed = ['', '.', id, `${id}.`, `.${secret}`, `${id}.${secret}.extra`, `${id}${secret}`, ' '];
  for (const bad of malformed) {
    expect(await validateSessionToken(handle.db, bad), JSON.stringify(bad)).toBeNull();
  }
});

test('treats a token for an unknown session id as signed out', async () => {
  const user = await makeUser(handle.db);
  const { token } = await createSession(handle.db, user.id, true, TEST_META);
  const secret = token.split('.')[1];
  expect(await validateSessionToken(handle.db, `aaaaaaaaaaaaaaaaaaaaaaaa.${secret}`)).toBeNull();
});

test('treats an overlong token as signed out', async () => {
  const user = await makeUser(handle.db);
  const { token } = await createSession(handle.db, user.id, true, TEST_META);
  const [id] = token.split('.');
  expect(await validateSessionToken(handle.db, `${id}.${'a'.repeat(10_000)}`)).toBeNull();
});

test('expires a session idle for longer than the idle timeout and deletes it', async () => {
  const t0 = Date.UTC(2026, 10, 3, 8, 0, 0);
  const user = await makeUser(handle.db);
  const active = await createSession(handle.db, user.id, true, TEST_META, t0);
  const idle = await createSession(handle.db, user.id, true, TEST_META, t0);
  expect(await validateSessionToken(handle.db, active.token, t0 + SESSION_IDLE_TIMEOUT_MS)).not.toBeNull();
  expect(await validateSessionToken(handle.db, idle.token, t0 + SESSION_IDLE_TIMEOUT_MS + 1)).toBeNull();
  expect(await sessionExists(idle.session.id)).toBe(false);
});

test('keeps a session alive while it is used, within the idle timeout', async () => {
  const t0 = Date.UTC(2026, 10, 3, 9, 0, 0);
  const user = await makeUser(handle.db);
  const { token } = await createSession(handle.db, user.id, true, TEST_META, t0);
  const step = SESSION_IDLE_TIMEOUT_MS - 10 * MINUTE_MS;
  expect(await validateSessionToken(handle.db, token, t0 + step)).not.toBeNull();
  expect(await validateSessionToken(handle.db, token, t0 + 2 * step)).not.toBeNull();
});

test('expires a session at the absolute timeout even when it is in use', async () => {
  const t0 = Date.UTC(2026, 10, 3, 10, 0, 0);
  const user = await makeUser(handle.db);
  const { token, session } = await createSession(handle.db, user.id, true, TEST_META, t0);
  const step = 50 * MINUTE_MS;
  let t = t0;
  while (t + step <= t0 + SESSION_ABSOLUTE_TIMEOUT_MS) {
    t += step;
    expect(await validateSessionToken(handle.db, token, t), `at ${(t - t0) / MINUTE_MS} min`).not.toBeNull();
  }
  const afterLimit = t0 + SESSION_ABSOLUTE_TIMEOUT_MS + 1;
  expect(afterLimit - t).toBeLessThan(SESSION_IDLE_TIMEOUT_MS);
  expect(await validateSessionToken(handle.db, token, afterLimit)).toBeNull();
  expect(await sessionExists(session.id)).toBe(false);
});

test('lists my sessions, marks the current one and shows no one else’s', async () => {
  const me = await makeUser(handle.db);
  const someoneElse = await makeUser(handle.db);
  await createSession(handle.db, someoneElse.id, true, TEST_META);
  const other = await createSession(handle.db, me.id, true, {
    userAgent: 'Firefox on a phone',
    ipAddress: '198.51.100.9',
  });
  const { caller, ctx } = await callerFor(handle.db, me);
  const list = await caller.account.sessions();
  expect(list.map((s) => s.id).sort()).toEqual([other.session.id, ctx.session?.id].sort());
  expect(list.find((s) => s.current)?.id).toBe(ctx.session?.id);
  expect(list.find((s) => !s.current)).toMatchObject({
    userAgent: 'Firefox on a phone',
    ipAddress: '198.51.100.9',
  });
});

test('ends one of my other sessions so that its token no longer works', async () => {
  const me = await makeUser(handle.db);
  const other = await createSession(handle.db, me.id, true, TEST_META);
  const cookies = recordCookies();
  const { caller, token } = await callerFor(handle.db, me, { cookies });
  await expect(caller.account.endSession({ sessionId: other.session.id })).resolves.toEqual({ ok: true });
  expect(await validateSessionToken(handle.db, other.token)).toBeNull();
  expect(await validateSessionToken(handle.db, token)).not.toBeNull();
  expect(cookies.cleared).toBe(false);
});

test('clears the cookie when I end my current session', async () => {
  const me = await makeUser(handle.db);
  const cookies = recordCookies();
  const { caller, ctx, token } = await callerFor(handle.db, me, { cookies });
  await caller.account.endSession({ sessionId: ctx.session?.id ?? '' });
  expect(cookies.cleared).toBe(true);
  expect(await validateSessionToken(handle.db, token)).toBeNull();
});

test('refuses to end another user’s session and leaves it alive', async () => {
  const me = await makeUser(handle.db);
  const victim = await makeUser(handle.db);
  const theirs = await createSession(handle.db, victim.id, true, TEST_META);
  const { caller } = await callerFor(handle.db, me);
  const error = await trpcErrorOf(caller.account.endSession({ sessionId: theirs.session.id }));
  expect(error.code).toBe('NOT_FOUND');
  expect(await validateSessionToken(handle.db, theirs.token)).not.toBeNull();
});

test('names the production cookie __Host- with Secure, HttpOnly, SameSite=Lax and Path=/', () => {
  expect(sessionCookieName(true)).toMatch(/^__Host-/);
  expect(sessionCookieOptions(true)).toEqual({
    httpOnly: true,
    secure: true,
    sameSite: 'lax',
    path: '/',
    maxAge: SESSION_ABSOLUTE_TIMEOUT_MS / 1000,
  });
  // Plain http on localhost in development: no __Host- prefix, since browsers refuse it without Secure.
  expect(sessionCookieName(false)).not.toMatch(/^__Host-/);
  expect(sessionCookieOptions(false).secure).toBe(false);
});
