import { expect, test } from 'vitest';
import { isBaselineStep, type StepTest } from '#sim/detect/baseline-step.ts';

/** A step test over `samples` (360 Hz: 40 ms level windows, R +-27 samples, pre level ending 25 samples before). */
function stepTest(samples: number[]): StepTest {
  const raw = new Float64Array(1024);
  samples.forEach((v, i) => {
    raw[i] = v;
  });
  return {
    raw,
    mask: 1023,
    levelSamples: 14,
    searchSamples: 27,
    preOffsetSamples: 25,
    displacedFraction: 0.7,
    quietFraction: 0.2,
  };
}

const R = 100;
const NOW = R + 90;

test('an ECG that jumps and stays displaced is a step', () => {
  const samples = Array.from({ length: 300 }, (_, i) => (i < R - 3 ? 0 : i < R ? (i - (R - 3)) / 3 : 1));
  expect(isBaselineStep(stepTest(samples), R, NOW)).toBe(true);
});

test('a QRS that returns towards the baseline is not a step, even on a swing that leaves the ECG displaced', () => {
  // Spike to 2 mV, back to 0.9 mV, then the baseline settles at 1.5 mV (motion artefact): displaced by more than
  // 0.7 of the excursion, settled, but the ECG came back after its extreme.
  const samples = Array.from({ length: 300 }, (_, i) => {
    if (i < R - 5) return 0;
    if (i <= R) return (2 * (i - (R - 5))) / 5;
    if (i <= R + 5) return 2 - (1.1 * (i - R)) / 5;
    if (i <= R + 30) return 0.9 + (0.6 * (i - R - 5)) / 25;
    return 1.5;
  });
  expect(isBaselineStep(stepTest(samples), R, NOW)).toBe(false);
});

test('the excursion is sought around the located R: an R located on the undershoot after the spike', () => {
  // Spike up to +1 mV at R - 6, undershoot to -0.9 mV at R, settling at -0.75 mV: the QRS went up, so the
  // displacement downwards is not a step in its direction.
  const samples = Array.from({ length: 300 }, (_, i) => {
    if (i < R - 9) return 0;
    if (i <= R - 6) return (i - (R - 9)) / 3;
    if (i <= R) return 1 - (1.9 * (i - (R - 6))) / 6;
    if (i <= R + 10) return -0.9 + (0.15 * (i - R)) / 10;
    return -0.75;
  });
  expect(isBaselineStep(stepTest(samples), R, NOW)).toBe(false);
});
