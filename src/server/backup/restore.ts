/**
 * Restoring a backup archive (backup.ts) into a stopped instance. Everything is checked before anything is
 * replaced: the manifest, every file's size and SHA-256, `PRAGMA integrity_check` of the database and its
 * migration level against the migrations of this code (an archive from newer code is refused: this code
 * could not run on it). Only then are the current database and upload folder moved aside (kept, named
 * `….pre-restore-<time>`) and the archive's put in their place. Older archives are fine: the migrations
 * bring them up to date on the next start.
 */
import { createHash } from 'node:crypto';
import { once } from 'node:events';
import {
  cpSync,
  createWriteStream,
  existsSync,
  mkdirSync,
  mkdtempSync,
  renameSync,
  rmSync,
  type WriteStream,
} from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import Database from 'libsql';
import {
  ARCHIVE_FORMAT,
  ARCHIVE_VERSION,
  type BackupManifest,
  backupStamp,
  DATABASE_ENTRY,
  MANIFEST_ENTRY,
  UPLOADS_PREFIX,
} from './backup.ts';
import { type CodeMigration, codeMigrations, readAppliedWhens } from './migration-level.ts';
import { readTarGz } from './tar.ts';

export interface RestoreOptions {
  archive: string;
  databasePath: string;
  uploadDir: string;
  now?: Date;
  /** The migrations this code carries (default: the committed journal). */
  migrations?: CodeMigration[];
}

export interface RestoreResult {
  manifest: BackupManifest;
  /** Where the replaced database and upload folder were moved (null when there was none). */
  previousDatabase: string | null;
  previousUploads: string | null;
}

const MAX_MANIFEST_BYTES = 64 * 1024 * 1024;

/** An entry name is safe when it is the manifest, the database or a plain relative path under uploads/. */
function isSafeEntryName(name: string): boolean {
  if (name === MANIFEST_ENTRY || name === DATABASE_ENTRY) return true;
  if (!name.startsWith(UPLOADS_PREFIX)) return false;
  const parts = name.slice(UPLOADS_PREFIX.length).split('/');
  return parts.every((part) => part !== '' && part !== '.' && part !== '..' && !part.includes('\\'));
}

function parseManifest(bytes: Buffer): BackupManifest {
  let manifest: BackupManifest;
  try {
    manifest = JSON.parse(bytes.toString('utf8')) as BackupManifest;
  } catch {
    throw new Error('The archive is damaged (its manifest is not valid JSON).');
  }
  if (manifest?.format !== ARCHIVE_FORMAT) throw new Error('This is not an IECPA backup archive.');
  if (manifest.version !== ARCHIVE_VERSION) {
    throw new Error(`The archive has format version ${manifest.version}; this code reads version ${ARCHIVE_VERSION}.`);
  }
  if (!Array.isArray(manifest.files)) throw new Error('The archive is damaged (its manifest lists no files).');
  return manifest;
}

/** Extracts and checks `archive` into `staging`; returns its manifest. Throws with a clear message if bad. */
async function extractChecked(archive: string, staging: string): Promise<BackupManifest> {
  const found = new Map<string, { sizeBytes: number; sha256: string }>();
  let manifestBytes: Buffer | null = null;
  /** Files being written: closed when the archive turns out bad halfway, before the staging folder goes. */
  const writing = new Set<WriteStream>();
  try {
    await readEntries();
  } finally {
    for (const out of writing) out.destroy();
  }
  async function readEntries(): Promise<void> {
    await readTarGz(archive, (entry) => {
      if (!isSafeEntryName(entry.name)) throw new Error(`The archive holds an unexpected path: ${entry.name}.`);
      if (found.has(entry.name)) throw new Error(`The archive holds ${entry.name} twice.`);
      const hash = createHash('sha256');
      if (entry.name === MANIFEST_ENTRY) {
        if (entry.size > MAX_MANIFEST_BYTES) throw new Error('The archive is damaged (its manifest is too large).');
        const chunks: Buffer[] = [];
        return {
          write: (chunk) => chunks.push(Buffer.from(chunk)),
          end: async () => {
            manifestBytes = Buffer.concat(chunks);
            found.set(entry.name, { sizeBytes: manifestBytes.length, sha256: '' });
          },
        };
      }
      const target = join(staging, entry.name);
      mkdirSync(dirname(target), { recursive: true });
      const out = createWriteStream(target, { flags: 'wx' });
      writing.add(out);
      let writeError: Error | null = null;
      out.on('error', (error) => {
        writeError = error;
      });
      let size = 0;
      return {
        write: (chunk) => {
          hash.update(chunk);
          size += chunk.length;
          out.write(chunk);
        },
        end: async () => {
          out.end();
          if (!writeError) await once(out, 'close');
          writing.delete(out);
          if (writeError)
            throw new Error(`Could not write ${entry.name} while restoring: ${(writeError as Error).message}`);
          found.set(entry.name, { sizeBytes: size, sha256: hash.digest('hex') });
        },
      };
    });
  }
  if (!manifestBytes) throw new Error('The archive has no manifest: it is not an IECPA backup.');
  const manifest = parseManifest(manifestBytes);
  const listed = new Set<string>();
  for (const file of manifest.files) {
    listed.add(file.name);
    const actual = found.get(file.name);
    if (!actual) throw new Error(`The archive is damaged: ${file.name} is missing.`);
    if (actual.sizeBytes !== file.sizeBytes || actual.sha256 !== file.sha256) {
      throw new Error(`The archive is damaged: ${file.name} does not match its checksum.`);
    }
  }
  for (const name of found.keys()) {
    if (name !== MANIFEST_ENTRY && !listed.has(name)) {
      throw new Error(`The archive is damaged: ${name} is not in its manifest.`);
    }
  }
  if (!listed.has(DATABASE_ENTRY)) throw new Error('The archive is damaged: it holds no database.');
  return manifest;
}

