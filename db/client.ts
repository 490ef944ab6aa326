import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import { type Client, createClient, type InStatement, type ResultSet, type Row } from '@libsql/client';
import { drizzle, type LibSQLDatabase } from 'drizzle-orm/libsql';
// The driver @libsql/client itself runs embedded files on (same native library, so SQLite's per-process lock
// bookkeeping is shared; a second SQLite build in one process could corrupt the file: sqlite.org/howtocorrupt.html §2.2).
import Database from 'libsql';
import * as schema from './schema/index.ts';
import { serializeWrites } from './serialize-writes.ts';

export type Db = LibSQLDatabase<typeof schema>;

/** A transaction or the database: what helpers that may run inside a caller's transaction accept. */
export type DbOrTx = Pick<Db, 'select' | 'insert' | 'update' | 'delete' | 'run' | 'all'>;

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
 * Reads of an embedded file on a connection of their own, with their statements prepared once.
 *
 * Why: @libsql/client prepares every statement again on every call and asks the driver for the column list
 * twice; a one-row read by primary key took about 140 µs that way and about 10 µs with the statement kept
 * prepared. Only SELECTs made outside a transaction come here (a transaction's reads stay on its own
 * connection). In WAL mode each run starts a fresh read transaction, so it sees every write committed before
 * it, as the client's pooled connections do; statements always run to the end (or are reset), so no snapshot
 * stays open. The connection refuses writes (PRAGMA query_only), which would bypass the write queue.
 */
interface PreparedReads {
  path: string;
  /** Set when the client is closed: no read connection is opened again. */
  closed: boolean;
  connection: Database.Database | null;
  /** For readFirstRow: raw rows with plain numbers. */
  firstRow: Map<string, Database.Statement>;
  /** For the client's SELECTs, least recently used first. */
  selects: Map<string, PreparedSelect>;
  /**
   * Closes dataGeneration's connection, when it has one. Called when the client closes: a native connection
   * left to the garbage collector was finalized at a moment when a JavaScript exception was pending, which
   * aborted the process (neon's finalizer assertion, seen once in a test run).
   */
  closeGeneration: () => void;
}

interface PreparedSelect {
  statement: Database.Statement;
  columns: string[];
  columnTypes: string[];
}

/** The app has a few hundred distinct SELECTs; lists of variable length (IN …) make more. */
const MAX_PREPARED_SELECTS = 500;
/** readFirstRow is for a handful of fixed statements; more means a caller builds SQL per call: stop caching. */
const MAX_PREPARED_FIRST_ROWS = 64;
const SELECT = /^\s*select\b/i;
const SCHEMA_CHANGE = /^\s*(create|alter|drop)\b/i;
const MIN_SAFE = BigInt(Number.MIN_SAFE_INTEGER);
const MAX_SAFE = BigInt(Number.MAX_SAFE_INTEGER);

function readConnection(reads: PreparedReads): Database.Database {
  if (reads.connection) return reads.connection;
  if (reads.closed) throw new Error('The database is closed.');
  const connection = new Database(reads.path, { timeout: BUSY_TIMEOUT_MS });
  connection.exec('PRAGMA query_only = ON');
  reads.connection = connection;
  return connection;
}

/** Drops every prepared statement and the connection (after an error, a schema change or close). */
function resetReads(reads: PreparedReads): void {
  reads.firstRow.clear();
  reads.selects.clear();
  const connection = reads.connection;
  reads.connection = null;
  try {
    connection?.close();
  } catch {
    // Already unusable; nothing to release.
  }
}

function firstRowStatement(reads: PreparedReads, sql: string): Database.Statement {
  let statement = reads.firstRow.get(sql);
  if (statement) return statement;
  statement = readConnection(reads).prepare(sql).raw(true);
  if (reads.firstRow.size < MAX_PREPARED_FIRST_ROWS) reads.firstRow.set(sql, statement);
  return statement;
}

function preparedSelect(reads: PreparedReads, sql: string): PreparedSelect {
  const known = reads.selects.get(sql);
  if (known) {
    reads.selects.delete(sql);
    reads.selects.set(sql, known);
    return known;
  }
  const statement = readConnection(reads).prepare(sql).raw(true).safeIntegers(true);
  const described = statement.columns();
  const prepared = {
    statement,
    columns: described.map((c) => c.name),
    columnTypes: described.map((c) => c.type ?? ''),
  };
  reads.selects.set(sql, prepared);
  if (reads.selects.size > MAX_PREPARED_SELECTS) {
    const oldest = reads.selects.keys().next().value;
    if (oldest !== undefined) reads.selects.delete(oldest);
  }
  return prepared;
}

