import { expect, test } from 'vitest';
import { createArtefactSource } from '#sim/ecg/artefacts.ts';
import { createRng } from '#sim/rng.ts';

const FS = 500;

function samples(def: Parameters<typeof createArtefactSource>[0], seconds: number, seed = 1): Float64Array {
  const source = createArtefactSource(def, createRng(seed), FS);
  const out = new Float64Array(seconds * FS);
  for (let i = 0; i < out.length; i++) out[i] = source.sampleMv(i);
  return out;
}

function rms(xs: Float64Array): number {
  let sum = 0;
  for (const x of xs) sum += x * x;
  return Math.sqrt(sum / xs.length);
}

/** Amplitude of the sinusoidal component at `frequencyHz` (single-bin DFT). */
function amplitudeAt(xs: Float64Array, frequencyHz: number): number {
  let re = 0;
  let im = 0;
  for (let i = 0; i < xs.length; i++) {
    const phase = (2 * Math.PI * frequencyHz * i) / FS;
    re += (xs[i] as number) * Math.cos(phase);
    im += (xs[i] as number) * Math.sin(phase);
  }
  return (2 * Math.hypot(re, im)) / xs.length;
}

test('adds nothing when every artefact is off', () => {
  expect(rms(samples({}, 10))).toBe(0);
});

test('gives muscle noise the requested RMS', () => {
  const emg = samples({ muscleNoiseMv: 0.05 }, 60);
  expect(rms(emg)).toBeGreaterThan(0.045);
  expect(rms(emg)).toBeLessThan(0.055);
});

test('keeps muscle noise out of the baseline band and inside 20-100 Hz', () => {
  const emg = samples({ muscleNoiseMv: 0.1 }, 60);
  const inBand = amplitudeAt(emg, 40) + amplitudeAt(emg, 60);
  const low = amplitudeAt(emg, 1) + amplitudeAt(emg, 2);
  expect(inBand).toBeGreaterThan(3 * low);
});

test('puts mains hum at the mains frequency with the requested amplitude', () => {
  for (const mainsHz of [50, 60] as const) {
    const hum = samples({ mainsHumMv: 0.1, mainsHz }, 20);
    expect(amplitudeAt(hum, mainsHz)).toBeCloseTo(0.1, 3);
    expect(amplitudeAt(hum, mainsHz === 50 ? 60 : 50)).toBeLessThan(0.001);
  }
});

test('puts baseline wander at breathing frequencies with about the requested amplitude', () => {
  const wander = samples({ baselineWanderMv: 0.3 }, 120);
  let peak = 0;
  for (const x of wander) peak = Math.max(peak, Math.abs(x));
  expect(peak).toBeGreaterThan(0.2);
  expect(peak).toBeLessThanOrEqual(0.3 + 1e-9);
  // No energy in the QRS band.
  expect(amplitudeAt(wander, 10)).toBeLessThan(0.001);
});

test('stays in phase when an oscillator artefact is switched off and on again', () => {
  const source = createArtefactSource({ mainsHumMv: 0.1 }, createRng(3), FS);
  const reference = createArtefactSource({ mainsHumMv: 0.1 }, createRng(3), FS);
  for (let i = 0; i < 3000; i++) {
    if (i === 1000) source.set({ mainsHumMv: 0 });
    if (i === 1500) source.set({ mainsHumMv: 0.1 });
    const a = source.sampleMv(i);
    const b = reference.sampleMv(i);
    if (i < 1000 || i >= 1500) expect(a).toBeCloseTo(b, 12);
  }
});
