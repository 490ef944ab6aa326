import { expect, test } from 'vitest';
import {
  DEFAULT_RUBRIC,
  outrightFailureRules,
  parseRubric,
  type Rubric,
  scoreAssessment,
  simulate,
} from '#sim/index.ts';
import { idealAt, steadyScenario } from '#test/helpers/sim-fixtures.ts';

const DURATION_MS = 60000;
const rubric: Rubric = { ...DEFAULT_RUBRIC, graceStartMs: 15000 };

function run(settings: { inflateDelayMs: number; deflateDelayMs: number; pressureMmHg: number }) {
  return simulate({ scenario: steadyScenario(70), seed: 12, durationMs: DURATION_MS, settings });
}

const ideal = idealAt(70);
const good = run({ inflateDelayMs: ideal.inflateDelayMs, deflateDelayMs: ideal.deflateDelayMs, pressureMmHg: 260 });
const lateDeflation = run({
  inflateDelayMs: ideal.inflateDelayMs,
  deflateDelayMs: ideal.deflateDelayMs + 250,
  pressureMmHg: 260,
});

test('well-timed treatment at 260 mmHg scores above the pass mark and passes', () => {
  const a = scoreAssessment(good, rubric);
  expect(a.score0to100).toBeGreaterThanOrEqual(rubric.passMark);
  expect(a.passed).toBe(true);
  expect(a.failures).toEqual([]);
  expect(a.criteria.map((c) => c.id)).toEqual(['inflation-timing', 'deflation-timing', 'augmentation', 'pressure']);
});

test('repeated late deflation fails outright whatever the score', () => {
  const a = scoreAssessment(lateDeflation, rubric);
  expect(a.passed).toBe(false);
  expect(a.failures.join(' ')).toMatch(/Repeated late deflation/);
  expect(a.criteria.find((c) => c.id === 'deflation-timing')!.score).toBeLessThan(10);
});

test('a setpoint above the rubric maximum fails outright as over-pressure', () => {
  const strict: Rubric = { ...rubric, pressureRangeMmHg: { min: 150, max: 240 } };
  const a = scoreAssessment(good, strict);
  expect(a.passed).toBe(false);
  expect(a.failures.join(' ')).toMatch(/Over-pressure/);
  expect(a.criteria.find((c) => c.id === 'pressure')!.score).toBe(0);
});

test('beats in the start grace window are reported as evidence but not scored', () => {
  const a = scoreAssessment(good, rubric);
  const early = a.evidence.filter((e) => e.rTimeMs < rubric.graceStartMs);
  expect(early.length).toBeGreaterThan(10);
  for (const e of early) {
    expect(e.scored).toBe(false);
    expect(e.excludedBecause).toBe('grace');
  }
  expect(a.evidence.length).toBe(good.beats.length);
});

test('standby (pressure 0) scores no augmentation and fails the pass mark', () => {
  const standby = run({ inflateDelayMs: ideal.inflateDelayMs, deflateDelayMs: ideal.deflateDelayMs, pressureMmHg: 0 });
  const a = scoreAssessment(standby, rubric);
  expect(a.score0to100).toBeLessThan(rubric.passMark);
  expect(a.passed).toBe(false);
}, 60_000);

test('a rubric with bad fields is rejected naming them', () => {
  const r = parseRubric({ ...DEFAULT_RUBRIC, passMark: 150, inflationWindow: { minMs: 50, maxMs: -50 } });
  expect(r.ok).toBe(false);
  if (!r.ok) {
    const text = r.errors.join('\n');
    expect(text).toMatch(/passMark/);
    expect(text).toMatch(/inflationWindow/);
  }
});

test('inflation late on every beat fails on the share of well-timed beats, though it collects the pass mark', () => {
  const lateInflation = run({
    inflateDelayMs: ideal.inflateDelayMs + 170,
    deflateDelayMs: ideal.deflateDelayMs,
    pressureMmHg: 260,
  });
  const a = scoreAssessment(lateInflation, rubric);
  expect(a.criteria.find((c) => c.id === 'inflation-timing')!.score).toBe(0);
  // The other criteria's 70 points: the pass mark, which this run passed before the rule.
  expect(a.score0to100).toBeGreaterThanOrEqual(rubric.passMark);
  expect(a.passed).toBe(false);
  expect(a.failures).toEqual([
    'Inflation at the dicrotic notch: 0 % of scored beats within the window, below the 25 % required.',
  ]);
  // The examiner may lower the share (0: only the score counts), and a criterion without weight is not held to it.
  expect(scoreAssessment(lateInflation, { ...rubric, minTimingScore: 0 }).passed).toBe(true);
  const untimed = { ...rubric, weights: { ...rubric.weights, inflationTiming: 0 } };
  expect(scoreAssessment(lateInflation, untimed).failures).toEqual([]);
  // Well-timed treatment is far above it.
  expect(scoreAssessment(good, rubric).failures).toEqual([]);
}, 60_000);

test('a rubric stored before the share of well-timed beats existed is read with the default share', () => {
  const { minTimingScore: _dropped, ...stored } = DEFAULT_RUBRIC;
  const r = parseRubric(JSON.parse(JSON.stringify(stored)));
  expect(r.ok && r.value.minTimingScore).toBe(25);
  const bad = parseRubric({ ...DEFAULT_RUBRIC, minTimingScore: 120 });
  expect(bad.ok).toBe(false);
  expect(!bad.ok && bad.errors.join(' ')).toMatch(/minTimingScore/);
});

test('the rules that fail a run outright are put in words for the candidate', () => {
  expect(outrightFailureRules(DEFAULT_RUBRIC)).toEqual([
    'cuff pressure above 300 mmHg',
    '5 late deflations or early inflations in a row',
    'inflation or deflation within its window on fewer than 25 % of the scored beats',
  ]);
  const noDeflation = { ...DEFAULT_RUBRIC, weights: { ...DEFAULT_RUBRIC.weights, deflationTiming: 0 } };
  expect(outrightFailureRules(noDeflation)[2]).toBe(
    'inflation within its window on fewer than 25 % of the scored beats',
  );
  expect(outrightFailureRules({ ...DEFAULT_RUBRIC, minTimingScore: 0 })).toHaveLength(2);
});
