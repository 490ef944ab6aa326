import { expect, test } from 'vitest';
import { simulate } from '#sim/index.ts';
import { detectionExclusions } from '#sim/simulate.ts';
import { matchBeats } from '#test/helpers/beat-match.ts';
import { loadPreset } from '#test/helpers/sim-fixtures.ts';

// Validation target 9: R detection on the engine's own noisy and arrhythmic presets reaches sensitivity and
// positive predictivity >= 99.5 % (150 ms match window, ANSI/AAMI EC57), and premature PVC/AF beats are
// not assisted. Spans with nothing to detect (the detector's 2 s learning, lead-off) are excluded.
const NOISY_OR_ARRHYTHMIC = [
  'frequent-pvcs',
  'atrial-fibrillation',
  'noisy-ecg-lead-off',
  'heart-failure-low-ef',
  'tachycardia',
] as const;
const DURATION_MS = 120000;

const runs = new Map(
  NOISY_OR_ARRHYTHMIC.map((id) => {
    const scenario = loadPreset(id);
    const result = simulate({
      scenario,
      seed: 17,
      durationMs: DURATION_MS,
      settings: { pressureMmHg: 260, inflateDelayMs: 300, deflateDelayMs: 650, adaptive: id === 'atrial-fibrillation' },
    });
    return [id, { scenario, result }] as const;
  }),
);

for (const id of NOISY_OR_ARRHYTHMIC) {
  test(`R detection on ${id} has Se and +P >= 99.5 % against the generator's beats (EC57, 150 ms)`, () => {
    const { scenario, result } = runs.get(id)!;
    const spans = detectionExclusions(scenario, DURATION_MS);
    const keep = (t: number): boolean => !spans.some(([a, b]) => t >= a && t < b);
    const m = matchBeats(result.rWaves.trueMs.filter(keep), result.rWaves.detectedMs.filter(keep), 150);
    expect(m.truePositives).toBeGreaterThan(100);
    expect(m.sensitivity).toBeGreaterThanOrEqual(0.995);
    expect(m.positivePredictivity).toBeGreaterThanOrEqual(0.995);
  });
}

test('premature ventricular beats (RR < 80 % of the previous) are not assisted', () => {
  const beats = runs.get('frequent-pvcs')!.result.beats;
  const premature = beats.filter((b, i) => b.kind === 'pvc' && i > 0 && b.rrMs < 0.8 * beats[i - 1]!.rrMs);
  expect(premature.length).toBeGreaterThan(5);
  for (const b of premature) expect(b.assisted).toBe(false);
});

test('premature atrial-fibrillation beats (RR < 75 % of the median of the 8 before) are not assisted', () => {
  const beats = runs.get('atrial-fibrillation')!.result.beats;
  const premature = beats.filter((b, i) => {
    if (i < 9) return false;
    const previous = beats
      .slice(i - 8, i)
      .map((x) => x.rrMs)
      .sort((x, y) => x - y);
    const median = (previous[3]! + previous[4]!) / 2;
    return b.rrMs < 0.75 * median;
  });
  expect(premature.length).toBeGreaterThanOrEqual(3);
  for (const b of premature) expect(b.assisted).toBe(false);
});

test('lead-off raises the lost-ECG alarm after 3 s and no beat is assisted while it lasts', () => {
  const { result } = runs.get('noisy-ecg-lead-off')!;
  const alarm = result.summary.alarms.find((a) => a.code === 'lost-ecg');
  expect(alarm).toBeDefined();
  expect(alarm!.raisedAtMs).toBeGreaterThan(90000 + 2000);
  expect(alarm!.raisedAtMs).toBeLessThan(90000 + 5000);
  expect(alarm!.clearedAtMs).not.toBeNull();
  const during = result.beats.filter((b) => b.rTimeMs > 90500 && b.rTimeMs < 96000);
  expect(during.length).toBeGreaterThan(4);
  for (const b of during) expect(b.assisted).toBe(false);
});
