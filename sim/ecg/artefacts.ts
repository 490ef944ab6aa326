/**
 * Measurement artefacts of a surface ECG, modelled after the noise classes of the MIT-BIH Noise Stress Test
 * Database (Moody, Muldrow, Mark, Computers in Cardiology 1984;11:381): baseline wander, muscle (EMG) noise,
 * electrode motion; plus power-line interference.
 */
import type { Rng } from '../rng.ts';
import type { ArtefactDef } from './types.ts';

export const ARTEFACT_DEFAULTS: Required<ArtefactDef> = {
  baselineWanderMv: 0,
  muscleNoiseMv: 0,
  mainsHumMv: 0,
  mainsHz: 50,
  electrodeMotionPerMinute: 0,
  electrodeMotionMv: 0.6,
};

/** Respiratory baseline wander lies at the breathing rate, 0.15-0.3 Hz (9-18 breaths/min). */
const WANDER_MIN_HZ = 0.15;
const WANDER_MAX_HZ = 0.3;
/** A slower drift (electrode-skin potential) carries a quarter of the wander amplitude. */
const DRIFT_HZ = 0.05;
/**
 * Surface EMG power lies mostly at 20-150 Hz (De Luca, J Appl Biomech 1997;13:135); the band is cut at
 * 100 Hz (and below Nyquist) because an ECG front end low-passes there.
 */
const EMG_LOW_HZ = 20;
const EMG_HIGH_HZ = 100;
/**
 * Electrode-motion transients: a step-like jump (rise time 10-60 ms, the skin-electrode potential changing
 * as the electrode is pulled) followed by a damped 0.5-3 Hz swing lasting a few hundred ms, the shape of the
 * 'em' record of the Noise Stress Test Database (Moody 1984).
 */
const MOTION_MIN_HZ = 0.5;
const MOTION_MAX_HZ = 3;
const MOTION_MIN_DECAY_MS = 100;
const MOTION_MAX_DECAY_MS = 400;
const MOTION_MIN_RISE_MS = 10;
const MOTION_MAX_RISE_MS = 60;

export interface ArtefactSource {
  /** Compute the artefact at sample index i into `valueMv` (once per sample, i increasing by one). */
  advance(index: number): void;
  /** Artefact at the last index advanced to, mV. */
  readonly valueMv: number;
  /** `advance(index)` and return `valueMv`. */
  sampleMv(index: number): number;
  set(patch: Partial<ArtefactDef>): void;
}

/** Oscillators are re-anchored to the exact phase this often (samples), so rounding cannot accumulate. */
const OSCILLATOR_RESYNC_SAMPLES = 1024;
/**
 * EMG noise reads a table of Gaussian samples (drawing a normal per sample costs more than the rest of the
 * ECG); each pass through the table uses a new random odd stride and offset, so the sequence does not repeat.
 */
const EMG_TABLE_SIZE = 16384;

/** sin(2 pi f i / fs + phase) for consecutive i by rotating a phasor (no trigonometry per sample). */
class Oscillator {
  private readonly omega: number;
  private readonly phase: number;
  private readonly cosStep: number;
  private readonly sinStep: number;
  private c = 1;
  /** sin at the last index advanced to. */
  s = 0;
  private nextResync = 0;
  private lastIndex = Number.NaN;

  constructor(frequencyHz: number, phase: number, sampleRateHz: number) {
    this.omega = (2 * Math.PI * frequencyHz) / sampleRateHz;
    this.phase = phase;
    this.cosStep = Math.cos(this.omega);
    this.sinStep = Math.sin(this.omega);
  }

  /**
   * Move to sample `index` (read the value from `s`; returning a double from a call that is not inlined
   * would allocate). Consecutive indices rotate the phasor, any jump re-anchors it.
   */
  advance(index: number): void {
    const consecutive = index === this.lastIndex + 1;
    this.lastIndex = index;
    if (!consecutive || index >= this.nextResync) {
      const angle = this.omega * index + this.phase;
      this.c = Math.cos(angle);
      this.s = Math.sin(angle);
      this.nextResync = index + OSCILLATOR_RESYNC_SAMPLES;
      return;
    }
    const c = this.c * this.cosStep - this.s * this.sinStep;
    this.s = this.s * this.cosStep + this.c * this.sinStep;
    this.c = c;
  }
}

