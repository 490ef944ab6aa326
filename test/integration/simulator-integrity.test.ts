/**
 * Issue 14, finding 1: a simulator assessment is scored only for a run that took place in real time under
 * the server's eyes (simulator-attempts.ts, "Integrity"). Each test here passed the old protocol's checks
 * (the seed was handed out, a log was accepted at any time and only flagged).
 */
import { eq } from 'drizzle-orm';
import { beforeAll, expect, test, vi } from 'vitest';
import { simulatorAttempts } from '#db/schema/index.ts';
import { DEFAULT_RUBRIC, type Rubric, type SettingsPatch, scoreAssessment, simulate } from '#sim/index.ts';
import { formatUtcDateTime } from '#src/lib/dates.ts';
import { getScenario } from '#src/lib/scenario-presets.ts';
import {
  CHECKPOINT_MAX_GAP_MS,
  checkpointAttempt,
  START_WITHIN_MS,
  submitAttempt,
} from '#src/server/services/simulator-attempts.ts';
import type { AssessmentSettings } from '#src/server/services/simulator-schemas.ts';
import { countAllRows, useTestDb } from '#test/helpers/db.ts';
import { callerFor, type MadeUser, makeUser, TEST_META } from '#test/helpers/factories.ts';
import { trpcErrorOf } from '#test/helpers/trpc.ts';
import { reportedRunOn } from './simulator-reported-run.ts';

vi.setConfig({ testTimeout: 60_000 });

type Caller = Awaited<ReturnType<typeof callerFor>>['caller'];

const handle = useTestDb();
let examinerCaller: Caller;

const RUBRIC: Rubric = { ...DEFAULT_RUBRIC, graceStartMs: 8000, graceAfterEventMs: 5000 };
/** The attack: one entry with good settings, sent at once. */
const ONE_ENTRY_LOG = [{ atMs: 0, patch: { pressureMmHg: 260, inflateDelayMs: 290, deflateDelayMs: 700 } }];
const GOOD_LOG = [
  { atMs: 0, patch: { inflateDelayMs: 288, deflateDelayMs: 699, pressureMmHg: 260 } },
  { atMs: 14_000, patch: { inflateDelayMs: 280 } },
];

function settings(overrides: Partial<AssessmentSettings> = {}): AssessmentSettings {
  return {
    title: 'Integrity check',
    scenarioId: 'default-stable-angina',
    seedPolicy: 'per-attempt',
    fixedSeed: null,
    durationMs: 30_000,
    startMistimingMs: 0,
    events: [],
    rubric: RUBRIC,
    attemptsAllowed: 3,
    cooldownMs: 0,
    opensAt: Date.now() - 3600_000,
    closesAt: null,
    ...overrides,
  };
}

async function publishedAssessment(overrides: Partial<AssessmentSettings> = {}): Promise<string> {
  const { id } = await examinerCaller.simulator.createAssessment(settings(overrides));
  await examinerCaller.simulator.publishAssessment({ id });
  return id;
}

async function candidate(): Promise<{ user: MadeUser; caller: Caller }> {
  const user = await makeUser(handle.db, { roles: ['member'] });
  return { user, caller: (await callerFor(handle.db, user)).caller };
}

async function row(attemptId: string) {
  const [r] = await handle.db.select().from(simulatorAttempts).where(eq(simulatorAttempts.id, attemptId));
  if (!r) throw new Error('no such attempt');
  return r;
}

beforeAll(async () => {
  const examiner = await makeUser(handle.db, { roles: ['member', 'examiner'], totp: true });
  examinerCaller = (await callerFor(handle.db, examiner)).caller;
});

test('the scored seed is not given out before scoring: the console gets another one to display', async () => {
  const id = await publishedAssessment();
  const { user, caller } = await candidate();
  const started = await caller.simulator.startAttempt({ id });
  expect(started).not.toHaveProperty('seed');
  const stored = await row(started.attemptId);
  expect(started.displaySeed).toBe(stored.displaySeed);
  expect(started.displaySeed).not.toBe(stored.seed);
  expect((await caller.simulator.attempt({ attemptId: started.attemptId })).seed).toBeNull();
  expect((await caller.simulator.myAttempts()).find((a) => a.id === started.attemptId)?.seed).toBeNull();
  // A fixed seed stays as secret as a drawn one.
  const fixed = await publishedAssessment({ seedPolicy: 'fixed', fixedSeed: 4242 });
  const other = await candidate();
  const fixedStart = await other.caller.simulator.startAttempt({ id: fixed });
  expect(JSON.stringify(fixedStart)).not.toContain('4242');
  expect(JSON.stringify(await other.caller.simulator.attempt({ attemptId: fixedStart.attemptId }))).not.toContain(
    '4242',
  );
  // Once scored, the seed is shown with the result.
  const run = await reportedRunOn(handle.db, user, await publishedAssessment(), GOOD_LOG);
  await caller.simulator.submitAttempt({ attemptId: run.attemptId, controlLog: GOOD_LOG });
  expect((await caller.simulator.attempt({ attemptId: run.attemptId })).seed).toBe((await row(run.attemptId)).seed);
});

