import { expect, test } from 'vitest';
import {
  type ControlEntry,
  DEFAULT_RUBRIC,
  DEFAULT_TITRATION,
  judgeTitration,
  parseRubric,
  type Rubric,
  recordTitration,
  type Scenario,
  scoreAssessment,
  simulate,
  type TimedBeat,
} from '#sim/index.ts';
import { idealAt, steadyScenario } from '#test/helpers/sim-fixtures.ts';

/** A beat every 857 ms (70 bpm), all correctly timed. */
function beatsUntil(ms: number, timingOk = true): TimedBeat[] {
  const beats: TimedBeat[] = [];
  for (let t = 400; t < ms; t += 857) beats.push({ rTimeMs: t, timingOk });
  return beats;
}

const stepped: ControlEntry[] = [
  { atMs: 2000, patch: { pressureMmHg: 150 } },
  { atMs: 20000, patch: { pressureMmHg: 187.5 } },
  { atMs: 38000, patch: { pressureMmHg: 225 } },
  { atMs: 56000, patch: { pressureMmHg: 262.5 } },
];

test('a run stepped 150, 187.5, 225, 262.5 mmHg with timing checked at each step meets the default protocol', () => {
  const record = recordTitration(stepped, 0, beatsUntil(70000));
  expect(record.startMmHg).toBe(150);
  expect(record.startAtMs).toBe(2000);
  expect(record.steps.map((s) => [s.fromMmHg, s.toMmHg])).toEqual([
    [150, 187.5],
    [187.5, 225],
    [225, 262.5],
  ]);
  expect(record.steps[0]!.heldMs).toBe(18000);
  expect(record.steps[0]!.checkedBeats).toBe(21);
  const judged = judgeTitration(record, DEFAULT_TITRATION);
  expect(judged).toMatchObject({ met: true, score: 100, breaches: [] });
});

test('a jump from standby to 250 mmHg breaks the start pressure and misses the target', () => {
  const judged = judgeTitration(recordTitration([{ atMs: 500, patch: { pressureMmHg: 250 } }], 0, beatsUntil(60000)), {
    ...DEFAULT_TITRATION,
  });
  expect(judged.met).toBe(false);
  expect(judged.breaches).toEqual([
    'Started at 250 mmHg, above the start pressure of 150 mmHg.',
    'The pressure reached 250 mmHg, short of the target of 260 mmHg.',
  ]);
  expect(judged.score).toBe(0);
});

test('a slider dragged from 150 to 260 mmHg in a second is one step of 110 mmHg, too big and too soon', () => {
  const drag: ControlEntry[] = [{ atMs: 1000, patch: { pressureMmHg: 150 } }];
  for (let i = 1; i <= 11; i++) drag.push({ atMs: 10000 + i * 100, patch: { pressureMmHg: 150 + i * 10 } });
  const record = recordTitration(drag, 0, beatsUntil(30000));
  expect(record.steps).toHaveLength(1);
  expect(record.steps[0]).toMatchObject({ atMs: 10100, fromMmHg: 150, toMmHg: 260 });
  const judged = judgeTitration(record, DEFAULT_TITRATION);
  expect(judged.met).toBe(false);
  expect(judged.breaches).toHaveLength(1);
  expect(judged.breaches[0]).toMatch(
    /At 10\.1 s, 150 to 260 mmHg: a step of 110 mmHg, above 40 mmHg; 150 mmHg held 9\.1 s/,
  );
});

test('a step taken while the timing is wrong fails the timing check before the rise', () => {
  const record = recordTitration(stepped, 0, beatsUntil(70000, false));
  const judged = judgeTitration(record, DEFAULT_TITRATION);
  expect(judged.met).toBe(false);
  expect(judged.breaches).toHaveLength(3);
  expect(judged.breaches[0]).toMatch(/0 correctly timed beats at 150 mmHg, fewer than 10/);
  // Start and target met, three steps not: 2 of 5 checks.
  expect(judged.score).toBe(40);
});

test('a run that never leaves standby fails the start and the target', () => {
  const judged = judgeTitration(recordTitration([], 0, []), DEFAULT_TITRATION);
  expect(judged.breaches[0]).toBe('Counterpulsation was never started (pressure stayed at 0).');
  expect(judged.met).toBe(false);
});

test('the rubric refuses a titration protocol whose start is above its target', () => {
  const r = parseRubric({ ...DEFAULT_RUBRIC, titration: { ...DEFAULT_TITRATION, startMaxMmHg: 270 } });
  expect(r.ok).toBe(false);
  if (!r.ok)
    expect(r.errors.join(' ')).toMatch(/titration\.startMaxMmHg: the start pressure must not exceed the target/);
});

