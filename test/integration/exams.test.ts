import { eq } from 'drizzle-orm';
import { beforeAll, describe, expect, test } from 'vitest';
import { openDb } from '#db/client.ts';
import { auditLog, examAnswers, examAttempts, examItemVersions, exams } from '#db/schema/index.ts';
import type { Answer } from '#src/server/exams/grading.ts';
import type { ItemSource } from '#src/server/exams/item-format.ts';
import { runScheduledJob, SCHEDULED_JOBS } from '#src/server/scheduled-jobs.ts';
import {
  DEADLINE_GRACE_MS,
  exportAttemptsCsv,
  getAttemptForCandidate,
  saveAnswer,
  startAttempt,
  submitAttempt,
  submitExpiredAttempts,
} from '#src/server/services/exam-attempts.ts';
import { importFirstEdition } from '#src/server/services/handbook-import.ts';
import { closeTestDb, countAllRows, createTestDb, useTestDb } from '#test/helpers/db.ts';
import { callerFor, type MadeUser, makeUser, TEST_META, testDeps } from '#test/helpers/factories.ts';
import { trpcErrorOf } from '#test/helpers/trpc.ts';

type Caller = Awaited<ReturnType<typeof callerFor>>['caller'];

const handle = useTestDb();
let author: MadeUser;
let authorCaller: Caller;
let reviewerCaller: Caller;

const CAT_A = '01-physiology-of-counterpulsation';
const CAT_B = '04-ecg-triggering-and-timing';

function singleItem(ref: string, category: string, key = 'a'): ItemSource {
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
    key: [key],
    rationale: `RATIONALE-${ref}: because.`,
    references: ['05-ecg-triggering-and-timing'],
    tags: [],
  } as ItemSource;
}

function numericItem(ref: string, category: string): ItemSource {
  return {
    ref,
    type: 'numeric',
    category,
    language: 'en',
    difficulty: 'hard',
    stem: 'Typical inflation delay at 60 bpm?',
    key: { value: 332, tolerance: 15, unit: 'ms' },
    rationale: `RATIONALE-${ref}: the notch.`,
    references: ['05-ecg-triggering-and-timing'],
    tags: [],
  } as ItemSource;
}

/** Creates items as `author`, sends them for review and has the second examiner approve them. */
async function liveItems(bank: string, sources: ItemSource[]): Promise<string[]> {
  const ids: string[] = [];
  for (const source of sources) {
    const { id } = await authorCaller.exams.createItem({ bank, item: source });
    await authorCaller.exams.submitForReview({ id });
    await reviewerCaller.exams.reviewItem({ id, decision: 'approve', comment: 'Fine.' });
    ids.push(id);
  }
  return ids;
}

function examFile(
  slug: string,
  bank: string,
  blueprint: { category: string; count: number }[],
  passMark: object = { method: 'fixed', percent: 50 },
) {
  return {
    format: 'iecpa-exam/1',
    slug,
    title: `Exam ${slug}`,
    bank,
    practice: false,
    timeLimitMinutes: 30,
    attemptsAllowed: 3,
    cooldownDays: 0,
    passMark,
    release: 'immediate',
    eligibility: 'member-in-good-standing',
    blueprint,
  };
}

async function candidate(): Promise<{ user: MadeUser; caller: Caller }> {
  const user = await makeUser(handle.db, { roles: ['member'] });
  return { user, caller: (await callerFor(handle.db, user)).caller };
}

/** The right (or a wrong) answer to a delivered item, from its public form and the ref in its stem. */
function answerFor(item: { type: string; stem: string }, right: boolean): Answer {
  if (item.type === 'numeric') return { value: right ? 340 : 500 };
  return { choices: [right ? 'a' : 'b'] };
}

function assertNoKey(response: unknown): void {
  const text = JSON.stringify(response);
  expect(text).not.toMatch(/"key"|"rationale"|RATIONALE-|"seed"/);
}

beforeAll(async () => {
  author = await makeUser(handle.db, { roles: ['member', 'examiner'], totp: true, name: 'Ada Author' });
  authorCaller = (await callerFor(handle.db, author)).caller;
  const reviewer = await makeUser(handle.db, { roles: ['member', 'examiner'], totp: true, name: 'Rex Reviewer' });
  reviewerCaller = (await callerFor(handle.db, reviewer)).caller;
});