test('refuses the one-entry log sent 0.25 s after the start, and stores nothing', async () => {
  const id = await publishedAssessment();
  const { caller } = await candidate();
  const started = await caller.simulator.startAttempt({ id });
  const before = await countAllRows(handle);
  const error = await trpcErrorOf(
    caller.simulator.submitAttempt({ attemptId: started.attemptId, controlLog: ONE_ENTRY_LOG }),
  );
  expect(error.code).toBe('BAD_REQUEST');
  expect(error.message).toMatch(/received no report of a run/);
  expect(await countAllRows(handle)).toEqual(before);
  const r = await row(started.attemptId);
  expect([r.submittedAt, r.score, r.passed]).toEqual([null, null, null]);
});

test('refuses a submission before the run could have ended in real time, even with every checkpoint sent', async () => {
  const id = await publishedAssessment();
  const { user, caller } = await candidate();
  const started = await caller.simulator.startAttempt({ id });
  // Reported from the start: the run began now on the server's clock.
  await caller.simulator.checkpointAttempt({
    attemptId: started.attemptId,
    from: 0,
    entries: ONE_ENTRY_LOG,
    throughMs: 0,
  });
  const before = await countAllRows(handle);
  const error = await trpcErrorOf(
    caller.simulator.submitAttempt({ attemptId: started.attemptId, controlLog: ONE_ENTRY_LOG }),
  );
  expect(error.code).toBe('BAD_REQUEST');
  expect(error.message).toMatch(/The run cannot have finished yet/);
  expect(error.message).toContain('Nothing was stored');
  expect(await countAllRows(handle)).toEqual(before);

  // A full reported run: one millisecond before start + duration is refused, at start + duration accepted.
  const run = await reportedRunOn(handle.db, user, await publishedAssessment(), GOOD_LOG, {
    startedAt: Date.now() - 40_000,
  });
  const early = await submitAttempt(
    handle.db,
    user.id,
    { attemptId: run.attemptId, controlLog: GOOD_LOG },
    TEST_META,
    run.runStartedAt + 30_000 - 1,
  );
  expect(early).toMatchObject({
    ok: false,
    code: 'BAD_REQUEST',
    message: expect.stringContaining(`accepted from ${formatUtcDateTime(run.runStartedAt + 30_000)} (UTC)`),
  });
  const onTime = await submitAttempt(
    handle.db,
    user.id,
    { attemptId: run.attemptId, controlLog: GOOD_LOG },
    TEST_META,
    run.runStartedAt + 30_000,
  );
  expect(onTime.ok).toBe(true);
});

test('a checkpoint cannot run ahead of the server clock', async () => {
  const id = await publishedAssessment();
  const { caller } = await candidate();
  const started = await caller.simulator.startAttempt({ id });
  await caller.simulator.checkpointAttempt({ attemptId: started.attemptId, from: 0, entries: [], throughMs: 0 });
  const before = await countAllRows(handle);
  const error = await trpcErrorOf(
    caller.simulator.checkpointAttempt({ attemptId: started.attemptId, from: 0, entries: [], throughMs: 29_000 }),
  );
  expect(error.message).toMatch(/cannot run faster than real time/);
  expect(await countAllRows(handle)).toEqual(before);
  expect((await row(started.attemptId)).checkpointThroughMs).toBe(0);
});