function onePoleCoefficient(cutoffHz: number, sampleRateHz: number): number {
  return Math.exp((-2 * Math.PI * cutoffHz) / sampleRateHz);
}

/** Artefact state. Class fields (not closure variables) so V8 updates doubles in place, allocation-free. */
class Artefacts implements ArtefactSource {
  private readonly def: Required<ArtefactDef>;
  private readonly rng: Rng;
  private readonly motionRng: Rng;
  private readonly sampleRateHz: number;
  private readonly dtS: number;
  private readonly wander: Oscillator;
  private readonly drift: Oscillator;
  private readonly mainsPhase: number;
  private mains: Oscillator;
  private mainsHz: number;
  private emgTable: Float32Array | null = null;
  private emgPosition = 0;
  private emgStride = 1;
  private emgLeft = 0;
  // EMG: white Gaussian noise through a one-pole high-pass and a one-pole low-pass.
  private readonly hpPole: number;
  private readonly lpPole: number;
  private readonly emgGain: number;
  private hpPrevIn = 0;
  private hpOut = 0;
  private lpOut = 0;
  private nextMotionIndex = Number.POSITIVE_INFINITY;
  private motionStartIndex = 0;
  private motionAmplitudeMv = 0;
  private motionHz = 0;
  private motionDecayPerSample = 0;
  private motionEnvelope = 0;
  /** exp(-t / rise time): the jump is (1 - this) of its full size. */
  private motionRiseRemaining = 0;
  private motionRisePerSample = 0;
  private lastIndex = -1;
  valueMv = 0;

  constructor(artefactDef: ArtefactDef, rng: Rng, sampleRateHz: number) {
    this.def = { ...ARTEFACT_DEFAULTS, ...artefactDef };
    this.rng = rng;
    this.sampleRateHz = sampleRateHz;
    this.dtS = 1 / sampleRateHz;
    const wanderHz = WANDER_MIN_HZ + (WANDER_MAX_HZ - WANDER_MIN_HZ) * rng.next();
    this.wander = new Oscillator(wanderHz, 2 * Math.PI * rng.next(), sampleRateHz);
    this.drift = new Oscillator(DRIFT_HZ, 2 * Math.PI * rng.next(), sampleRateHz);
    this.mainsPhase = 2 * Math.PI * rng.next();
    this.mainsHz = this.def.mainsHz;
    this.mains = new Oscillator(this.mainsHz, this.mainsPhase, sampleRateHz);
    this.motionRng = rng.fork();
    this.hpPole = onePoleCoefficient(EMG_LOW_HZ, sampleRateHz);
    this.lpPole = onePoleCoefficient(Math.min(EMG_HIGH_HZ, 0.4 * sampleRateHz), sampleRateHz);
    // Unit-variance input gives output variance = sum of the squared impulse response.
    let energy = this.filterEmg(1) ** 2;
    for (let i = 0; i < 20 * sampleRateHz; i++) energy += this.filterEmg(0) ** 2;
    this.emgGain = 1 / Math.sqrt(energy);
    this.hpPrevIn = this.hpOut = this.lpOut = 0;
  }

  /** Step the EMG filter with the next white Gaussian sample (unit variance) from the table. */
  private stepEmg(): void {
    if (this.emgTable === null) {
      this.emgTable = new Float32Array(EMG_TABLE_SIZE);
      for (let i = 0; i < EMG_TABLE_SIZE; i++) this.emgTable[i] = this.rng.normal();
    }
    if (this.emgLeft === 0) {
      this.emgLeft = EMG_TABLE_SIZE;
      this.emgStride = (2 * Math.floor(this.rng.next() * (EMG_TABLE_SIZE / 2)) + 1) & (EMG_TABLE_SIZE - 1);
      this.emgPosition = Math.floor(this.rng.next() * EMG_TABLE_SIZE);
    }
    this.emgLeft--;
    this.emgPosition = (this.emgPosition + this.emgStride) & (EMG_TABLE_SIZE - 1);
    const x = this.emgTable[this.emgPosition] as number;
    this.hpOut = this.hpPole * (this.hpOut + x - this.hpPrevIn);
    this.hpPrevIn = x;
    this.lpOut = this.lpPole * this.lpOut + (1 - this.lpPole) * this.hpOut;
  }

