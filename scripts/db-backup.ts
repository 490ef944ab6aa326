/**
 * Makes a backup archive of the live database and UPLOAD_DIR in BACKUP_DIR (safe while the server runs).
 * Usage: npm run db:backup [-- --keep N]   (--keep deletes all but the N newest archives afterwards)
 */
import { parseArgs } from 'node:util';
import { createBackup, pruneBackups } from '#src/server/backup/backup.ts';
import { getEnv } from '#src/server/env.ts';

const { values } = parseArgs({ options: { keep: { type: 'string' } } });
const keep = values.keep === undefined ? null : Number(values.keep);
if (keep !== null && !(Number.isInteger(keep) && keep >= 1)) {
  console.error('--keep: give a whole number of archives to keep, at least 1.');
  process.exit(2);
}

const env = getEnv();
try {
  const { path, manifest } = await createBackup({
    databaseUrl: env.DATABASE_URL,
    uploadDir: env.UPLOAD_DIR,
    backupDir: env.BACKUP_DIR,
  });
  const uploads = manifest.files.length - 1;
  console.log(
    `Backup written to ${path} (database at migration ${manifest.migration.applied}, ${uploads} uploaded files).`,
  );
  if (keep !== null) {
    for (const old of pruneBackups(env.BACKUP_DIR, keep)) console.log(`Deleted old backup ${old}.`);
  }
} catch (error) {
  console.error(`Backup failed: ${error instanceof Error ? error.message : String(error)}`);
  process.exit(1);
}
