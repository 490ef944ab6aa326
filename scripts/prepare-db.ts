import { type DbHandle, openDb } from '#db/client.ts';
import { migrateDb } from '#db/migrate.ts';
import { seedDemo } from '#db/seed.ts';
import { CURRENT_ETHICS_VERSION } from '#src/lib/ethics.ts';
import { hashPassword } from '#src/server/auth/password.ts';
import type { Env } from '#src/server/env.ts';
import { newId } from '#src/server/ids.ts';
import { type ExamContentReport, importExamContent } from '#src/server/services/exam-content.ts';
import { type ImportReport, importFirstEdition as importShippedEdition } from '#src/server/services/handbook-import.ts';
import { writeDirectoryRow } from '#src/server/services/member-directory.ts';
import { DIRECTORY_CONSENT_VERSION } from '#src/server/services/member-profile.ts';
import { DOCUMENTS_FOLDER } from '#src/server/services/membership-documents.ts';
import { newStoredName, writeStoredFile } from '#src/server/uploads.ts';

/** Opens the configured database and applies pending migrations. */
export async function openMigratedDb(env: Env): Promise<DbHandle> {
  const handle = await openDb({ url: env.DATABASE_URL, authToken: env.DATABASE_AUTH_TOKEN });
  await migrateDb(handle.db);
  return handle;
}

export async function seedDemoAccounts(handle: DbHandle, env: Env): Promise<number> {
  const { created } = await seedDemo(handle.db, {
    production: env.NODE_ENV === 'production',
    hashPassword,
    newId,
    ethicsVersion: CURRENT_ETHICS_VERSION,
    directoryConsentVersion: DIRECTORY_CONSENT_VERSION,
    indexDirectoryProfile: writeDirectoryRow,
    storeDocument: (bytes) => {
      const storedName = newStoredName();
      writeStoredFile(env.UPLOAD_DIR, DOCUMENTS_FOLDER, storedName, bytes);
      return storedName;
    },
  });
  return created;
}

/** Loads the shipped first edition of the handbook and curriculum; only adds what is missing. */
export async function importFirstEdition(handle: DbHandle): Promise<ImportReport> {
  return importShippedEdition(handle.db);
}

/**
 * Loads the exams shipped in content/exams/ (engine items are simulated here, before any request is
 * served) and logs what was added and every refused file with its lines.
 */
export async function importShippedExams(
  handle: DbHandle,
  log: Pick<Console, 'log' | 'error'> = console,
): Promise<ExamContentReport> {
  const report = await importExamContent(handle.db);
  if (report.created + report.updated + report.versioned > 0 || report.examsCreated.length > 0) {
    log.log(
      `Exam import: ${report.created} item(s) added, ${report.updated + report.versioned} updated, exams added: ${report.examsCreated.join(', ') || 'none'}.`,
    );
  }
  for (const refused of report.refused) {
    const lines = refused.errors.map((e) => `  line ${e.line}: ${e.path ? `${e.path}: ` : ''}${e.message}`).join('\n');
    log.error(`Exam import refused content/${refused.file}: ${refused.message}\n${lines}`);
  }
  return report;
}
