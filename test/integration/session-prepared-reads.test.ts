import { eq } from 'drizzle-orm';
import { beforeAll, expect, test } from 'vitest';
import { type DbHandle, openDb, readFirstRow } from '#db/client.ts';
import { migrateDb } from '#db/migrate.ts';
import { sessions, totpCredentials, userRoles, users } from '#db/schema/index.ts';
import { createSession, invalidateUserSessions, validateSessionToken } from '#src/server/auth/session.ts';
import { createTestDb } from '#test/helpers/db.ts';
import { callerFor, makeUser, TEST_META, TEST_PASSWORD } from '#test/helpers/factories.ts';

// The session check reads through a statement kept prepared on a read connection of its own
// (db/client.ts readFirstRow). Nothing may be cached across requests: every change below must show on the
// very next validation, after that statement has already run at least once.

let handle: DbHandle & { path: string };
beforeAll(async () => {
  handle = await createTestDb();
});

test('refuses an ended session at the next check after it was valid', async () => {
  const user = await makeUser(handle.db);
  const { token, session } = await createSession(handle.db, user.id, true, TEST_META);
  expect((await validateSessionToken(handle.db, token))?.session.id).toBe(session.id);
  await handle.db.delete(sessions).where(eq(sessions.id, session.id));
  expect(await validateSessionToken(handle.db, token)).toBeNull();
});

test('refuses the other sessions at the next check after a password change, keeps the one that changed it', async () => {
  const user = await makeUser(handle.db);
  const { caller, token } = await callerFor(handle.db, user);
  const other = await createSession(handle.db, user.id, true, TEST_META);
  expect(await validateSessionToken(handle.db, other.token)).not.toBeNull();
  await caller.account.changePassword({
    currentPassword: TEST_PASSWORD,
    newPassword: 'a different horse battery staple',
  });
  expect(await validateSessionToken(handle.db, other.token)).toBeNull();
  expect(await validateSessionToken(handle.db, token)).not.toBeNull();
});

test('shows a revoked role, a granted role and a new second factor at the next check', async () => {
  const user = await makeUser(handle.db, { roles: ['member', 'educator'] });
  const { token } = await createSession(handle.db, user.id, true, TEST_META);
  expect((await validateSessionToken(handle.db, token))?.user.roles.sort()).toEqual(['educator', 'member']);

  await handle.db.delete(userRoles).where(eq(userRoles.role, 'educator'));
  await handle.db.insert(userRoles).values({ userId: user.id, role: 'reviewer', grantedAt: 1, grantedBy: null });
  await handle.db
    .insert(totpCredentials)
    .values({ userId: user.id, secret: 'JBSWY3DPEHPK3PXP', createdAt: 1, lastUsedStep: 0 });
  await handle.db.update(users).set({ name: 'Renamed' }).where(eq(users.id, user.id));

  const validated = await validateSessionToken(handle.db, token);
  expect(validated?.user.roles.sort()).toEqual(['member', 'reviewer']);
  expect(validated?.user.totpEnabled).toBe(true);
  expect(validated?.user.name).toBe('Renamed');
});

test('does not see a write before its transaction commits, and sees it right after', async () => {
  const user = await makeUser(handle.db);
  const { token, session } = await createSession(handle.db, user.id, true, TEST_META);
  const tx = await handle.client.transaction('write');
  await tx.execute({ sql: 'delete from sessions where id = ?', args: [session.id] });
  expect(await validateSessionToken(handle.db, token)).not.toBeNull();
  await tx.commit();
  expect(await validateSessionToken(handle.db, token)).toBeNull();
});

test('gives the same answers through the client when there is no file (in-memory database)', async () => {
  const memory = await openDb({ url: 'file::memory:' });
  try {
    await migrateDb(memory.db);
    const user = await makeUser(memory.db, { roles: ['member', 'examiner'], totp: true });
    const { token, session } = await createSession(memory.db, user.id, false, TEST_META);
    const validated = await validateSessionToken(memory.db, token);
    expect(validated?.session).toMatchObject({ id: session.id, userId: user.id, twoFactorVerified: false });
    expect(validated?.user).toMatchObject({ email: user.email, emailVerified: true, totpEnabled: true });
    expect(validated?.user.roles.sort()).toEqual(['examiner', 'member']);
    await invalidateUserSessions(memory.db, user.id);
    expect(await validateSessionToken(memory.db, token)).toBeNull();
  } finally {
    memory.client.close();
  }
});

test('returns a row as its column values in order, and undefined when there is none', async () => {
  const user = await makeUser(handle.db, { name: 'Ada Row' });
  const sql = 'select id, name, email_verified_at is null from users where id = ?';
  expect(await readFirstRow(handle.db, sql, [user.id])).toEqual([user.id, 'Ada Row', 0]);
  expect(await readFirstRow(handle.db, sql, ['no-such-user'])).toBeUndefined();
});

test('refuses to write through the read connection', async () => {
  const user = await makeUser(handle.db);
  await expect(readFirstRow(handle.db, 'delete from users where id = ? returning id', [user.id])).rejects.toThrow(
    /readonly|read-only|query_only/i,
  );
  expect(await handle.db.select({ id: users.id }).from(users).where(eq(users.id, user.id))).toHaveLength(1);
});

test('keeps answering correctly past the number of statements it keeps prepared', async () => {
  const user = await makeUser(handle.db, { name: 'Many Statements' });
  for (let i = 0; i < 100; i++) {
    const row = await readFirstRow(handle.db, `select name, ${i} from users where id = ?`, [user.id]);
    expect(row).toEqual(['Many Statements', i]);
  }
});

test('refuses to read after the client is closed instead of opening the file again', async () => {
  const own = await createTestDb();
  const user = await makeUser(own.db);
  expect(await readFirstRow(own.db, 'select id from users where id = ?', [user.id])).toEqual([user.id]);
  own.client.close();
  await expect(readFirstRow(own.db, 'select id from users where id = ?', [user.id])).rejects.toThrow(/closed/);
});

test('leaves no read open after a query with many more rows than the first: the next check sees new writes', async () => {
  const user = await makeUser(handle.db);
  const { token, session } = await createSession(handle.db, user.id, true, TEST_META);
  expect(await validateSessionToken(handle.db, token)).not.toBeNull();
  // 1000 rows per user, read from the file: more than the driver fetches in one go.
  const manyRows =
    'with recursive n(i) as (select 1 union all select i + 1 from n where i < 1000) select n.i from users, n';
  expect(await readFirstRow(handle.db, manyRows, [])).toEqual([1]);
  await handle.db.delete(sessions).where(eq(sessions.id, session.id));
  expect(await validateSessionToken(handle.db, token)).toBeNull();
});
