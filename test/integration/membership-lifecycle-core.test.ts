import { eq } from 'drizzle-orm';
import { beforeAll, expect, test } from 'vitest';
import { auditLog, membershipEvents, memberships } from '#db/schema/index.ts';
import {
  activateMembership,
  createPendingMembership,
  discardPendingMembership,
  MembershipTransitionError,
} from '#src/server/services/membership-lifecycle.ts';
import { countAllRows, useTestDb } from '#test/helpers/db.ts';
import { type MadeUser, makeUser } from '#test/helpers/factories.ts';

const handle = useTestDb();
let admin: MadeUser;

beforeAll(async () => {
  admin = await makeUser(handle.db, { roles: ['member', 'admin'] });
});

async function membershipOf(userId: string) {
  const [row] = await handle.db.select().from(memberships).where(eq(memberships.userId, userId));
  return row ?? null;
}

async function eventKinds(userId: string): Promise<string[]> {
  const rows = await handle.db
    .select()
    .from(membershipEvents)
    .where(eq(membershipEvents.userId, userId))
    .orderBy(membershipEvents.at);
  return rows.map((r) => r.kind);
}

test('a first application makes a pending membership once; approval numbers it and sets a one-year period', async () => {
  const user = await makeUser(handle.db);
  const now = Date.UTC(2031, 4, 10, 12);
  await handle.db.transaction((tx) =>
    createPendingMembership(tx, { userId: user.id, categoryId: 'practitioner', now }),
  );
  await handle.db.transaction((tx) =>
    createPendingMembership(tx, { userId: user.id, categoryId: 'student', now: now + 1 }),
  );
  expect(await membershipOf(user.id)).toMatchObject({ status: 'pending', categoryId: 'practitioner', number: null });

  const { number } = await handle.db.transaction((tx) =>
    activateMembership(tx, { userId: user.id, categoryId: 'practitioner', actorId: admin.id, now }),
  );
  expect(number).toMatch(/^IECPA-2031-\d{5}$/);
  expect(await membershipOf(user.id)).toMatchObject({
    status: 'active',
    number,
    joinedAt: now,
    currentPeriodStartsAt: now,
    expiresAt: Date.UTC(2032, 4, 10, 12),
  });
  expect(await eventKinds(user.id)).toEqual(['applied', 'approved']);
  const audit = await handle.db.select().from(auditLog).where(eq(auditLog.subjectId, user.id));
  expect(audit.map((a) => a.action)).toEqual(['membership.pending', 'membership.activated']);
});

test('numbers follow each other within a year and restart the next year', async () => {
  const a = await makeUser(handle.db);
  const b = await makeUser(handle.db);
  const c = await makeUser(handle.db);
  const at = (userId: string, now: number) =>
    handle.db.transaction((tx) => activateMembership(tx, { userId, categoryId: 'student', actorId: admin.id, now }));
  const first = await at(a.id, Date.UTC(2040, 0, 5));
  const second = await at(b.id, Date.UTC(2040, 11, 31));
  const third = await at(c.id, Date.UTC(2041, 0, 1));
  expect([first.number, second.number, third.number]).toEqual([
    'IECPA-2040-00001',
    'IECPA-2040-00002',
    'IECPA-2041-00001',
  ]);
});

test('approval for another category keeps the number and an annual period; lifetime has no expiry', async () => {
  const user = await makeUser(handle.db);
  const now = Date.UTC(2032, 1, 1);
  const { number } = await handle.db.transaction((tx) =>
    activateMembership(tx, { userId: user.id, categoryId: 'student', actorId: admin.id, now }),
  );
  const again = await handle.db.transaction((tx) =>
    activateMembership(tx, { userId: user.id, categoryId: 'practitioner', actorId: admin.id, now: now + 1000 }),
  );
  expect(again.number).toBe(number);
  expect(await membershipOf(user.id)).toMatchObject({
    categoryId: 'practitioner',
    expiresAt: Date.UTC(2033, 1, 1),
    joinedAt: now,
  });
  await handle.db.transaction((tx) =>
    activateMembership(tx, { userId: user.id, categoryId: 'founding', actorId: admin.id, now: now + 2000 }),
  );
  expect(await membershipOf(user.id)).toMatchObject({ categoryId: 'founding', expiresAt: null, number });
  expect(await eventKinds(user.id)).toEqual(['approved', 'category-changed', 'category-changed']);
});

test('a rejected first application removes the pending row but keeps the history; members are untouched', async () => {
  const applicant = await makeUser(handle.db);
  const now = Date.UTC(2033, 3, 3);
  await handle.db.transaction((tx) =>
    createPendingMembership(tx, { userId: applicant.id, categoryId: 'practitioner', now }),
  );
  await handle.db.transaction((tx) =>
    discardPendingMembership(tx, { userId: applicant.id, actorId: admin.id, now: now + 1, reason: 'No licence' }),
  );
  expect(await membershipOf(applicant.id)).toBeNull();
  expect(await eventKinds(applicant.id)).toEqual(['applied', 'application-rejected']);

  const member = await makeUser(handle.db);
  await handle.db.transaction((tx) =>
    activateMembership(tx, { userId: member.id, categoryId: 'student', actorId: admin.id, now }),
  );
  await handle.db.transaction((tx) =>
    discardPendingMembership(tx, { userId: member.id, actorId: admin.id, now: now + 1, reason: 'x' }),
  );
  expect(await membershipOf(member.id)).toMatchObject({ status: 'active' });
});

test('activation refuses an unknown category and a suspended member, writing nothing', async () => {
  const user = await makeUser(handle.db);
  const now = Date.UTC(2034, 0, 1);
  await handle.db.transaction((tx) =>
    activateMembership(tx, { userId: user.id, categoryId: 'student', actorId: admin.id, now }),
  );
  await handle.db.update(memberships).set({ status: 'suspended' }).where(eq(memberships.userId, user.id));
  const before = await countAllRows(handle);
  await expect(
    handle.db.transaction((tx) =>
      activateMembership(tx, { userId: user.id, categoryId: 'practitioner', actorId: admin.id, now }),
    ),
  ).rejects.toBeInstanceOf(MembershipTransitionError);
  const other = await makeUser(handle.db);
  const beforeOther = await countAllRows(handle);
  await expect(
    handle.db.transaction((tx) =>
      activateMembership(tx, { userId: other.id, categoryId: 'no-such', actorId: admin.id, now }),
    ),
  ).rejects.toThrow(/No membership category/);
  expect(await countAllRows(handle)).toEqual(beforeOther);
  expect(before.memberships).toBe(beforeOther.memberships);
});
