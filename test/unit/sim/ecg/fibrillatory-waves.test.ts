import { expect, test } from 'vitest';
import { createFibrillatoryWaves } from '#sim/ecg/fibrillatory-waves.ts';
import { createRng } from '#sim/rng.ts';

const FS = 500;

/** Power in a band, from single-bin DFTs every 0.25 Hz. */
function bandPower(xs: Float64Array, fromHz: number, toHz: number): number {
  let total = 0;
  for (let f = fromHz; f <= toHz; f += 0.25) {
    let re = 0;
    let im = 0;
    for (let i = 0; i < xs.length; i++) {
      const phase = (2 * Math.PI * f * i) / FS;
      re += (xs[i] as number) * Math.cos(phase);
      im += (xs[i] as number) * Math.sin(phase);
    }
    total += (re * re + im * im) / xs.length;
  }
  return total;
}

test('puts the f waves at the dominant atrial frequency of 5-7 Hz with the requested size', () => {
  const waves = createFibrillatoryWaves(createRng(4), FS);
  const xs = new Float64Array(20 * FS);
  for (let i = 0; i < xs.length; i++) xs[i] = waves.sampleMv(0.08);
  const inBand = bandPower(xs, 5, 7);
  expect(inBand).toBeGreaterThan(5 * bandPower(xs, 1, 3.5));
  expect(inBand).toBeGreaterThan(5 * bandPower(xs, 8.5, 11));
  let peakToPeak = 0;
  for (let i = 0; i < xs.length; i++) peakToPeak = Math.max(peakToPeak, 2 * Math.abs(xs[i] as number));
  expect(peakToPeak).toBeGreaterThan(0.06);
  expect(peakToPeak).toBeLessThan(0.08 * 1.4 + 1e-9);
});
