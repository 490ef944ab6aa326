/**
 * Everything the portal holds about one person, found from the database's own schema rather than from a
 * hand-kept list, so a table added later is covered (or, for erasure, refused until it has a rule).
 *
 * A row refers to a user when
 * - a column is a foreign key to users(id) holding their id;
 * - it hangs from such a row through ON DELETE CASCADE foreign keys (the documents of their application,
 *   the annotations on their simulator attempt): the row belongs to them;
 * - a column in PERSON_COLUMNS names them without a foreign key (the audit log outlives users, mail is
 *   addressed to their email, …).
 * References through a cascade chain or an owner column make the row the user's own ("owner"); the
 * others ("actor": the user reviewed, decided or annotated another member's record) are exported reduced
 * to the record's key and the referring columns, so one member's export never carries another member's
 * details.
 */
import { statSync } from 'node:fs';
import { join } from 'node:path';
import { eq, type SQL, sql } from 'drizzle-orm';
import type { DbOrTx } from '#db/client.ts';
import { users } from '#db/schema/index.ts';
import { PHOTO_FOLDER } from './member-profile.ts';
import { DOCUMENTS_FOLDER } from './membership-documents.ts';

/** Suffixes of the shadow tables FTS5 (and FTS3/4) keep beside a virtual table; they hold no rows of their own. */
const FTS_SHADOW_SUFFIXES = ['_data', '_idx', '_content', '_docsize', '_config', '_segments', '_segdir', '_stat'];

export interface ColumnInfo {
  name: string;
  /** Declared type, upper case ('TEXT', 'INTEGER', '' for FTS columns). */
  type: string;
  /** Position in the primary key (1-based), 0 when not part of it. */
  pk: number;
}

export interface ForeignKeyInfo {
  table: string;
  column: string;
  parentTable: string;
  parentColumn: string;
  onDelete: string;
}

export interface SchemaMap {
  /** Every table holding application data: no sqlite_*, no migrations table, no FTS shadow tables. */
  tables: string[];
  columns: Record<string, ColumnInfo[]>;
  foreignKeys: ForeignKeyInfo[];
}

/** Reads the tables, columns and foreign keys of the live database. */
export async function readSchemaMap(db: DbOrTx): Promise<SchemaMap> {
  const master = await db.all<{ name: string; sql: string | null }>(
    sql`select name, sql from sqlite_master where type = 'table' order by name`,
  );
  const ftsTables = master.filter((t) => /create\s+virtual\s+table[\s\S]*using\s+fts\d/i.test(t.sql ?? ''));
  const shadows = new Set(ftsTables.flatMap((t) => FTS_SHADOW_SUFFIXES.map((s) => `${t.name}${s}`)));
  const tables = master
    .map((t) => t.name)
    .filter((name) => !name.startsWith('sqlite_') && !name.startsWith('__drizzle') && !shadows.has(name));
  const columns: Record<string, ColumnInfo[]> = {};
  const foreignKeys: ForeignKeyInfo[] = [];
  for (const table of tables) {
    const info = await db.all<{ name: string; type: string; pk: number }>(
      sql`select name, type, pk from pragma_table_info(${table})`,
    );
    columns[table] = info.map((c) => ({ name: c.name, type: String(c.type).toUpperCase(), pk: Number(c.pk) }));
    const fks = await db.all<{ table: string; from: string; to: string | null; on_delete: string }>(
      sql`select "table", "from", "to", on_delete from pragma_foreign_key_list(${table})`,
    );
    for (const fk of fks) {
      foreignKeys.push({
        table,
        column: fk.from,
        parentTable: fk.table,
        // A foreign key written without a column refers to the parent's primary key (always `id` here).
        parentColumn: fk.to ?? 'id',
        onDelete: String(fk.on_delete).toUpperCase(),
      });
    }
  }
  return { tables, columns, foreignKeys };
}

/** How a column without a foreign key names a person. */
/**
 * user-id: holds the user's id; email: holds their email; key-ending-in-email: a `…:<email>` key;
 * own-record-id: holds the user's id or the id of any row they own (an audit row about their application).
 */
export type PersonMatch = 'user-id' | 'email' | 'key-ending-in-email' | 'own-record-id';

export interface PersonColumn {
  table: string;
  column: string;
  match: PersonMatch;
  /** owner: the row is about the user; actor: the user acted on a record that is someone else's. */
  role: 'owner' | 'actor';
}

/**
 * Columns that name a person without a foreign key. Extend this when a table stores a user id, email or
 * address in a column that is not a foreign key to users(id).
 */
