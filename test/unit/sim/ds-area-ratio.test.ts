import { expect, test } from 'vitest';
import { idealTiming, simulate, steadyStudyScenario } from '#sim/index.ts';

// Issue 12 item 3: the D/S area ratio is measured above the beat's lowest pleth (sim/metrics/measure-beat.ts),
// so it cannot go negative when late deflation keeps the end-diastolic foot above the early-diastolic dip;
// on well-timed beats that baseline is the end-diastolic trough the peak ratio uses.
const at70 = idealTiming({ heartRateBpm: 70, pressureMmHg: 260 });
const at120 = idealTiming({ heartRateBpm: 120, pressureMmHg: 260 });

function assistedBeats(heartRateBpm: number, inflateDelayMs: number, deflateDelayMs: number) {
  return simulate({
    scenario: steadyStudyScenario(heartRateBpm),
    seed: 12,
    durationMs: 30000,
    settings: { inflateDelayMs, deflateDelayMs, pressureMmHg: 260 },
  }).beats.filter((b) => b.assisted && b.rTimeMs > 8000);
}

test('70-bpm settings at 120 bpm (late deflation on every beat): the area ratio is positive on every beat and below ideal', () => {
  const stale = assistedBeats(120, at70.inflateDelayMs, at70.deflateDelayMs);
  const ideal = assistedBeats(120, at120.inflateDelayMs, at120.deflateDelayMs);
  expect(stale.length).toBeGreaterThan(30);
  for (const b of stale) expect(b.dsAreaRatio).toBeGreaterThan(0);
  const mean = (v: number[]): number => v.reduce((a, c) => a + c, 0) / v.length;
  expect(mean(stale.map((b) => b.dsAreaRatio))).toBeLessThan(mean(ideal.map((b) => b.dsAreaRatio)));
});

test('late deflation at 70 bpm keeps a positive area ratio, and every ratio is finite', () => {
  const late = assistedBeats(70, at70.inflateDelayMs, at70.deflateDelayMs + 200);
  expect(late.length).toBeGreaterThan(15);
  for (const b of late) {
    expect(Number.isFinite(b.dsAreaRatio)).toBe(true);
    expect(b.dsAreaRatio).toBeGreaterThan(0);
  }
});