test('refuses a log with a change the checkpoints did not report in time, and changes reported late', async () => {
  const id = await publishedAssessment();
  const { user, caller } = await candidate();
  // The console reported only the first entry; the submission adds one at 14 s, long since checkpointed.
  const run = await reportedRunOn(handle.db, user, id, GOOD_LOG.slice(0, 1));
  const before = await countAllRows(handle);
  const error = await trpcErrorOf(caller.simulator.submitAttempt({ attemptId: run.attemptId, controlLog: GOOD_LOG }));
  expect(error.code).toBe('BAD_REQUEST');
  expect(error.message).toContain('the change at 14000 ms was not reported by the checkpoint');
  expect(await countAllRows(handle)).toEqual(before);
  // Nor may a log drop or rewrite what was reported.
  const rewritten = await trpcErrorOf(
    caller.simulator.submitAttempt({
      attemptId: run.attemptId,
      controlLog: [{ atMs: 0, patch: { inflateDelayMs: 300, deflateDelayMs: 700, pressureMmHg: 260 } }],
    }),
  );
  expect(rewritten.message).toContain('does not begin with the 1 control changes the console reported');
  expect((await row(run.attemptId)).submittedAt).toBeNull();

  // A checkpoint may not carry an entry from before the previous one.
  const other = await candidate();
  const started = await other.caller.simulator.startAttempt({ id });
  const t0 = (await row(started.attemptId)).startedAt;
  const first = await checkpointAttempt(
    handle.db,
    other.user.id,
    { attemptId: started.attemptId, from: 0, entries: [], throughMs: 0 },
    TEST_META,
    t0 + 1000,
  );
  expect(first.ok).toBe(true);
  const second = await checkpointAttempt(
    handle.db,
    other.user.id,
    { attemptId: started.attemptId, from: 0, entries: [], throughMs: 4000 },
    TEST_META,
    t0 + 5100,
  );
  expect(second.ok).toBe(true);
  const late = await checkpointAttempt(
    handle.db,
    other.user.id,
    { attemptId: started.attemptId, from: 0, entries: [{ atMs: 3000, patch: { pressureMmHg: 200 } }], throughMs: 6000 },
    TEST_META,
    t0 + 7100,
  );
  expect(late).toMatchObject({
    ok: false,
    code: 'BAD_REQUEST',
    message: expect.stringContaining('The report was refused'),
  });
  expect(late.ok ? '' : 'message' in late ? late.message : '').toContain('A control change at 3000 ms lies outside');
  expect(JSON.parse((await row(started.attemptId)).checkpointLogJson)).toEqual([]);
});

test('a silence longer than the allowed interval voids the attempt with a clear message', async () => {
  const id = await publishedAssessment();
  const { user, caller } = await candidate();
  const started = await caller.simulator.startAttempt({ id });
  const t0 = (await row(started.attemptId)).startedAt;
  const ok = await checkpointAttempt(
    handle.db,
    user.id,
    { attemptId: started.attemptId, from: 0, entries: [], throughMs: 0 },
    TEST_META,
    t0 + 500,
  );
  expect(ok.ok).toBe(true);
  const gap = await checkpointAttempt(
    handle.db,
    user.id,
    { attemptId: started.attemptId, from: 0, entries: [], throughMs: 2000 },
    TEST_META,
    t0 + 500 + CHECKPOINT_MAX_GAP_MS + 1,
  );
  expect(gap).toMatchObject({ ok: false, code: 'BAD_REQUEST', message: expect.stringMatching(/this attempt is void/) });
  const r = await row(started.attemptId);
  expect(r.voidedAt).not.toBeNull();
  expect(r.voidReason).toMatch(/sent no report to the server for 10 s .* this attempt is void/);
  // Every later report or submission is refused with the same message, and nothing is scored.
  const error = await trpcErrorOf(
    caller.simulator.submitAttempt({ attemptId: started.attemptId, controlLog: ONE_ENTRY_LOG }),
  );
  expect(error.message).toBe(r.voidReason);
  expect((await row(started.attemptId)).score).toBeNull();
  // The void attempt counts as used and no longer runs: the candidate may start the next one.
  const [open] = (await caller.simulator.openAssessments()).filter((a) => a.id === id);
  expect(open).toMatchObject({ attemptsUsed: 1, runningAttemptId: null });

  // A run not started within the time allowed is void too.
  const late = await candidate();
  const lateStart = await late.caller.simulator.startAttempt({ id });
  const lateAt = (await row(lateStart.attemptId)).startedAt + START_WITHIN_MS + 1;
  const refused = await checkpointAttempt(
    handle.db,
    late.user.id,
    { attemptId: lateStart.attemptId, from: 0, entries: [], throughMs: 0 },
    TEST_META,
    lateAt,
  );
  expect(refused).toMatchObject({ ok: false, code: 'BAD_REQUEST', message: expect.stringMatching(/void/) });
});

test('an honest run reported in checkpoints passes and its log is the one scored', async () => {
  const id = await publishedAssessment();
  const { user, caller } = await candidate();
  const run = await reportedRunOn(handle.db, user, id, GOOD_LOG);
  const result = await caller.simulator.submitAttempt({ attemptId: run.attemptId, controlLog: GOOD_LOG });
  expect(result.passed).toBe(true);
  expect(result.flags).toEqual([]);
  const r = await row(run.attemptId);
  expect(JSON.parse(r.controlLogJson ?? 'null')).toEqual(GOOD_LOG);
  expect(JSON.parse(r.checkpointLogJson)).toEqual(GOOD_LOG);
});

