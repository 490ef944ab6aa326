import { expect, test } from 'vitest';
import { type BeatMetrics, simulate } from '#sim/index.ts';
import { idealAt, mean, steadyScenario } from '#test/helpers/sim-fixtures.ts';

// Validation target 5: the four classic timing errors (as taught for intra-aortic balloon pumps) and
// their haemodynamic signatures, each also recognised by the engine's beat classification.
const SETTLED_MS = 12000;

function run(inflateShiftMs: number, deflateShiftMs: number): BeatMetrics[] {
  const ideal = idealAt(70);
  return simulate({
    scenario: steadyScenario(70),
    seed: 21,
    durationMs: 32000,
    settings: {
      pressureMmHg: 260,
      inflateDelayMs: ideal.inflateDelayMs + inflateShiftMs,
      deflateDelayMs: ideal.deflateDelayMs + deflateShiftMs,
    },
  }).beats.filter((b) => b.rTimeMs > SETTLED_MS && b.assisted);
}

const avg = (beats: BeatMetrics[], f: (b: BeatMetrics) => number): number => mean(beats.map(f));
const share = (beats: BeatMetrics[], cls: BeatMetrics['beatClass']): number =>
  beats.filter((b) => b.beatClass === cls).length / beats.length;

const good = run(0, 0);
const lateDeflation = run(0, 250);
// -200 ms: with the contraction starting from the QRS onset the ideal inflation delay is ~259 ms at
// 70 bpm, so -250 ms would inflate ~10 ms after the R, before ejection starts (then the cuffs raise the
// pressure the valve must open against rather than cutting ejection short); -200 ms arrives mid-ejection.
const earlyInflation = run(-200, 0);
const lateInflation = run(150, 0);
const earlyDeflation = run(0, -300);

test('late deflation makes assisted end-diastolic pressure >= unassisted (cuffs still full at ejection)', () => {
  expect(lateDeflation.length).toBeGreaterThan(10);
  expect(avg(lateDeflation, (b) => b.endDiastolicMmHg)).toBeGreaterThanOrEqual(
    avg(lateDeflation, (b) => b.reference.endDiastolicMmHg),
  );
});

test('late deflation beats are classified late-deflation (>= 90 %)', () => {
  expect(share(lateDeflation, 'late-deflation')).toBeGreaterThanOrEqual(0.9);
});

test('well-timed deflation lowers end-diastolic pressure and the next systolic peak (systolic unloading)', () => {
  expect(avg(good, (b) => b.endDiastolicMmHg)).toBeLessThan(avg(good, (b) => b.reference.endDiastolicMmHg) - 3);
  expect(avg(good, (b) => b.systolicPeakMmHg)).toBeLessThan(avg(good, (b) => b.reference.systolicPeakMmHg) - 2);
});

test('early inflation shortens ejection and stroke volume compared with good timing', () => {
  expect(avg(earlyInflation, (b) => b.ejectionMs)).toBeLessThan(avg(good, (b) => b.ejectionMs) - 10);
  expect(avg(earlyInflation, (b) => b.strokeVolumeMl)).toBeLessThan(avg(good, (b) => b.strokeVolumeMl));
});

test('early inflation beats are classified early-inflation (>= 90 %)', () => {
  expect(share(earlyInflation, 'early-inflation')).toBeGreaterThanOrEqual(0.9);
});

test('late inflation lowers the augmentation peak compared with good timing', () => {
  expect(avg(lateInflation, (b) => b.diastolicPeakMmHg)).toBeLessThan(avg(good, (b) => b.diastolicPeakMmHg) - 3);
});

test('late inflation beats are classified late-inflation (>= 90 %)', () => {
  expect(share(lateInflation, 'late-inflation')).toBeGreaterThanOrEqual(0.9);
});

test('early deflation narrows the augmentation (less DPTI) and loses the end-diastolic drop', () => {
  expect(avg(earlyDeflation, (b) => b.dptiMmHgS)).toBeLessThan(avg(good, (b) => b.dptiMmHgS));
  const dropGood = avg(good, (b) => b.reference.endDiastolicMmHg - b.endDiastolicMmHg);
  const dropEarly = avg(earlyDeflation, (b) => b.reference.endDiastolicMmHg - b.endDiastolicMmHg);
  expect(dropEarly).toBeLessThan(dropGood / 2);
});

test('early deflation beats are classified early-deflation (>= 90 %)', () => {
  expect(share(earlyDeflation, 'early-deflation')).toBeGreaterThanOrEqual(0.9);
});

test('good timing beats are classified ok (>= 90 %)', () => {
  expect(share(good, 'ok')).toBeGreaterThanOrEqual(0.9);
});