describe('the whole lifecycle through tRPC', () => {
  test('author → review → live → Angoff → attempts → grading → statistics → flag → retire → not drawn', async () => {
    const bank = 'lifecycle';
    const sources = [
      ...[0, 1, 2, 3].map((i) => singleItem(`life-a${i}`, CAT_A)),
      ...[0, 1, 2].map((i) => singleItem(`life-b${i}`, CAT_B)),
      numericItem('life-b3', CAT_B),
    ];
    // The author cannot review their own item.
    const { id: own } = await authorCaller.exams.createItem({ bank, item: sources[0] });
    await authorCaller.exams.submitForReview({ id: own });
    const selfReview = await trpcErrorOf(authorCaller.exams.reviewItem({ id: own, decision: 'approve', comment: '' }));
    expect(selfReview.code).toBe('FORBIDDEN');
    await reviewerCaller.exams.reviewItem({ id: own, decision: 'approve', comment: 'Clear.' });
    const itemIds = [own, ...(await liveItems(bank, sources.slice(1)))];
    // A spare item stays in draft: it is never drawn while the bank is exactly the blueprint.
    const { id: spare } = await authorCaller.exams.createItem({ bank, item: singleItem('life-a4', CAT_A) });

    const { id: examId } = await authorCaller.exams.createExam({
      exam: examFile(
        'lifecycle-exam',
        bank,
        [
          { category: CAT_A, count: 4 },
          { category: CAT_B, count: 4 },
        ],
        { method: 'angoff' },
      ),
    });
    expect((await trpcErrorOf(authorCaller.exams.publishExam({ id: examId }))).message).toMatch(/pass mark/);
    // Panel: author rates every item 0.6, reviewer 0.8 → cut 70 %.
    await authorCaller.exams.rateItems({ examId, ratings: itemIds.map((itemId) => ({ itemId, probability: 0.6 })) });
    await reviewerCaller.exams.rateItems({ examId, ratings: itemIds.map((itemId) => ({ itemId, probability: 0.8 })) });
    const panel = await authorCaller.exams.angoffPanel({ examId });
    expect(panel.cut?.cutPercent).toBeCloseTo(70, 10);
    expect(panel.ratings).toHaveLength(16);
    // Examiners see each panellist by name with their own ratings (candidates cannot call this: authz matrix).
    expect(panel.panellists).toEqual([
      { raterId: author.id, name: 'Ada Author', rated: 8, meanPercent: expect.closeTo(60, 9) },
      { raterId: expect.any(String), name: 'Rex Reviewer', rated: 8, meanPercent: expect.closeTo(80, 9) },
    ]);
    expect(await authorCaller.exams.applyAngoffCut({ examId })).toEqual({ ok: true, passPercent: 70 });
    await authorCaller.exams.publishExam({ id: examId });

    // Ten candidates; everyone answers life-a0 right (facility 1: flagged), the others vary.
    const results = [];
    for (let c = 0; c < 10; c++) {
      const { caller } = await candidate();
      const started = await caller.exams.start({ examId });
      assertNoKey(started);
      const attempt = await caller.exams.attempt({ attemptId: started.attemptId });
      assertNoKey(attempt);
      expect(attempt.items).toHaveLength(8);
      for (const item of attempt.items) {
        const ref = /Question (life-\w+)\?/.exec(item.item.stem)?.[1] ?? 'life-b3';
        const index = sources.findIndex((s) => s.ref === ref);
        const right = ref === 'life-a0' || (c + index) % 3 !== 0 || c < 2;
        const saved = await caller.exams.saveAnswer({
          attemptId: started.attemptId,
          itemVersionId: item.itemVersionId,
          answer: answerFor(item.item, right),
        });
        assertNoKey(saved);
      }
      const again = await caller.exams.attempt({ attemptId: started.attemptId });
      assertNoKey(again);
      expect(again.items.every((i) => i.answer !== null)).toBe(true);
      expect(again.lastSavedAt).not.toBeNull();
      const submitted = await caller.exams.submit({ attemptId: started.attemptId });
      expect(submitted).toEqual({ ok: true, graded: true });
      const result = await caller.exams.result({ attemptId: started.attemptId });
      expect(result.subscores.map((s) => s.category)).toEqual([CAT_A, CAT_B]);
      expect(result.passPercent).toBe(70);
      expect(result.feedback).toEqual([]);
      expect(JSON.stringify(result)).not.toMatch(/RATIONALE-|"key"/);
      results.push(result);
    }
    // Candidates 0 and 1 answered everything right.
    expect(results[0]).toMatchObject({ score: 8, percent: 100, passed: true });

    const stats = await authorCaller.exams.recomputeStatistics({ examId });
    expect(stats?.test.candidates).toBe(10);
    expect(stats?.items).toHaveLength(8);
    const queue = await authorCaller.exams.reviewQueue();
    const flagged = queue.find((f) => f.ref === 'life-a0');
    expect(flagged?.reasons).toContain('facility-high');

    // Retire the flagged item, approve the spare: new attempts never draw the retired one.
    await authorCaller.exams.retireItem({ id: own });
    expect((await authorCaller.exams.reviewQueue()).some((f) => f.ref === 'life-a0')).toBe(false);
    await authorCaller.exams.submitForReview({ id: spare });
    await reviewerCaller.exams.reviewItem({ id: spare, decision: 'approve', comment: 'Fine.' });
    for (let c = 0; c < 5; c++) {
      const { caller } = await candidate();
      const { attemptId } = await caller.exams.start({ examId });
      const attempt = await caller.exams.attempt({ attemptId });
      const stems = attempt.items.map((i) => i.item.stem);
      expect(stems).not.toContain('Question life-a0?');
      expect(stems).toContain('Question life-a4?');
    }
  });
});

