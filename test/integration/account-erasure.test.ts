import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, expect, test } from 'vitest';
import { pseudonymFor } from '#src/server/services/account-closure.ts';
import { countAllRows, createTestDb, useTestDb } from '#test/helpers/db.ts';
import {
  anonymousCaller,
  callerFor,
  callerFromToken,
  lastMailTo,
  makeUser,
  TEST_PASSWORD,
  testDeps,
  uniqueMeta,
} from '#test/helpers/factories.ts';
import { trpcErrorOf } from '#test/helpers/trpc.ts';
import { type Fixture, MEMBER_PASSWORD, makeMemberWithData } from './personal-data-fixture.ts';

const handle = useTestDb();
let uploadDir: string;

beforeAll(async () => {
  uploadDir = mkdtempSync(join(tmpdir(), 'iecpa-erasure-'));
  // The router reads UPLOAD_DIR from the environment on first use.
  process.env.UPLOAD_DIR = uploadDir;
});

afterAll(() => rmSync(uploadDir, { recursive: true, force: true }));

interface Hit {
  table: string;
  column: string;
  needle: string;
}

/** Every table (FTS shadow tables included) and every column, compared as text, for each needle. */
async function scanDatabase(needles: string[]): Promise<Hit[]> {
  const tables = await handle.client.execute("select name from sqlite_master where type = 'table' order by name");
  const hits: Hit[] = [];
  for (const t of tables.rows) {
    const table = String(t.name);
    const columns = await handle.client.execute({ sql: 'select name from pragma_table_info(?)', args: [table] });
    for (const c of columns.rows) {
      const column = String(c.name);
      for (const needle of needles) {
        const found = await handle.client.execute({
          sql: `select count(*) as n from "${table}" where instr(cast("${column}" as text), ?) > 0`,
          args: [needle],
        });
        if (Number(found.rows[0]?.n) > 0) hits.push({ table, column, needle });
      }
    }
  }
  return hits;
}

/** The tag unique to a fixture member, as the FTS5 tokenizer stores it (lower case) in its index blobs. */
function nameToken(fixture: Fixture): string {
  return (fixture.member.name.split('-').pop() ?? '').toLowerCase();
}

/**
 * Whether the raw segments of the directory index hold the token. FTS5 stores a term as the length of the
 * prefix it shares with the term before it plus the rest, so only the rest is sure to be there verbatim: the
 * check looks for the token's last 6 characters (the time part of the fixture's tag). Looking for the whole
 * token failed whenever a neighbouring term happened to share its first letters.
 */
async function directoryIndexHolds(token: string): Promise<boolean> {
  const found = await handle.client.execute({
    sql: 'select count(*) as n from member_directory_search_data where instr(cast(block as text), ?) > 0',
    args: [token.slice(-6)],
  });
  return Number(found.rows[0]?.n) > 0;
}

async function requestAndConfirm(fixture: Fixture): Promise<void> {
  const { caller: member } = await callerFromToken(handle.db, fixture.member.sessionToken);
  await member.personalData.requestClosure({ reason: `Retiring. ${fixture.member.name}`, password: MEMBER_PASSWORD });
  const { caller: admin } = await callerFor(handle.db, fixture.admin);
  const { open } = await admin.personalData.closures();
  const request = open.find((r) => r.userId === fixture.member.id);
  if (!request) throw new Error('no open request');
  await admin.personalData.confirmClosure({ requestId: request.id, note: 'Confirmed by phone.' });
}

test('after erasure no table holds the member’s email, name, IP address or browser', async () => {
  const fixture = await makeMemberWithData(handle, uploadDir);
  const needles = [fixture.member.email, fixture.member.name, fixture.member.ipAddress, 'FixtureBrowser/'];
  const before = await scanDatabase(needles);
  // The scan finds what it looks for: each needle in several places before erasure.
  for (const needle of needles) expect(before.filter((h) => h.needle === needle).length).toBeGreaterThan(0);
  expect(new Set(before.map((h) => h.table)).size).toBeGreaterThan(8);
  expect(await directoryIndexHolds(nameToken(fixture))).toBe(true);

  await requestAndConfirm(fixture);

  expect(await scanDatabase(needles)).toEqual([]);
  // Not even in the full-text index's segments, where deleted terms linger until merged.
  expect(await directoryIndexHolds(nameToken(fixture))).toBe(false);
});