test('six submissions at once: one is scored, the other five are refused before any replay runs', async () => {
  const id = await publishedAssessment({ durationMs: 120_000 });
  const { user, caller } = await candidate();
  const run = await reportedRunOn(handle.db, user, id, GOOD_LOG, { durationMs: 120_000 });
  const settled: { ok: boolean; code?: string; at: number }[] = [];
  await Promise.all(
    Array.from({ length: 6 }, () =>
      caller.simulator.submitAttempt({ attemptId: run.attemptId, controlLog: GOOD_LOG }).then(
        () => settled.push({ ok: true, at: performance.now() }),
        (error: { code?: string }) => settled.push({ ok: false, code: error.code, at: performance.now() }),
      ),
    ),
  );
  const scored = settled.filter((s) => s.ok);
  const refused = settled.filter((s) => !s.ok);
  expect(scored).toHaveLength(1);
  expect(refused.map((s) => s.code)).toEqual(Array(5).fill('CONFLICT'));
  // Refused before the replay (seconds of CPU for a 2-minute run): each answer came before the score did.
  expect(refused.every((s) => s.at < (scored[0]?.at ?? 0))).toBe(true);
});

test('an attempt starts from settings drawn in the examiner’s mistimed range, recorded and replayed (issue 13)', async () => {
  const id = await publishedAssessment({ startMistimingMs: 120 });
  const { user, caller } = await candidate();
  const shown = await caller.simulator.startAttempt({ id });
  expect(shown.startSettings).toMatchObject({ pressureMmHg: 0 });
  const ideal = getScenario('default-stable-angina')?.suggestedSettings?.inflateDelayMs ?? Number.NaN;
  const inflateOff = Math.abs((shown.startSettings?.inflateDelayMs ?? 0) - ideal);
  expect(inflateOff).toBeGreaterThanOrEqual(60);
  expect(inflateOff).toBeLessThanOrEqual(120);
  expect(JSON.parse((await row(shown.attemptId)).startSettingsJson ?? 'null')).toEqual(shown.startSettings);

  // The scored replay starts from the recorded settings: a log that only raises the pressure is scored
  // exactly as an independent run from them.
  const pressureOnly = [{ atMs: 0, patch: { pressureMmHg: 260 } }];
  const run = await reportedRunOn(handle.db, user, await publishedAssessment({ startMistimingMs: 120 }), pressureOnly);
  const result = await caller.simulator.submitAttempt({ attemptId: run.attemptId, controlLog: pressureOnly });
  const r = await row(run.attemptId);
  const startSettings = JSON.parse(r.startSettingsJson ?? 'null') as SettingsPatch;
  const preset = getScenario('default-stable-angina');
  if (!preset) throw new Error('no preset');
  const independent = scoreAssessment(
    simulate({ scenario: preset, seed: r.seed, durationMs: 30_000, controls: pressureOnly, settings: startSettings }),
    RUBRIC,
  );
  expect(result.score).toBe(independent.score0to100);
  const fromIdeal = scoreAssessment(
    simulate({ scenario: preset, seed: r.seed, durationMs: 30_000, controls: pressureOnly }),
    RUBRIC,
  );
  expect(result.score).toBeLessThan(fromIdeal.score0to100);

  const tooFar = await trpcErrorOf(examinerCaller.simulator.createAssessment(settings({ startMistimingMs: 500 })));
  expect(JSON.stringify(tooFar.cause)).toContain('Use at most 200 ms.');
});

test('a beat replay runs in the worker pool: the request thread stays free while it runs', async () => {
  const id = await publishedAssessment({ durationMs: 180_000 });
  const { user, caller } = await candidate();
  const run = await reportedRunOn(handle.db, user, id, GOOD_LOG, { durationMs: 180_000 });
  await caller.simulator.submitAttempt({ attemptId: run.attemptId, controlLog: GOOD_LOG });
  const detail = await caller.simulator.attempt({ attemptId: run.attemptId });
  const last = detail.evidence?.at(-2);
  if (!last) throw new Error('no beats');
  // The last beats re-simulate the whole 3-minute run; on this thread that held every other request.
  let previous = performance.now();
  let longestStallMs = 0;
  const probe = setInterval(() => {
    const now = performance.now();
    longestStallMs = Math.max(longestStallMs, now - previous);
    previous = now;
  }, 5);
  const started = performance.now();
  const replay = await caller.simulator.attemptBeat({ attemptId: run.attemptId, beatIndex: last.index });
  const tookMs = performance.now() - started;
  clearInterval(probe);
  // A stall still going on when the replay returns counts too.
  longestStallMs = Math.max(longestStallMs, performance.now() - previous);
  expect(replay.beatIndex).toBe(last.index);
  expect(longestStallMs).toBeLessThan(Math.max(150, tookMs / 3));
});
