import { eq } from 'drizzle-orm';
import { expect, test } from 'vitest';
import { auditLog, exams } from '#db/schema/index.ts';
import { attemptsInProgress, closeExam, DEADLINE_GRACE_MS } from '#src/server/services/exam-attempts.ts';
import { upsertExam } from '#src/server/services/exam-forms.ts';
import { importItems } from '#src/server/services/exam-items.ts';
import { countAllRows, useTestDb } from '#test/helpers/db.ts';
import { callerFor, makeUser, TEST_META } from '#test/helpers/factories.ts';
import { trpcErrorOf } from '#test/helpers/trpc.ts';

/**
 * Closing an exam early: the examiner is told how many attempts are in progress and what happens to them;
 * a confirmation that no longer holds changes nothing; the attempts in progress go on to their deadline.
 */
const handle = useTestDb();

async function publishedExam(slug: string): Promise<string> {
  const item = {
    ref: `${slug}-q1`,
    type: 'true-false',
    category: '01-physiology-of-counterpulsation',
    language: 'en',
    difficulty: 'easy',
    stem: 'The cuffs inflate in diastole.',
    key: true,
    rationale: 'They do.',
    references: ['01-physiology-of-counterpulsation'],
    tags: [],
  };
  const imported = await importItems(
    handle.db,
    null,
    slug,
    JSON.stringify({ format: 'iecpa-items/1', items: [item] }),
    { live: true, engine: null },
  );
  expect(imported.ok).toBe(true);
  const exam = await upsertExam(
    handle.db,
    null,
    {
      format: 'iecpa-exam/1',
      slug,
      title: `Exam ${slug}`,
      bank: slug,
      practice: false,
      timeLimitMinutes: 30,
      attemptsAllowed: 2,
      passMark: { method: 'fixed', percent: 50 },
      release: 'immediate',
      eligibility: 'member-in-good-standing',
      blueprint: [{ category: '01-physiology-of-counterpulsation', count: 1 }],
    },
    { publish: true },
  );
  if (!exam.ok) throw new Error(exam.message);
  return exam.id;
}

test('closing states the attempts in progress, refuses a stale confirmation, and lets them finish', async () => {
  const examId = await publishedExam('closing');
  const examiner = await makeUser(handle.db, { roles: ['member', 'examiner'], totp: true });
  const { caller: examinerCaller } = await callerFor(handle.db, examiner);
  const candidates = await Promise.all([0, 1].map(() => makeUser(handle.db, { roles: ['member'] })));
  const callers = await Promise.all(candidates.map(async (c) => (await callerFor(handle.db, c)).caller));
  const [first, second] = callers as [(typeof callers)[0], (typeof callers)[0]];
  const one = await first.exams.start({ examId });
  const two = await second.exams.start({ examId });
  await second.exams.submit({ attemptId: two.attemptId });

  const running = await examinerCaller.exams.attemptsInProgress({ examId });
  expect(running.count).toBe(1);
  expect(running.lastDeadlineAt).toBeGreaterThan(Date.now());
  // An attempt past its deadline and grace is over, whether or not the deadline job has submitted it yet.
  expect(await attemptsInProgress(handle.db, examId, (running.lastDeadlineAt ?? 0) + DEADLINE_GRACE_MS + 1)).toEqual({
    count: 0,
    lastDeadlineAt: null,
  });

  // The examiner confirmed with a count that no longer holds: refused, nothing changed.
  const before = await countAllRows(handle);
  const stale = await trpcErrorOf(examinerCaller.exams.closeExam({ id: examId, confirmedInProgress: 0 }));
  expect(stale.code).toBe('CONFLICT');
  expect(stale.message).toBe('1 attempt is in progress now, not 0: nothing was closed. Read the confirmation again.');
  expect(await countAllRows(handle)).toEqual(before);
  expect((await trpcErrorOf(examinerCaller.exams.closeExam({ id: examId, confirmedInProgress: -1 }))).code).toBe(
    'BAD_REQUEST',
  );

  expect(await examinerCaller.exams.closeExam({ id: examId, confirmedInProgress: 1 })).toEqual({
    ok: true,
    inProgress: 1,
  });
  const [row] = await handle.db.select({ status: exams.status }).from(exams).where(eq(exams.id, examId));
  expect(row?.status).toBe('closed');
  const audited = await handle.db.select().from(auditLog).where(eq(auditLog.subjectId, examId));
  expect(audited.map((a) => a.action)).toContain('exam.exam-closed');
  expect((await trpcErrorOf(examinerCaller.exams.closeExam({ id: examId }))).message).toBe(
    'This exam is already closed.',
  );

  // The attempt in progress goes on: it takes answers and is graded on submit. No new attempt starts.
  const attempt = await first.exams.attempt({ attemptId: one.attemptId });
  const itemVersionId = attempt.items[0]?.itemVersionId as string;
  await first.exams.saveAnswer({ attemptId: one.attemptId, itemVersionId, answer: { truth: true } });
  await first.exams.submit({ attemptId: one.attemptId });
  expect(await first.exams.result({ attemptId: one.attemptId })).toMatchObject({ passed: true, percent: 100 });
  expect((await trpcErrorOf(second.exams.start({ examId }))).message).toBe('That exam does not exist or is not open.');
  expect(await closeExam(handle.db, examiner.id, 'no-such-exam', undefined, TEST_META)).toMatchObject({
    ok: false,
    code: 'NOT_FOUND',
  });
});

test('open and close dates: bad windows change nothing; a window in the future keeps new attempts out', async () => {
  const examId = await publishedExam('window');
  const examiner = await makeUser(handle.db, { roles: ['member', 'examiner'], totp: true });
  const { caller } = await callerFor(handle.db, examiner);
  const now = Date.now();
  const before = await countAllRows(handle);
  const backwards = await trpcErrorOf(
    caller.exams.setExamWindow({ examId, opensAt: now + 7_200_000, closesAt: now + 3_600_000 }),
  );
  expect([backwards.code, backwards.message]).toEqual(['BAD_REQUEST', 'The exam must open before it closes.']);
  const past = await trpcErrorOf(
    caller.exams.setExamWindow({ examId, opensAt: now - 7_200_000, closesAt: now - 3_600_000 }),
  );
  expect(past.message).toBe('That close date has passed.');
  expect(
    (await trpcErrorOf(caller.exams.setExamWindow({ examId: 'no-such-exam', opensAt: now, closesAt: null }))).code,
  ).toBe('NOT_FOUND');
  expect(await countAllRows(handle)).toEqual(before);

  expect(await caller.exams.setExamWindow({ examId, opensAt: now + 3_600_000, closesAt: now + 7_200_000 })).toEqual({
    ok: true,
  });
  const [row] = await handle.db.select().from(exams).where(eq(exams.id, examId));
  expect([row?.opensAt, row?.closesAt]).toEqual([now + 3_600_000, now + 7_200_000]);
  const member = await makeUser(handle.db, { roles: ['member'] });
  const { caller: memberCaller } = await callerFor(handle.db, member);
  expect((await trpcErrorOf(memberCaller.exams.start({ examId }))).message).toBe('This exam is not open now.');
  expect(await caller.exams.setExamWindow({ examId, opensAt: now - 60_000, closesAt: null })).toEqual({ ok: true });
  expect(await memberCaller.exams.start({ examId })).toMatchObject({ ok: true });
});