describe('versioning', () => {
  test('an edit to a delivered item makes a new version; the old attempt keeps its key and score', async () => {
    const bank = 'versioning';
    const [itemId] = await liveItems(bank, [singleItem('ver-a0', CAT_A, 'a')]);
    const { id: examId } = await authorCaller.exams.createExam({
      exam: examFile('versioning-exam', bank, [{ category: CAT_A, count: 1 }]),
    });
    await authorCaller.exams.publishExam({ id: examId });
    const { caller } = await candidate();
    const { attemptId } = await caller.exams.start({ examId });
    const [delivered] = (await caller.exams.attempt({ attemptId })).items;
    await caller.exams.saveAnswer({
      attemptId,
      itemVersionId: delivered?.itemVersionId as string,
      answer: { choices: ['a'] },
    });
    await caller.exams.submit({ attemptId });

    const edited = await authorCaller.exams.updateItem({
      id: itemId as string,
      item: singleItem('ver-a0', CAT_A, 'b'),
    });
    expect(edited).toEqual({ ok: true, outcome: 'versioned' });
    const detail = await authorCaller.exams.getItem({ id: itemId as string });
    expect(detail).toMatchObject({ version: 2, status: 'draft', delivered: false });
    expect(detail.body).toMatchObject({ key: ['b'] });
    expect(await caller.exams.result({ attemptId })).toMatchObject({ score: 1, percent: 100 });
    // The delivered version is frozen in the database itself.
    await expect(
      handle.db
        .update(examItemVersions)
        .set({ bodyJson: '{}' })
        .where(eq(examItemVersions.id, delivered?.itemVersionId as string)),
    ).rejects.toThrow();
    // An edit before delivery rewrites the version in place.
    expect(
      await authorCaller.exams.updateItem({ id: itemId as string, item: singleItem('ver-a0', CAT_A, 'c') }),
    ).toEqual({ ok: true, outcome: 'updated' });
  });
});

async function oneItemExam(slug: string): Promise<string> {
  const bank = `bank-${slug}`;
  await liveItems(bank, [singleItem(`${slug}-q`, CAT_A)]);
  const { id } = await authorCaller.exams.createExam({ exam: examFile(slug, bank, [{ category: CAT_A, count: 1 }]) });
  await authorCaller.exams.publishExam({ id });
  return id;
}

describe('practice feedback', () => {
  test('names the modules and links the cited chapters at their handbook slugs', async () => {
    await importFirstEdition(handle.db);
    const bank = 'bank-feedback';
    await liveItems(bank, [singleItem('feedback-q', CAT_A)]);
    const { id: examId } = await authorCaller.exams.createExam({
      exam: { ...examFile('feedback', bank, [{ category: CAT_A, count: 1 }]), practice: true },
    });
    await authorCaller.exams.publishExam({ id: examId });
    const { caller } = await candidate();
    const { attemptId } = await caller.exams.start({ examId });
    const itemVersionId = (await caller.exams.attempt({ attemptId })).items[0]?.itemVersionId as string;
    await caller.exams.saveAnswer({ attemptId, itemVersionId, answer: { choices: ['b'] } });
    await caller.exams.submit({ attemptId });
    const result = await caller.exams.result({ attemptId });
    expect(result.subscores).toEqual([
      { category: CAT_A, label: 'The physiology of counterpulsation', score: 0, max: 1 },
    ]);
    // The item cites the chapter by its file name, 05-ecg-triggering-and-timing.
    expect(result.feedback[0]?.references).toEqual([
      { slug: 'ecg-triggering-and-timing', title: 'ECG triggering and timing' },
    ]);
  });
});

