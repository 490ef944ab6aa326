import { beforeAll, describe, expect, test } from 'vitest';
import { countAllRows, useTestDb } from '#test/helpers/db.ts';
import { callerFor, type MadeUser, makeUser } from '#test/helpers/factories.ts';
import { trpcErrorOf } from '#test/helpers/trpc.ts';

/**
 * Engine items written on the item bank's pages (through tRPC, as the form does): the engine runs in the
 * replay worker pool, its class of the asked beat becomes the key, its own checks refuse bad settings, and
 * versioning works as for every other item.
 */
type Caller = Awaited<ReturnType<typeof callerFor>>['caller'];

const handle = useTestDb();
let authorCaller: Caller;
let reviewerCaller: Caller;

/** The shipped l1-engine-001 run: seed 7 of the default scenario, inflation 77 ms, beat 20 (early inflation). */
const EARLY_INFLATION = {
  scenario: 'default-stable-angina',
  seed: 7,
  settings: { inflateDelayMs: 77, deflateDelayMs: 704, pressureMmHg: 260 },
  beatIndex: 20,
  ask: 'fault' as const,
};

function engineDraft(ref: string, engine: object = EARLY_INFLATION): Record<string, unknown> {
  return {
    ref,
    type: 'engine',
    category: '04-ecg-triggering-and-timing',
    language: 'en',
    difficulty: 'medium',
    stem: 'What is the timing fault on the marked beat?',
    engine,
    references: ['05-ecg-triggering-and-timing'],
    tags: [],
  };
}

function fieldErrorsOf(error: { cause?: unknown }): Record<string, string> {
  return (error.cause as { fieldErrors?: Record<string, string> } | undefined)?.fieldErrors ?? {};
}

beforeAll(async () => {
  const author: MadeUser = await makeUser(handle.db, { roles: ['member', 'examiner'], totp: true, name: 'Ada Author' });
  authorCaller = (await callerFor(handle.db, author)).caller;
  const reviewer = await makeUser(handle.db, { roles: ['member', 'examiner'], totp: true, name: 'Rex Reviewer' });
  reviewerCaller = (await callerFor(handle.db, reviewer)).caller;
});

