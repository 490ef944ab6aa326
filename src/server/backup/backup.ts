/**
 * Online backups: one dated archive holding a consistent snapshot of the database and the files of
 * UPLOAD_DIR, with a manifest of sizes and SHA-256 checksums.
 *
 * The database is copied with `VACUUM INTO` (sqlite.org/lang_vacuum.html#vacuuminto): it reads inside one
 * read transaction, so the copy is the database as of one commit, WAL content included, while writers go on
 * (a plain file copy misses what is still in the WAL). The uploads are read after the snapshot: files are
 * written before the row that names them is committed, so every file a row of the snapshot names is already
 * there; files of later rows may be in the archive too, unreferenced and harmless.
 */
import { createHash } from 'node:crypto';
import { createReadStream, existsSync, mkdirSync, readdirSync, renameSync, rmSync, statSync } from 'node:fs';
import { join, relative, sep } from 'node:path';
import Database from 'libsql';
import { type MigrationLevel, readMigrationLevel } from './migration-level.ts';
import { writeTarGz } from './tar.ts';

export const ARCHIVE_FORMAT = 'iecpa-backup';
export const ARCHIVE_VERSION = 1;
export const DATABASE_ENTRY = 'database.sqlite';
export const MANIFEST_ENTRY = 'manifest.json';
export const UPLOADS_PREFIX = 'uploads/';
const ARCHIVE_NAME = /^iecpa-backup-(\d{8}T\d{6}Z)\.tar\.gz$/;

export interface ManifestFile {
  name: string;
  sizeBytes: number;
  sha256: string;
}

export interface BackupManifest {
  format: typeof ARCHIVE_FORMAT;
  version: number;
  createdAt: string;
  migration: MigrationLevel;
  files: ManifestFile[];
}

export interface BackupOptions {
  /** DATABASE_URL; only an embedded file (`file:…`) can be backed up this way. */
  databaseUrl: string;
  uploadDir: string;
  backupDir: string;
  now?: Date;
}

export interface BackupResult {
  path: string;
  manifest: BackupManifest;
}

/** The file path of a `file:` DATABASE_URL; a clear error for a libSQL server, which has its own backups. */
export function databaseFilePath(databaseUrl: string): string {
  if (!databaseUrl.startsWith('file:') || databaseUrl === 'file::memory:') {
    throw new Error(
      `DATABASE_URL ${databaseUrl.split('?')[0]} is not an embedded database file: back up a libSQL server with its own tools.`,
    );
  }
  return databaseUrl.slice('file:'.length);
}

/** `20261203T063800Z` for the archive name: sortable, and safe in a file name on every system. */
export function backupStamp(now: Date): string {
  return now
    .toISOString()
    .replace(/[-:]/g, '')
    .replace(/\.\d{3}Z$/, 'Z');
}

export function sha256OfFile(path: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const hash = createHash('sha256');
    createReadStream(path)
      .on('data', (chunk) => hash.update(chunk))
      .on('error', reject)
      .on('end', () => resolve(hash.digest('hex')));
  });
}

function listFiles(root: string): string[] {
  if (!existsSync(root)) return [];
  const found: string[] = [];
  for (const entry of readdirSync(root, { withFileTypes: true, recursive: true })) {
    if (entry.isFile()) found.push(join(entry.parentPath, entry.name));
  }
  return found.sort();
}