/** An argument as the client binds it (intMode "number"), or undefined when the client must bind it. */
function bindable(value: unknown): unknown {
  if (value === null || typeof value === 'string' || typeof value === 'bigint') return value;
  if (typeof value === 'number') return Number.isFinite(value) ? value : undefined;
  if (typeof value === 'boolean') return value ? 1 : 0;
  return undefined;
}

/** A value as the client returns it (intMode "number"); a number beyond 2^53 throws, as there. */
function fromSql(value: unknown): unknown {
  if (typeof value === 'bigint') {
    if (value < MIN_SAFE || value > MAX_SAFE) {
      throw new RangeError('Received integer which cannot be safely represented as a JavaScript number');
    }
    return Number(value);
  }
  if (Buffer.isBuffer(value)) return value.buffer.slice(value.byteOffset, value.byteOffset + value.byteLength);
  return value;
}

/** A row shaped as the client shapes it: values by index (not enumerable) and by column name. */
function toRow(values: unknown[], columns: string[]): Row {
  const row = {};
  Object.defineProperty(row, 'length', { value: values.length });
  for (let i = 0; i < values.length; i++) {
    const value = fromSql(values[i]);
    Object.defineProperty(row, i, { value });
    const column = columns[i];
    if (column !== undefined && !Object.hasOwn(row, column)) {
      Object.defineProperty(row, column, { value, enumerable: true, configurable: true, writable: true });
    }
  }
  return row as Row;
}

class PreparedResultSet implements ResultSet {
  columns: string[];
  columnTypes: string[];
  rows: Row[];
  rowsAffected = 0;
  lastInsertRowid = undefined;

  constructor(columns: string[], columnTypes: string[], rows: Row[]) {
    this.columns = columns;
    this.columnTypes = columnTypes;
    this.rows = rows;
  }

  toJSON(): unknown {
    const toJson = (value: unknown): unknown => {
      if (typeof value === 'bigint') return `${value}`;
      if (value instanceof ArrayBuffer) return Buffer.from(value).toString('base64');
      return value;
    };
    return {
      columns: this.columns,
      columnTypes: this.columnTypes,
      rows: this.rows.map((row) => Array.prototype.map.call(row, toJson)),
      rowsAffected: this.rowsAffected,
      lastInsertRowid: null,
    };
  }
}

/** A SELECT with positional arguments the prepared path can bind, as [sql, args]; otherwise null. */
function preparable(stmt: InStatement | string, args: unknown): [string, unknown[]] | null {
  const sql = typeof stmt === 'string' ? stmt : stmt.sql;
  if (!SELECT.test(sql)) return null;
  const given = typeof stmt === 'string' ? (args ?? []) : (stmt.args ?? []);
  if (!Array.isArray(given)) return null;
  const bound: unknown[] = [];
  for (const value of given) {
    const converted = bindable(value);
    if (converted === undefined) return null;
    bound.push(converted);
  }
  return [sql, bound];
}

/** The client with its SELECTs run on prepared statements, and `close` closing the read connection too. */
function withPreparedReads(client: Client, reads: PreparedReads): Client {
  const execute = client.execute.bind(client) as (stmt: InStatement | string, args?: unknown) => Promise<ResultSet>;
  const afterSchemaChange = <T>(result: Promise<T>): Promise<T> =>
    result.finally(() => {
      if (!reads.closed) resetReads(reads);
    });
  // Made once: drizzle looks `execute` up on every query.
  const executeSelectsPrepared = async (stmt: InStatement | string, args?: unknown): Promise<ResultSet> => {
    const select = reads.closed ? null : preparable(stmt, args);
    if (!select) {
      const sql = typeof stmt === 'string' ? stmt : stmt.sql;
      return SCHEMA_CHANGE.test(sql) ? afterSchemaChange(execute(stmt, args)) : execute(stmt, args);
    }
    const [sql, bound] = select;
    try {
      const { statement, columns, columnTypes } = preparedSelect(reads, sql);
      const values = statement.all(bound) as unknown[][];
      return new PreparedResultSet(
        columns,
        columnTypes,
        values.map((row) => toRow(row, columns)),
      );
    } catch {
      // The client answers (or fails) exactly as it always has; a read can safely run twice. The
      // connection is dropped in case the failed statement was left part-way through.
      resetReads(reads);
      return execute(stmt, args);
    }
  };
  return new Proxy(client, {
    get(target, property) {
      switch (property) {
        case 'execute':
          return executeSelectsPrepared;
        case 'batch':
          return (...args: Parameters<Client['batch']>) => afterSchemaChange(target.batch(...args));
        case 'migrate':
          return (...args: Parameters<Client['migrate']>) => afterSchemaChange(target.migrate(...args));
        case 'executeMultiple':
          return (sql: string) => afterSchemaChange(target.executeMultiple(sql));
        case 'close':
          return () => {
            reads.closed = true;
            resetReads(reads);
            reads.closeGeneration();
            target.close();
          };
        default: {
          const value = Reflect.get(target, property);
          return typeof value === 'function' ? value.bind(target) : value;
        }
      }
    },
  });
}

