import { getEnv } from '#src/server/env.ts';
import { importShippedExams, openMigratedDb, seedDemoAccounts } from './prepare-db.ts';

const env = getEnv();
if (env.NODE_ENV === 'production') {
  console.error('Refusing to seed demo accounts when NODE_ENV=production.');
  process.exit(1);
}
const handle = await openMigratedDb(env);
const created = await seedDemoAccounts(handle, env);
await importShippedExams(handle);
handle.client.close();
console.log(`Seed complete: ${created} demo account(s) created.`);
