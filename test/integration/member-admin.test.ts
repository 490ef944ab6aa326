import { and, eq } from 'drizzle-orm';
import { expect, test } from 'vitest';
import type { Db } from '#db/client.ts';
import { auditLog, type MembershipStatus, mailOutbox, memberProfiles, memberships } from '#db/schema/index.ts';
import { DAY_MS } from '#src/lib/dates.ts';
import { csvCell } from '#src/server/csv.ts';
import { exportMembersCsv, MEMBERS_PAGE_SIZE } from '#src/server/services/member-admin.ts';
import { countAllRows, scratchTestDb, useTestDb } from '#test/helpers/db.ts';
import { callerFor, type MadeUser, makeUser, TEST_META } from '#test/helpers/factories.ts';
import { trpcErrorOf } from '#test/helpers/trpc.ts';

let numberSequence = 0;

interface MemberSpec {
  name?: string;
  email?: string;
  status?: MembershipStatus;
  categoryId?: string;
  /** Country of practice on the profile; without it the account's country (DE from makeUser) counts. */
  country?: string;
  city?: string;
  expiresAt?: number | null;
  numbered?: boolean;
}

/** A user with a membership row (and a profile when a country or city is given), written directly. */
async function makeMember(db: Db, spec: MemberSpec = {}): Promise<MadeUser & { number: string | null }> {
  const user = await makeUser(db, { name: spec.name, email: spec.email });
  const status = spec.status ?? 'active';
  const number =
    spec.numbered === false || status === 'pending' ? null : `IECPA-2026-${String(++numberSequence).padStart(5, '0')}`;
  const now = Date.now();
  await db.insert(memberships).values({
    userId: user.id,
    categoryId: spec.categoryId ?? 'practitioner',
    number,
    status,
    joinedAt: status === 'pending' ? null : now - 100 * DAY_MS,
    currentPeriodStartsAt: status === 'pending' ? null : now - 100 * DAY_MS,
    expiresAt: spec.expiresAt === undefined ? (status === 'pending' ? null : now + 265 * DAY_MS) : spec.expiresAt,
    statusChangedAt: now,
    statusReason: null,
  });
  if (spec.country || spec.city) {
    await db.insert(memberProfiles).values({
      userId: user.id,
      bio: '',
      bioVisibility: 'public',
      practiceName: '',
      city: spec.city ?? '',
      country: spec.country ?? '',
      locationVisibility: 'public',
      languagesJson: '[]',
      languagesVisibility: 'public',
      specialtiesJson: '[]',
      specialtiesVisibility: 'public',
      photoStoredName: null,
      photoMimeType: null,
      photoVisibility: 'hidden',
      listed: true,
      updatedAt: now,
    });
  }
  return { ...user, number };
}

async function adminCaller(db: Db) {
  const admin = await makeUser(db, { roles: ['member', 'admin'], totp: true });
  return { admin, caller: (await callerFor(db, admin)).caller };
}

async function mailsTo(db: Db, address: string): Promise<{ subject: string; textBody: string }[]> {
  return db.select().from(mailOutbox).where(eq(mailOutbox.toAddress, address));
}

const shared = useTestDb();
test('counts members by status, by category and by country, zeros included', async () => {
  const handle = await scratchTestDb();
  const { db } = handle;
  await makeMember(db, { status: 'active', country: 'FR' });
  await makeMember(db, { status: 'active', country: 'FR' });
  await makeMember(db, { status: 'grace', categoryId: 'student', country: 'JP' });
  await makeMember(db, { status: 'lapsed' }); // no profile: the account's country, DE
  await makeMember(db, { status: 'pending', categoryId: 'honorary', country: 'US' });
  await makeMember(db, { status: 'suspended', categoryId: 'founding', expiresAt: null, country: 'FR' });
  const { caller } = await adminCaller(db);

  const stats = await caller.memberAdmin.stats();

  expect(stats.total).toBe(6);
  expect(stats.byStatus).toEqual([
    { status: 'pending', count: 1 },
    { status: 'active', count: 2 },
    { status: 'grace', count: 1 },
    { status: 'lapsed', count: 1 },
    { status: 'suspended', count: 1 },
    { status: 'resigned', count: 0 },
  ]);
  expect(stats.byCategory.map((c) => [c.categoryId, c.count])).toEqual([
    ['practitioner', 3],
    ['founding', 1],
    ['honorary', 1],
    ['student', 1],
    ['institutional', 0],
  ]);
  expect(stats.byCountry).toEqual([
    { country: 'FR', count: 3 },
    { country: 'DE', count: 1 },
    { country: 'JP', count: 1 },
    { country: 'US', count: 1 },
  ]);
});

