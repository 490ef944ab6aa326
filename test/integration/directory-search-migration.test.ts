import { copyFileSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { migrate } from 'drizzle-orm/libsql/migrator';
import { afterAll, expect, test } from 'vitest';
import { openDb } from '#db/client.ts';
import { migrateDb } from '#db/migrate.ts';
import { memberProfiles } from '#db/schema/index.ts';
import { makeUser } from '#test/helpers/factories.ts';

const MIGRATIONS = fileURLToPath(new URL('../../db/migrations', import.meta.url));
/** The migration that added practice names and specialties to the directory index. */
const REBUILD_TAG = '0010_directory_search_practice_and_specialties';

const dir = mkdtempSync(join(tmpdir(), 'iecpa-directory-migration-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** A copy of the migrations folder holding only the migrations before `tag`. */
function migrationsBefore(tag: string): string {
  const folder = join(dir, 'migrations-before');
  mkdirSync(join(folder, 'meta'), { recursive: true });
  const journal = JSON.parse(readFileSync(join(MIGRATIONS, 'meta/_journal.json'), 'utf8')) as {
    entries: { tag: string }[];
  };
  const cut = journal.entries.findIndex((entry) => entry.tag === tag);
  if (cut < 0) throw new Error(`no migration ${tag}`);
  journal.entries = journal.entries.slice(0, cut);
  writeFileSync(join(folder, 'meta/_journal.json'), JSON.stringify(journal));
  for (const file of readdirSync(MIGRATIONS).filter((name) => name.endsWith('.sql'))) {
    copyFileSync(join(MIGRATIONS, file), join(folder, file));
  }
  return folder;
}

test('rebuilding the index keeps every listed member and adds their practice and specialties by visibility', async () => {
  const handle = await openDb({ url: `file:${join(dir, 'before.db')}` });
  await migrate(handle.db, { migrationsFolder: migrationsBefore(REBUILD_TAG) });
  const profile = {
    bio: '',
    bioVisibility: 'public',
    city: 'Bergen',
    country: 'NO',
    languagesJson: '["Norwegian"]',
    languagesVisibility: 'public',
    photoVisibility: 'public',
    listed: true,
    updatedAt: Date.now(),
  } as const;
  const open = await makeUser(handle.db, { name: 'Open Practitioner' });
  await handle.db.insert(memberProfiles).values({
    ...profile,
    userId: open.id,
    practiceName: 'Harbourside Heart Clinic',
    locationVisibility: 'public',
    specialtiesJson: '["Heart failure","Refractory angina"]',
    specialtiesVisibility: 'members',
  });
  const discreet = await makeUser(handle.db, { name: 'Discreet Practitioner' });
  await handle.db.insert(memberProfiles).values({
    ...profile,
    userId: discreet.id,
    practiceName: 'Fjordview Cardiology',
    locationVisibility: 'hidden',
    specialtiesJson: '["Microvascular angina"]',
    specialtiesVisibility: 'hidden',
  });
  // Index rows as the directory service wrote them before the rebuild (migration 0007's columns).
  for (const { id, name } of [
    { id: open.id, name: 'Open Practitioner' },
    { id: discreet.id, name: 'Discreet Practitioner' },
  ]) {
    await handle.client.execute({
      sql: `insert into member_directory_search (user_id, name, country_public, city_public, languages_public,
              country_members, city_members, languages_members) values (?, ?, 'Norway', 'Bergen', 'Norwegian',
              'Norway', 'Bergen', 'Norwegian')`,
      args: [id, name],
    });
  }

  await migrateDb(handle.db);

  const found = async (match: string): Promise<string[]> => {
    const result = await handle.client.execute({
      sql: 'select user_id from member_directory_search where member_directory_search match ? order by user_id',
      args: [match],
    });
    return result.rows.map((row) => String(row.user_id));
  };
  expect(await found('{city_public} : "Bergen"')).toEqual([open.id, discreet.id].sort());
  expect(await found('{name} : "Discreet"')).toEqual([discreet.id]);
  expect(await found('{practice_public} : "Harbourside"')).toEqual([open.id]);
  expect(await found('{practice_members} : "Harbourside"')).toEqual([open.id]);
  expect(await found('{specialties_public} : "failure"')).toEqual([]);
  expect(await found('{specialties_members} : "failure"')).toEqual([open.id]);
  // Hidden fields are indexed for no one.
  expect(await found('"Fjordview"')).toEqual([]);
  expect(await found('"Microvascular"')).toEqual([]);
  handle.client.close();
});
