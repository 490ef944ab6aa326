/**
 * Restores a backup archive into this instance's DATABASE_URL and UPLOAD_DIR. Stop the server first.
 * Usage: npm run db:restore -- <archive.tar.gz>
 * The archive is checked in full (checksums, integrity_check, migration level) before anything is replaced;
 * the replaced database and upload folder are kept beside them as `….pre-restore-<time>`.
 */
import { parseArgs } from 'node:util';
import { databaseFilePath } from '#src/server/backup/backup.ts';
import { restoreBackup } from '#src/server/backup/restore.ts';
import { getEnv } from '#src/server/env.ts';

const { positionals } = parseArgs({ allowPositionals: true });
if (positionals.length !== 1) {
  console.error('Usage: npm run db:restore -- <archive.tar.gz>   (stop the server first)');
  process.exit(2);
}

const env = getEnv();

/** True when something answers HTTP at this instance's HOST:PORT: the server is probably running. */
async function serverAnswers(): Promise<boolean> {
  const host = env.HOST.includes(':') ? `[${env.HOST}]` : env.HOST;
  try {
    await fetch(`http://${host}:${env.PORT}/api/health`, { signal: AbortSignal.timeout(2000) });
    return true;
  } catch {
    return false;
  }
}

if (await serverAnswers()) {
  console.error(
    `Restore refused: a server answers at ${env.HOST}:${env.PORT}. Stop it first (a running server keeps ` +
      'writing to the database file that the restore moves aside). Nothing was changed.',
  );
  process.exit(1);
}

try {
  const result = await restoreBackup({
    archive: positionals[0] ?? '',
    databasePath: databaseFilePath(env.DATABASE_URL),
    uploadDir: env.UPLOAD_DIR,
  });
  console.log(
    `Restored the backup of ${result.manifest.createdAt} (migration ${result.manifest.migration.applied}). ` +
      'Start the server: pending migrations are applied at start.',
  );
  if (result.previousDatabase) console.log(`The replaced database is kept at ${result.previousDatabase}.`);
  if (result.previousUploads) console.log(`The replaced uploads are kept at ${result.previousUploads}.`);
} catch (error) {
  console.error(`Restore refused: ${error instanceof Error ? error.message : String(error)}`);
  console.error('Nothing was changed.');
  process.exit(1);
}
