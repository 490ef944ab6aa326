/**
 * Upgrades from every committed migration level: a database is built at each level, every table is filled
 * with representative rows (generated from the table's own columns and foreign keys, so migrations added
 * later are covered without editing this file), then the database is migrated to the head and every row
 * must still be there.
 */
import { copyFileSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { migrate } from 'drizzle-orm/libsql/migrator';
import { afterAll, expect, test } from 'vitest';
import { type DbHandle, openDb } from '#db/client.ts';
import { migrateDb } from '#db/migrate.ts';

const MIGRATIONS = fileURLToPath(new URL('../../db/migrations', import.meta.url));
const JOURNAL = JSON.parse(readFileSync(join(MIGRATIONS, 'meta/_journal.json'), 'utf8')) as {
  entries: { tag: string }[];
};

/** Tables a migration drops on purpose, with why: their rows are not expected after it. */
const DROPPED_ON_PURPOSE: Record<string, string> = {
  simulator_exercise_records: '0009: exercises are now done by saved practice sessions',
};

/** Rows seeded per table: more than one, so unique constraints and joins are exercised. */
const ROWS_PER_TABLE = 2;

const dir = mkdtempSync(join(tmpdir(), 'iecpa-migrations-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** A copy of the migrations folder whose journal stops after the migration at `index`. */
function migrationsUpTo(index: number): string {
  const folder = join(dir, `up-to-${index}`);
  mkdirSync(join(folder, 'meta'), { recursive: true });
  writeFileSync(
    join(folder, 'meta/_journal.json'),
    JSON.stringify({ ...JOURNAL, entries: JOURNAL.entries.slice(0, index + 1) }),
  );
  for (const file of readdirSync(MIGRATIONS).filter((name) => name.endsWith('.sql'))) {
    copyFileSync(join(MIGRATIONS, file), join(folder, file));
  }
  return folder;
}

interface Column {
  name: string;
  type: string;
  notnull: number;
  dflt_value: string | null;
  pk: number;
}

interface ForeignKey {
  table: string;
  from: string;
  to: string | null;
}

async function all<T>(handle: DbHandle, sql: string): Promise<T[]> {
  return (await handle.client.execute(sql)).rows as unknown as T[];
}

/** Ordinary tables (no virtual tables or their shadow tables, no SQLite or drizzle bookkeeping). */
async function plainTables(handle: DbHandle): Promise<string[]> {
  const rows = await all<{ name: string; type: string }>(handle, 'PRAGMA table_list');
  return rows
    .filter((row) => row.type === 'table' && !row.name.startsWith('sqlite_') && !row.name.startsWith('__drizzle'))
    .map((row) => row.name)
    .sort();
}

/** Parents before children. */
function inDependencyOrder(tables: string[], keys: Map<string, ForeignKey[]>): string[] {
  const ordered: string[] = [];
  const seen = new Set<string>();
  function visit(table: string): void {
    if (seen.has(table)) return;
    seen.add(table);
    for (const key of keys.get(table) ?? []) if (key.table !== table && tables.includes(key.table)) visit(key.table);
    ordered.push(table);
  }
  for (const table of tables) visit(table);
  return ordered;
}

type Value = string | number | null;

function representativeValue(table: string, column: Column, i: number): Value {
  const type = column.type.toUpperCase();
  if (type.includes('INT')) return column.name.endsWith('_at') ? 1_790_000_000_000 + i : i + 1;
  if (type.includes('REAL') || type.includes('FLOA') || type.includes('DOUB')) return i + 0.5;
  if (column.name.endsWith('_json')) return '[]';
  return `${table}.${column.name}.${i}`;
}

/**
 * Fills every table with ROWS_PER_TABLE rows; returns the rows inserted per table (column → value) and the
 * tables that refused them (with SQLite's reason).
 */
async function seedEveryTable(
  handle: DbHandle,
): Promise<{ seeded: Map<string, Record<string, Value>[]>; refused: string[] }> {
  const tables = await plainTables(handle);
  const keys = new Map<string, ForeignKey[]>();
  const columns = new Map<string, Column[]>();
  for (const table of tables) {
    keys.set(table, await all<ForeignKey>(handle, `PRAGMA foreign_key_list("${table}")`));
    columns.set(table, await all<Column>(handle, `PRAGMA table_info("${table}")`));
  }
  const seeded = new Map<string, Record<string, Value>[]>();
  const refused: string[] = [];
  for (const table of inDependencyOrder(tables, keys)) {
    const rows: Record<string, Value>[] = [];
    for (let i = 0; i < ROWS_PER_TABLE; i++) {
      const row: Record<string, Value> = {};
      for (const column of columns.get(table) ?? []) {
        const key = keys.get(table)?.find((k) => k.from === column.name);
        if (key) {
          const parentRows = seeded.get(key.table) ?? [];
          const parentPk = columns.get(key.table)?.find((c) => c.pk === 1)?.name ?? 'rowid';
          const parent = key.table === table ? null : parentRows[i % Math.max(parentRows.length, 1)];
          row[column.name] = parent ? (parent[key.to ?? parentPk] ?? null) : null;
          if (row[column.name] === null && column.notnull) row[column.name] = representativeValue(table, column, i);
        } else {
          row[column.name] = representativeValue(table, column, i);
        }
      }
      const names = Object.keys(row);
      try {
        await handle.client.execute({
          sql: `insert into "${table}" (${names.map((n) => `"${n}"`).join(', ')}) values (${names.map(() => '?').join(', ')})`,
          args: names.map((n) => row[n] ?? null),
        });
        rows.push(row);
      } catch (error) {
        refused.push(`${table}: ${(error as Error).message}`);
        break;
      }
    }
    seeded.set(table, rows);
  }
  return { seeded, refused };
}

async function primaryKey(handle: DbHandle, table: string): Promise<string[]> {
  const info = await all<Column>(handle, `PRAGMA table_info("${table}")`);
  return info
    .filter((c) => c.pk > 0)
    .sort((a, b) => a.pk - b.pk)
    .map((c) => c.name);
}

async function countRows(handle: DbHandle, table: string): Promise<number> {
  return Number((await all<{ n: number }>(handle, `select count(*) as n from "${table}"`))[0]?.n ?? 0);
}

test.each(JOURNAL.entries.map((entry, index) => [entry.tag, index] as const))(
  'a database at %s with rows in every table migrates to the head with no row lost',
  async (tag, index) => {
    const handle = await openDb({ url: `file:${join(dir, `${tag}.db`)}` });
    try {
      await migrate(handle.db, { migrationsFolder: migrationsUpTo(index) });
      const { seeded, refused } = await seedEveryTable(handle);
      expect(refused).toEqual([]);
      const before = new Map<string, { count: number; keys: string[] }>();
      for (const table of seeded.keys()) {
        before.set(table, { count: await countRows(handle, table), keys: await primaryKey(handle, table) });
      }

      await migrateDb(handle.db);

      const after = new Set(await plainTables(handle));
      const lost: string[] = [];
      for (const [table, rows] of seeded) {
        if (!after.has(table)) {
          if (!DROPPED_ON_PURPOSE[table]) lost.push(`${table}: the table is gone`);
          continue;
        }
        const { count, keys } = before.get(table) ?? { count: 0, keys: [] };
        if ((await countRows(handle, table)) < count) lost.push(`${table}: fewer rows than before`);
        for (const row of keys.length > 0 ? rows : []) {
          const found = await handle.client.execute({
            sql: `select count(*) as n from "${table}" where ${keys.map((k) => `"${k}" is ?`).join(' and ')}`,
            args: keys.map((k) => row[k] ?? null),
          });
          if (Number(found.rows[0]?.n) !== 1) lost.push(`${table}: row ${keys.map((k) => row[k]).join('/')} lost`);
        }
      }
      expect(lost).toEqual([]);
      expect((await all<{ integrity_check: string }>(handle, 'PRAGMA integrity_check'))[0]?.integrity_check).toBe('ok');
      expect((await all<{ n: number }>(handle, 'PRAGMA foreign_key_check')).length).toBe(0);
    } finally {
      handle.client.close();
    }
  },
  30_000,
);
