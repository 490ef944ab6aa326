import { copyFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { inject } from 'vitest';
import { type DbHandle, openDb } from '#db/client.ts';

let counter = 0;

/** A fresh, migrated SQLite file for one test file (copied from the template made in global setup). */
export async function createTestDb(): Promise<DbHandle & { path: string }> {
  const template = inject('templateDbPath');
  const path = join(dirname(template), `t-${process.pid}-${Date.now()}-${counter++}.db`);
  copyFileSync(template, path);
  const handle = await openDb({ url: `file:${path}` });
  return { ...handle, path };
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
