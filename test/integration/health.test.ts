import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, expect, test } from 'vitest';
import { openDb } from '#db/client.ts';
import { checkDatabase } from '#src/server/health.ts';
import { createTestDb } from '#test/helpers/db.ts';

const emptyDir = mkdtempSync(join(tmpdir(), 'iecpa-health-'));
afterAll(() => rmSync(emptyDir, { recursive: true, force: true }));

test('a migrated database answers the health check', async () => {
  const handle = await createTestDb();
  expect(await checkDatabase(async () => handle)).toEqual({ ok: true });
  handle.client.close();
});

test('a database file that was never migrated does not answer it', async () => {
  const handle = await openDb({ url: `file:${join(emptyDir, 'empty.db')}` });
  const check = await checkDatabase(async () => handle);
  expect(check.ok).toBe(false);
  expect(String(!check.ok && check.error)).toMatch(/no such table: __drizzle_migrations/);
  handle.client.close();
});

test('a closed database does not answer it', async () => {
  const handle = await createTestDb();
  handle.client.close();
  const check = await checkDatabase(async () => handle);
  expect(check.ok).toBe(false);
  expect(String(!check.ok && check.error)).toMatch(/closed/);
});

test('a database that cannot be opened does not answer it', async () => {
  const failure = new Error('SQLITE_CANTOPEN: unable to open database file');
  expect(
    await checkDatabase(async () => {
      throw failure;
    }),
  ).toEqual({ ok: false, error: failure });
});
