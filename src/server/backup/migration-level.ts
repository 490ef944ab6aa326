/**
 * The migration level of a database: which of the committed migrations drizzle's migrator recorded in
 * `__drizzle_migrations` (one row per applied migration, `created_at` = the journal's `when` of that
 * migration). A restore compares it with the migrations this code carries.
 */
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import type Database from 'libsql';

const JOURNAL = fileURLToPath(new URL('../../../db/migrations/meta/_journal.json', import.meta.url));

export interface MigrationLevel {
  /** Migrations applied. */
  applied: number;
  /** The journal time (ms) of the newest applied migration, or null for a database never migrated. */
  lastWhen: number | null;
}

export interface CodeMigration {
  tag: string;
  when: number;
}

/** The committed migrations of this code, oldest first. */
export function codeMigrations(): CodeMigration[] {
  const journal = JSON.parse(readFileSync(JOURNAL, 'utf8')) as { entries: CodeMigration[] };
  return journal.entries.map((entry) => ({ tag: entry.tag, when: entry.when }));
}

export function readMigrationLevel(connection: Database.Database): MigrationLevel {
  const table = connection
    .prepare("select 1 from sqlite_master where type = 'table' and name = '__drizzle_migrations'")
    .get();
  if (!table) return { applied: 0, lastWhen: null };
  const row = connection
    .prepare('select count(*) as applied, max(created_at) as lastWhen from __drizzle_migrations')
    .get() as { applied: number; lastWhen: number | null };
  return { applied: Number(row.applied), lastWhen: row.lastWhen === null ? null : Number(row.lastWhen) };
}

/** The applied migrations' journal times, oldest first. */
export function readAppliedWhens(connection: Database.Database): number[] {
  const table = connection
    .prepare("select 1 from sqlite_master where type = 'table' and name = '__drizzle_migrations'")
    .get();
  if (!table) return [];
  const rows = connection.prepare('select created_at as at from __drizzle_migrations order by created_at').all() as {
    at: number;
  }[];
  return rows.map((row) => Number(row.at));
}
