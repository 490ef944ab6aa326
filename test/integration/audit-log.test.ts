import { eq } from 'drizzle-orm';
import { beforeAll, expect, test } from 'vitest';
import { auditLog } from '#db/schema/index.ts';
import { writeAudit } from '#src/server/audit.ts';
import { useTestDb } from '#test/helpers/db.ts';

const handle = useTestDb();
let rowId: number;
beforeAll(async () => {
  await writeAudit(handle.db, {
    actorId: 'someone',
    action: 'test.original',
    subjectId: 'subject-1',
    details: { a: 1 },
  });
  const [row] = await handle.db.select().from(auditLog).where(eq(auditLog.action, 'test.original'));
  rowId = row?.id ?? -1;
});

/** The messages of an error and its causes (Drizzle wraps the SQLite error in a 'Failed query' error). */
async function refusalOf(call: Promise<unknown>): Promise<string> {
  try {
    await call;
  } catch (error) {
    const messages: string[] = [];
    for (let e: unknown = error; e instanceof Error; e = e.cause) messages.push(e.message);
    return messages.join(' <- ');
  }
  return 'not refused';
}

async function original() {
  const [row] = await handle.db.select().from(auditLog).where(eq(auditLog.id, rowId));
  return row;
}

test('refuses an UPDATE of an audit row and leaves it as written', async () => {
  expect(await refusalOf(handle.client.execute(`update audit_log set action = 'x' where id = ${rowId}`))).toMatch(
    /append-only/,
  );
  expect(await refusalOf(handle.db.update(auditLog).set({ actorId: null }).where(eq(auditLog.id, rowId)))).toMatch(
    /append-only/,
  );
  expect(await original()).toMatchObject({ action: 'test.original', actorId: 'someone', details: '{"a":1}' });
});

test('refuses a DELETE of audit rows, one or all', async () => {
  expect(await refusalOf(handle.client.execute(`delete from audit_log where id = ${rowId}`))).toMatch(/append-only/);
  expect(await refusalOf(handle.db.delete(auditLog))).toMatch(/append-only/);
  expect(await original()).toBeDefined();
});

test('refuses to replace an audit row with INSERT OR REPLACE or an upsert', async () => {
  const replace = `insert or replace into audit_log (id, at, action, details) values (${rowId}, 0, 'test.replaced', '{}')`;
  expect(await refusalOf(handle.client.execute(replace))).toMatch(/append-only/);
  const upsert = `insert into audit_log (id, at, action, details) values (${rowId}, 0, 'test.upserted', '{}')
    on conflict (id) do update set action = excluded.action`;
  expect(await refusalOf(handle.client.execute(upsert))).toMatch(/append-only/);
  expect(await original()).toMatchObject({ action: 'test.original' });
});

test('still accepts new audit rows', async () => {
  await writeAudit(handle.db, { actorId: null, action: 'test.appended' });
  expect(await handle.db.select().from(auditLog).where(eq(auditLog.action, 'test.appended'))).toHaveLength(1);
});

test('allows only the erasure redaction: IP cleared and details replaced by the marker, nothing else', async () => {
  await writeAudit(handle.db, {
    actorId: 'erased-user',
    action: 'test.personal',
    subjectId: 'erased-user',
    ipAddress: '203.0.113.9',
    details: { email: 'someone@example.org' },
  });
  const [row] = await handle.db.select().from(auditLog).where(eq(auditLog.action, 'test.personal'));
  const id = row?.id ?? -1;
  const refusals = [
    `update audit_log set ip_address = null, details = '{"redacted":true}', action = 'x' where id = ${id}`,
    `update audit_log set ip_address = null, details = '{"redacted":true}', actor_id = null where id = ${id}`,
    `update audit_log set ip_address = null, details = '{"something":"else"}' where id = ${id}`,
    `update audit_log set ip_address = '198.51.100.1' where id = ${id}`,
    `update audit_log set at = 0, ip_address = null where id = ${id}`,
  ];
  for (const sql of refusals) expect(await refusalOf(handle.client.execute(sql))).toMatch(/append-only/);
  await handle.client.execute(`update audit_log set ip_address = null, details = '{"redacted":true}' where id = ${id}`);
  const [redacted] = await handle.db.select().from(auditLog).where(eq(auditLog.id, id));
  expect(redacted).toMatchObject({
    actorId: 'erased-user',
    action: 'test.personal',
    subjectId: 'erased-user',
    ipAddress: null,
    details: '{"redacted":true}',
  });
});