  private filterEmg(x: number): number {
    this.hpOut = this.hpPole * (this.hpOut + x - this.hpPrevIn);
    this.hpPrevIn = x;
    this.lpOut = this.lpPole * this.lpOut + (1 - this.lpPole) * this.hpOut;
    return this.lpOut;
  }

  private scheduleMotion(fromIndex: number): void {
    if (this.def.electrodeMotionPerMinute <= 0) {
      this.nextMotionIndex = Number.POSITIVE_INFINITY;
      return;
    }
    const meanGapSamples = (60 * this.sampleRateHz) / this.def.electrodeMotionPerMinute;
    this.nextMotionIndex = fromIndex + 1 + Math.floor(-Math.log(1 - this.motionRng.next()) * meanGapSamples);
  }

  private startMotion(index: number): void {
    const rng = this.motionRng;
    this.motionStartIndex = index;
    const sign = rng.next() < 0.5 ? -1 : 1;
    this.motionAmplitudeMv = sign * this.def.electrodeMotionMv * (0.5 + rng.next());
    this.motionHz = MOTION_MIN_HZ + (MOTION_MAX_HZ - MOTION_MIN_HZ) * rng.next();
    const decayMs = MOTION_MIN_DECAY_MS + (MOTION_MAX_DECAY_MS - MOTION_MIN_DECAY_MS) * rng.next();
    this.motionDecayPerSample = Math.exp(-1000 / (decayMs * this.sampleRateHz));
    this.motionEnvelope = 1;
    const riseMs = MOTION_MIN_RISE_MS + (MOTION_MAX_RISE_MS - MOTION_MIN_RISE_MS) * rng.next();
    this.motionRisePerSample = Math.exp(-1000 / (riseMs * this.sampleRateHz));
    this.motionRiseRemaining = 1;
  }

  sampleMv(index: number): number {
    this.advance(index);
    return this.valueMv;
  }

  advance(index: number): void {
    if (this.lastIndex < 0) this.scheduleMotion(index);
    this.lastIndex = index;
    const def = this.def;
    let v = 0;
    if (def.baselineWanderMv !== 0) {
      this.wander.advance(index);
      this.drift.advance(index);
      v += def.baselineWanderMv * (0.75 * this.wander.s + 0.25 * this.drift.s);
    }
    if (def.muscleNoiseMv !== 0) {
      this.stepEmg();
      v += def.muscleNoiseMv * this.emgGain * this.lpOut;
    }
    if (def.mainsHumMv !== 0) {
      if (def.mainsHz !== this.mainsHz) {
        this.mainsHz = def.mainsHz;
        this.mains = new Oscillator(this.mainsHz, this.mainsPhase, this.sampleRateHz);
      }
      this.mains.advance(index);
      v += def.mainsHumMv * this.mains.s;
    }
    if (index >= this.nextMotionIndex) {
      this.startMotion(index);
      this.scheduleMotion(index);
    }
    if (this.motionEnvelope > 1e-3) {
      const sinceS = (index - this.motionStartIndex) * this.dtS;
      const swing = Math.cos(2 * Math.PI * this.motionHz * sinceS);
      v += this.motionAmplitudeMv * (1 - this.motionRiseRemaining) * this.motionEnvelope * swing;
      this.motionEnvelope *= this.motionDecayPerSample;
      this.motionRiseRemaining *= this.motionRisePerSample;
    }
    this.valueMv = v;
  }

  set(patch: Partial<ArtefactDef>): void {
    const motionRateBefore = this.def.electrodeMotionPerMinute;
    for (const key of Object.keys(patch) as (keyof ArtefactDef)[]) {
      const value = patch[key];
      if (value !== undefined) (this.def as Record<string, unknown>)[key] = value;
    }
    if (this.def.electrodeMotionPerMinute !== motionRateBefore && this.lastIndex >= 0) {
      this.scheduleMotion(this.lastIndex);
    }
  }
}

export function createArtefactSource(artefactDef: ArtefactDef, rng: Rng, sampleRateHz: number): ArtefactSource {
  return new Artefacts(artefactDef, rng, sampleRateHz);
}