test('scoring a titration rubric without the control log is a programming error', () => {
  const result = { beats: [], summary: simulate({ scenario: steadyScenario(70), seed: 1, durationMs: 2000 }).summary };
  expect(() => scoreAssessment(result, { ...DEFAULT_RUBRIC, titration: DEFAULT_TITRATION })).toThrow(/control log/);
});

const ideal = idealAt(70);
const timing = { inflateDelayMs: Math.round(ideal.inflateDelayMs), deflateDelayMs: Math.round(ideal.deflateDelayMs) };

test('with the criterion enabled, pressing Start at 250 mmHg fails; titrating by the protocol passes', () => {
  const rubric: Rubric = {
    ...DEFAULT_RUBRIC,
    graceStartMs: 15000,
    pressureRangeMmHg: { min: 140, max: 300 },
    weights: { ...DEFAULT_RUBRIC.weights, titration: 20 },
    titration: { ...DEFAULT_TITRATION, minHoldMs: 12000, targetMmHg: 250 },
  };
  const run = (controls: ControlEntry[]) => {
    const result = simulate({ scenario: steadyScenario(70), seed: 12, durationMs: 60000, controls });
    return scoreAssessment(result, rubric, { controls, startPressureMmHg: 0 });
  };
  const jump = run([{ atMs: 0, patch: { ...timing, pressureMmHg: 250 } }]);
  expect(jump.passed).toBe(false);
  expect(jump.failures).toContain('Titration protocol: Started at 250 mmHg, above the start pressure of 150 mmHg.');
  expect(jump.criteria.find((c) => c.id === 'titration')).toMatchObject({ weight: 20, score: 50 });

  const protocol = run([
    { atMs: 0, patch: { ...timing, pressureMmHg: 150 } },
    { atMs: 14000, patch: { pressureMmHg: 190 } },
    { atMs: 28000, patch: { pressureMmHg: 230 } },
    { atMs: 42000, patch: { pressureMmHg: 250 } },
  ]);
  expect(protocol.failures).toEqual([]);
  expect(protocol.passed).toBe(true);
  expect(protocol.criteria.find((c) => c.id === 'titration')!.score).toBe(100);
  expect(protocol.titration!.steps).toHaveLength(3);
}, 60_000);

test('a rubric without a titration protocol scores as before: four criteria, no titration record', () => {
  const controls: ControlEntry[] = [{ atMs: 0, patch: { ...timing, pressureMmHg: 260 } }];
  const result = simulate({ scenario: steadyScenario(70), seed: 3, durationMs: 30000, controls });
  const a = scoreAssessment(result, { ...DEFAULT_RUBRIC, graceStartMs: 10000 });
  expect(a.criteria.map((c) => c.id)).toEqual(['inflation-timing', 'deflation-timing', 'augmentation', 'pressure']);
  expect(a.titration).toBeNull();
  expect(a.passed).toBe(true);
}, 60_000);

test('late deflations inside the grace after a rate change do not count towards the safety rule', () => {
  // 70 -> 110 bpm at 20 s: the 70 bpm deflation delay now outlasts the shorter RR, so every beat deflates
  // late until the candidate re-times, 6.5 s after the change (inside the 10 s grace).
  const scenario: Scenario = {
    ...steadyScenario(70),
    timeline: [{ atMs: 20000, type: 'heart-rate', heartRateBpm: 110 }],
  };
  const fast = idealAt(110);
  const controls: ControlEntry[] = [
    { atMs: 0, patch: { ...timing, pressureMmHg: 260 } },
    {
      atMs: 26500,
      patch: { inflateDelayMs: Math.round(fast.inflateDelayMs), deflateDelayMs: Math.round(fast.deflateDelayMs) },
    },
  ];
  const result = simulate({ scenario, seed: 5, durationMs: 45000, controls });
  const rubric: Rubric = { ...DEFAULT_RUBRIC, graceStartMs: 8000, graceAfterEventMs: 10000 };
  const lateInGrace = result.beats.filter(
    (b) => b.beatClass === 'late-deflation' && b.rTimeMs >= 20000 && b.rTimeMs < 30000,
  );
  // The premise: more consecutive late deflations than the rule allows, all inside the grace.
  expect(lateInGrace.length).toBeGreaterThan(rubric.maxConsecutiveLateDeflations);
  const a = scoreAssessment(result, rubric);
  expect(a.failures.filter((f) => /late deflation/.test(f))).toEqual([]);
  // With no grace after events the same beats break the rule.
  const strict = scoreAssessment(result, { ...rubric, graceAfterEventMs: 0 });
  expect(strict.failures.join(' ')).toMatch(/Repeated late deflation/);
}, 60_000);
