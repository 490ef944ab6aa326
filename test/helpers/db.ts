import { copyFileSync, rmSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { afterAll, beforeAll, inject, onTestFinished } from 'vitest';
import type { DbHandle } from '#db/client.ts';
import { openDb } from '#db/client.ts';

let counter = 0;

export type TestDb = DbHandle & { readonly path: string };

/**
 * A fresh, migrated SQLite file (copied from the template made in global setup). The caller closes it;
 * a whole file's database is better taken with useTestDb, which does.
 */
export async function createTestDb(): Promise<TestDb> {
  const template = inject('templateDbPath');
  const path = join(dirname(template), `t-${process.pid}-${Date.now()}-${counter++}.db`);
  copyFileSync(template, path);
  const handle = await openDb({ url: `file:${path}` });
  return { ...handle, path };
}

/** Closes a test database and deletes its file (and the WAL files SQLite left beside it). */
export function closeTestDb(handle: TestDb): void {
  handle.client.close();
  for (const suffix of ['', '-wal', '-shm', '-journal']) rmSync(`${handle.path}${suffix}`, { force: true });
}

/** A fresh database for one test (inside a test only): closed and deleted when that test finishes. */
export async function scratchTestDb(): Promise<TestDb> {
  const handle = await createTestDb();
  onTestFinished(() => closeTestDb(handle));
  return handle;
}

/**
 * The test file's database: created before the file's tests (in a beforeAll registered where this is
 * called, so call it before hooks that use it) and closed and deleted after them. The returned handle reads
 * through to that database; using it outside a test or hook throws.
 */
export function useTestDb(): TestDb {
  let current: TestDb | undefined;
  beforeAll(async () => {
    current = await createTestDb();
  });
  afterAll(() => {
    if (current) closeTestDb(current);
    current = undefined;
  });
  const open = (): TestDb => {
    if (!current) throw new Error('the test database exists only inside tests and hooks (useTestDb)');
    return current;
  };
  return {
    get db() {
      return open().db;
    },
    get client() {
      return open().client;
    },
    get path() {
      return open().path;
    },
  };
}

/** Every user table's row count: proof that a refused request wrote nothing. */
export async function countAllRows(handle: DbHandle): Promise<Record<string, number>> {
  const tables = await handle.client.execute(
    "select name from sqlite_master where type = 'table' and name not like 'sqlite_%' and name not like '__drizzle%' order by name",
  );
  const counts: Record<string, number> = {};
  for (const row of tables.rows) {
    const name = String(row.name);
    const result = await handle.client.execute(`select count(*) as n from "${name}"`);
    counts[name] = Number(result.rows[0]?.n ?? 0);
  }
  return counts;
}