/** Integrity and migration level of the extracted database; throws with a clear message. */
function checkDatabase(path: string, migrations: CodeMigration[]): void {
  const connection = new Database(path);
  try {
    let rows: { integrity_check: string }[];
    try {
      rows = connection.prepare('PRAGMA integrity_check').all() as { integrity_check: string }[];
    } catch (error) {
      throw new Error(`The archive's database cannot be read: ${(error as Error).message}.`);
    }
    const problems = rows.map((row) => row.integrity_check).filter((text) => text !== 'ok');
    if (problems.length > 0) {
      throw new Error(`The archive's database fails PRAGMA integrity_check: ${problems.slice(0, 3).join('; ')}.`);
    }
    const known = new Map(migrations.map((migration) => [migration.when, migration.tag]));
    const newest = migrations.at(-1)?.when ?? 0;
    for (const when of readAppliedWhens(connection)) {
      if (when > newest) {
        throw new Error(
          'The archive was made by newer code (its database has migrations this code does not know): ' +
            'upgrade the code to the version that made it, then restore.',
        );
      }
      if (!known.has(when)) {
        throw new Error('The archive’s database has a migration this code does not know: it was made by other code.');
      }
    }
  } finally {
    connection.close();
  }
}

/**
 * Restores `archive`. The server must be stopped: a running server keeps the old database open and would
 * go on writing to the file that was moved aside.
 */
export async function restoreBackup(options: RestoreOptions): Promise<RestoreResult> {
  if (!existsSync(options.archive)) throw new Error(`There is no archive at ${options.archive}.`);
  const databasePath = resolve(options.databasePath);
  const uploadDir = resolve(options.uploadDir);
  mkdirSync(dirname(databasePath), { recursive: true });
  // Staged beside the database, so that moving it into place is a rename on one file system.
  const staging = mkdtempSync(join(dirname(databasePath), '.restore-'));
  try {
    const manifest = await extractChecked(options.archive, staging);
    checkDatabase(join(staging, DATABASE_ENTRY), options.migrations ?? codeMigrations());

    const suffix = `.pre-restore-${backupStamp(options.now ?? new Date())}`;
    let previousDatabase: string | null = null;
    if (existsSync(databasePath)) {
      previousDatabase = databasePath + suffix;
      renameSync(databasePath, previousDatabase);
      for (const side of ['-wal', '-shm']) {
        if (existsSync(databasePath + side)) renameSync(databasePath + side, previousDatabase + side);
      }
    }
    renameSync(join(staging, DATABASE_ENTRY), databasePath);
    let previousUploads: string | null = null;
    if (existsSync(uploadDir)) {
      previousUploads = uploadDir + suffix;
      renameSync(uploadDir, previousUploads);
    }
    const stagedUploads = join(staging, UPLOADS_PREFIX);
    if (existsSync(stagedUploads)) {
      mkdirSync(dirname(uploadDir), { recursive: true });
      try {
        renameSync(stagedUploads, uploadDir);
      } catch (error) {
        // UPLOAD_DIR on another file system than the database: copy instead of moving.
        if ((error as NodeJS.ErrnoException).code !== 'EXDEV') throw error;
        cpSync(stagedUploads, uploadDir, { recursive: true });
      }
    } else {
      mkdirSync(uploadDir, { recursive: true });
    }
    return { manifest, previousDatabase, previousUploads };
  } finally {
    rmSync(staging, { recursive: true, force: true });
  }
}