test('erasure keeps the pseudonymous records: membership number, certification, consents, audit trail', async () => {
  const fixture = await makeMemberWithData(handle, uploadDir);
  const id = fixture.member.id;
  const auditBefore = await handle.client.execute({
    sql: 'select id, action, actor_id, subject_id from audit_log where actor_id = ?1 or subject_id = ?1 order by id',
    args: [id],
  });
  await requestAndConfirm(fixture);
  const one = async (sql: string, args: string[] = [id]) => (await handle.client.execute({ sql, args })).rows;

  const [user] = await one('select name, email, country, profession, erased_at from users where id = ?');
  expect(user).toMatchObject({ ...pseudonymFor(id), country: 'ZZ', profession: 'other' });
  expect(user?.erased_at).not.toBeNull();
  expect(await one('select number, status from memberships where user_id = ?')).toEqual([
    expect.objectContaining({ number: fixture.membershipNumber, status: 'resigned' }),
  ]);
  expect(
    (await one('select kind from membership_events where user_id = ? order by at, rowid')).map((r) => r.kind),
  ).toContain('resigned');
  expect(await one('select id, score from simulator_attempts where candidate_id = ?')).toEqual([
    expect.objectContaining({ id: fixture.attemptId, score: 91 }),
  ]);
  expect(
    await one('select count(*) as n from simulator_attempt_annotations where attempt_id = ?', [fixture.attemptId]),
  ).toEqual([expect.objectContaining({ n: 1 })]);
  const cpd = await one('select evidence_text, credits from cpd_activities where user_id = ?');
  expect(cpd).toEqual([
    expect.objectContaining({ credits: 3, evidence_text: `Certificate issued to ${pseudonymFor(id).name}.` }),
  ]);
  expect(await one('select count(*) as n from module_completions where user_id = ?')).toEqual([
    expect.objectContaining({ n: 1 }),
  ]);
  // Registration and the application each recorded the code of ethics; the profile the directory listing.
  const consentRows = await one('select distinct document, version from consents where user_id = ? order by document');
  expect(consentRows.map((r) => ({ ...r }))).toEqual([
    { document: 'code-of-ethics', version: '1.0' },
    { document: 'directory-listing', version: '1.0' },
  ]);
  expect(await one('select author_id from handbook_revisions where id = ?', [fixture.handbookRevisionId])).toEqual([
    expect.objectContaining({ author_id: id }),
  ]);
  expect(await one('select count(*) as n from membership_payments where user_id = ?')).toEqual([
    expect.objectContaining({ n: 1 }),
  ]);

  // The audit trail: every earlier row kept (same ids, actions and actors), its IP and details redacted.
  const auditAfter = await one(
    'select id, action, actor_id, subject_id, ip_address, details from audit_log where actor_id = ?1 or subject_id = ?1 order by id',
  );
  const kept = auditAfter.filter((r) => auditBefore.rows.some((b) => b.id === r.id));
  expect(kept.map((r) => [r.id, r.action, r.actor_id, r.subject_id])).toEqual(
    auditBefore.rows.map((r) => [r.id, r.action, r.actor_id, r.subject_id]),
  );
  expect(kept.every((r) => r.ip_address === null && r.details === '{"redacted":true}')).toBe(true);
  expect(auditAfter.filter((r) => r.action === 'account.erased')).toEqual([
    expect.objectContaining({ actor_id: fixture.admin.id, subject_id: id }),
  ]);

  // Gone: what the association has no reason to keep.
  for (const table of [
    'sessions',
    'user_tokens',
    'totp_credentials',
    'recovery_codes',
    'user_roles',
    'member_profiles',
    'membership_applications',
    'membership_documents',
    'simulator_practice_sessions',
    'quiz_attempts',
    'reading_progress',
    'handbook_autosaves',
  ]) {
    expect(await one(`select count(*) as n from ${table} where user_id = ?`), table).toEqual([
      expect.objectContaining({ n: 0 }),
    ]);
  }
  const closure = await one(
    "select reason, status from account_closure_requests where user_id = ? and status = 'completed'",
  );
  expect(closure).toEqual([expect.objectContaining({ reason: '' })]);
});