test('finds members by any part of the name ignoring case, by email and by membership number', async () => {
  const { caller } = await adminCaller(shared.db);
  const ostergaard = await makeMember(shared.db, { name: 'Søren Østergaard', email: 'soren.search@example.dk' });
  await makeMember(shared.db, { name: 'Somebody Else' });

  const byName = await caller.memberAdmin.search({ query: 'østergaard' });
  expect(byName.items.map((m) => m.userId)).toEqual([ostergaard.id]);
  const byEmail = await caller.memberAdmin.search({ query: 'SOREN.SEARCH@' });
  expect(byEmail.items.map((m) => m.userId)).toEqual([ostergaard.id]);
  const byNumber = await caller.memberAdmin.search({ query: (ostergaard.number ?? '').toLowerCase() });
  expect(byNumber.items.map((m) => m.userId)).toEqual([ostergaard.id]);
  expect(byNumber.items[0]).toMatchObject({ name: 'Søren Østergaard', status: 'active', categoryName: 'Practitioner' });
});

test('filters by status, category and country together and pages the result', async () => {
  const handle = await scratchTestDb();
  const { db } = handle;
  for (let i = 0; i < MEMBERS_PAGE_SIZE + 2; i++) {
    await makeMember(db, { name: `Page Member ${String(i).padStart(2, '0')}`, country: 'BR', city: 'Recife' });
  }
  const lapsedInBrazil = await makeMember(db, { name: 'Lapsed Brazil', status: 'lapsed', country: 'BR' });
  await makeMember(db, { name: 'Lapsed Germany', status: 'lapsed' });
  const studentInBrazil = await makeMember(db, { name: 'Student Brazil', categoryId: 'student', country: 'BR' });
  const { caller } = await adminCaller(db);

  const lapsed = await caller.memberAdmin.search({ status: 'lapsed', country: 'BR' });
  expect(lapsed.items.map((m) => m.userId)).toEqual([lapsedInBrazil.id]);
  const students = await caller.memberAdmin.search({ categoryId: 'student' });
  expect(students.items.map((m) => m.userId)).toEqual([studentInBrazil.id]);

  const first = await caller.memberAdmin.search({ status: 'active', categoryId: 'practitioner', country: 'BR' });
  expect(first.total).toBe(MEMBERS_PAGE_SIZE + 2);
  expect(first.pageCount).toBe(2);
  expect(first.items).toHaveLength(MEMBERS_PAGE_SIZE);
  expect(first.items[0]).toMatchObject({ name: 'Page Member 00', city: 'Recife', country: 'BR' });
  const second = await caller.memberAdmin.search({
    status: 'active',
    categoryId: 'practitioner',
    country: 'BR',
    page: 2,
  });
  expect(second.items.map((m) => m.name)).toEqual([
    `Page Member ${MEMBERS_PAGE_SIZE}`,
    `Page Member ${MEMBERS_PAGE_SIZE + 1}`,
  ]);
});

