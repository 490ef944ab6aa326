import { type Db, readFirstRow } from '#db/client.ts';

export type HealthCheck = { ok: true } | { ok: false; error: unknown };

/**
 * Whether the database answers: one read of the migrations table (present once the server has migrated).
 * What /api/health reports to a load balancer or uptime monitor; it tells nothing about the data.
 */
export async function checkDatabase(openDatabase: () => Promise<{ db: Db }>): Promise<HealthCheck> {
  try {
    const { db } = await openDatabase();
    const row = await readFirstRow(db, 'select 1 from __drizzle_migrations limit 1', []);
    return row ? { ok: true } : { ok: false, error: new Error('No migration has been applied.') };
  } catch (error) {
    return { ok: false, error };
  }
}
