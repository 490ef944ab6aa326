import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, expect, test } from 'vitest';
import { ERASURE_RULES, tablesWithoutErasureRule } from '#src/server/services/account-closure.ts';
import {
  exportPersonalData,
  PERSON_COLUMNS,
  type PersonalDataExport,
  readSchemaMap,
  SECRET_COLUMNS,
  STORED_FILE_COLUMNS,
  tablesReferencingUsers,
} from '#src/server/services/personal-data.ts';
import { createTestDb, useTestDb } from '#test/helpers/db.ts';
import { callerFor, callerFromToken } from '#test/helpers/factories.ts';
import {
  type Fixture,
  makeMemberWithData,
  PDF_BYTES,
  PNG_BYTES,
  RECOVERY_CODE,
  TOTP_SECRET,
} from './personal-data-fixture.ts';

const handle = useTestDb();
let uploadDir: string;
let fixture: Fixture;
let exported: PersonalDataExport;

beforeAll(async () => {
  uploadDir = mkdtempSync(join(tmpdir(), 'iecpa-personal-data-'));
  // The router reads UPLOAD_DIR from the environment on first use.
  process.env.UPLOAD_DIR = uploadDir;
  fixture = await makeMemberWithData(handle, uploadDir);
  const { caller } = await callerFromToken(handle.db, fixture.member.sessionToken);
  exported = await caller.personalData.export();
});

afterAll(() => rmSync(uploadDir, { recursive: true, force: true }));

/** Rows referring to the member, counted straight from the database by the columns that hold their id. */
async function countRows(table: string, where: string, args: string[]): Promise<number> {
  const result = await handle.client.execute({ sql: `select count(*) as n from "${table}" where ${where}`, args });
  return Number(result.rows[0]?.n ?? 0);
}

test('the export has a row for every personal record of the member, table by table', async () => {
  const id = fixture.member.id;
  const expectations: [table: string, where: string, args: string[]][] = [
    ['users', 'id = ?', [id]],
    ['user_roles', 'user_id = ?', [id]],
    ['sessions', 'user_id = ?', [id]],
    ['user_tokens', 'user_id = ?', [id]],
    ['totp_credentials', 'user_id = ?', [id]],
    ['recovery_codes', 'user_id = ?', [id]],
    ['consents', 'user_id = ?', [id]],
    // Rows by or about the member, and about their application and its document (subject: the record's id).
    [
      'audit_log',
      `actor_id = ?1 or subject_id = ?1 or subject_id in (select id from membership_applications where user_id = ?1)
       or subject_id in (select id from membership_documents where user_id = ?1)`,
      [id],
    ],
    ['mail_outbox', 'to_address = ?', [fixture.member.email]],
    ['rate_limits', "key like '%:' || ?", [fixture.member.email]],
    ['cpd_activities', 'user_id = ?', [id]],
    ['module_completions', 'user_id = ?', [id]],
    ['quiz_attempts', 'user_id = ?', [id]],
    ['reading_progress', 'user_id = ?', [id]],
    ['simulator_practice_sessions', 'user_id = ?', [id]],
    ['simulator_attempts', 'candidate_id = ?', [id]],
    ['simulator_attempt_annotations', 'attempt_id in (select id from simulator_attempts where candidate_id = ?)', [id]],
    ['handbook_revisions', 'author_id = ?', [id]],
    ['handbook_autosaves', 'user_id = ?', [id]],
    ['membership_applications', 'user_id = ?', [id]],
    [
      'membership_application_events',
      'application_id in (select id from membership_applications where user_id = ?)',
      [id],
    ],
    ['membership_documents', 'user_id = ?', [id]],
    ['memberships', 'user_id = ?', [id]],
    ['membership_events', 'user_id = ?', [id]],
    ['membership_payments', 'user_id = ?', [id]],
    ['membership_reminders', 'user_id = ?', [id]],
    ['member_profiles', 'user_id = ?', [id]],
    ['member_directory_search', 'user_id = ?', [id]],
    ['account_closure_requests', 'user_id = ?', [id]],
  ];
  const exportedCounts: Record<string, number> = {};
  const databaseCounts: Record<string, number> = {};
  for (const [table, where, args] of expectations) {
    exportedCounts[table] = exported.tables[table]?.length ?? -1;
    databaseCounts[table] = await countRows(table, where, args);
  }
  expect(exportedCounts).toEqual(databaseCounts);
  // The fixture put data in each of them, so an empty table in the export would be a miss, not a match.
  expect(Object.entries(databaseCounts).filter(([, n]) => n === 0)).toEqual([]);
});

test('every table with a foreign key to users appears in the export and has an erasure rule', async () => {
  const schema = await readSchemaMap(handle.db);
  const referring = tablesReferencingUsers(schema);
  expect(referring.length).toBeGreaterThan(20);
  expect(referring.filter((table) => !(table in exported.tables))).toEqual([]);
  expect(tablesWithoutErasureRule(schema)).toEqual([]);
});

test('a table added later with a foreign key to users is exported without any change to the service', async () => {
  const { db, client } = await createTestDb();
  await client.execute(
    'create table later_notes (id text primary key, owner_id text not null references users(id) on delete cascade, note text not null)',
  );
  const fresh = await makeMemberWithData({ db, client }, uploadDir);
  await client.execute({ sql: "insert into later_notes values ('n1', ?, 'a later note')", args: [fresh.member.id] });
  const data = await exportPersonalData(db, fresh.member.id, { uploadDir });
  expect(data?.tables.later_notes).toEqual([{ id: 'n1', owner_id: fresh.member.id, note: 'a later note' }]);
  expect(tablesWithoutErasureRule(await readSchemaMap(db))).toEqual(['later_notes']);
});