describe('engine items on the item bank', () => {
  test('the preview shows the frame and the engine key and writes nothing', async () => {
    const before = await countAllRows(handle);
    const preview = await authorCaller.exams.previewEngineItem({ engine: EARLY_INFLATION });
    expect(preview).toMatchObject({ ok: true, beatClass: 'early-inflation', keyText: 'Early inflation' });
    expect(preview.frameSvg).toMatch(/^<svg [^>]*role="img"/);
    expect(preview.frameSvg).toContain('marked beat');
    const fix = await authorCaller.exams.previewEngineItem({ engine: { ...EARLY_INFLATION, ask: 'fix' } });
    expect(fix).toMatchObject({ beatClass: 'early-inflation', keyText: 'Inflate later' });
    expect(await countAllRows(handle)).toEqual(before);
  });

  test('an item written without an expectation takes the engine class as its key and goes through review', async () => {
    const { id } = await authorCaller.exams.createItem({ bank: 'engine-bank', item: engineDraft('eng-new-001') });
    const detail = await authorCaller.exams.getItem({ id });
    expect(detail).toMatchObject({ status: 'draft', version: 1, type: 'engine' });
    expect(detail.source).toMatchObject({ expect: 'early-inflation', engine: EARLY_INFLATION });
    expect(detail.body).toMatchObject({ type: 'engine', key: ['early-inflation'] });
    expect(detail.body.frameSvg).toMatch(/^<svg /);
    // Without a rationale of its own the class's standard explanation is used.
    expect(detail.body.rationale).toMatch(/before the aortic valve has closed/);
    await authorCaller.exams.submitForReview({ id });
    expect(await reviewerCaller.exams.reviewItem({ id, decision: 'approve', comment: '' })).toMatchObject({
      status: 'live',
    });
    // The same fields again change nothing (the stored expectation is the engine's).
    expect(await authorCaller.exams.updateItem({ id, item: engineDraft('eng-new-001') })).toEqual({
      ok: true,
      outcome: 'unchanged',
    });
  });

  test("invalid settings get the engine's own messages on their fields; nothing is written", async () => {
    const before = await countAllRows(handle);
    const tooHigh = await trpcErrorOf(
      authorCaller.exams.createItem({
        bank: 'engine-bank',
        item: engineDraft('eng-bad-001', {
          ...EARLY_INFLATION,
          settings: { ...EARLY_INFLATION.settings, pressureMmHg: 320 },
        }),
      }),
    );
    expect(tooHigh.code).toBe('BAD_REQUEST');
    expect(fieldErrorsOf(tooHigh)['engine.settings.pressureMmHg']).toMatch(
      /^The engine refuses this setting \(pressureMmHg: .*300.*\): give 0 to 300\.$/,
    );
    const preview = await trpcErrorOf(
      authorCaller.exams.previewEngineItem({
        engine: { ...EARLY_INFLATION, settings: { ...EARLY_INFLATION.settings, inflateDelayMs: 1600 } },
      }),
    );
    expect(fieldErrorsOf(preview)['engine.settings.inflateDelayMs']).toMatch(/engine refuses.*give 0 to 1500/);
    // In standby (no pressure) no beat is assisted: there is no timing to ask about.
    const standby = await trpcErrorOf(
      authorCaller.exams.createItem({
        bank: 'engine-bank',
        item: engineDraft('eng-bad-002', {
          ...EARLY_INFLATION,
          settings: { ...EARLY_INFLATION.settings, pressureMmHg: 0 },
        }),
      }),
    );
    expect(standby.message).toMatch(/^The engine cannot make this item: The engine finds beat 20 /);
    expect(fieldErrorsOf(standby)['engine.beatIndex']).toMatch(/choose an assisted beat/);
    const noScenario = await trpcErrorOf(
      authorCaller.exams.createItem({
        bank: 'engine-bank',
        item: engineDraft('eng-bad-003', { ...EARLY_INFLATION, scenario: 'no-such-scenario' }),
      }),
    );
    expect(fieldErrorsOf(noScenario)['engine.scenario']).toBe(
      'There is no scenario "no-such-scenario" among the presets.',
    );
    // An expectation the engine does not share is refused rather than stored as a wrong key.
    const wrong = await trpcErrorOf(
      authorCaller.exams.createItem({
        bank: 'engine-bank',
        item: { ...engineDraft('eng-bad-004'), expect: 'late-deflation' },
      }),
    );
    expect(fieldErrorsOf(wrong).expect).toMatch(/classifies beat 20 as early-inflation, not late-deflation/);
    const seed = await trpcErrorOf(authorCaller.exams.previewEngineItem({ engine: { ...EARLY_INFLATION, seed: -1 } }));
    expect(fieldErrorsOf(seed)['engine.seed']).toMatch(/^The engine refuses this seed: -1 is not an integer/);
    expect(await countAllRows(handle)).toEqual(before);
  });

  test('members cannot preview or write engine items', async () => {
    const member = await makeUser(handle.db, { roles: ['member'] });
    const { caller } = await callerFor(handle.db, member);
    expect((await trpcErrorOf(caller.exams.previewEngineItem({ engine: EARLY_INFLATION }))).code).toBe('FORBIDDEN');
  });

  test('an edit of a delivered engine item makes a new version keyed by the engine; the attempt keeps its key', async () => {
    const bank = 'engine-versions';
    const { id } = await authorCaller.exams.createItem({ bank, item: engineDraft('eng-ver-001') });
    await authorCaller.exams.submitForReview({ id });
    await reviewerCaller.exams.reviewItem({ id, decision: 'approve', comment: '' });
    const { id: examId } = await authorCaller.exams.createExam({
      exam: {
        format: 'iecpa-exam/1',
        slug: 'engine-versions',
        title: 'Engine versions',
        bank,
        practice: false,
        timeLimitMinutes: 30,
        attemptsAllowed: 3,
        passMark: { method: 'fixed', percent: 50 },
        release: 'immediate',
        eligibility: 'member-in-good-standing',
        blueprint: [{ category: '04-ecg-triggering-and-timing', count: 1 }],
      },
    });
    await authorCaller.exams.publishExam({ id: examId });
    const candidate = await makeUser(handle.db, { roles: ['member'] });
    const { caller } = await callerFor(handle.db, candidate);
    const { attemptId } = await caller.exams.start({ examId });
    const [delivered] = (await caller.exams.attempt({ attemptId })).items;
    expect(delivered?.item.frameSvg).toMatch(/^<svg /);
    await caller.exams.saveAnswer({
      attemptId,
      itemVersionId: delivered?.itemVersionId as string,
      answer: { choices: ['early-inflation'] },
    });
    await caller.exams.submit({ attemptId });

    // Deflation late (l1-engine-004's settings): the engine's class, and so the key, changes with the edit.
    const lateDeflation = {
      ...EARLY_INFLATION,
      settings: { inflateDelayMs: 259, deflateDelayMs: 941, pressureMmHg: 260 },
      beatIndex: 30,
    };
    expect(await authorCaller.exams.updateItem({ id, item: engineDraft('eng-ver-001', lateDeflation) })).toEqual({
      ok: true,
      outcome: 'versioned',
    });
    const detail = await authorCaller.exams.getItem({ id });
    expect(detail).toMatchObject({ version: 2, status: 'draft', delivered: false });
    expect(detail.body).toMatchObject({ key: ['late-deflation'] });
    expect(detail.source).toMatchObject({ expect: 'late-deflation' });
    expect(await caller.exams.result({ attemptId })).toMatchObject({ score: 1, percent: 100 });
  });
});

describe('engine items in an items file imported on the portal', () => {
  test('run in the pool and are keyed by the engine; a mismatch or too many engine items imports nothing', async () => {
    const item = (ref: string, expect: string, engine: object = EARLY_INFLATION) => ({
      ...engineDraft(ref, engine),
      expect,
    });
    const file = (items: object[]) => JSON.stringify({ format: 'iecpa-items/1', items }, null, 2);
    const before = await countAllRows(handle);
    const mismatch = await authorCaller.exams.importItems({
      bank: 'engine-import',
      json: file([item('eng-imp-001', 'early-inflation'), item('eng-imp-002', 'ok')]),
    });
    expect(mismatch).toMatchObject({
      ok: false,
      errors: [
        {
          path: 'items.1',
          message: expect.stringMatching(/classifies beat 20 as early-inflation, but the item expects ok/),
        },
      ],
    });
    const many = Array.from({ length: 21 }, (_, n) =>
      item(`eng-many-${String(n).padStart(3, '0')}`, 'early-inflation', { ...EARLY_INFLATION, seed: n }),
    );
    const tooMany = await authorCaller.exams.importItems({ bank: 'engine-import', json: file(many) });
    expect(tooMany).toMatchObject({
      ok: false,
      errors: [
        {
          path: 'items.20',
          message: '21 new or changed engine items; one import runs the engine for at most 20. Split the file.',
        },
      ],
    });
    expect(await countAllRows(handle)).toEqual(before);
    expect(
      await authorCaller.exams.importItems({
        bank: 'engine-import',
        json: file([item('eng-imp-001', 'early-inflation')]),
      }),
    ).toEqual({ ok: true, created: 1, updated: 0, versioned: 0, unchanged: 0 });
  });
});
