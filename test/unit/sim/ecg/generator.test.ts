import { expect, test } from 'vitest';
import { createEcgGenerator, type EcgDef, type EcgGenerator, type ElectricalBeat, qtMs } from '#sim/ecg/index.ts';
import { createRng } from '#sim/rng.ts';

const FS = 500;
const NO_HRV = { hrvLfAmplitudeMs: 0, hrvHfAmplitudeMs: 0 };

function record(generator: EcgGenerator, durationS: number): { samples: Float64Array; beats: ElectricalBeat[] } {
  const samples = new Float64Array(Math.round(durationS * generator.sampleRateHz));
  const beats: ElectricalBeat[] = [];
  for (let i = 0; i < samples.length; i++) {
    samples[i] = generator.nextSample();
    for (let b = generator.takeBeat(); b !== null; b = generator.takeBeat()) beats.push(b);
  }
  return { samples, beats };
}

function generate(def: EcgDef, seed: number, durationS: number, fs = FS) {
  return record(createEcgGenerator(def, createRng(seed), fs), durationS);
}

function mean(xs: number[]): number {
  return xs.reduce((a, b) => a + b, 0) / xs.length;
}

function sd(xs: number[]): number {
  const m = mean(xs);
  return Math.sqrt(xs.reduce((a, b) => a + (b - m) ** 2, 0) / (xs.length - 1));
}

const everything: EcgDef = {
  rhythm: { heartRateBpm: 88, pacPerMinute: 4, pvcPerMinute: 6 },
  artefacts: {
    baselineWanderMv: 0.3,
    muscleNoiseMv: 0.05,
    mainsHumMv: 0.1,
    mainsHz: 60,
    electrodeMotionPerMinute: 4,
  },
};

test('produces identical samples and beats for the same seed', () => {
  const a = generate(everything, 42, 60);
  const b = generate(everything, 42, 60);
  expect(b.samples).toEqual(a.samples);
  expect(b.beats).toEqual(a.beats);
});

test('produces a different signal for a different seed', () => {
  const a = generate(everything, 42, 10);
  const b = generate(everything, 43, 10);
  expect(b.samples).not.toEqual(a.samples);
});

test('keeps the beats where they are when artefacts are switched on', () => {
  const clean = generate({ rhythm: everything.rhythm }, 7, 60);
  const noisy = generate(everything, 7, 60);
  expect(noisy.beats).toEqual(clean.beats);
});

test('advances time by one sample period and hands out beats only once their R time has passed', () => {
  const generator = createEcgGenerator({ rhythm: { heartRateBpm: 70 } }, createRng(1), FS);
  expect(generator.timeMs).toBe(-2);
  const taken: ElectricalBeat[] = [];
  for (let i = 0; i < 10 * FS; i++) {
    generator.nextSample();
    expect(generator.timeMs).toBeCloseTo(i * 2, 9);
    for (let b = generator.takeBeat(); b !== null; b = generator.takeBeat()) {
      expect(b.rTimeMs).toBeLessThanOrEqual(generator.timeMs);
      expect(b.rTimeMs).toBeGreaterThan(generator.timeMs - 2);
      taken.push(b);
    }
  }
  expect(taken.length).toBeGreaterThanOrEqual(10);
  for (let i = 1; i < taken.length; i++) {
    const gap = (taken[i] as ElectricalBeat).rTimeMs - (taken[i - 1] as ElectricalBeat).rTimeMs;
    expect((taken[i] as ElectricalBeat).rrMs).toBeCloseTo(gap, 9);
  }
});