test('the export holds no secrets: password hash, token hashes, two-factor secret and recovery codes read "present"', async () => {
  const text = JSON.stringify(exported);
  const secrets = await handle.client.execute({
    sql: `select password_hash as s from users where id = ?1
          union all select secret_hash from sessions where user_id = ?1
          union all select token_hash from user_tokens where user_id = ?1
          union all select code_hash from recovery_codes where user_id = ?1`,
    args: [fixture.member.id],
  });
  expect(secrets.rows.length).toBeGreaterThanOrEqual(4);
  for (const row of secrets.rows) expect(text).not.toContain(String(row.s));
  expect(text).not.toContain(TOTP_SECRET);
  expect(text).not.toContain(RECOVERY_CODE);
  expect(text).not.toContain(fixture.member.sessionToken.split('.')[1]);
  expect(exported.tables.users?.[0]?.password_hash).toBe('present');
  expect(exported.tables.totp_credentials?.[0]?.secret).toBe('present');
  // The verification link in the stored mail carried a token: removed, the rest of the mail kept.
  const verification = exported.tables.mail_outbox?.find((m) => String(m.subject).startsWith('Confirm your email'));
  expect(String(verification?.text_body)).toContain('/verify-email?token=(removed)');
});

test('the export lists uploaded files by name, type and size', () => {
  expect(exported.files).toEqual(
    expect.arrayContaining([
      { table: 'membership_documents', name: 'licence.pdf', type: 'application/pdf', sizeBytes: PDF_BYTES.length },
      { table: 'member_profiles', name: 'Profile photo', type: 'image/png', sizeBytes: PNG_BYTES.length },
    ]),
  );
  expect(exported.files).toHaveLength(2);
});

test('the export holds nothing of other members', () => {
  const text = JSON.stringify(exported);
  expect(text).not.toContain(fixture.other.email);
  expect(text).not.toContain(fixture.other.id);
  expect(text).not.toContain(fixture.admin.email);
});

test("a reviewer's export shows another member's record they reviewed only by its key", async () => {
  const { caller } = await callerFor(handle.db, fixture.educator);
  const data = await caller.personalData.export();
  const reviewed = data.tables.cpd_activities ?? [];
  expect(reviewed).toHaveLength(1);
  expect(reviewed[0]).toEqual({
    _reduced: expect.stringContaining('belongs to another member'),
    id: expect.any(String),
    reviewed_by: fixture.educator.id,
  });
  expect(JSON.stringify(data)).not.toContain(fixture.member.name);
});

test("an admin's export shows what they did to another member's records by action and time only", async () => {
  const { caller } = await callerFor(handle.db, fixture.admin);
  const data = await caller.personalData.export();
  const approval = (data.tables.audit_log ?? []).find((r) => r.action === 'membership.application-approved');
  expect(approval).toEqual({
    _reduced: expect.any(String),
    id: expect.any(Number),
    at: expect.any(Number),
    action: 'membership.application-approved',
    actor_id: fixture.admin.id,
  });
  // Mail the admin received may name the member (it is the admin's mail); the audit rows do not.
  expect(JSON.stringify(data.tables.audit_log)).not.toContain(fixture.member.id);
});

test('the export is refused to anonymous visitors', async () => {
  const { caller } = await callerFromToken(handle.db, 'not.a-session');
  await expect(caller.personalData.export()).rejects.toMatchObject({ code: 'UNAUTHORIZED' });
});

test('every column the rules name exists, and no table is named that the database does not have', async () => {
  const schema = await readSchemaMap(handle.db);
  const has = (table: string, column: string) => (schema.columns[table] ?? []).some((c) => c.name === column);
  const named = [
    ...PERSON_COLUMNS.map((p) => [p.table, p.column]),
    ...Object.entries(SECRET_COLUMNS).flatMap(([table, columns]) => columns.map((c) => [table, c])),
    ...STORED_FILE_COLUMNS.flatMap((f) => [
      [f.table, f.storedNameColumn],
      [f.table, f.typeColumn],
      ...(f.displayNameColumn ? [[f.table, f.displayNameColumn]] : []),
    ]),
    ...Object.entries(ERASURE_RULES).flatMap(([table, rule]) =>
      rule.action === 'keep' ? Object.keys(rule.reset ?? {}).map((c) => [table, c]) : [],
    ),
  ] as [string, string][];
  expect(named.filter(([table, column]) => !has(table, column))).toEqual([]);
  expect(Object.keys(ERASURE_RULES).filter((table) => !schema.tables.includes(table))).toEqual([]);
});

test('every column that looks like a secret is exported as "present"', async () => {
  const schema = await readSchemaMap(handle.db);
  const looksSecret = Object.entries(schema.columns).flatMap(([table, columns]) =>
    // Digests of content (an upload's bytes, an exam item version's text) identify data, they guard nothing.
    columns
      .filter((c) => /hash|secret|token/i.test(c.name) && !['sha256', 'content_hash'].includes(c.name))
      .map((c) => `${table}.${c.name}`),
  );
  const listed = Object.entries(SECRET_COLUMNS).flatMap(([table, columns]) => columns.map((c) => `${table}.${c}`));
  expect(looksSecret.length).toBeGreaterThanOrEqual(5);
  expect(looksSecret.filter((c) => !listed.includes(c))).toEqual([]);
});