export const PERSON_COLUMNS: readonly PersonColumn[] = [
  // The audit trail keeps ids, not foreign keys, so it outlives the users it names.
  // What the user did to others' accounts or records: their own act, but the details are about someone else.
  { table: 'audit_log', column: 'actor_id', match: 'user-id', role: 'actor' },
  // Subjects are users or records (applications, documents): both are about the user when they own them.
  { table: 'audit_log', column: 'subject_id', match: 'own-record-id', role: 'owner' },
  { table: 'mail_outbox', column: 'to_address', match: 'email', role: 'owner' },
  // A message sent through the contact page while signed out names the sender by address only.
  { table: 'contact_messages', column: 'email', match: 'email', role: 'owner' },
  { table: 'membership_events', column: 'actor_id', match: 'user-id', role: 'actor' },
  { table: 'user_roles', column: 'granted_by', match: 'user-id', role: 'actor' },
  { table: 'member_directory_search', column: 'user_id', match: 'user-id', role: 'owner' },
  // Per-account rate-limit counters are keyed `<action>:email:<address>` (src/server/auth/rate-limit.ts).
  { table: 'rate_limits', column: 'key', match: 'key-ending-in-email', role: 'owner' },
];

/**
 * Columns that hold secrets or their hashes: the export says whether one is present, never its value.
 */
export const SECRET_COLUMNS: Readonly<Record<string, readonly string[]>> = {
  users: ['password_hash'],
  sessions: ['secret_hash'],
  user_tokens: ['token_hash'],
  totp_credentials: ['secret'],
  recovery_codes: ['code_hash'],
};

export interface Person {
  id: string;
  email: string;
}

/** How one table refers to a person: SQL conditions over its rows (null: never in that way). */
export interface TableReference {
  table: string;
  /** Rows that are the person's own. */
  owner: SQL | null;
  /** Rows where the person appears in another capacity (reviewer, examiner, granter, …). */
  actor: SQL | null;
  /** The columns through which the person is named directly (for the reduced rows). */
  personColumns: string[];
}

const MAX_CASCADE_DEPTH = 6;

function orAll(parts: SQL[]): SQL | null {
  if (parts.length === 0) return null;
  return sql.join(
    parts.map((p) => sql`(${p})`),
    sql` or `,
  );
}

function personColumnCondition(
  schema: SchemaMap,
  table: string,
  column: string,
  match: PersonMatch,
  person: Person,
  depth: number,
): SQL {
  const col = sql.identifier(column);
  if (match === 'user-id') return sql`${col} = ${person.id}`;
  if (match === 'own-record-id') return sql`${col} in (${ownRecordIds(schema, table, person, depth)})`;
  if (match === 'email') return sql`${col} = ${person.email}`;
  return sql`substr(${col}, -${person.email.length + 1}) = ${`:${person.email}`}`;
}

/** A subquery of the ids of every row the person owns, in all tables with an `id` column but `exceptTable`. */
function ownRecordIds(schema: SchemaMap, exceptTable: string, person: Person, depth: number): SQL {
  const parts: SQL[] = [];
  for (const table of schema.tables) {
    if (table === exceptTable || !(schema.columns[table] ?? []).some((c) => c.name === 'id')) continue;
    const owner = ownerCondition(schema, table, person, depth + 1, exceptTable);
    if (owner) parts.push(sql`select ${sql.identifier('id')} from ${sql.identifier(table)} where ${owner}`);
  }
  return sql.join(parts, sql` union all `);
}

/**
 * The owner condition of `table`: its users(id) cascade columns, its owner person columns, and cascade
 * foreign keys to tables whose rows the person owns (recursively).
 */
function ownerCondition(
  schema: SchemaMap,
  table: string,
  person: Person,
  depth: number,
  /** A table whose own-record-id columns are being resolved: its rows are not records of the person here. */
  resolving: string | null = null,
): SQL | null {
  if (depth > MAX_CASCADE_DEPTH) return null;
  const parts: SQL[] = [];
  if (table === 'users') parts.push(sql`${sql.identifier('id')} = ${person.id}`);
  for (const fk of schema.foreignKeys) {
    if (fk.table !== table || fk.onDelete !== 'CASCADE') continue;
    if (fk.parentTable === 'users') {
      parts.push(sql`${sql.identifier(fk.column)} = ${person.id}`);
      continue;
    }
    const parent = ownerCondition(schema, fk.parentTable, person, depth + 1, resolving);
    if (parent) {
      parts.push(
        sql`${sql.identifier(fk.column)} in (select ${sql.identifier(fk.parentColumn)} from ${sql.identifier(fk.parentTable)} where ${parent})`,
      );
    }
  }
  for (const pc of PERSON_COLUMNS) {
    if (pc.match === 'own-record-id' && resolving !== null) continue;
    if (pc.table === table && pc.role === 'owner' && schema.tables.includes(table)) {
      parts.push(personColumnCondition(schema, table, pc.column, pc.match, person, depth));
    }
  }
  return orAll(parts);
}

