import { basename } from 'node:path';
import { and, eq, inArray } from 'drizzle-orm';
import { beforeAll, expect, test } from 'vitest';
import {
  auditLog,
  credentialDefinitionVersions,
  examAttempts,
  examItems,
  examItemVersions,
  exams,
} from '#db/schema/index.ts';
import { cycleYears } from '#src/lib/credential-rules.ts';
import { DAY_MS } from '#src/lib/dates.ts';
import { LEVEL_1_CATEGORIES } from '#src/server/exams/item-format.ts';
import { runCredentialJob } from '#src/server/services/credential-job.ts';
import { knowledgeCheckState, startKnowledgeCheck } from '#src/server/services/credential-knowledge-check.ts';
import { getCredential } from '#src/server/services/credentials.ts';
import { upsertExam } from '#src/server/services/exam-forms.ts';
import { importItems } from '#src/server/services/exam-items.ts';
import {
  importFirstEdition,
  readShippedDocuments,
  type ShippedDocument,
} from '#src/server/services/handbook-import.ts';
import {
  type CredentialFixture,
  credentialFixture,
  credentialOf,
  DEFINITION,
  examAttempt,
  insertExam,
  qualified,
} from '#test/helpers/credentials.ts';
import { countAllRows, useTestDb } from '#test/helpers/db.ts';
import { callerFor, type MadeUser, makeUser, TEST_META, testDeps } from '#test/helpers/factories.ts';
import { trpcErrorOf } from '#test/helpers/trpc.ts';

const handle = useTestDb();
const deps = testDeps();
let admin: MadeUser;
let fixture: CredentialFixture;

/**
 * Chapter each category's items cite (the reading a weak category prescribes), by its file name in
 * content/handbook/ as shipped items cite it; the handbook serves it at its front-matter slug.
 */
const SHIPPED_CHAPTERS = readShippedDocuments().filter((d) => d.kind === 'chapter');
function shippedChapterOf(category: string): ShippedDocument {
  const found = SHIPPED_CHAPTERS.find((d) => basename(d.file).startsWith(category.slice(0, 3)));
  if (!found) throw new Error(`No shipped chapter numbered like ${category}`);
  return found;
}
const chapterOf = (category: string) => basename(shippedChapterOf(category).file, '.md');
/** Ten items across the seven categories, as content/exams/level-1-knowledge-check.json draws them. */
const BLUEPRINT = LEVEL_1_CATEGORIES.map((category, i) => ({ category, count: [1, 1, 2, 2, 1, 2, 1][i] as number }));

function item(ref: string, category: string) {
  return {
    ref,
    type: 'single',
    category,
    language: 'en',
    difficulty: 'medium',
    stem: `Question ${ref}?`,
    options: [
      { id: 'a', text: 'First' },
      { id: 'b', text: 'Second' },
      { id: 'c', text: 'Third' },
    ],
    key: ['a'],
    rationale: `RATIONALE-${ref}: (a) is right.`,
    references: [chapterOf(category)],
    tags: [],
  };
}

beforeAll(async () => {
  await importFirstEdition(handle.db);
  admin = await makeUser(handle.db, { roles: ['member', 'admin'], totp: true });
  fixture = await credentialFixture(handle.db, admin.id);
  // A live bank of three items per category, and one draft that must never be drawn.
  const items = LEVEL_1_CATEGORIES.flatMap((c) => [1, 2, 3].map((n) => item(`kc-${c.slice(0, 2)}-${n}`, c)));
  const imported = await importItems(handle.db, null, 'kc-bank', JSON.stringify({ format: 'iecpa-items/1', items }), {
    live: true,
    engine: null,
  });
  expect(imported.ok).toBe(true);
  await importItems(
    handle.db,
    null,
    'kc-bank',
    JSON.stringify({ format: 'iecpa-items/1', items: [item('kc-draft', LEVEL_1_CATEGORIES[0])] }),
    { live: false, engine: null },
  );
  // The definition's check is a knowledge-check form on that bank (the shipped file's shape).
  const form = await upsertExam(
    handle.db,
    null,
    {
      format: 'iecpa-exam/1',
      slug: DEFINITION.maintenance.knowledgeCheckExamSlug,
      title: 'Yearly knowledge check',
      bank: 'kc-bank',
      practice: true,
      purpose: 'knowledge-check',
      timeLimitMinutes: 20,
      passMark: { method: 'fixed', percent: 0 },
      release: 'immediate',
      eligibility: 'member-in-good-standing',
      blueprint: BLUEPRINT,
    },
    { publish: true, updateExisting: true },
  );
  expect(form).toMatchObject({ ok: true, created: false });
  await (await callerFor(handle.db, admin)).caller.credentials.saveDefinition(DEFINITION);
});

