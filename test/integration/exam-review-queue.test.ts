import { eq } from 'drizzle-orm';
import { expect, test } from 'vitest';
import { auditLog, examItemFlags } from '#db/schema/index.ts';
import { upsertExam } from '#src/server/services/exam-forms.ts';
import { importItems } from '#src/server/services/exam-items.ts';
import { countAllRows, useTestDb } from '#test/helpers/db.ts';
import { callerFor, makeUser } from '#test/helpers/factories.ts';
import { trpcErrorOf } from '#test/helpers/trpc.ts';

/**
 * The statistics act on the bank: a flagged item leaves the review queue when an examiner revises it (a new
 * version), retires it, or keeps it as it is; each way is recorded with the flag, and bad requests change
 * nothing.
 */
const handle = useTestDb();
const CATEGORY = '01-physiology-of-counterpulsation';

function trueFalse(ref: string) {
  return {
    ref,
    type: 'true-false',
    category: CATEGORY,
    language: 'en',
    difficulty: 'easy',
    stem: `Statement ${ref}.`,
    key: true,
    rationale: 'Because.',
    references: ['01-physiology-of-counterpulsation'],
    tags: [],
  };
}

test('a flagged item is revised, kept or retired from the queue; each resolution is recorded', async () => {
  const refs = ['queue-a', 'queue-b', 'queue-c'];
  const imported = await importItems(
    handle.db,
    null,
    'queue',
    JSON.stringify({ format: 'iecpa-items/1', items: refs.map(trueFalse) }),
    { live: true, engine: null },
  );
  expect(imported.ok).toBe(true);
  const exam = await upsertExam(
    handle.db,
    null,
    {
      format: 'iecpa-exam/1',
      slug: 'queue-exam',
      title: 'Queue exam',
      bank: 'queue',
      practice: true,
      timeLimitMinutes: 30,
      passMark: { method: 'fixed', percent: 50 },
      release: 'immediate',
      eligibility: 'member-in-good-standing',
      blueprint: [{ category: CATEGORY, count: 3 }],
    },
    { publish: true },
  );
  if (!exam.ok) throw new Error(exam.message);
  // Four candidates answer every item right: facility 1 flags all three (above 0.95).
  for (let c = 0; c < 4; c++) {
    const { caller } = await callerFor(handle.db, await makeUser(handle.db, { roles: ['member'] }));
    const { attemptId } = await caller.exams.start({ examId: exam.id });
    for (const item of (await caller.exams.attempt({ attemptId })).items)
      await caller.exams.saveAnswer({ attemptId, itemVersionId: item.itemVersionId, answer: { truth: true } });
    await caller.exams.submit({ attemptId });
  }
  const examiner = await makeUser(handle.db, { roles: ['member', 'examiner'], totp: true });
  const { caller } = await callerFor(handle.db, examiner);
  await caller.exams.recomputeStatistics({ examId: exam.id });
  const queue = (await caller.exams.reviewQueue()).filter((f) => f.examId === exam.id);
  expect(queue.map((f) => [f.ref, f.reasons])).toEqual(refs.map((ref) => [ref, ['facility-high']]));
  const [a, b, c] = queue as [(typeof queue)[0], (typeof queue)[0], (typeof queue)[0]];

  // Revise: a new version answers the flag.
  expect(
    await caller.exams.updateItem({ id: a.itemId, item: { ...trueFalse('queue-a'), stem: 'A harder statement.' } }),
  ).toEqual({
    ok: true,
    outcome: 'versioned',
  });
  // Keep: once; a second keep, or an unknown flag, changes nothing.
  expect(await caller.exams.keepFlaggedItem({ flagId: b.id })).toEqual({ ok: true });
  const before = await countAllRows(handle);
  const again = await trpcErrorOf(caller.exams.keepFlaggedItem({ flagId: b.id }));
  expect([again.code, again.message]).toEqual(['CONFLICT', 'This flag was already resolved (kept).']);
  expect((await trpcErrorOf(caller.exams.keepFlaggedItem({ flagId: 'no-such-flag' }))).code).toBe('NOT_FOUND');
  expect(await countAllRows(handle)).toEqual(before);
  // Retire: never drawn again.
  await caller.exams.retireItem({ id: c.itemId });

  expect((await caller.exams.reviewQueue()).filter((f) => f.examId === exam.id)).toEqual([]);
  const flags = await handle.db.select().from(examItemFlags).where(eq(examItemFlags.examId, exam.id));
  expect(Object.fromEntries(flags.map((f) => [f.id, [f.resolution, f.resolvedBy]]))).toEqual({
    [a.id]: ['revised', examiner.id],
    [b.id]: ['kept', examiner.id],
    [c.id]: ['retired', examiner.id],
  });
  const audited = await handle.db.select().from(auditLog).where(eq(auditLog.action, 'exam.flag-kept'));
  expect(audited.map((r) => r.subjectId)).toEqual([b.itemId]);
  // Recomputing does not put a resolved flag of the same version back in the queue.
  await caller.exams.recomputeStatistics({ examId: exam.id });
  expect((await caller.exams.reviewQueue()).filter((f) => f.examId === exam.id)).toEqual([]);

  const member = await makeUser(handle.db, { roles: ['member'] });
  const { caller: memberCaller } = await callerFor(handle.db, member);
  expect((await trpcErrorOf(memberCaller.exams.keepFlaggedItem({ flagId: b.id }))).code).toBe('FORBIDDEN');
});