test('puts the R peak, about rAmplitudeMv high, at the reported R time', () => {
  const { samples, beats } = generate({ rhythm: { heartRateBpm: 75 }, rAmplitudeMv: 1.3 }, 3, 20);
  for (const beat of beats.slice(1, -1)) {
    const centre = Math.round((beat.rTimeMs * FS) / 1000);
    let best = centre - 10;
    for (let i = centre - 10; i <= centre + 10; i++) if ((samples[i] as number) > (samples[best] as number)) best = i;
    expect(Math.abs(best - (beat.rTimeMs * FS) / 1000)).toBeLessThanOrEqual(1);
    expect(samples[best] as number).toBeGreaterThan(1.25);
    expect(samples[best] as number).toBeLessThanOrEqual(1.3 + 1e-9);
  }
});

test('matches the set heart rate within 2 % over 5 minutes', () => {
  for (const heartRateBpm of [45, 70, 120]) {
    const { beats } = generate({ rhythm: { heartRateBpm } }, heartRateBpm, 300);
    const meanRrMs = mean(beats.slice(1).map((b) => b.rrMs));
    const expectedRrMs = 60000 / heartRateBpm;
    expect(Math.abs(meanRrMs / expectedRrMs - 1), `${heartRateBpm} bpm: mean RR ${meanRrMs}`).toBeLessThan(0.02);
  }
});

/** Power of a uniformly resampled series at `frequencyHz` (single-bin DFT). */
function powerAt(series: number[], sampleRateHz: number, frequencyHz: number): number {
  let re = 0;
  let im = 0;
  series.forEach((v, i) => {
    const phase = (2 * Math.PI * frequencyHz * i) / sampleRateHz;
    re += v * Math.cos(phase);
    im -= v * Math.sin(phase);
  });
  return (re * re + im * im) / series.length;
}

test('modulates RR at 0.1 Hz (LF) and 0.25 Hz (HF) with an SDNN of 15-40 ms', () => {
  const { beats } = generate({ rhythm: { heartRateBpm: 60 } }, 5, 600);
  const rr = beats.slice(1).map((b) => b.rrMs);
  const sdnnMs = sd(rr);
  // Defaults 25 ms (LF) and 20 ms (HF) zero-to-peak give sqrt(25^2/2 + 20^2/2) = 22.6 ms.
  expect(sdnnMs).toBeGreaterThan(15);
  expect(sdnnMs).toBeLessThan(40);
  // Tachogram resampled at 2 Hz by linear interpolation.
  const tachogram: number[] = [];
  const m = mean(rr);
  let k = 1;
  for (let t = (beats[1] as ElectricalBeat).rTimeMs; t < (beats.at(-1) as ElectricalBeat).rTimeMs; t += 500) {
    while ((beats[k + 1] as ElectricalBeat).rTimeMs < t) k++;
    const a = beats[k] as ElectricalBeat;
    const b = beats[k + 1] as ElectricalBeat;
    const f = (t - a.rTimeMs) / (b.rTimeMs - a.rTimeMs);
    tachogram.push(a.rrMs + f * (b.rrMs - a.rrMs) - m);
  }
  const lf = powerAt(tachogram, 2, 0.1);
  const hf = powerAt(tachogram, 2, 0.25);
  const between = powerAt(tachogram, 2, 0.175);
  const above = powerAt(tachogram, 2, 0.4);
  expect(lf).toBeGreaterThan(20 * between);
  expect(hf).toBeGreaterThan(20 * between);
  expect(hf).toBeGreaterThan(20 * above);
});

test('makes PVCs premature and follows them by a full compensatory pause', () => {
  // Without HRV the sinus node is a steady clock, so "2 x normal RR" is well defined.
  const { beats } = generate({ rhythm: { heartRateBpm: 72, pvcPerMinute: 8, ...NO_HRV } }, 9, 300);
  let checked = 0;
  for (let i = 1; i < beats.length - 1; i++) {
    const beat = beats[i] as ElectricalBeat;
    const before = beats[i - 1] as ElectricalBeat;
    const after = beats[i + 1] as ElectricalBeat;
    if (beat.kind !== 'pvc' || before.kind !== 'sinus' || beats[i - 2]?.kind !== 'sinus') continue;
    const normalRrMs = before.rrMs;
    expect(beat.rrMs).toBeLessThan(0.8 * normalRrMs);
    expect(after.kind).toBe('sinus');
    const pair = beat.rrMs + after.rrMs;
    expect(
      Math.abs(pair / (2 * normalRrMs) - 1),
      `pre ${beat.rrMs} + post ${after.rrMs} vs 2 x ${normalRrMs}`,
    ).toBeLessThan(0.05);
    checked++;
  }
  expect(checked).toBeGreaterThan(25);
});

