import { expect, test } from 'vitest';
import { applyBiquad, designButterworthHighPass, designButterworthLowPass, magnitudeAt } from '#sim/detect/biquad.ts';

test('puts the -3 dB corners of the 5-15 Hz band at 5 and 15 Hz for any sample rate', () => {
  for (const fs of [200, 250, 360, 500, 1000]) {
    expect(magnitudeAt(designButterworthHighPass(5, fs), 5, fs)).toBeCloseTo(Math.SQRT1_2, 6);
    expect(magnitudeAt(designButterworthLowPass(15, fs), 15, fs)).toBeCloseTo(Math.SQRT1_2, 6);
  }
});

test('passes the QRS band and rejects baseline wander and mains hum', () => {
  const fs = 500;
  const hp = designButterworthHighPass(5, fs);
  const lp = designButterworthLowPass(15, fs);
  const band = (f: number): number => magnitudeAt(hp, f, fs) * magnitudeAt(lp, f, fs);
  expect(band(10)).toBeGreaterThan(0.8);
  expect(band(0.3)).toBeLessThan(0.005);
  expect(band(50)).toBeLessThan(0.1);
});

test('filters an array like the per-sample recursion (unit DC gain of the low-pass)', () => {
  const lp = designButterworthLowPass(15, 500);
  const step = applyBiquad(lp, new Float64Array(500).fill(1));
  expect(step[499]).toBeCloseTo(1, 9);
  const hp = designButterworthHighPass(5, 500);
  expect(applyBiquad(hp, new Float64Array(2000).fill(1))[1999]).toBeCloseTo(0, 6);
});

test('refuses a corner at or above Nyquist', () => {
  expect(() => designButterworthLowPass(200, 360)).toThrow(RangeError);
});