/** Every table that can refer to `person`, with the conditions that find its rows. */
export function userReferences(schema: SchemaMap, person: Person): TableReference[] {
  const out: TableReference[] = [];
  for (const table of schema.tables) {
    const owner = ownerCondition(schema, table, person, 0);
    const actorParts: SQL[] = [];
    const personColumns = new Set<string>();
    if (table === 'users') personColumns.add('id');
    for (const fk of schema.foreignKeys) {
      if (fk.table !== table || fk.parentTable !== 'users') continue;
      personColumns.add(fk.column);
      if (fk.onDelete !== 'CASCADE') actorParts.push(sql`${sql.identifier(fk.column)} = ${person.id}`);
    }
    for (const pc of PERSON_COLUMNS) {
      if (pc.table !== table) continue;
      personColumns.add(pc.column);
      if (pc.role === 'actor') actorParts.push(personColumnCondition(schema, table, pc.column, pc.match, person, 0));
    }
    const actor = orAll(actorParts);
    if (owner || actor) out.push({ table, owner, actor, personColumns: [...personColumns] });
  }
  return out;
}

/** Tables with a foreign key to users(id): each must appear in the export and have an erasure rule. */
export function tablesReferencingUsers(schema: SchemaMap): string[] {
  const names = new Set(schema.foreignKeys.filter((fk) => fk.parentTable === 'users').map((fk) => fk.table));
  return [...names].sort();
}

type Row = Record<string, unknown>;

function exportValue(value: unknown): unknown {
  if (value instanceof ArrayBuffer || ArrayBuffer.isView(value)) {
    return `(binary, ${value.byteLength} bytes)`;
  }
  if (typeof value === 'bigint') return Number(value);
  return value;
}

/** Links with a single-use token (verification, password reset) in stored mail: the token is a secret too. */
const TOKEN_IN_LINK = /([?&]token=)[^\s&]+/g;

function exportRow(table: string, row: Row): Row {
  const secrets = SECRET_COLUMNS[table] ?? [];
  const out: Row = {};
  for (const [key, value] of Object.entries(row)) {
    if (secrets.includes(key)) out[key] = value === null ? null : 'present';
    else if (typeof value === 'string') out[key] = value.replace(TOKEN_IN_LINK, '$1(removed)');
    else out[key] = exportValue(value);
  }
  return out;
}

/** Rows of `table` matching `where`; tables without a declared primary key also give their rowid. */
async function selectRows(db: DbOrTx, table: string, where: SQL): Promise<Row[]> {
  return db.all<Row>(sql`select * from ${sql.identifier(table)} where ${where}`);
}

function keyColumns(schema: SchemaMap, table: string): string[] {
  const pk = (schema.columns[table] ?? []).filter((c) => c.pk > 0).sort((a, b) => a.pk - b.pk);
  return pk.map((c) => c.name);
}

/** Uploaded files the person owns, recorded in these tables (A's documents, C's photo). */
export interface StoredFileColumn {
  table: string;
  /** Folder under UPLOAD_DIR (src/server/uploads.ts writeStoredFile). */
  folder: string;
  storedNameColumn: string;
  typeColumn: string;
  /** The name shown to the person; null: `label` instead. */
  displayNameColumn: string | null;
  label: string;
}

export const STORED_FILE_COLUMNS: readonly StoredFileColumn[] = [
  {
    table: 'membership_documents',
    folder: DOCUMENTS_FOLDER,
    storedNameColumn: 'stored_name',
    typeColumn: 'mime_type',
    displayNameColumn: 'original_name',
    label: 'Membership application document',
  },
  {
    table: 'member_profiles',
    folder: PHOTO_FOLDER,
    storedNameColumn: 'photo_stored_name',
    typeColumn: 'photo_mime_type',
    displayNameColumn: null,
    label: 'Profile photo',
  },
];

export interface StoredFileRef {
  table: string;
  folder: string;
  storedName: string;
  name: string;
  type: string;
}

