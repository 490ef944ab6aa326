import { type Client, createClient, LibsqlError } from '@libsql/client';
import { eq } from 'drizzle-orm';
import { expect, test } from 'vitest';
import { openDb, readFirstRow } from '#db/client.ts';
import { migrateDb } from '#db/migrate.ts';
import { sessions, totpCredentials, userRoles, users } from '#db/schema/index.ts';
import { createSession, invalidateUserSessions, validateSessionToken } from '#src/server/auth/session.ts';
import { createTestDb, useTestDb } from '#test/helpers/db.ts';
import { callerFor, makeUser, TEST_META, TEST_PASSWORD } from '#test/helpers/factories.ts';

// The session check reads through a statement kept prepared on a read connection of its own
// (db/client.ts readFirstRow), and a token checked again before anything was committed is answered from the
// process's recent validations (session.ts). Every change below must show on the very next validation, after
// the token has been validated (and so remembered) at least once.

const handle = useTestDb();
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

test('sees a change committed by another connection (another process) at the next check', async () => {
  const user = await makeUser(handle.db, { roles: ['member'] });
  const { token, session } = await createSession(handle.db, user.id, true, TEST_META);
  expect((await validateSessionToken(handle.db, token))?.user.name).toBe(user.name);
  expect((await validateSessionToken(handle.db, token))?.user.name).toBe(user.name);
  const other = await openDb({ url: `file:${handle.path}` });
  try {
    await other.db.update(users).set({ name: 'Renamed Elsewhere' }).where(eq(users.id, user.id));
    expect((await validateSessionToken(handle.db, token))?.user.name).toBe('Renamed Elsewhere');
    await other.db.delete(sessions).where(eq(sessions.id, session.id));
    expect(await validateSessionToken(handle.db, token)).toBeNull();
  } finally {
    other.client.close();
  }
});

test('a remembered token still refreshes lastSeenAt after a minute and still times out', async () => {
  const user = await makeUser(handle.db);
  const start = Date.now();
  const { token, session } = await createSession(handle.db, user.id, true, TEST_META, start);
  expect(await validateSessionToken(handle.db, token, start + 1000)).not.toBeNull();
  expect(await validateSessionToken(handle.db, token, start + 2000)).not.toBeNull();
  const refreshedAt = start + 61_000;
  expect((await validateSessionToken(handle.db, token, refreshedAt))?.session.lastSeenAt).toBe(refreshedAt);
  const [row] = await handle.db.select().from(sessions).where(eq(sessions.id, session.id));
  expect(row?.lastSeenAt).toBe(refreshedAt);
  // Idle for over an hour since that refresh: refused, and the session removed.
  expect(await validateSessionToken(handle.db, token, refreshedAt + 60 * 60 * 1000 + 1)).toBeNull();
  expect(await handle.db.select().from(sessions).where(eq(sessions.id, session.id))).toEqual([]);
});

