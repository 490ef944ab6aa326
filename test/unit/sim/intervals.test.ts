import { expect, test } from 'vitest';
import { qrsOnsetBeforeRMs } from '#sim/ecg/index.ts';
import { type BeatMetrics, simulate, steadyStudyScenario } from '#sim/index.ts';
import { weisslerLvetMs, weisslerPepMs, weisslerQs2Ms } from '#sim/systolic-time-intervals.ts';
import { mean } from '#test/helpers/sim-fixtures.ts';

// Validation target 12 (issue 12 item 2): systolic time intervals follow Weissler's regressions for men
// (Weissler, Harris, Schoenfeld, Circulation 1968;37:149: QS2 = 546 - 2.1 HR, LVET = 413 - 1.7 HR,
// PEP = 131 - 0.4 HR, ms; sim/systolic-time-intervals.ts, the engine's one copy) within +/-15 ms from 50 to 120 bpm, measured from the QRS onset of the drawn
// ECG (tangent method, sim/ecg/morphology.ts) on the unassisted patient.
const onset = (b: BeatMetrics): number => b.rTimeMs - qrsOnsetBeforeRMs(b.kind, b.rrMs);
const TOLERANCE_MS = 15;

function unassisted(heartRateBpm: number): BeatMetrics[] {
  const scenario = steadyStudyScenario(heartRateBpm);
  scenario.ecg.rhythm.hrvLfAmplitudeMs = 0;
  scenario.ecg.rhythm.hrvHfAmplitudeMs = 0;
  return simulate({ scenario, seed: 3, durationMs: 16000 }).beats.filter((b) => b.rTimeMs > 6000);
}

for (const hr of [50, 70, 85, 100, 120]) {
  test(`PEP, LVET and QS2 at ${hr} bpm are within ${TOLERANCE_MS} ms of Weissler's regressions`, () => {
    const beats = unassisted(hr);
    expect(beats.length).toBeGreaterThan(5);
    const pep = mean(beats.map((b) => b.valveOpenMs - onset(b)));
    const lvet = mean(beats.map((b) => b.ejectionMs));
    const qs2 = mean(beats.map((b) => b.valveClosureMs - onset(b)));
    expect(Math.abs(pep - weisslerPepMs(hr))).toBeLessThanOrEqual(TOLERANCE_MS);
    expect(Math.abs(lvet - weisslerLvetMs(hr))).toBeLessThanOrEqual(TOLERANCE_MS);
    expect(Math.abs(qs2 - weisslerQs2Ms(hr))).toBeLessThanOrEqual(TOLERANCE_MS);
  });
}

test("one QS2 everywhere: the device's adaptive scaling, idealTiming and the ECG use Weissler's men's regression", () => {
  expect(weisslerQs2Ms(70)).toBe(546 - 2.1 * 70);
  expect(weisslerQs2Ms(70, 'female')).toBe(549 - 2.0 * 70);
  expect(weisslerLvetMs(100, 'female')).toBe(418 - 1.6 * 100);
  expect(weisslerPepMs(100, 'female')).toBe(133 - 0.4 * 100);
});