describe('deadline and grace', () => {
  test('accepts answers in the grace after the deadline, refuses them after, and submits on next access', async () => {
    const examId = await oneItemExam('deadline');
    const user = await makeUser(handle.db, { roles: ['member'] });
    const t0 = Date.now();
    const started = await startAttempt(handle.db, user.id, examId, TEST_META, t0);
    if (!started.ok) throw new Error(started.message);
    const view = await getAttemptForCandidate(handle.db, user.id, started.attemptId, t0);
    if (!view.ok) throw new Error(view.message);
    const deadline = view.attempt.deadlineAt;
    expect(deadline).toBe(t0 + 30 * 60_000);
    const itemVersionId = view.attempt.items[0]?.itemVersionId as string;
    const inGrace = await saveAnswer(
      handle.db,
      user.id,
      { attemptId: started.attemptId, itemVersionId, answer: { choices: ['a'] } },
      deadline + DEADLINE_GRACE_MS - 1000,
    );
    expect(inGrace).toMatchObject({ ok: true });
    const late = await saveAnswer(
      handle.db,
      user.id,
      { attemptId: started.attemptId, itemVersionId, answer: { choices: ['b'] } },
      deadline + DEADLINE_GRACE_MS + 1,
    );
    expect(late).toMatchObject({
      ok: false,
      code: 'CONFLICT',
      message: expect.stringMatching(/time for this attempt is over/),
    });
    const after = await getAttemptForCandidate(handle.db, user.id, started.attemptId, deadline + DEADLINE_GRACE_MS + 1);
    expect(after).toMatchObject({ ok: true, attempt: { status: 'submitted', submittedAt: deadline } });
    const [row] = await handle.db.select().from(examAttempts).where(eq(examAttempts.id, started.attemptId));
    expect(row).toMatchObject({ submittedBy: 'deadline', score: 1, passed: true });
  });

  test('the scheduled job submits expired attempts with what was saved, once', async () => {
    const examId = await oneItemExam('expiry');
    const user = await makeUser(handle.db, { roles: ['member'] });
    const t0 = Date.now();
    const started = await startAttempt(handle.db, user.id, examId, TEST_META, t0);
    if (!started.ok) throw new Error(started.message);
    const after = t0 + 31 * 60_000;
    expect(await submitExpiredAttempts(handle.db, after)).toBeGreaterThanOrEqual(1);
    expect(await submitExpiredAttempts(handle.db, after)).toBe(0);
    const [row] = await handle.db.select().from(examAttempts).where(eq(examAttempts.id, started.attemptId));
    expect(row).toMatchObject({ submittedBy: 'deadline', score: 0, passed: false });
  });

  test('the exams scheduled job submits expired attempts and recomputes statistics', async () => {
    const examId = await oneItemExam('job');
    const user = await makeUser(handle.db, { roles: ['member'] });
    const t0 = Date.now();
    const started = await startAttempt(handle.db, user.id, examId, TEST_META, t0);
    if (!started.ok) throw new Error(started.message);
    const job = SCHEDULED_JOBS.find((j) => j.name === 'exams');
    if (!job) throw new Error('no exams job');
    const run = await runScheduledJob(handle.db, testDeps(), job, () => t0 + 31 * 60_000);
    expect(run.ok).toBe(true);
    const [row] = await handle.db.select().from(examAttempts).where(eq(examAttempts.id, started.attemptId));
    expect(row?.submittedBy).toBe('deadline');
    expect((await authorCaller.exams.statistics({ examId }))?.test.candidates).toBe(1);
  });

  test('extra time granted by an examiner moves the deadline', async () => {
    const examId = await oneItemExam('extra-time');
    const user = await makeUser(handle.db, { roles: ['member'] });
    await authorCaller.exams.grantExtraTime({ examId, candidateId: user.id, extraMinutes: 15 });
    const t0 = Date.now();
    const started = await startAttempt(handle.db, user.id, examId, TEST_META, t0);
    if (!started.ok) throw new Error(started.message);
    const [row] = await handle.db.select().from(examAttempts).where(eq(examAttempts.id, started.attemptId));
    expect(row?.deadlineAt).toBe(t0 + 45 * 60_000);
    // Granted while the attempt runs: it gets the time at once; taking time back never shortens it.
    expect(await authorCaller.exams.grantExtraTime({ examId, candidateId: user.id, extraMinutes: 25 })).toEqual({
      ok: true,
      extendedAttempt: true,
    });
    const [longer] = await handle.db.select().from(examAttempts).where(eq(examAttempts.id, started.attemptId));
    expect([longer?.deadlineAt, longer?.extraTimeMs]).toEqual([t0 + 55 * 60_000, 25 * 60_000]);
    expect(await authorCaller.exams.grantExtraTime({ examId, candidateId: user.id, extraMinutes: 0 })).toEqual({
      ok: true,
      extendedAttempt: false,
    });
    const [same] = await handle.db.select().from(examAttempts).where(eq(examAttempts.id, started.attemptId));
    expect(same?.deadlineAt).toBe(t0 + 55 * 60_000);
  });

  test('an examiner neither grants themselves extra time nor sits a certifying exam', async () => {
    const examId = await oneItemExam('examiner-sits');
    const before = await countAllRows(handle);
    expect(
      await trpcErrorOf(authorCaller.exams.grantExtraTime({ examId, candidateId: author.id, extraMinutes: 30 })),
    ).toMatchObject({ code: 'FORBIDDEN', message: 'Another examiner must grant you extra time.' });
    expect(await trpcErrorOf(authorCaller.exams.start({ examId }))).toMatchObject({
      code: 'FORBIDDEN',
      message: expect.stringMatching(/cannot sit a certifying exam/),
    });
    expect(await countAllRows(handle)).toEqual(before);
    // The list of exams says so instead of offering a start.
    expect((await authorCaller.exams.openExams()).find((e) => e.id === examId)).toMatchObject({
      inProgressAttemptId: null,
      startRefusal: expect.stringMatching(/cannot sit a certifying exam/),
    });
  });

  test('the list of exams counts the attempts used, offers the one in progress, and says when none is left', async () => {
    const examId = await oneItemExam('attempts-used');
    const { caller } = await candidate();
    const listed = async () => (await caller.exams.openExams()).find((e) => e.id === examId);
    expect(await listed()).toMatchObject({
      attemptsUsed: 0,
      attemptsAllowed: 3,
      inProgressAttemptId: null,
      startRefusal: null,
    });
    for (let n = 1; n <= 3; n++) {
      const { attemptId } = await caller.exams.start({ examId });
      expect(await listed()).toMatchObject({ attemptsUsed: n, inProgressAttemptId: attemptId, startRefusal: null });
      await caller.exams.submit({ attemptId });
    }
    expect(await listed()).toMatchObject({
      attemptsUsed: 3,
      inProgressAttemptId: null,
      startRefusal: 'You have used all 3 attempts at this exam.',
    });
  });
});

