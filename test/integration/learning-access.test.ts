import { beforeAll, expect, test } from 'vitest';
import { MEMBERS_ONLY_MESSAGE } from '#src/lib/access.ts';
import { importFirstEdition } from '#src/server/services/handbook-import.ts';
import { countAllRows, useTestDb } from '#test/helpers/db.ts';
import { anonymousCaller, callerFor, makeUser } from '#test/helpers/factories.ts';
import { trpcErrorOf } from '#test/helpers/trpc.ts';

const handle = useTestDb();
const CHAPTER = 'troubleshooting-and-safety';

beforeAll(async () => {
  await importFirstEdition(handle.db);
});

/** One account of each kind the access rule names (src/lib/access.ts). */
async function callers() {
  const as = async (roles: ('member' | 'educator' | 'admin')[]) =>
    (await callerFor(handle.db, await makeUser(handle.db, { roles, totp: roles.includes('admin') }))).caller;
  return {
    applicant: await as([]),
    member: await as(['member']),
    educator: await as(['educator']),
  };
}

test('an account that is not a member in good standing reads summaries, not the text', async () => {
  const { applicant, member, educator } = await callers();
  expect(await anonymousCaller(handle.db).handbook.chapter({ slug: CHAPTER })).toMatchObject({ locked: true });
  expect(await applicant.handbook.chapter({ slug: CHAPTER })).toMatchObject({ locked: true });
  expect(await member.handbook.chapter({ slug: CHAPTER })).toMatchObject({ locked: false });
  // Staff read the text they work on, with or without a membership.
  expect(await educator.handbook.chapter({ slug: CHAPTER })).toMatchObject({ locked: false });
  const level = (await applicant.handbook.levels())[0];
  const mod = level ? (await applicant.handbook.level({ level: level.slug })).modules[0] : undefined;
  if (!level || !mod) throw new Error('no module imported');
  expect(await applicant.handbook.module({ level: level.slug, module: mod.slug })).toMatchObject({ locked: true });
  expect(await member.handbook.module({ level: level.slug, module: mod.slug })).toMatchObject({ locked: false });
});

test('search, progress, quizzes and the CPD log are refused to such an account, and nothing is written', async () => {
  const { applicant, member } = await callers();
  const level = (await member.handbook.levels())[0];
  const mod = level ? (await member.handbook.level({ level: level.slug })).modules[0] : undefined;
  if (!level || !mod) throw new Error('no module imported');
  const before = await countAllRows(handle);
  const refused = [
    applicant.handbook.search({ q: 'cuff' }),
    applicant.handbook.markRead({ slug: CHAPTER }),
    applicant.handbook.drawQuiz({ module: mod.slug }),
    applicant.handbook.quizHistory({ module: mod.slug }),
    applicant.handbook.moduleProgress({ module: mod.slug }),
    applicant.handbook.levelProgress({ level: level.level }),
    applicant.handbook.cpdLog(),
    applicant.handbook.cpdAdd({
      title: 'A course',
      activityDate: '2026-11-01',
      credits: 50,
      evidenceText: 'Certificate of attendance, 8 hours.',
      evidenceUrl: '',
    }),
  ];
  for (const call of refused) {
    const error = await trpcErrorOf(call);
    expect(error.code).toBe('FORBIDDEN');
    expect(error.message).toBe(MEMBERS_ONLY_MESSAGE);
  }
  expect(await countAllRows(handle)).toEqual(before);
  // The member may.
  expect(Array.isArray(await member.handbook.search({ q: 'cuff' }))).toBe(true);
  expect((await member.handbook.cpdLog()).entries).toEqual([]);
});
