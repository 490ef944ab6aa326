import { getEnv } from '#src/server/env.ts';
import { openMigratedDb } from './prepare-db.ts';

const env = getEnv();
const handle = await openMigratedDb(env);
handle.client.close();
console.log(`Database at ${env.DATABASE_URL} is up to date.`);
