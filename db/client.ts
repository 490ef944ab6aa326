import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import { type Client, createClient } from '@libsql/client';
import { drizzle, type LibSQLDatabase } from 'drizzle-orm/libsql';
// The driver @libsql/client itself runs embedded files on (same native library, so SQLite's per-process lock
// bookkeeping is shared; a second SQLite build in one process could corrupt the file: sqlite.org/howtocorrupt.html §2.2).
import Database from 'libsql';
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
 * The embedded file's read connection for `readFirstRow`: opened on first use, its statements prepared once.
 * @libsql/client prepares every statement again on every call and asks the driver for the column list twice
 * (about 140 µs for a one-row read by primary key; the same statement kept prepared: about 10 µs).
 */
interface HotReads {
  path: string;
  /** Set when the client is closed: no read connection is opened again. */
  closed: boolean;
  connection: Database.Database | null;
  statements: Map<string, Database.Statement>;
}

/** What `readFirstRow` binds: values both drivers take as they are (no booleans or dates to convert). */
export type ReadArg = string | number | bigint | null;

/** How `readFirstRow` reads each database `openDb` opened. */
const firstRowReaders = new WeakMap<Db, (sql: string, args: ReadArg[]) => Promise<unknown[] | undefined>>();

/** More distinct statements than the few hot reads means a caller builds SQL per request: stop caching. */
const MAX_PREPARED_READS = 64;

function hotStatement(reads: HotReads, sql: string): Database.Statement {
  let statement = reads.statements.get(sql);
  if (statement) return statement;
  if (!reads.connection) {
    if (reads.closed) throw new Error('The database is closed.');
    reads.connection = new Database(reads.path, { timeout: BUSY_TIMEOUT_MS });
    // This connection only reads; a write through it would bypass the in-process write queue.
    reads.connection.exec('PRAGMA query_only = ON');
  }
  statement = reads.connection.prepare(sql).raw(true);
  if (reads.statements.size < MAX_PREPARED_READS) reads.statements.set(sql, statement);
  return statement;
}

/**
 * The first row of a SELECT as its column values in order (integers as numbers, like the client's default),
 * or undefined. For the reads every request makes (the session check). On an embedded file the statement is
 * prepared once on a read connection of its own: in WAL mode each run starts a fresh read transaction, so it
 * sees every write committed before it (a revoked session is gone at the next request), and `get` resets the
 * statement, so no snapshot stays open. Any other database goes through the client.
 */
export async function readFirstRow(db: Db, sql: string, args: ReadArg[]): Promise<unknown[] | undefined> {
  const read = firstRowReaders.get(db);
  if (!read) throw new Error('readFirstRow needs a database opened with openDb.');
  return read(sql, args);
}

/** Closing the client also closes the read connection behind `readFirstRow`. */
function closingHotReads(client: Client, reads: HotReads): Client {
  return new Proxy(client, {
    get(target, property) {
      const value = Reflect.get(target, property);
      if (property === 'close') {
        return () => {
          reads.closed = true;
          reads.connection?.close();
          reads.connection = null;
          reads.statements.clear();
          target.close();
        };
      }
      return typeof value === 'function' ? value.bind(target) : value;
    },
  });
}

/**
 * Opens the database. For an embedded file, creates its folder and switches the file to WAL (a persistent
 * setting of the file). libSQL connections enforce foreign keys by default.
 */
export async function openDb(options: OpenDbOptions): Promise<DbHandle> {
  const isFile = options.url.startsWith('file:');
  const path = isFile ? options.url.slice('file:'.length) : null;
  if (path !== null && path !== ':memory:') mkdirSync(dirname(path), { recursive: true });
  const opened = createClient({ url: options.url, authToken: options.authToken, timeout: BUSY_TIMEOUT_MS });
  // In-process writers queue instead of meeting SQLite's busy handler, which blocks the event loop.
  let client = isFile ? serializeWrites(opened, BUSY_TIMEOUT_MS) : opened;
  if (isFile) await client.execute('PRAGMA journal_mode = WAL');
  // An in-memory database exists only on the connection that made it: no second connection for it.
  const reads: HotReads | null =
    path !== null && path !== ':memory:' ? { path, closed: false, connection: null, statements: new Map() } : null;
  if (reads) client = closingHotReads(client, reads);
  const db = drizzle(client, { schema });
  const viaClient = client;
  firstRowReaders.set(
    db,
    reads
      ? async (sql, args) => hotStatement(reads, sql).get(args) as unknown[] | undefined
      : async (sql, args) => {
          const row = (await viaClient.execute({ sql, args })).rows[0];
          return row ? Array.from(row) : undefined;
        },
  );
  return { db, client };
}