test('makes PACs premature with a pause that is not compensatory', () => {
  const { beats } = generate({ rhythm: { heartRateBpm: 72, pacPerMinute: 8, ...NO_HRV } }, 10, 300);
  const pacs = beats.map((b, i) => ({ b, i })).filter(({ b, i }) => b.kind === 'pac' && i > 1 && i < beats.length - 1);
  expect(pacs.length).toBeGreaterThan(25);
  for (const { b, i } of pacs) {
    const normalRrMs = (beats[i - 1] as ElectricalBeat).rrMs;
    expect(b.rrMs).toBeLessThan(0.85 * normalRrMs);
    expect(b.rrMs + (beats[i + 1] as ElectricalBeat).rrMs).toBeLessThan(1.9 * normalRrMs);
  }
});

/** Ensemble average of the signal around R peaks, from -offsetMs to +offsetMs. */
function ensembleAverage(samples: Float64Array, beats: ElectricalBeat[], fromMs: number, toMs: number): number[] {
  const from = Math.round((fromMs * FS) / 1000);
  const to = Math.round((toMs * FS) / 1000);
  const sum = new Array(to - from + 1).fill(0) as number[];
  let count = 0;
  for (const beat of beats) {
    const centre = Math.round((beat.rTimeMs * FS) / 1000);
    if (centre + from < 0 || centre + to >= samples.length) continue;
    for (let i = from; i <= to; i++) sum[i - from] = (sum[i - from] as number) + (samples[centre + i] as number);
    count++;
  }
  return sum.map((s) => s / count);
}

test('gives AF an irregular RR (CV > 0.1), no P wave and a fibrillatory baseline', () => {
  const af = generate({ rhythm: { heartRateBpm: 70, atrialFibrillation: true } }, 21, 300);
  const rr = af.beats.slice(1).map((b) => b.rrMs);
  const cv = sd(rr) / mean(rr);
  expect(cv).toBeGreaterThan(0.1);
  expect(af.beats.every((b) => b.kind === 'af')).toBe(true);
  const sinus = generate({ rhythm: { heartRateBpm: 70 } }, 21, 300);
  // Beats after a short cycle are left out so the previous T wave does not reach into the P window.
  const longCycle = (b: ElectricalBeat): boolean => b.rrMs >= 750;
  const pWindow = (s: { samples: Float64Array; beats: ElectricalBeat[] }): number =>
    Math.max(...ensembleAverage(s.samples, s.beats.filter(longCycle), -260, -100));
  expect(pWindow(sinus)).toBeGreaterThan(0.15);
  expect(pWindow(af)).toBeLessThan(0.05);
  // f waves: between beats (R+500 to R+700 ms, after T) the AF baseline moves, the sinus one does not.
  const spread = (s: { samples: Float64Array; beats: ElectricalBeat[] }): number => {
    const values: number[] = [];
    for (const b of s.beats.filter((x) => x.rrMs > 900)) {
      const centre = Math.round((b.rTimeMs * FS) / 1000);
      for (let i = centre - 450; i < centre - 350; i++) if (i > 0) values.push(s.samples[i] as number);
    }
    return sd(values);
  };
  expect(spread(af)).toBeGreaterThan(0.015);
  expect(spread(sinus)).toBeLessThan(0.01);
});