describe('bad input and integrity', () => {
  test('refuses bad answers with a clear error and writes nothing', async () => {
    const examId = await oneItemExam('bad-input');
    const { caller } = await candidate();
    const { attemptId } = await caller.exams.start({ examId });
    const itemVersionId = (await caller.exams.attempt({ attemptId })).items[0]?.itemVersionId as string;
    const other = await candidate();
    const before = await countAllRows(handle);

    const notInDraw = await trpcErrorOf(
      caller.exams.saveAnswer({ attemptId, itemVersionId: 'nope', answer: { choices: ['a'] } }),
    );
    expect(notInDraw).toMatchObject({ code: 'BAD_REQUEST', message: 'That question is not part of this attempt.' });
    const unknownOption = await trpcErrorOf(
      caller.exams.saveAnswer({ attemptId, itemVersionId, answer: { choices: ['z'] } }),
    );
    expect(unknownOption.message).toMatch(/no option "z"/);
    const wrongShape = await trpcErrorOf(
      caller.exams.saveAnswer({ attemptId, itemVersionId, answer: { truth: true } }),
    );
    expect(wrongShape.code).toBe('BAD_REQUEST');
    const notYours = await trpcErrorOf(
      other.caller.exams.saveAnswer({ attemptId, itemVersionId, answer: { choices: ['a'] } }),
    );
    expect(notYours.code).toBe('NOT_FOUND');
    expect((await trpcErrorOf(other.caller.exams.attempt({ attemptId }))).code).toBe('NOT_FOUND');
    expect((await trpcErrorOf(other.caller.exams.listItems({}))).code).toBe('FORBIDDEN');
    expect((await trpcErrorOf(other.caller.exams.voidAttempt({ attemptId, reason: 'Cheating seen' }))).code).toBe(
      'FORBIDDEN',
    );
    expect(await countAllRows(handle)).toEqual(before);

    await caller.exams.submit({ attemptId });
    const afterSubmit = await trpcErrorOf(
      caller.exams.saveAnswer({ attemptId, itemVersionId, answer: { choices: ['a'] } }),
    );
    expect(afterSubmit).toMatchObject({ code: 'CONFLICT', message: expect.stringMatching(/has been submitted/) });
  });

  test('a voided attempt takes no answers; the void is audited with its reason', async () => {
    const examId = await oneItemExam('voided');
    const { caller } = await candidate();
    const { attemptId } = await caller.exams.start({ examId });
    const itemVersionId = (await caller.exams.attempt({ attemptId })).items[0]?.itemVersionId as string;
    expect((await trpcErrorOf(authorCaller.exams.voidAttempt({ attemptId, reason: '' }))).code).toBe('BAD_REQUEST');
    await authorCaller.exams.voidAttempt({ attemptId, reason: 'Candidate used notes' });
    const refused = await trpcErrorOf(
      caller.exams.saveAnswer({ attemptId, itemVersionId, answer: { choices: ['a'] } }),
    );
    expect(refused.message).toMatch(/voided/);
    const audit = await handle.db.select().from(auditLog).where(eq(auditLog.subjectId, attemptId));
    expect(audit.find((a) => a.action === 'exam.attempt-voided')?.details).toContain('Candidate used notes');
  });

  test('exports attempts as formula-safe CSV, filtered by outcome', async () => {
    const examId = await oneItemExam('csv-export');
    const user = await makeUser(handle.db, { roles: ['member'], name: '=HYPERLINK("http://evil.example")' });
    const caller = (await callerFor(handle.db, user)).caller;
    const { attemptId } = await caller.exams.start({ examId });
    const itemVersionId = (await caller.exams.attempt({ attemptId })).items[0]?.itemVersionId as string;
    await caller.exams.saveAnswer({ attemptId, itemVersionId, answer: { choices: ['a'] } });
    await caller.exams.submit({ attemptId });
    const csv = await exportAttemptsCsv(handle.db, examId);
    const lines = csv
      .replace(/^\uFEFF/, '')
      .trim()
      .split('\r\n');
    expect(lines).toHaveLength(2);
    expect(lines[1]).toMatch(/^"'=HYPERLINK\(""http:\/\/evil.example""\)",/);
    expect(lines[1]).toMatch(/"1","1","100","50","passed","yes",$/);
    expect((await exportAttemptsCsv(handle.db, examId, { outcome: 'failed' })).trim().split('\r\n')).toHaveLength(1);
  });

  test('a concurrent double submit grades once', async () => {
    const examId = await oneItemExam('double-submit');
    const { caller } = await candidate();
    const { attemptId } = await caller.exams.start({ examId });
    const outcomes = await Promise.all([caller.exams.submit({ attemptId }), caller.exams.submit({ attemptId })]);
    expect(outcomes.map((o) => o.graded).sort()).toEqual([false, true]);
    const audit = await handle.db.select().from(auditLog).where(eq(auditLog.subjectId, attemptId));
    expect(audit.filter((a) => a.action === 'exam.attempt-submitted')).toHaveLength(1);
  });

  test('an exam whose bank cannot fill its blueprint is not published; the examiner is told what is short', async () => {
    const bank = 'bank-short';
    await liveItems(bank, [singleItem('short-a0', CAT_A)]);
    // A draft item does not count: only live items are drawn.
    await authorCaller.exams.createItem({ bank, item: singleItem('short-a1', CAT_A) });
    const { id } = await authorCaller.exams.createExam({
      exam: examFile('short', bank, [{ category: CAT_A, count: 2 }]),
    });
    const before = await countAllRows(handle);
    expect(await trpcErrorOf(authorCaller.exams.publishExam({ id }))).toMatchObject({
      code: 'CONFLICT',
      message: expect.stringContaining(`${CAT_A} needs 2, has 1`),
    });
    expect(await countAllRows(handle)).toEqual(before);
  });

  test('creating an exam with a taken slug is refused and leaves the published exam as it was', async () => {
    const examId = await oneItemExam('taken-slug');
    const [before] = await handle.db.select().from(exams).where(eq(exams.id, examId));
    const rewrite = {
      ...examFile('taken-slug', 'bank-taken-slug', [{ category: CAT_A, count: 1 }]),
      timeLimitMinutes: 5,
    };
    const error = await trpcErrorOf(
      authorCaller.exams.createExam({ exam: { ...rewrite, passMark: { method: 'fixed', percent: 10 } } }),
    );
    expect(error.code).toBe('CONFLICT');
    expect(error.message).toMatch(/already exists/);
    const [after] = await handle.db.select().from(exams).where(eq(exams.id, examId));
    expect(after).toEqual(before);
  });

  test('malformed item JSON imports nothing and reports the line', async () => {
    const before = await countAllRows(handle);
    const syntax = await authorCaller.exams.importItems({
      bank: 'imports',
      json: '{\n  "format": "iecpa-items/1",\n  "items": [\n    { "ref": \n  ]\n}',
    });
    expect(syntax).toMatchObject({ ok: false, errors: [{ line: 5 }] });
    const good = singleItem('imp-good', CAT_A);
    const bad = { ...singleItem('imp-bad', CAT_A), key: ['x'] };
    const text = JSON.stringify({ format: 'iecpa-items/1', items: [good, bad] }, null, 2);
    const invalid = await authorCaller.exams.importItems({ bank: 'imports', json: text });
    if (invalid.ok) throw new Error('expected a refusal');
    expect(invalid.errors).toEqual([
      { line: expect.any(Number), path: 'items.1.key', message: 'The key names an option that does not exist.' },
    ]);
    // The reported line is the bad item's "key" (the first "key" after its ref).
    const lines = text.split('\n');
    const badRefLine = lines.findIndex((l) => l.includes('imp-bad'));
    const keyLine = lines.findIndex((l, n) => n > badRefLine && l.includes('"key"')) + 1;
    expect(invalid.errors[0]?.line).toBe(keyLine);
    expect(await countAllRows(handle)).toEqual(before);

    const imported = await authorCaller.exams.importItems({
      bank: 'imports',
      json: JSON.stringify({ format: 'iecpa-items/1', items: [good] }),
    });
    expect(imported).toEqual({ ok: true, created: 1, updated: 0, versioned: 0, unchanged: 0 });
    const exported = await authorCaller.exams.exportItems({ bank: 'imports' });
    const again = await authorCaller.exams.importItems({ bank: 'imports', json: exported.json });
    expect(again).toEqual({ ok: true, created: 0, updated: 0, versioned: 0, unchanged: 1 });
  });
});

