import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import { type Client, createClient } from '@libsql/client';
import { drizzle, type LibSQLDatabase } from 'drizzle-orm/libsql';
import * as schema from './schema/index.ts';
import { serializeWrites } from './serialize-writes.ts';

export type Db = LibSQLDatabase<typeof schema>;

export interface DbHandle {
  db: Db;
  client: Client;
}

export interface OpenDbOptions {
  /** `file:path/to.db` for the embedded database, or `libsql://…` / `http(s)://…` for a libSQL server. */
  url: string;
  authToken?: string;
}

/** Busy timeout for the embedded database: writers wait this long for a lock instead of failing at once. */
const BUSY_TIMEOUT_MS = 5000;

/**
 * Opens the database. For an embedded file, creates its folder and switches the file to WAL (a persistent
 * setting of the file). libSQL connections enforce foreign keys by default.
 */
export async function openDb(options: OpenDbOptions): Promise<DbHandle> {
  const isFile = options.url.startsWith('file:');
  if (isFile) {
    const path = options.url.slice('file:'.length);
    if (path !== ':memory:') mkdirSync(dirname(path), { recursive: true });
  }
  const opened = createClient({ url: options.url, authToken: options.authToken, timeout: BUSY_TIMEOUT_MS });
  // In-process writers queue instead of meeting SQLite's busy handler, which blocks the event loop.
  const client = isFile ? serializeWrites(opened, BUSY_TIMEOUT_MS) : opened;
  if (isFile) await client.execute('PRAGMA journal_mode = WAL');
  const db = drizzle(client, { schema });
  return { db, client };
}