test('a remembered validation hands each caller its own copy', async () => {
  const user = await makeUser(handle.db, { roles: ['member'] });
  const { token } = await createSession(handle.db, user.id, true, TEST_META);
  const first = await validateSessionToken(handle.db, token);
  first?.user.roles.push('admin');
  if (first) first.user.name = 'Changed by a caller';
  const second = await validateSessionToken(handle.db, token);
  expect(second?.user.roles).toEqual(['member']);
  expect(second?.user.name).toBe(user.name);
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

// The client's SELECTs outside transactions take the same prepared path (db/client.ts withPreparedReads).
// A client on the same file without it is the reference for every answer.

async function reference(): Promise<Client> {
  return createClient({ url: `file:${handle.path}` });
}

test('answers SELECTs through the client with the same columns, types and rows as the plain client', async () => {
  const plain = await reference();
  try {
    await handle.client.execute(
      'create table if not exists shapes (id integer primary key, t text, r real, b blob, n)',
    );
    await handle.client.execute({
      sql: 'insert into shapes (t, r, b, n) values (?, ?, ?, ?), (?, ?, ?, ?)',
      args: ['a', 1.5, new Uint8Array([1, 2, 3]), null, 'b', -2, new Uint8Array([]), 7],
    });
    const sql = 'select id, t, r, b, n, t as t, id + 1 as next from shapes where id >= ? order by id';
    for (let i = 0; i < 2; i++) {
      const fast = await handle.client.execute({ sql, args: [1] });
      const slow = await plain.execute({ sql, args: [1] });
      expect(fast.columns).toEqual(slow.columns);
      expect(fast.columnTypes).toEqual(slow.columnTypes);
      expect(fast.rows.map((row) => ({ ...row }))).toEqual(slow.rows.map((row) => ({ ...row })));
      expect(fast.rows.map((row) => Array.from(row))).toEqual(slow.rows.map((row) => Array.from(row)));
      expect(fast.toJSON()).toEqual(slow.toJSON());
    }
  } finally {
    plain.close();
  }
});

test('refuses an integer beyond 2^53 through the client as the plain client does', async () => {
  await expect(handle.client.execute('select 9007199254740993 as big')).rejects.toThrow(RangeError);
  expect((await handle.client.execute('select 9007199254740991 as big')).rows[0]?.big).toBe(9007199254740991);
});

test('sees a committed write at the next run of the same SELECT', async () => {
  const user = await makeUser(handle.db, { name: 'Before' });
  const byId = () => handle.db.select({ name: users.name }).from(users).where(eq(users.id, user.id));
  expect(await byId()).toEqual([{ name: 'Before' }]);
  await handle.db.update(users).set({ name: 'After' }).where(eq(users.id, user.id));
  expect(await byId()).toEqual([{ name: 'After' }]);
});

test('shows a column added after a SELECT was first prepared', async () => {
  await handle.client.execute('create table if not exists grows (id integer primary key)');
  await handle.client.execute('insert into grows (id) values (1)');
  expect((await handle.client.execute('select * from grows')).columns).toEqual(['id']);
  await handle.client.execute('alter table grows add column label text');
  expect((await handle.client.execute('select * from grows')).columns).toEqual(['id', 'label']);
  await handle.client.executeMultiple('alter table grows add column note text;');
  expect((await handle.client.execute('select * from grows')).columns).toEqual(['id', 'label', 'note']);
});

test('fails a bad SELECT with the plain client’s error, and keeps answering afterwards', async () => {
  const plain = await reference();
  try {
    const expected = await plain.execute('select * from no_such_table').catch((error: unknown) => error);
    const actual = await handle.client.execute('select * from no_such_table').catch((error: unknown) => error);
    expect(actual).toBeInstanceOf(LibsqlError);
    expect((actual as LibsqlError).code).toBe((expected as LibsqlError).code);
    expect((actual as Error).message).toBe((expected as Error).message);
    expect((await handle.client.execute('select 1 as one')).rows[0]?.one).toBe(1);
  } finally {
    plain.close();
  }
});

test('binds named arguments, booleans and numbers as the plain client does', async () => {
  const named = await handle.client.execute({ sql: 'select :a as a, $b as b', args: { a: 'x', b: 2 } });
  expect({ ...named.rows[0] }).toEqual({ a: 'x', b: 2 });
  const positional = await handle.client.execute({ sql: 'select ? as yes, ? as no, ? as n', args: [true, false, 2.5] });
  expect({ ...positional.rows[0] }).toEqual({ yes: 1, no: 0, n: 2.5 });
});

test('keeps a transaction’s uncommitted writes out of the client’s SELECTs and in its own', async () => {
  const user = await makeUser(handle.db, { name: 'Committed' });
  const sql = 'select name from users where id = ?';
  const tx = await handle.client.transaction('write');
  try {
    await tx.execute({ sql: 'update users set name = ? where id = ?', args: ['Pending', user.id] });
    expect((await tx.execute({ sql, args: [user.id] })).rows[0]?.name).toBe('Pending');
    expect((await handle.client.execute({ sql, args: [user.id] })).rows[0]?.name).toBe('Committed');
  } finally {
    await tx.rollback();
  }
  expect((await handle.client.execute({ sql, args: [user.id] })).rows[0]?.name).toBe('Committed');
});

test('answers correctly past the number of SELECTs it keeps prepared', async () => {
  for (let i = 0; i < 600; i++) {
    expect((await handle.client.execute({ sql: `select ? + ${i} as n`, args: [1] })).rows[0]?.n).toBe(i + 1);
  }
  expect((await handle.client.execute({ sql: 'select ? + 0 as n', args: [5] })).rows[0]?.n).toBe(5);
});