describe('examiner pages: release policy, release, attempts filters, extra time by email', () => {
  test('after-review results wait for the release; the release is audited and bad releases change nothing', async () => {
    const examId = await oneItemExam('release');
    const { user, caller } = await candidate();
    await authorCaller.exams.setReleasePolicy({ examId, release: 'after-review' });
    const { attemptId } = await caller.exams.start({ examId });
    const itemVersionId = (await caller.exams.attempt({ attemptId })).items[0]?.itemVersionId as string;
    await caller.exams.saveAnswer({ attemptId, itemVersionId, answer: { choices: ['a'] } });

    const before = await countAllRows(handle);
    expect(await trpcErrorOf(authorCaller.exams.releaseResults({ examId, attemptIds: [attemptId] }))).toMatchObject({
      code: 'CONFLICT',
      message: expect.stringMatching(/not graded yet/),
    });
    expect(
      (await trpcErrorOf(authorCaller.exams.releaseResults({ examId, attemptIds: ['no-such-attempt'] }))).code,
    ).toBe('NOT_FOUND');
    expect((await trpcErrorOf(caller.exams.releaseResults({ examId, attemptIds: 'all' }))).code).toBe('FORBIDDEN');
    expect(await countAllRows(handle)).toEqual(before);

    await caller.exams.submit({ attemptId });
    const waiting = await caller.exams.result({ attemptId });
    expect(waiting).toMatchObject({ released: false, score: null, percent: null, passed: null, subscores: [] });
    // The candidate's list of attempts does not tell the outcome before the release either.
    expect((await caller.exams.myAttempts()).find((a) => a.id === attemptId)).toMatchObject({
      awaitingRelease: true,
      percent: null,
      passed: null,
    });
    expect(await authorCaller.exams.listAttempts({ examId, outcome: 'awaiting-release' })).toMatchObject([
      { id: attemptId, candidateEmail: user.email, released: false },
    ]);

    expect(await authorCaller.exams.releaseResults({ examId, attemptIds: 'all' })).toEqual({ ok: true, released: 1 });
    expect(await caller.exams.result({ attemptId })).toMatchObject({ released: true, score: 1, passed: true });
    expect((await caller.exams.myAttempts()).find((a) => a.id === attemptId)).toMatchObject({
      awaitingRelease: false,
      percent: 100,
      passed: true,
    });
    expect(await authorCaller.exams.listAttempts({ examId, outcome: 'awaiting-release' })).toEqual([]);
    // Releasing again releases nothing new.
    expect(await authorCaller.exams.releaseResults({ examId, attemptIds: 'all' })).toEqual({ ok: true, released: 0 });
    const audit = await handle.db.select().from(auditLog).where(eq(auditLog.subjectId, examId));
    expect(audit.map((a) => a.action)).toEqual(
      expect.arrayContaining(['exam.release-policy-set', 'exam.results-released']),
    );
    expect(audit.filter((a) => a.action === 'exam.results-released')).toHaveLength(1);

    await authorCaller.exams.setReleasePolicy({ examId, release: 'immediate' });
    expect(await trpcErrorOf(authorCaller.exams.releaseResults({ examId, attemptIds: 'all' }))).toMatchObject({
      code: 'BAD_REQUEST',
      message: expect.stringMatching(/at once/),
    });
  });

  test('the attempts list filters by outcome and candidate', async () => {
    const examId = await oneItemExam('filters');
    const passer = await candidate();
    const failer = await candidate();
    for (const [who, option] of [
      [passer, 'a'],
      [failer, 'b'],
    ] as const) {
      const { attemptId } = await who.caller.exams.start({ examId });
      const itemVersionId = (await who.caller.exams.attempt({ attemptId })).items[0]?.itemVersionId as string;
      await who.caller.exams.saveAnswer({ attemptId, itemVersionId, answer: { choices: [option] } });
      await who.caller.exams.submit({ attemptId });
    }
    const ids = async (filters: { outcome?: 'passed' | 'failed' | 'open'; candidate?: string }) =>
      (await authorCaller.exams.listAttempts({ examId, ...filters })).map((a) => a.candidateId);
    expect(await ids({})).toHaveLength(2);
    expect(await ids({ outcome: 'passed' })).toEqual([passer.user.id]);
    expect(await ids({ outcome: 'failed' })).toEqual([failer.user.id]);
    expect(await ids({ outcome: 'open' })).toEqual([]);
    expect(await ids({ candidate: failer.user.email.toUpperCase() })).toEqual([failer.user.id]);
    const rows = await authorCaller.exams.listAttempts({ examId });
    expect(JSON.stringify(rows)).not.toMatch(/"seed"|itemVersionIdsJson/);
    const csv = await exportAttemptsCsv(handle.db, examId, { candidate: passer.user.email });
    expect(csv.trim().split('\r\n')).toHaveLength(2);
    expect((await trpcErrorOf(authorCaller.exams.listAttempts({ examId, outcome: 'bogus' as 'open' }))).code).toBe(
      'BAD_REQUEST',
    );
  });

  test('extra time is granted by email and listed; an unknown email changes nothing', async () => {
    const examId = await oneItemExam('extra-by-email');
    const { user } = await candidate();
    const before = await countAllRows(handle);
    const unknown = await trpcErrorOf(
      authorCaller.exams.grantExtraTime({ examId, candidateEmail: 'nobody@example.org', extraMinutes: 10 }),
    );
    expect(unknown).toMatchObject({ code: 'NOT_FOUND', message: 'No account has that email address.' });
    expect(
      (await trpcErrorOf(authorCaller.exams.grantExtraTime({ examId, candidateEmail: user.email, extraMinutes: -5 })))
        .code,
    ).toBe('BAD_REQUEST');
    expect((await trpcErrorOf(authorCaller.exams.grantExtraTime({ examId, extraMinutes: 5 }))).code).toBe(
      'BAD_REQUEST',
    );
    expect(await countAllRows(handle)).toEqual(before);
    await authorCaller.exams.grantExtraTime({ examId, candidateEmail: user.email.toUpperCase(), extraMinutes: 20 });
    expect(await authorCaller.exams.accommodations({ examId })).toMatchObject([
      { candidateId: user.id, email: user.email, extraMinutes: 20 },
    ]);
  });
});

