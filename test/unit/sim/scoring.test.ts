import { expect, test } from 'vitest';
import { DEFAULT_RUBRIC, parseRubric, type Rubric, scoreAssessment, simulate } from '#sim/index.ts';
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