test('erasure deletes the member’s uploaded files', async () => {
  const fixture = await makeMemberWithData(handle, uploadDir);
  const document = join(uploadDir, 'membership-documents', fixture.documentStoredName);
  const photo = join(uploadDir, 'member-photos', fixture.photoStoredName);
  expect([existsSync(document), existsSync(photo)]).toEqual([true, true]);
  await requestAndConfirm(fixture);
  expect([existsSync(document), existsSync(photo)]).toEqual([false, false]);
});

test('an erased member cannot sign in, loses their session and leaves the directory', async () => {
  const fixture = await makeMemberWithData(handle, uploadDir);
  const query = { q: nameToken(fixture), country: '', city: '', language: '', page: 1 } as const;
  const listedBefore = await anonymousCaller(handle.db).directory.search(query);
  expect(listedBefore.total).toBe(1);

  await requestAndConfirm(fixture);

  const signIn = anonymousCaller(handle.db, testDeps(), undefined, uniqueMeta()).account.signIn({
    email: fixture.member.email,
    password: MEMBER_PASSWORD,
  });
  expect((await trpcErrorOf(signIn)).code).toBe('UNAUTHORIZED');
  const { ctx } = await callerFromToken(handle.db, fixture.member.sessionToken);
  expect(ctx.user).toBeNull();
  expect((await anonymousCaller(handle.db).directory.search(query)).total).toBe(0);
  expect((await anonymousCaller(handle.db).directory.search({ ...query, q: 'Former' })).total).toBe(0);
});

test('the member is mailed at each step; the last mail is kept without the old address', async () => {
  const fixture = await makeMemberWithData(handle, uploadDir);
  const { caller: member } = await callerFromToken(handle.db, fixture.member.sessionToken);
  await member.personalData.requestClosure({ reason: '', password: MEMBER_PASSWORD });
  expect((await lastMailTo(handle.db, fixture.member.email))?.subject).toBe(
    'We received your request to close your IECPA account',
  );
  expect((await member.personalData.closureStatus())?.status).toBe('requested');
  const adminNotice = await lastMailTo(handle.db, fixture.admin.email);
  expect(adminNotice?.subject).toBe('A member asked to close their account');
  expect(adminNotice?.textBody).toContain('http://portal.test/admin/closures');
  expect(adminNotice?.textBody).not.toContain(fixture.member.name);
  const { caller: admin } = await callerFor(handle.db, fixture.admin);
  const request = (await admin.personalData.closures()).open.find((r) => r.userId === fixture.member.id);
  const result = await admin.personalData.confirmClosure({ requestId: request?.id ?? '', note: '' });
  expect(result.membershipNumber).toBe(fixture.membershipNumber);
  expect(await lastMailTo(handle.db, fixture.member.email)).toBeNull();
  const receipt = await lastMailTo(handle.db, pseudonymFor(fixture.member.id).email);
  expect(receipt?.subject).toBe('Your IECPA account is closed');
  expect(receipt?.textBody).toContain(fixture.membershipNumber);
});

test('a member can withdraw a request, and a declined request is mailed with the admin’s note', async () => {
  const member = await makeUser(handle.db);
  const admin = await makeUser(handle.db, { roles: ['member', 'admin'], totp: true });
  const { caller } = await callerFor(handle.db, member);
  await caller.personalData.requestClosure({ reason: 'Trying it out', password: TEST_PASSWORD });
  await caller.personalData.cancelClosure();
  expect((await caller.personalData.closureStatus())?.status).toBe('cancelled');

  await caller.personalData.requestClosure({ reason: '', password: TEST_PASSWORD });
  const { caller: adminCaller } = await callerFor(handle.db, admin);
  const request = (await adminCaller.personalData.closures()).open.find((r) => r.userId === member.id);
  await adminCaller.personalData.declineClosure({
    requestId: request?.id ?? '',
    note: 'Your exam result is under appeal.',
  });
  expect((await caller.personalData.closureStatus())?.status).toBe('declined');
  const mail = await lastMailTo(handle.db, member.email);
  expect(mail?.textBody).toContain('Your exam result is under appeal.');
  const [user] = (await handle.client.execute({ sql: 'select erased_at from users where id = ?', args: [member.id] }))
    .rows;
  expect(user?.erased_at).toBeNull();
});