test('an answer that chooses nothing clears the question: it stays on the unanswered list', async () => {
  const examId = await oneItemExam('chooses-nothing');
  const user = await makeUser(handle.db, { roles: ['member'] });
  const started = await startAttempt(handle.db, user.id, examId, TEST_META);
  if (!started.ok) throw new Error(started.message);
  const view = await getAttemptForCandidate(handle.db, user.id, started.attemptId);
  if (!view.ok) throw new Error(view.message);
  const itemVersionId = view.attempt.items[0]?.itemVersionId as string;
  const answerNow = async () => {
    const again = await getAttemptForCandidate(handle.db, user.id, started.attemptId);
    if (!again.ok) throw new Error(again.message);
    return again.attempt.items[0]?.answer;
  };
  // An untouched list of options posts as no choice: not an answer.
  const attemptId = started.attemptId;
  expect((await saveAnswer(handle.db, user.id, { attemptId, itemVersionId, answer: { choices: [] } })).ok).toBe(true);
  expect(await answerNow()).toBeNull();
  // A real choice is kept; unticking everything afterwards clears it again.
  await saveAnswer(handle.db, user.id, { attemptId, itemVersionId, answer: { choices: ['b'] } });
  expect(await answerNow()).toEqual({ choices: ['b'] });
  await saveAnswer(handle.db, user.id, { attemptId, itemVersionId, answer: { matches: {} } });
  expect(await answerNow()).toBeNull();
});