/** How `readFirstRow` reads each database `openDb` opened. */
const firstRowReaders = new WeakMap<Db, (sql: string, args: ReadArg[]) => Promise<unknown[] | undefined>>();

/** What `readFirstRow` binds: values both drivers take as they are (no booleans or dates to convert). */
export type ReadArg = string | number | bigint | null;

/**
 * The first row of a SELECT as its column values in order (integers as numbers), or undefined: the leanest
 * read there is, for the one every request makes (the session check). On an embedded file it runs a statement
 * prepared once on the read connection (see PreparedReads) and `get` resets it at once; any other database
 * goes through the client.
 */
export async function readFirstRow(db: Db, sql: string, args: ReadArg[]): Promise<unknown[] | undefined> {
  const read = firstRowReaders.get(db);
  if (!read) throw new Error('readFirstRow needs a database opened with openDb.');
  return read(sql, args);
}

/** How `dataGeneration` reads each database `openDb` opened (absent: no way to tell, as for a remote server). */
const generationReaders = new WeakMap<Db, () => number>();

/**
 * A number that changes whenever anything has been committed to the database since it was last read, by any
 * connection of any process (this one's writers, other server processes, the scheduled jobs' thread, a
 * script): SQLite's `PRAGMA data_version` on a connection of its own that never writes (sqlite.org/pragma.html
 * #pragma_data_version: "different if changes were committed to the database by any other connection in the
 * interim"). The number only grows in this process, across a reopened connection too. Null where the
 * database is not an embedded file: then nothing can be known to be unchanged.
 */
export function dataGeneration(db: Db): number | null {
  return generationReaders.get(db)?.() ?? null;
}

function generationReader(reads: PreparedReads): () => number {
  let connection: Database.Database | null = null;
  let statement: Database.Statement | null = null;
  let lastVersion = -1;
  let generation = 0;
  const drop = (): void => {
    statement = null;
    try {
      connection?.close();
    } catch {
      // Already unusable.
    }
    connection = null;
  };
  reads.closeGeneration = drop;
  return () => {
    if (reads.closed) {
      drop();
      return ++generation;
    }
    try {
      if (!statement) {
        connection = new Database(reads.path, { timeout: BUSY_TIMEOUT_MS });
        connection.exec('PRAGMA query_only = ON');
        statement = connection.prepare('PRAGMA data_version').raw(true);
        lastVersion = -1;
      }
      const version = Number((statement.get() as unknown[])[0]);
      if (version !== lastVersion) {
        lastVersion = version;
        generation++;
      }
    } catch {
      // Unreadable now (the file is being replaced by a restore, say): a new generation, and a new connection.
      drop();
      generation++;
    }
    return generation;
  };
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
  const serialized = isFile ? serializeWrites(opened, BUSY_TIMEOUT_MS) : opened;
  if (isFile) await serialized.execute('PRAGMA journal_mode = WAL');
  // An in-memory database exists only on the connection that made it: no second connection for it.
  const reads: PreparedReads | null =
    path !== null && path !== ':memory:'
      ? { path, closed: false, connection: null, firstRow: new Map(), selects: new Map(), closeGeneration: () => {} }
      : null;
  const client = reads ? withPreparedReads(serialized, reads) : serialized;
  const db = drizzle(client, { schema });
  firstRowReaders.set(
    db,
    reads
      ? async (sql, args) => {
          try {
            return firstRowStatement(reads, sql).get(args) as unknown[] | undefined;
          } catch (error) {
            if (!reads.closed) resetReads(reads);
            throw error;
          }
        }
      : async (sql, args) => {
          const row = (await client.execute({ sql, args })).rows[0];
          return row ? Array.from(row) : undefined;
        },
  );
  if (reads) generationReaders.set(db, generationReader(reads));
  return { db, client };
}