test('exports the filtered list as CSV with only the ticked fields, in a fixed order, and audits it without the search text', async () => {
  const handle = await scratchTestDb();
  const { db } = handle;
  const member = await makeMember(db, {
    name: 'Csv Person',
    country: 'NL',
    city: 'Utrecht',
    expiresAt: Date.UTC(2027, 2, 9),
  });
  await makeMember(db, { name: 'Other Country', country: 'IT' });
  const { admin } = await adminCaller(db);

  const { csv, rowCount } = await exportMembersCsv(
    db,
    admin.id,
    { filter: { query: 'csv person', country: 'NL' }, fields: ['expires', 'city', 'name', 'number'] },
    TEST_META,
  );

  expect(rowCount).toBe(1);
  expect(csv).toBe(
    `\uFEFF"number","name","city","expires"\r\n"${member.number}","Csv Person","Utrecht","2027-03-09"\r\n`,
  );
  const audit = await db.select().from(auditLog).where(eq(auditLog.action, 'member-admin.csv-exported'));
  expect(audit).toHaveLength(1);
  expect(audit[0]?.actorId).toBe(admin.id);
  expect(JSON.parse(audit[0]?.details ?? '{}')).toEqual({
    rows: 1,
    fields: ['number', 'name', 'city', 'expires'],
    // The search text (often a member's name) is not kept: erasure must not leave names in the log.
    filter: { country: 'NL', textSearch: true },
  });
  expect(audit[0]?.details.toLowerCase()).not.toContain('csv person');
});

test('neutralises spreadsheet formulas in exported names and cities', async () => {
  const handle = await scratchTestDb();
  const { db } = handle;
  const hostile = ['=HYPERLINK("http://evil.example","click")', '+SUM(1,2)', '-2+3', '@cmd', '\tTabbed', '\rReturn'];
  for (const [i, name] of hostile.entries()) {
    await makeMember(db, { name, country: 'SE', city: i === 0 ? '=1+1' : 'Malmö' });
  }
  const { admin } = await adminCaller(db);

  const { csv } = await exportMembersCsv(
    db,
    admin.id,
    { filter: { query: '', country: 'SE' }, fields: ['name', 'city'] },
    TEST_META,
  );

  const body = csv.slice(1).split('\r\n').slice(1, -1).join('\r\n');
  for (const name of hostile) expect(body).toContain(`"'${name.replace(/"/g, '""')}"`);
  expect(body).toContain(`"'=1+1"`);
  // No cell, once its quotes are removed, starts with a formula character.
  expect(csvCell('=1')).toBe(`"'=1"`);
  expect(csvCell('Plain')).toBe('"Plain"');
  expect(csvCell('say "hi"')).toBe('"say ""hi"""');
});

test('a bulk reminder mails each renewable member in the filter once, however often it is sent', async () => {
  const handle = await scratchTestDb();
  const { db } = handle;
  const active = await makeMember(db, { status: 'active', country: 'PT', expiresAt: Date.now() + 20 * DAY_MS });
  const grace = await makeMember(db, { status: 'grace', country: 'PT', expiresAt: Date.now() - 5 * DAY_MS });
  const lapsed = await makeMember(db, { status: 'lapsed', country: 'PT', expiresAt: Date.now() - 60 * DAY_MS });
  const pending = await makeMember(db, { status: 'pending', country: 'PT' });
  const suspended = await makeMember(db, { status: 'suspended', country: 'PT' });
  const lifetime = await makeMember(db, { status: 'active', categoryId: 'founding', country: 'PT', expiresAt: null });
  const elsewhere = await makeMember(db, { status: 'active', country: 'ES' });
  const { admin, caller } = await adminCaller(db);
  const filter = { query: '', country: 'PT' };

  const preview = await caller.memberAdmin.bulkRemindPreview(filter);
  expect(preview).toEqual({ inFilter: 6, renewable: 3, recentlyReminded: 0 });

  const first = await caller.memberAdmin.bulkRemind({ filter, expectedRenewable: 3 });
  expect(first).toEqual({ ok: true, sent: 3, skippedRecentlyReminded: 0 });
  // A double click: the same confirmation again, and a third time at once.
  const [second, third] = await Promise.all([
    caller.memberAdmin.bulkRemind({ filter, expectedRenewable: 3 }),
    caller.memberAdmin.bulkRemind({ filter, expectedRenewable: 3 }),
  ]);
  expect(second).toEqual({ ok: true, sent: 0, skippedRecentlyReminded: 3 });
  expect(third).toEqual({ ok: true, sent: 0, skippedRecentlyReminded: 3 });

  for (const member of [active, grace, lapsed]) {
    const mails = await mailsTo(db, member.email);
    expect(mails, member.email).toHaveLength(1);
    expect(mails[0]?.subject).toBe('Your IECPA membership: time to renew');
    expect(mails[0]?.textBody).toContain(member.number ?? 'no number');
    expect(mails[0]?.textBody).toContain('http://portal.test/membership/status');
  }
  expect((await mailsTo(db, active.email))[0]?.textBody).toMatch(/expires on \d{1,2} \w+ \d{4}/);
  expect((await mailsTo(db, lapsed.email))[0]?.textBody).toMatch(/expired on \d{1,2} \w+ \d{4}/);
  for (const member of [pending, suspended, lifetime, elsewhere]) {
    expect(await mailsTo(db, member.email), member.email).toHaveLength(0);
  }
  const perMember = await db
    .select()
    .from(auditLog)
    .where(and(eq(auditLog.action, 'membership.renewal-reminder-sent'), eq(auditLog.actorId, admin.id)));
  expect(perMember.map((r) => r.subjectId).sort()).toEqual([active.id, grace.id, lapsed.id].sort());
  const batches = await db.select().from(auditLog).where(eq(auditLog.action, 'member-admin.bulk-reminder'));
  expect(batches.map((r) => JSON.parse(r.details).sent)).toEqual([3, 0, 0]);
  expect(await caller.memberAdmin.bulkRemindPreview(filter)).toEqual({
    inFilter: 6,
    renewable: 3,
    recentlyReminded: 3,
  });
});