/** QT by the tangent method: where the tangents at the steepest Q downstroke and T downslope meet 0 mV. */
function measureQtMs(samples: Float64Array, beat: ElectricalBeat): number {
  const r = Math.round((beat.rTimeMs * FS) / 1000);
  let q = r;
  for (let i = r; i > r - 50; i--) if ((samples[i] as number) < (samples[q] as number)) q = i;
  let qSteepest = q - 1;
  for (let i = q - 1; i > q - 25; i--) {
    const slope = (samples[i + 1] as number) - (samples[i] as number);
    if (slope < (samples[qSteepest + 1] as number) - (samples[qSteepest] as number)) qSteepest = i;
  }
  const qSlope = (samples[qSteepest + 1] as number) - (samples[qSteepest] as number);
  const onset = qSteepest - (samples[qSteepest] as number) / qSlope;
  let tPeak = r + 75;
  const tSearchEnd = r + Math.round((0.6 * beat.rrMs * FS) / 1000);
  for (let i = r + 75; i < tSearchEnd; i++) if ((samples[i] as number) > (samples[tPeak] as number)) tPeak = i;
  let steepest = tPeak;
  // The T downslope is steepest one T width (< half the R-to-T-peak time) after the peak.
  for (let i = tPeak; i < tPeak + (tPeak - r) / 2; i++) {
    const slope = (samples[i + 1] as number) - (samples[i] as number);
    if (slope < (samples[steepest + 1] as number) - (samples[steepest] as number)) steepest = i;
  }
  const slopePerSample = (samples[steepest + 1] as number) - (samples[steepest] as number);
  const tEnd = steepest - (samples[steepest] as number) / slopePerSample;
  return ((tEnd - onset) * 1000) / FS;
}

test('QT follows the Framingham QT-RR relation (Sagie et al., Am J Cardiol 1992;70:797) within 20 ms', () => {
  const qtAt = (heartRateBpm: number): number => {
    const { samples, beats } = generate({ rhythm: { heartRateBpm, ...NO_HRV } }, 30, 10);
    return mean(beats.slice(1, -2).map((b) => measureQtMs(samples, b)));
  };
  for (const hr of [50, 70, 105, 120]) {
    const qt = qtAt(hr);
    const expected = qtMs(60000 / hr);
    expect(
      Math.abs(qt - expected),
      `QT ${qt.toFixed(0)} ms at ${hr} bpm, Framingham ${expected.toFixed(0)}`,
    ).toBeLessThan(20);
  }
  // QT = 400 + 0.154 (RR - 1000) ms: 97 ms shorter at 105 than at 50 bpm.
  expect(qtAt(50) - qtAt(105)).toBeGreaterThan(75);
});

test('applies a scripted rate change from the next beat to be drawn', () => {
  const generator = createEcgGenerator({ rhythm: { heartRateBpm: 60, ...NO_HRV } }, createRng(31), FS);
  const before = record(generator, 20).beats;
  const changeMs = generator.timeMs;
  generator.setHeartRate(120);
  const after = record(generator, 20).beats;
  expect(before.slice(1).every((b) => Math.abs(b.rrMs - 1000) < 1e-6)).toBe(true);
  // Only a beat whose waves had already started when the rate changed keeps the old interval.
  const oldRate = after.filter((b) => Math.abs(b.rrMs - 1000) < 1e-6);
  expect(oldRate.length).toBeLessThanOrEqual(1);
  expect(after.slice(1).every((b) => Math.abs(b.rrMs - 500) < 1e-6)).toBe(true);
  expect((after[1] as ElectricalBeat).rTimeMs - changeMs).toBeLessThan(2000);
});