// ---------------------------------------------------------------- bad input: clear errors, nothing written

test('confirming a request that does not exist is refused and writes nothing', async () => {
  const admin = await makeUser(handle.db, { roles: ['member', 'admin'], totp: true });
  const { caller } = await callerFor(handle.db, admin);
  const before = await countAllRows(handle);
  const error = await trpcErrorOf(caller.personalData.confirmClosure({ requestId: 'no-such-request', note: '' }));
  expect(error).toMatchObject({ code: 'NOT_FOUND', message: 'There is no such closure request. Reload the list.' });
  expect(await countAllRows(handle)).toEqual(before);
});

test('confirming the same request twice is refused the second time and writes nothing', async () => {
  const fixture = await makeMemberWithData(handle, uploadDir);
  await requestAndConfirm(fixture);
  const { caller } = await callerFor(handle.db, fixture.admin);
  const request = (await caller.personalData.closures()).decided.find((r) => r.userId === fixture.member.id);
  expect(request?.status).toBe('completed');
  const before = await countAllRows(handle);
  const error = await trpcErrorOf(caller.personalData.confirmClosure({ requestId: request?.id ?? '', note: '' }));
  expect(error.code).toBe('CONFLICT');
  expect(error.message).toContain('already been decided');
  expect(await countAllRows(handle)).toEqual(before);
});

test('two admins confirming the same request at once: one erases, the other is told it is decided', async () => {
  const fixture = await makeMemberWithData(handle, uploadDir);
  const { caller: member } = await callerFromToken(handle.db, fixture.member.sessionToken);
  await member.personalData.requestClosure({ reason: '', password: MEMBER_PASSWORD });
  const second = await makeUser(handle.db, { roles: ['member', 'admin'], totp: true });
  const { caller: first } = await callerFor(handle.db, fixture.admin);
  const { caller: other } = await callerFor(handle.db, second);
  const request = (await first.personalData.closures()).open.find((r) => r.userId === fixture.member.id);
  const input = { requestId: request?.id ?? '', note: '' };
  const outcomes = await Promise.allSettled([
    first.personalData.confirmClosure(input),
    other.personalData.confirmClosure(input),
  ]);
  expect(outcomes.map((o) => o.status).sort()).toEqual(['fulfilled', 'rejected']);
  const refused = outcomes.find((o) => o.status === 'rejected');
  expect((refused as PromiseRejectedResult).reason).toMatchObject({ code: 'CONFLICT' });
  const erased = await handle.client.execute({
    sql: "select count(*) as n from audit_log where action = 'account.erased' and subject_id = ?",
    args: [fixture.member.id],
  });
  expect(Number(erased.rows[0]?.n)).toBe(1);
});

test('a closure request with the wrong password is refused and writes nothing', async () => {
  const member = await makeUser(handle.db);
  const { caller } = await callerFor(handle.db, member);
  const before = await countAllRows(handle);
  const error = await trpcErrorOf(caller.personalData.requestClosure({ reason: 'x', password: 'not my password' }));
  expect(error.code).toBe('BAD_REQUEST');
  expect(error.message).toBe('That is not your current password. Try again.');
  // Only the counter of wrong current passwords (RATE_LIMITS.currentPassword) moves.
  expect(await countAllRows(handle)).toEqual({ ...before, rate_limits: (before.rate_limits ?? 0) + 1 });
});

test('a second request while one is open is refused and writes nothing', async () => {
  const member = await makeUser(handle.db);
  const { caller } = await callerFor(handle.db, member);
  await caller.personalData.requestClosure({ reason: '', password: TEST_PASSWORD });
  const before = await countAllRows(handle);
  const error = await trpcErrorOf(caller.personalData.requestClosure({ reason: '', password: TEST_PASSWORD }));
  expect(error).toMatchObject({ code: 'CONFLICT' });
  expect(error.message).toContain('already asked');
  expect(await countAllRows(handle)).toEqual(before);
});