test('a bulk reminder whose list changed since the confirmation sends nothing and says so', async () => {
  const handle = await scratchTestDb();
  const { db } = handle;
  await makeMember(db, { status: 'active', country: 'PL' });
  const { caller } = await adminCaller(db);
  const before = await countAllRows(handle);

  const error = await trpcErrorOf(
    caller.memberAdmin.bulkRemind({ filter: { query: '', country: 'PL' }, expectedRenewable: 2 }),
  );

  expect(error.code).toBe('CONFLICT');
  expect(error.message).toMatch(/now has 1 member to remind\. Nothing was sent/);
  expect(await countAllRows(handle)).toEqual(before);
});

test('refuses bad filters and export fields with a clear message', async () => {
  const { caller } = await adminCaller(shared.db);
  const badStatus = await trpcErrorOf(caller.memberAdmin.search({ query: '', status: 'retired' as MembershipStatus }));
  expect(badStatus.code).toBe('BAD_REQUEST');
  const badCountry = await trpcErrorOf(caller.memberAdmin.search({ query: '', country: 'XX' }));
  expect(badCountry.code).toBe('BAD_REQUEST');
  const tooLong = await trpcErrorOf(caller.memberAdmin.search({ query: 'x'.repeat(101) }));
  expect(tooLong.code).toBe('BAD_REQUEST');
  const before = await countAllRows(shared);
  const negative = await trpcErrorOf(caller.memberAdmin.bulkRemind({ filter: { query: '' }, expectedRenewable: -1 }));
  expect(negative.code).toBe('BAD_REQUEST');
  expect(await countAllRows(shared)).toEqual(before);
});

test('refuses members, other roles and admins without two-factor, and writes nothing', async () => {
  await makeMember(shared.db, { status: 'active', country: 'CZ' });
  const before = await countAllRows(shared);
  for (const options of [
    { roles: ['member' as const] },
    { roles: ['member' as const, 'educator' as const] },
    { roles: ['member' as const, 'admin' as const], totp: false },
  ]) {
    const user = await makeUser(shared.db, options);
    const { caller } = await callerFor(shared.db, user);
    const beforeCall = await countAllRows(shared);
    expect((await trpcErrorOf(caller.memberAdmin.stats())).code).toBe('FORBIDDEN');
    expect((await trpcErrorOf(caller.memberAdmin.search({ query: '' }))).code).toBe('FORBIDDEN');
    const remind = await trpcErrorOf(
      caller.memberAdmin.bulkRemind({ filter: { query: '', country: 'CZ' }, expectedRenewable: 1 }),
    );
    expect(remind.code).toBe('FORBIDDEN');
    expect(await countAllRows(shared)).toEqual(beforeCall);
  }
  expect((await countAllRows(shared)).mail_outbox).toBe(before.mail_outbox);
});
