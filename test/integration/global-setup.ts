import { mkdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import type { TestProject } from 'vitest/node';
import { openDb } from '#db/client.ts';
import { migrateDb } from '#db/migrate.ts';

/**
 * Migrates one template database; each test file copies it (test/helpers/db.ts). The folder is this run's
 * own: runs started at the same time (several people or agents on one checkout) must not delete or
 * rewrite each other's template halfway through a copy.
 */
export default async function setup(project: TestProject): Promise<() => void> {
  const dir = join(process.cwd(), 'test-results', 'db', `run-${process.pid}-${Date.now()}`);
  mkdirSync(dir, { recursive: true });
  const templatePath = join(dir, 'template.db');
  const { db, client } = await openDb({ url: `file:${templatePath}` });
  await migrateDb(db);
  await client.execute('PRAGMA wal_checkpoint(TRUNCATE)');
  client.close();
  project.provide('templateDbPath', templatePath);
  return () => rmSync(dir, { recursive: true, force: true });
}

declare module 'vitest' {
  export interface ProvidedContext {
    templateDbPath: string;
  }
}
