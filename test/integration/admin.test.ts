import { and, eq } from 'drizzle-orm';
import { beforeAll, expect, test } from 'vitest';
import { auditLog, userRoles } from '#db/schema/index.ts';
import { validateSessionToken } from '#src/server/auth/session.ts';
import { USERS_PAGE_SIZE } from '#src/server/services/admin.ts';
import { countAllRows, scratchTestDb, useTestDb } from '#test/helpers/db.ts';
import { callerFor, type MadeUser, makeUser } from '#test/helpers/factories.ts';
import { trpcErrorOf } from '#test/helpers/trpc.ts';

const handle = useTestDb();
let admin: MadeUser;
let adminCaller: Awaited<ReturnType<typeof callerFor>>['caller'];

beforeAll(async () => {
  admin = await makeUser(handle.db, { roles: ['member', 'admin'], totp: true, name: 'Ada Admin' });
  adminCaller = (await callerFor(handle.db, admin)).caller;
});

async function rolesOf(userId: string): Promise<string[]> {
  const rows = await handle.db.select().from(userRoles).where(eq(userRoles.userId, userId));
  return rows.map((r) => r.role).sort();
}

async function auditFor(subjectId: string) {
  return handle.db.select().from(auditLog).where(eq(auditLog.subjectId, subjectId));
}

test('finds users by any part of the name or email, ignoring letter case', async () => {
  const zelda = await makeUser(handle.db, { name: 'Zelda Quintanilla', email: 'z.quintanilla@hospital.example' });
  await makeUser(handle.db, { name: 'Someone Unrelated' });
  const byName = await adminCaller.admin.users({ query: 'qUINTAN', page: 1 });
  expect(byName.items.map((u) => u.id)).toEqual([zelda.id]);
  const byEmail = await adminCaller.admin.users({ query: 'HOSPITAL.EXAMPLE', page: 1 });
  expect(byEmail.items.map((u) => u.id)).toEqual([zelda.id]);
  expect(byEmail.items[0]).toMatchObject({ name: 'Zelda Quintanilla', emailVerified: true, roles: ['member'] });
});

test('finds names with letters beyond ASCII in any letter case', async () => {
  const user = await makeUser(handle.db, { name: 'Ödön Çelik-Østergaard' });
  for (const query of ['Ödön', 'ödön', 'ÖDÖN', 'çelik', 'ØSTERGAARD', 'k-ø']) {
    const found = await adminCaller.admin.users({ query, page: 1 });
    expect(
      found.items.map((u) => u.id),
      query,
    ).toEqual([user.id]);
  }
});

test('treats GLOB wildcards * ? and [ in a search as literal characters', async () => {
  const star = await makeUser(handle.db, { name: 'Stella *Star* Bracket[1]?' });
  await makeUser(handle.db, { name: 'Stella Xstarx Bracket1' });
  for (const query of ['*star*', 'bracket[1]', ']?', '[']) {
    expect(
      (await adminCaller.admin.users({ query, page: 1 })).items.map((u) => u.id),
      query,
    ).toEqual([star.id]);
  }
});

test('treats % and _ in a search as literal characters', async () => {
  const percent = await makeUser(handle.db, { name: 'Percy 100% Sure' });
  await makeUser(handle.db, { name: 'Percy 1000 Sure' });
  const underscore = await makeUser(handle.db, { name: 'Una Under_Score' });
  await makeUser(handle.db, { name: 'Una UnderXScore' });
  expect((await adminCaller.admin.users({ query: '0%', page: 1 })).items.map((u) => u.id)).toEqual([percent.id]);
  expect((await adminCaller.admin.users({ query: 'r_s', page: 1 })).items.map((u) => u.id)).toEqual([underscore.id]);
  expect((await adminCaller.admin.users({ query: '%', page: 1 })).items.map((u) => u.id)).toEqual([percent.id]);
  expect((await adminCaller.admin.users({ query: '\\', page: 1 })).items).toEqual([]);
});

test('pages through a search: full pages, a short last page, no repeats, clamped page numbers', async () => {
  const count = 2 * USERS_PAGE_SIZE + 5;
  const made: string[] = [];
  for (let i = 0; i < count; i++) made.push((await makeUser(handle.db, { name: `Pager Person ${i}` })).id);
  const pages = [];
  for (let page = 1; page <= 3; page++) pages.push(await adminCaller.admin.users({ query: 'pager person', page }));
  expect(pages.map((p) => p.items.length)).toEqual([USERS_PAGE_SIZE, USERS_PAGE_SIZE, 5]);
  expect(pages.every((p) => p.total === count && p.pageCount === 3)).toBe(true);
  const seen = pages.flatMap((p) => p.items.map((u) => u.id));
  expect(new Set(seen).size).toBe(count);
  expect(seen.sort()).toEqual(made.sort());
  const beyond = await adminCaller.admin.users({ query: 'pager person', page: 99 });
  expect(beyond.page).toBe(3);
  expect(beyond.items.map((u) => u.id)).toEqual(pages[2]?.items.map((u) => u.id));
});