test('saved answers survive a closed and reopened database', async () => {
  const examId = await oneItemExam('restart');
  const user = await makeUser(handle.db, { roles: ['member'] });
  const started = await startAttempt(handle.db, user.id, examId, TEST_META);
  if (!started.ok) throw new Error(started.message);
  const view = await getAttemptForCandidate(handle.db, user.id, started.attemptId);
  if (!view.ok) throw new Error(view.message);
  const itemVersionId = view.attempt.items[0]?.itemVersionId as string;
  const saved = await saveAnswer(handle.db, user.id, {
    attemptId: started.attemptId,
    itemVersionId,
    answer: { choices: ['c'] },
    flagged: true,
  });
  expect(saved.ok).toBe(true);

  // Copy the file's state through a second database: close it and open the file again.
  const copy = await createTestDb();
  try {
    const { client } = copy;
    client.close();
    // The test file's database itself is closed and reopened by path.
    handle.client.close();
    const reopened = await openDb({ url: `file:${handle.path}` });
    const [row] = await reopened.db.select().from(examAnswers).where(eq(examAnswers.attemptId, started.attemptId));
    expect(row).toMatchObject({ answerJson: JSON.stringify({ choices: ['c'] }), flagged: true });
    const afterRestart = await getAttemptForCandidate(reopened.db, user.id, started.attemptId);
    expect(afterRestart).toMatchObject({
      ok: true,
      attempt: { items: [{ answer: { choices: ['c'] }, flagged: true }] },
    });
    expect(await submitAttempt(reopened.db, user.id, started.attemptId)).toEqual({ ok: true, graded: true });
    reopened.client.close();
  } finally {
    closeTestDb(copy);
  }
});