/** The person's uploaded files, as recorded in the database. */
export async function listStoredFiles(db: DbOrTx, schema: SchemaMap, person: Person): Promise<StoredFileRef[]> {
  const references = new Map(userReferences(schema, person).map((r) => [r.table, r]));
  const files: StoredFileRef[] = [];
  for (const spec of STORED_FILE_COLUMNS) {
    const owner = references.get(spec.table)?.owner;
    if (!owner) continue;
    for (const row of await selectRows(db, spec.table, owner)) {
      const storedName = row[spec.storedNameColumn];
      if (typeof storedName !== 'string' || storedName === '') continue;
      const shown = spec.displayNameColumn ? row[spec.displayNameColumn] : null;
      files.push({
        table: spec.table,
        folder: spec.folder,
        storedName,
        name: typeof shown === 'string' ? shown : spec.label,
        type: String(row[spec.typeColumn] ?? ''),
      });
    }
  }
  return files;
}

export interface ExportedFile {
  /** Where the file is recorded. */
  table: string;
  name: string;
  type: string;
  /** Size on disk; null when the file is missing from the upload folder. */
  sizeBytes: number | null;
}

export interface PersonalDataExport {
  format: 'iecpa-personal-data/1';
  exportedAt: string;
  userId: string;
  about: string;
  /** Every table that can refer to a person, with the rows that refer to this one ([] when none). */
  tables: Record<string, Row[]>;
  files: ExportedFile[];
}

const ABOUT = [
  'All data the IECPA portal holds about you, one entry per database table, with the rows that refer to you.',
  'Secrets (password hash, session and link tokens, two-factor secret, recovery codes) are shown as "present",',
  "never their value. Rows where you acted on another member's record (as reviewer, examiner or admin) show",
  "only the record's key and the columns naming you (audit log: also the action and its time).",
  'Uploaded files are listed under "files"; download them from the pages where you uploaded them.',
  'Times are milliseconds since 1 January 1970 UTC.',
].join(' ');

/** The export, or null when there is no such user. */
export async function exportPersonalData(
  db: DbOrTx,
  userId: string,
  options: { uploadDir: string },
  now = Date.now(),
): Promise<PersonalDataExport | null> {
  const found = await db.select({ id: users.id, email: users.email }).from(users).where(eq(users.id, userId));
  const person = found[0];
  if (!person) return null;
  const schema = await readSchemaMap(db);
  const tables: Record<string, Row[]> = {};
  for (const ref of userReferences(schema, person)) {
    const rows: Row[] = [];
    if (ref.owner) rows.push(...(await selectRows(db, ref.table, ref.owner)).map((r) => exportRow(ref.table, r)));
    if (ref.actor) {
      const actorOnly = ref.owner ? sql`(${ref.actor}) and not (${ref.owner})` : ref.actor;
      const actorRows = await selectRows(db, ref.table, actorOnly);
      // With no owner chain the table has no other member's details to protect: full rows.
      if (!ref.owner) rows.push(...actorRows.map((r) => exportRow(ref.table, r)));
      else rows.push(...actorRows.map((r) => reducedRow(schema, ref, r, person.id)));
    }
    tables[ref.table] = rows;
  }
  const files = (await listStoredFiles(db, schema, person)).map((f) => ({
    table: f.table,
    name: f.name,
    type: f.type,
    sizeBytes: fileSize(join(options.uploadDir, f.folder, f.storedName)),
  }));
  return {
    format: 'iecpa-personal-data/1',
    exportedAt: new Date(now).toISOString(),
    userId,
    about: ABOUT,
    tables,
    files,
  };
}

/** Columns a reduced row keeps besides the key and the user's id: what was done and when, nothing about whom. */
const REDUCED_ROW_COLUMNS: Readonly<Record<string, readonly string[]>> = {
  audit_log: ['at', 'action'],
};

function reducedRow(schema: SchemaMap, ref: TableReference, row: Row, userId: string): Row {
  const out: Row = { _reduced: 'You acted on this record; it belongs to another member.' };
  for (const key of keyColumns(schema, ref.table)) out[key] = exportValue(row[key]);
  for (const column of REDUCED_ROW_COLUMNS[ref.table] ?? []) out[column] = exportValue(row[column]);
  for (const column of ref.personColumns) if (row[column] === userId) out[column] = userId;
  return out;
}

function fileSize(path: string): number | null {
  try {
    return statSync(path).size;
  } catch {
    return null;
  }
}