test('the yearly check: drawn on the server from the live bank, once per credential year, never failed, prescribing reading', async () => {
  const holder = await qualified(handle.db, fixture, 'Rosalind Franklin', 'GB');
  await runCredentialJob(handle.db, deps, Date.now());
  const credential = await credentialOf(handle.db, holder.id);
  const { caller } = await callerFor(handle.db, holder);

  // The holder's page shows it as a maintenance step, due this credential year.
  const before = (await caller.credentials.mine()).credentials[0];
  expect(before?.knowledgeCheck).toMatchObject({ kind: 'due' });
  expect(before?.outlook.kind).toBe('missing');
  if (before?.outlook.kind === 'missing')
    expect(before.outlook.steps.map((s) => s.href)).toContain(`/credentials#knowledge-check-${credential.number}`);

  // It is not an exam of /exams: not listed there, and exams.start refuses it with nothing written.
  expect((await caller.exams.openExams()).map((e) => e.slug)).not.toContain('cert-check');
  const rowsBefore = await countAllRows(handle);
  const viaExams = await trpcErrorOf(caller.exams.start({ examId: fixture.checkExamId }));
  expect(viaExams.code).toBe('FORBIDDEN');
  expect(viaExams.message).toContain('credentials page');
  expect(await countAllRows(handle)).toEqual(rowsBefore);

  const started = await caller.credentials.startKnowledgeCheck({ credentialId: credential.id });
  expect(started.resumed).toBe(false);
  expect(await caller.credentials.startKnowledgeCheck({ credentialId: credential.id })).toEqual({
    ...started,
    resumed: true,
  });

  // The stored draw: ten live items, by the blueprint's categories, with a server seed; no key leaves.
  const [attempt] = await handle.db.select().from(examAttempts).where(eq(examAttempts.id, started.attemptId));
  const drawn = JSON.parse(attempt?.itemVersionIdsJson ?? '[]') as string[];
  expect(drawn).toHaveLength(10);
  const versions = await handle.db
    .select({ category: examItemVersions.category, status: examItems.status })
    .from(examItemVersions)
    .innerJoin(examItems, eq(examItems.id, examItemVersions.itemId))
    .where(inArray(examItemVersions.id, drawn));
  expect(versions.every((v) => v.status === 'live')).toBe(true);
  for (const row of BLUEPRINT) expect(versions.filter((v) => v.category === row.category)).toHaveLength(row.count);
  const view = await caller.exams.attempt({ attemptId: started.attemptId });
  const sent = JSON.stringify(view);
  expect(sent).not.toContain('RATIONALE-');
  expect(sent).not.toMatch(/"key"|"seed"/);

  // Right answers except in the two categories of 06 and 07: those are weak and prescribe their chapters.
  const weakCategories = [LEVEL_1_CATEGORIES[5], LEVEL_1_CATEGORIES[6]] as string[];
  const categoryOf = new Map(
    (
      await handle.db
        .select({ id: examItemVersions.id, category: examItemVersions.category })
        .from(examItemVersions)
        .where(inArray(examItemVersions.id, drawn))
    ).map((v) => [v.id, v.category]),
  );
  for (const itemVersionId of drawn)
    await caller.exams.saveAnswer({
      attemptId: started.attemptId,
      itemVersionId,
      answer: { choices: [weakCategories.includes(categoryOf.get(itemVersionId) ?? '') ? 'b' : 'a'] },
    });
  await caller.exams.submit({ attemptId: started.attemptId });
  expect((await caller.exams.result({ attemptId: started.attemptId })).knowledgeCheck).toBe(true);
  expect((await caller.exams.myAttempts()).find((a) => a.id === started.attemptId)).toMatchObject({
    examTitle: 'Yearly knowledge check',
    knowledgeCheck: true,
  });
  const result = await caller.credentials.knowledgeCheckResult({ attemptId: started.attemptId });
  expect(result).toMatchObject({ score: 7, maxScore: 10, countsFor: { number: credential.number } });
  expect(result.categories.filter((c) => c.weak).map((c) => c.category)).toEqual(weakCategories);
  expect(result.categories.find((c) => c.category === weakCategories[0])?.reading).toEqual([
    // Cited by file name, linked by the chapter's slug, named by its title.
    {
      slug: shippedChapterOf(weakCategories[0] as string).slug,
      title: shippedChapterOf(weakCategories[0] as string).title,
    },
  ]);
  expect(result.categories.filter((c) => !c.weak).every((c) => c.reading.length === 0)).toBe(true);
  // A score of 30 % "passes" too: the check cannot be failed.
  const [graded] = await handle.db.select().from(examAttempts).where(eq(examAttempts.id, started.attemptId));
  expect(graded?.passed).toBe(true);

  // It counts for this credential year's maintenance; a second start this year is refused, nothing written.
  const after = (await caller.credentials.mine()).credentials[0];
  expect(after?.knowledgeCheck).toMatchObject({ kind: 'done', attemptId: started.attemptId });
  expect(after?.maintenance?.years[0]?.knowledgeCheck).toBe(true);
  expect(after?.maintenance?.weakCategories).toEqual(weakCategories);
  const rowsDone = await countAllRows(handle);
  const again = await trpcErrorOf(caller.credentials.startKnowledgeCheck({ credentialId: credential.id }));
  expect(again.code).toBe('CONFLICT');
  expect(again.message).toMatch(/completed this credential year's knowledge check on .*; the next one opens on/);
  expect(await countAllRows(handle)).toEqual(rowsDone);

  // The next credential year opens a new check (the service with a controllable clock).
  const row = await getCredential(handle.db, credential.id);
  if (!row?.periodStartsAt || !row.expiresAt) throw new Error('no period');
  const year2 = cycleYears(row.periodStartsAt, row.expiresAt)[1];
  if (!year2) throw new Error('no second year');
  expect(await knowledgeCheckState(handle.db, row, year2.from + DAY_MS)).toMatchObject({ kind: 'due', year: year2 });
  const next = await startKnowledgeCheck(handle.db, holder.id, credential.id, TEST_META, year2.from + DAY_MS);
  expect(next).toMatchObject({ ok: true, resumed: false });
  const audited = await handle.db
    .select({ action: auditLog.action })
    .from(auditLog)
    .where(and(eq(auditLog.subjectId, holder.id), eq(auditLog.action, 'credential.knowledge-check-started')));
  expect(audited).toHaveLength(2);
});

test('refused with a clear reason and nothing written: another holder, not current, no such credential', async () => {
  const holder = await qualified(handle.db, fixture, 'Lise Meitner', 'AT');
  const other = await qualified(handle.db, fixture, 'Emmy Noether', 'DE');
  await runCredentialJob(handle.db, deps, Date.now());
  const credential = await credentialOf(handle.db, holder.id);
  const mine = (await callerFor(handle.db, holder)).caller;
  const theirs = (await callerFor(handle.db, other)).caller;
  const before = await countAllRows(handle);

  expect((await trpcErrorOf(theirs.credentials.startKnowledgeCheck({ credentialId: credential.id }))).code).toBe(
    'NOT_FOUND',
  );
  expect((await trpcErrorOf(mine.credentials.startKnowledgeCheck({ credentialId: 'no-such-id' }))).code).toBe(
    'NOT_FOUND',
  );
  expect((await trpcErrorOf(mine.credentials.startKnowledgeCheck({ credentialId: '' }))).code).toBe('BAD_REQUEST');
  expect((await trpcErrorOf(mine.credentials.knowledgeCheckResult({ attemptId: 'no-such-id' }))).code).toBe(
    'NOT_FOUND',
  );
  expect(await countAllRows(handle)).toEqual(before);
  await mine.credentials.setInactive({ credentialId: credential.id, inactive: true });
  const rowsInactive = await countAllRows(handle);
  const inactive = await trpcErrorOf(mine.credentials.startKnowledgeCheck({ credentialId: credential.id }));
  expect(inactive).toMatchObject({ code: 'CONFLICT', message: 'Return your credential to active first.' });
  expect(await countAllRows(handle)).toEqual(rowsInactive);
  await mine.credentials.setInactive({ credentialId: credential.id, inactive: false });

  // Two starts at once (a double click) make one attempt.
  const othersCredential = await credentialOf(handle.db, other.id);
  const [first, second] = await Promise.all([
    theirs.credentials.startKnowledgeCheck({ credentialId: othersCredential.id }),
    theirs.credentials.startKnowledgeCheck({ credentialId: othersCredential.id }),
  ]);
  expect(second.attemptId).toBe(first.attemptId);
  expect(
    await handle.db
      .select({ id: examAttempts.id })
      .from(examAttempts)
      .where(and(eq(examAttempts.candidateId, other.id), eq(examAttempts.examId, fixture.checkExamId))),
  ).toHaveLength(1);

  // Someone else's completed check is not theirs to read.
  const started = await mine.credentials.startKnowledgeCheck({ credentialId: credential.id });
  await mine.exams.submit({ attemptId: started.attemptId });
  expect((await trpcErrorOf(theirs.credentials.knowledgeCheckResult({ attemptId: started.attemptId }))).code).toBe(
    'NOT_FOUND',
  );

  // A definition may only name a knowledge-check form as its check, and a real theory exam.
  const adminCaller = (await callerFor(handle.db, admin)).caller;
  const rowsDefs = await countAllRows(handle);
  const practiceAsCheck = await trpcErrorOf(
    adminCaller.credentials.saveDefinition({
      ...DEFINITION,
      maintenance: { ...DEFINITION.maintenance, knowledgeCheckExamSlug: DEFINITION.requirements.theoryExamSlug },
    }),
  );
  expect(practiceAsCheck.code).toBe('BAD_REQUEST');
  expect(practiceAsCheck.message).toContain('No knowledge check has the slug "cert-theory"');
  const unknownTheory = await trpcErrorOf(
    adminCaller.credentials.saveDefinition({
      ...DEFINITION,
      requirements: { ...DEFINITION.requirements, theoryExamSlug: 'no-such-exam' },
    }),
  );
  expect(unknownTheory.message).toContain('No theory exam has the slug "no-such-exam"');
  expect(await countAllRows(handle)).toEqual(rowsDefs);
  const [check] = await handle.db
    .select({ purpose: exams.purpose })
    .from(exams)
    .where(eq(exams.id, fixture.checkExamId));
  expect(check?.purpose).toBe('knowledge-check');
});

test('a holder on an earlier version whose check was an ordinary practice exam is sent to /exams', async () => {
  const holder = await qualified(handle.db, fixture, 'Marie Curie', 'PL');
  await runCredentialJob(handle.db, deps, Date.now());
  const credential = await credentialOf(handle.db, holder.id);
  // The version they earned named a practice exam of /exams (written as older versions were).
  const practiceId = await insertExam(handle.db, 'old-practice', true);
  await handle.db
    .update(credentialDefinitionVersions)
    .set({ maintenanceJson: JSON.stringify({ ...DEFINITION.maintenance, knowledgeCheckExamSlug: 'old-practice' }) })
    .where(eq(credentialDefinitionVersions.id, credential.versionId));
  const row = await getCredential(handle.db, credential.id);
  if (!row) throw new Error('no credential');
  expect(await knowledgeCheckState(handle.db, row)).toMatchObject({
    kind: 'practice-exam',
    title: 'old-practice',
    done: false,
  });
  const { caller } = await callerFor(handle.db, holder);
  const refused = await trpcErrorOf(caller.credentials.startKnowledgeCheck({ credentialId: credential.id }));
  expect(refused.message).toContain('take it at /exams');
  await examAttempt(handle.db, holder.id, practiceId, Date.now(), false);
  expect(await knowledgeCheckState(handle.db, row)).toMatchObject({ kind: 'practice-exam', done: true });
  await handle.db
    .update(credentialDefinitionVersions)
    .set({ maintenanceJson: JSON.stringify(DEFINITION.maintenance) })
    .where(eq(credentialDefinitionVersions.id, credential.versionId));
});
