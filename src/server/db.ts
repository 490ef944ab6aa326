import { type DbHandle, openDb } from '#db/client.ts';
import { getEnv } from './env.ts';

let handle: Promise<DbHandle> | null = null;

/** The app's database, opened once per process. Migrations and seeding run before the server starts. */
export function getDb(): Promise<DbHandle> {
  if (!handle) {
    const env = getEnv();
    handle = openDb({ url: env.DATABASE_URL, authToken: env.DATABASE_AUTH_TOKEN });
  }
  return handle;
}