test('settles to a flat line near 0 mV on lead-off while true beats continue', () => {
  const generator = createEcgGenerator(
    { rhythm: { heartRateBpm: 80 }, artefacts: { mainsHumMv: 0.1, muscleNoiseMv: 0.05 } },
    createRng(32),
    FS,
  );
  record(generator, 5);
  generator.setLeadOff(true);
  record(generator, 1);
  const off = record(generator, 10);
  expect(off.beats.length).toBeGreaterThanOrEqual(12);
  const values = Array.from(off.samples);
  expect(Math.max(...values) - Math.min(...values)).toBeLessThan(0.005);
  expect(Math.abs(mean(values))).toBeLessThan(0.1);
  generator.setLeadOff(false);
  const on = record(generator, 5);
  expect(Math.max(...Array.from(on.samples))).toBeGreaterThan(0.8);
});

test('adds electrode-motion transients at the requested rate', () => {
  const clean = generate({ rhythm: { heartRateBpm: 70 } }, 33, 120);
  const moving = generate({ rhythm: { heartRateBpm: 70 }, artefacts: { electrodeMotionPerMinute: 5 } }, 33, 120);
  // Count 1 s windows whose deviation from the clean signal exceeds 0.2 mV.
  let disturbedSeconds = 0;
  for (let s = 0; s < 120; s++) {
    let worst = 0;
    for (let i = s * FS; i < (s + 1) * FS; i++) {
      worst = Math.max(worst, Math.abs((moving.samples[i] as number) - (clean.samples[i] as number)));
    }
    if (worst > 0.2) disturbedSeconds++;
  }
  expect(disturbedSeconds).toBeGreaterThan(3);
  expect(disturbedSeconds).toBeLessThan(40);
});

test('stays finite over 10 minutes with every feature on and rhythm changes on the way', () => {
  const generator = createEcgGenerator(everything, createRng(34), FS);
  let nonFinite = 0;
  let beats = 0;
  for (let i = 0; i < 600 * FS; i++) {
    if (i === 120 * FS) generator.setRhythm({ atrialFibrillation: true, heartRateBpm: 140 });
    if (i === 240 * FS) generator.setHeartRate(35);
    if (i === 300 * FS) generator.setRhythm({ atrialFibrillation: false, heartRateBpm: 190, pvcPerMinute: 30 });
    if (i === 400 * FS) generator.setArtefacts({ muscleNoiseMv: 0.3, electrodeMotionPerMinute: 30 });
    if (i === 500 * FS) generator.setHeartRate(1000);
    if (!Number.isFinite(generator.nextSample())) nonFinite++;
    while (generator.takeBeat() !== null) beats++;
  }
  expect(nonFinite).toBe(0);
  expect(beats).toBeGreaterThan(600);
});

test('refuses a heart rate that is not a number and clamps extreme ones to 30-200 bpm', () => {
  expect(() => createEcgGenerator({ rhythm: { heartRateBpm: Number.NaN } }, createRng(1), FS)).toThrow(RangeError);
  const generator = createEcgGenerator({ rhythm: { heartRateBpm: 300, ...NO_HRV } }, createRng(1), FS);
  expect(() => generator.setHeartRate(Number.POSITIVE_INFINITY)).toThrow(RangeError);
  const { beats } = record(generator, 10);
  expect(beats.slice(1).every((b) => Math.abs(b.rrMs - 300) < 1e-6)).toBe(true);
});

test('switches rhythm on setRhythm from the next beat that has not started', () => {
  const generator = createEcgGenerator({ rhythm: { heartRateBpm: 75 } }, createRng(35), FS);
  const sinus = record(generator, 20).beats;
  generator.setRhythm({ atrialFibrillation: true });
  const af = record(generator, 60).beats;
  generator.setRhythm({ atrialFibrillation: false, pvcPerMinute: 20 });
  const ectopic = record(generator, 60).beats;
  expect(sinus.every((b) => b.kind === 'sinus')).toBe(true);
  expect(af.slice(1).every((b) => b.kind === 'af')).toBe(true);
  expect(ectopic.slice(1).every((b) => b.kind === 'sinus' || b.kind === 'pvc')).toBe(true);
  expect(ectopic.filter((b) => b.kind === 'pvc').length).toBeGreaterThan(8);
});
