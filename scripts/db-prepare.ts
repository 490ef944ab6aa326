/**
 * Prepares the configured database as the server does before it serves (scripts/prepare-db.ts
 * `prepareDatabase`): migrations, the shipped handbook and exams, and the demo accounts outside production.
 * For a deployment that prepares before it starts, and for the e2e tests' template database.
 *
 *   npm run db:prepare
 */
import { getEnv } from '#src/server/env.ts';
import { prepareDatabase } from './prepare-db.ts';

await prepareDatabase(getEnv());
console.log('Database prepared.');