/** Makes one archive in `backupDir` and returns its path and manifest. */
export async function createBackup(options: BackupOptions): Promise<BackupResult> {
  const databasePath = databaseFilePath(options.databaseUrl);
  if (!existsSync(databasePath)) throw new Error(`There is no database at ${databasePath}.`);
  const now = options.now ?? new Date();
  mkdirSync(options.backupDir, { recursive: true });
  const finalPath = join(options.backupDir, `iecpa-backup-${backupStamp(now)}.tar.gz`);
  if (existsSync(finalPath)) throw new Error(`${finalPath} already exists.`);
  const staging = join(options.backupDir, `.staging-${process.pid}-${now.getTime()}`);
  mkdirSync(staging);
  try {
    const snapshot = join(staging, DATABASE_ENTRY);
    const live = new Database(databasePath, { timeout: 5000 });
    try {
      live.prepare('VACUUM INTO ?').run(snapshot);
    } finally {
      live.close();
    }
    const copy = new Database(snapshot);
    let migration: MigrationLevel;
    try {
      migration = readMigrationLevel(copy);
    } finally {
      copy.close();
    }

    const sources: { name: string; path: string; size: number }[] = [
      { name: DATABASE_ENTRY, path: snapshot, size: statSync(snapshot).size },
    ];
    for (const path of listFiles(options.uploadDir)) {
      const name = UPLOADS_PREFIX + relative(options.uploadDir, path).split(sep).join('/');
      // A file deleted since the listing (the retention job purges documents) is simply not in this backup.
      try {
        sources.push({ name, path, size: statSync(path).size });
      } catch (error) {
        if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
      }
    }
    const files: ManifestFile[] = [];
    for (const source of sources) {
      files.push({ name: source.name, sizeBytes: source.size, sha256: await sha256OfFile(source.path) });
    }
    const manifest: BackupManifest = {
      format: ARCHIVE_FORMAT,
      version: ARCHIVE_VERSION,
      createdAt: now.toISOString(),
      migration,
      files,
    };
    const manifestBytes = Buffer.from(`${JSON.stringify(manifest, null, 2)}\n`);
    // Written under a temporary name and renamed: a half-written archive is never taken for a backup.
    const partial = `${finalPath}.partial`;
    await writeTarGz(partial, [{ name: MANIFEST_ENTRY, bytes: manifestBytes, size: manifestBytes.length }, ...sources]);
    renameSync(partial, finalPath);
    return { path: finalPath, manifest };
  } finally {
    rmSync(staging, { recursive: true, force: true });
    rmSync(`${finalPath}.partial`, { force: true });
  }
}

/** The archives in `backupDir`, newest first, with the time in their name. */
export function listBackups(backupDir: string): { path: string; stamp: string }[] {
  if (!existsSync(backupDir)) return [];
  return readdirSync(backupDir)
    .map((name) => ({ name, match: ARCHIVE_NAME.exec(name) }))
    .filter((entry): entry is { name: string; match: RegExpExecArray } => entry.match !== null)
    .map((entry) => ({ path: join(backupDir, entry.name), stamp: entry.match[1] ?? '' }))
    .sort((a, b) => (a.stamp < b.stamp ? 1 : a.stamp > b.stamp ? -1 : 0));
}

/** Deletes all but the `keep` newest archives; returns the deleted paths. */
export function pruneBackups(backupDir: string, keep: number): string[] {
  const old = listBackups(backupDir).slice(keep);
  for (const backup of old) rmSync(backup.path, { force: true });
  return old.map((backup) => backup.path);
}

export interface NightlyBackupOptions extends Omit<BackupOptions, 'now'> {
  /** Archives kept; 0 turns the nightly backup off. */
  keep: number;
  /** The hour (UTC) from which the day's archive is made. */
  hourUtc: number;
  now: number;
}

export type NightlyBackupResult =
  | { made: false; reason: 'off' | 'not-yet' | 'done-today' }
  | { made: true; path: string; deleted: string[] };

/**
 * The nightly backup, for a job that runs every hour: makes the day's archive once the UTC hour has reached
 * `hourUtc` and none was made that day (a server down at that hour makes it when it starts), then keeps the
 * `keep` newest archives.
 */
export async function runNightlyBackup(options: NightlyBackupOptions): Promise<NightlyBackupResult> {
  if (options.keep === 0) return { made: false, reason: 'off' };
  const now = new Date(options.now);
  if (now.getUTCHours() < options.hourUtc) return { made: false, reason: 'not-yet' };
  const today = backupStamp(now).slice(0, 8);
  if (listBackups(options.backupDir).some((backup) => backup.stamp.startsWith(today))) {
    return { made: false, reason: 'done-today' };
  }
  const { path } = await createBackup({ ...options, now });
  return { made: true, path, deleted: pruneBackups(options.backupDir, options.keep) };
}