test('an admin cannot confirm the closure of their own account', async () => {
  const admin = await makeUser(handle.db, { roles: ['member', 'admin'], totp: true });
  const { caller } = await callerFor(handle.db, admin);
  await caller.personalData.requestClosure({ reason: '', password: TEST_PASSWORD });
  const request = (await caller.personalData.closures()).open.find((r) => r.userId === admin.id);
  const before = await countAllRows(handle);
  const error = await trpcErrorOf(caller.personalData.confirmClosure({ requestId: request?.id ?? '', note: '' }));
  expect(error.code).toBe('FORBIDDEN');
  expect(error.message).toContain('Another administrator');
  expect(await countAllRows(handle)).toEqual(before);
});

test('declining without a note is refused and writes nothing', async () => {
  const member = await makeUser(handle.db);
  const admin = await makeUser(handle.db, { roles: ['member', 'admin'], totp: true });
  await (await callerFor(handle.db, member)).caller.personalData.requestClosure({
    reason: '',
    password: TEST_PASSWORD,
  });
  const { caller } = await callerFor(handle.db, admin);
  const request = (await caller.personalData.closures()).open.find((r) => r.userId === member.id);
  const before = await countAllRows(handle);
  const error = await trpcErrorOf(caller.personalData.declineClosure({ requestId: request?.id ?? '', note: '   ' }));
  expect(error.code).toBe('BAD_REQUEST');
  expect(await countAllRows(handle)).toEqual(before);
});

test('erasure refuses to run while a table that refers to users has no rule, and writes nothing', async () => {
  const own = await createTestDb();
  await own.client.execute(
    'create table later_notes (id text primary key, owner_id text not null references users(id) on delete cascade, note text not null)',
  );
  const member = await makeUser(own.db);
  const admin = await makeUser(own.db, { roles: ['member', 'admin'], totp: true });
  await (await callerFor(own.db, member)).caller.personalData.requestClosure({ reason: '', password: TEST_PASSWORD });
  const { caller } = await callerFor(own.db, admin);
  const request = (await caller.personalData.closures()).open.find((r) => r.userId === member.id);
  const before = await countAllRows(own);
  const error = await trpcErrorOf(caller.personalData.confirmClosure({ requestId: request?.id ?? '', note: '' }));
  expect(error.code).toBe('PRECONDITION_FAILED');
  expect(error.message).toContain('later_notes');
  expect(await countAllRows(own)).toEqual(before);
});

test('an erased account takes no password reset and no role: its pseudonymous address and id lead nowhere', async () => {
  const fixture = await makeMemberWithData(handle, uploadDir);
  await requestAndConfirm(fixture);
  const [erased] = await handle.client
    .execute({ sql: 'select email from users where id = ?', args: [fixture.member.id] })
    .then((r) => r.rows);
  const erasedEmail = String(erased?.email);
  expect(erasedEmail).toMatch(/@erased\.invalid$/);
  const before = await countAllRows(handle);
  const reset = await anonymousCaller(handle.db, testDeps(), undefined, uniqueMeta()).account.requestPasswordReset({
    email: erasedEmail,
  });
  expect(reset).toEqual({ ok: true });
  const after = await countAllRows(handle);
  // Only what an unknown address writes too: the rate-limit counters and one audit row.
  expect(after.user_tokens).toBe(before.user_tokens);
  expect(after.mail_outbox).toBe(before.mail_outbox);

  const { caller: admin } = await callerFor(handle.db, fixture.admin);
  const grant = admin.admin.setRole({ userId: fixture.member.id, role: 'educator', granted: true });
  expect((await trpcErrorOf(grant)).code).toBe('NOT_FOUND');
  const roles = await handle.client.execute({
    sql: 'select role from user_roles where user_id = ?',
    args: [fixture.member.id],
  });
  expect(roles.rows).toHaveLength(0);
});

test('after erasure and a checkpoint the database file holds no copy of the email, not even in free pages', async () => {
  const fixture = await makeMemberWithData(handle, uploadDir);
  await requestAndConfirm(fixture);
  await handle.client.execute('PRAGMA wal_checkpoint(TRUNCATE)');
  const file = readFileSync(handle.path);
  expect(file.includes(Buffer.from(fixture.member.email))).toBe(false);
  expect(file.includes(Buffer.from(fixture.member.name))).toBe(false);
});
