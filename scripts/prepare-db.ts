import { type DbHandle, openDb } from '#db/client.ts';
import { migrateDb } from '#db/migrate.ts';
import type { Env } from '#src/server/env.ts';
import { type ExamContentReport, importExamContent } from '#src/server/services/exam-content.ts';
import { reindexPublishedForSearch } from '#src/server/services/handbook.ts';
import { type ImportReport, importFirstEdition as importShippedEdition } from '#src/server/services/handbook-import.ts';
import { seedDemo } from './demo-seed.ts';

/**
 * Everything a server needs done to its database before it serves, once per server (scripts/serve.ts) or on
 * its own (`npm run db:prepare`): migrations, the shipped handbook and exams, and the demo accounts outside
 * production. Each step only adds what is missing, so it is quick on a prepared database.
 */
export async function prepareDatabase(env: Env, log: Pick<Console, 'log' | 'error'> = console): Promise<void> {
  const handle = await openMigratedDb(env);
  try {
    const imported = await importFirstEdition(handle);
    if (imported.created.length + imported.updated.length > 0) {
      log.log(`Handbook import: ${imported.created.length} document(s) added, ${imported.updated.length} updated.`);
    }
    await importShippedExams(handle, log);
    if (env.NODE_ENV !== 'production') {
      const created = await seedDemoAccounts(handle, env);
      if (created > 0) log.log(`Seeded ${created} demo account(s); see the README for their credentials.`);
    }
  } finally {
    handle.client.close();
  }
}

/** Opens the configured database and applies pending migrations. */
export async function openMigratedDb(env: Env): Promise<DbHandle> {
  const handle = await openDb({ url: env.DATABASE_URL, authToken: env.DATABASE_AUTH_TOKEN });
  await migrateDb(handle.db);
  return handle;
}

export async function seedDemoAccounts(handle: DbHandle, env: Env): Promise<number> {
  const { created } = await seedDemo(handle.db, {
    production: env.NODE_ENV === 'production',
    uploadDir: env.UPLOAD_DIR,
  });
  return created;
}

/** Loads the shipped first edition of the handbook and curriculum; only adds what is missing. */
/**
 * Imports the shipped handbook edition, then rebuilds the search index of what is published (see
 * reindexPublishedForSearch: an index written by older code is brought up to date).
 */
export async function importFirstEdition(handle: DbHandle): Promise<ImportReport> {
  const report = await importShippedEdition(handle.db);
  await handle.db.transaction((tx) => reindexPublishedForSearch(tx));
  return report;
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
