import { eq } from 'drizzle-orm';
import { expect, test } from 'vitest';
import { userRoles, users } from '#db/schema/index.ts';
import { registerInput } from '#src/lib/schemas.ts';
import { registerUser, signIn, verifyEmail } from '#src/server/services/accounts.ts';
import { setUserRole } from '#src/server/services/admin.ts';
import { scratchTestDb, useTestDb } from '#test/helpers/db.ts';
import { makeUser, TEST_PASSWORD, testDeps, uniqueMeta } from '#test/helpers/factories.ts';

/**
 * Requests served at the same moment by one process. The embedded driver is synchronous, so two writers
 * meeting at SQLite's lock used to freeze the event loop for the busy timeout (5 s) and fail the second.
 */
const handle = useTestDb();
/** Well under the 5 s busy timeout that a lock collision used to cost per request. */
const PROMPT_MS = 2500;

test('serves concurrent transactions promptly and without SQLITE_BUSY', async () => {
  const started = performance.now();
  const results = await Promise.allSettled(
    Array.from({ length: 6 }, () => verifyEmail(handle.db, 'abcdefghijklmnopqrstuvwxyz234567')),
  );
  expect(results.map((r) => (r.status === 'fulfilled' ? r.value : String(r.reason)))).toEqual(
    Array(6).fill({
      ok: false,
      code: 'BAD_REQUEST',
      message: 'This link has expired or was already used. Sign in and we will send you a new one.',
    }),
  );
  expect(performance.now() - started).toBeLessThan(PROMPT_MS);
});

test('serves registrations, sign-ins and reads at the same moment', async () => {
  const existing = await makeUser(handle.db);
  const input = (i: number) =>
    registerInput.parse({
      name: `Concurrent ${i}`,
      email: `concurrent${i}@example.org`,
      password: 'a long enough passphrase',
      country: 'SE',
      profession: 'nurse',
      acceptEthics: true,
    });
  const work = [
    ...[1, 2, 3, 4].map((i) => registerUser(handle.db, testDeps(), input(i), uniqueMeta())),
    ...[1, 2, 3].map(() =>
      signIn(handle.db, testDeps(), { email: existing.email, password: TEST_PASSWORD }, uniqueMeta()),
    ),
    ...[1, 2, 3].map(() => handle.db.select().from(users)),
  ];
  const results = await Promise.allSettled(work);
  expect(
    results.filter((r) => r.status === 'rejected').map((r) => String((r as PromiseRejectedResult).reason)),
  ).toEqual([]);
  for (const i of [1, 2, 3, 4]) {
    expect(
      await handle.db
        .select()
        .from(users)
        .where(eq(users.email, `concurrent${i}@example.org`)),
    ).toHaveLength(1);
  }
});

test('keeps one administrator when the last two revoke each other at the same moment', async () => {
  const solo = await scratchTestDb();
  const a = await makeUser(solo.db, { roles: ['member', 'admin'] });
  const b = await makeUser(solo.db, { roles: ['member', 'admin'] });
  const started = performance.now();
  const results = await Promise.all([
    setUserRole(solo.db, a.id, { userId: b.id, role: 'admin', granted: false }, uniqueMeta()),
    setUserRole(solo.db, b.id, { userId: a.id, role: 'admin', granted: false }, uniqueMeta()),
  ]);
  expect(performance.now() - started).toBeLessThan(PROMPT_MS);
  expect(results).toEqual([
    { ok: true, changed: true },
    {
      ok: false,
      code: 'BAD_REQUEST',
      message: 'The portal needs at least one administrator. Grant the role to someone else first.',
    },
  ]);
  expect(await solo.db.select().from(userRoles).where(eq(userRoles.role, 'admin'))).toHaveLength(1);
});

test('lets a transaction read through the client while it is open', async () => {
  const user = await makeUser(handle.db);
  const started = performance.now();
  const name = await handle.db.transaction(async (tx) => {
    await tx.update(users).set({ name: 'Renamed In Transaction' }).where(eq(users.id, user.id));
    const [outside] = await handle.db.select({ name: users.name }).from(users).where(eq(users.id, user.id));
    return outside?.name;
  });
  // The read outside the transaction sees the committed state, and does not wait for the transaction.
  expect(name).toBe(user.name);
  expect(performance.now() - started).toBeLessThan(PROMPT_MS);
});
