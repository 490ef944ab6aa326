import { type DbHandle, openDb } from '#db/client.ts';
import { migrateDb } from '#db/migrate.ts';
import type { Env } from '#src/server/env.ts';
import { type ImportReport, importFirstEdition as importShippedEdition } from '#src/server/services/handbook-import.ts';
import { seedDemo } from './demo-seed.ts';

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
export async function importFirstEdition(handle: DbHandle): Promise<ImportReport> {
  return importShippedEdition(handle.db);
}