test('lists everyone when the search is empty', async () => {
  const all = await adminCaller.admin.users({ query: '', page: 1 });
  const [row] = (await handle.client.execute('select count(*) as n from users')).rows;
  expect(all.total).toBe(Number(row?.n));
});

test('grants and revokes a role, audits each change, and the user’s next request sees it', async () => {
  const user = await makeUser(handle.db);
  const { token } = await callerFor(handle.db, user);
  await expect(adminCaller.admin.setRole({ userId: user.id, role: 'educator', granted: true })).resolves.toEqual({
    ok: true,
    changed: true,
  });
  expect(await rolesOf(user.id)).toEqual(['educator', 'member']);
  expect((await validateSessionToken(handle.db, token))?.user.roles).toContain('educator');

  await expect(adminCaller.admin.setRole({ userId: user.id, role: 'educator', granted: false })).resolves.toEqual({
    ok: true,
    changed: true,
  });
  expect(await rolesOf(user.id)).toEqual(['member']);
  expect((await validateSessionToken(handle.db, token))?.user.roles).not.toContain('educator');

  const audit = await auditFor(user.id);
  expect(audit.map((a) => [a.action, a.actorId, JSON.parse(a.details)])).toEqual([
    ['admin.role-granted', admin.id, { role: 'educator' }],
    ['admin.role-revoked', admin.id, { role: 'educator' }],
  ]);
});

test('records who granted a role', async () => {
  const user = await makeUser(handle.db);
  await adminCaller.admin.setRole({ userId: user.id, role: 'reviewer', granted: true });
  const [row] = await handle.db
    .select()
    .from(userRoles)
    .where(and(eq(userRoles.userId, user.id), eq(userRoles.role, 'reviewer')));
  expect(row?.grantedBy).toBe(admin.id);
});

test('reports no change and audits nothing when the role is already as asked', async () => {
  const user = await makeUser(handle.db, { roles: ['member', 'reviewer'] });
  expect(await adminCaller.admin.setRole({ userId: user.id, role: 'reviewer', granted: true })).toEqual({
    ok: true,
    changed: false,
  });
  expect(await adminCaller.admin.setRole({ userId: user.id, role: 'editor', granted: false })).toEqual({
    ok: true,
    changed: false,
  });
  expect(await auditFor(user.id)).toHaveLength(0);
});

test('refuses to revoke the admin role from the last administrator', async () => {
  const solo = await scratchTestDb();
  const onlyAdmin = await makeUser(solo.db, { roles: ['member', 'admin'], totp: true });
  const { caller } = await callerFor(solo.db, onlyAdmin);
  const before = await countAllRows(solo);
  const error = await trpcErrorOf(caller.admin.setRole({ userId: onlyAdmin.id, role: 'admin', granted: false }));
  expect(error.code).toBe('BAD_REQUEST');
  expect(error.message).toContain('at least one administrator');
  expect(await countAllRows(solo)).toEqual(before);

  const second = await makeUser(solo.db, { roles: ['member'] });
  await caller.admin.setRole({ userId: second.id, role: 'admin', granted: true });
  await expect(caller.admin.setRole({ userId: onlyAdmin.id, role: 'admin', granted: false })).resolves.toEqual({
    ok: true,
    changed: true,
  });
});

test('answers NOT_FOUND for an unknown user and writes nothing', async () => {
  const before = await countAllRows(handle);
  for (const granted of [true, false]) {
    const error = await trpcErrorOf(adminCaller.admin.setRole({ userId: 'no-such-user', role: 'member', granted }));
    expect(error.code).toBe('NOT_FOUND');
  }
  expect(await countAllRows(handle)).toEqual(before);
});

test('shows the outbox newest first to an admin', async () => {
  const { caller } = await callerFor(handle.db, admin);
  await caller.account.requestPasswordReset({ email: admin.email });
  const outbox = await caller.admin.outbox({ page: 1 });
  expect(outbox.items[0]).toMatchObject({
    toAddress: admin.email,
    subject: 'Reset your IECPA password',
    status: 'stored',
  });
});
