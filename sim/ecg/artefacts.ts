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
 * Electrode-motion transients: a damped 0.5-3 Hz swing lasting a few hundred ms, the shape of the
 * 'em' record of the Noise Stress Test Database (Moody 1984).
 */
const MOTION_MIN_HZ = 0.5;
const MOTION_MAX_HZ = 3;
const MOTION_MIN_DECAY_MS = 100;
const MOTION_MAX_DECAY_MS = 400;

export interface ArtefactSource {
  /** Artefact value at sample index i (called once per sample, with i increasing by one). */
  sampleMv(index: number): number;
  set(patch: Partial<ArtefactDef>): void;
}

function onePoleCoefficient(cutoffHz: number, sampleRateHz: number): number {
  return Math.exp((-2 * Math.PI * cutoffHz) / sampleRateHz);
}

export function createArtefactSource(artefactDef: ArtefactDef, rng: Rng, sampleRateHz: number): ArtefactSource {
  const def: Required<ArtefactDef> = { ...ARTEFACT_DEFAULTS, ...artefactDef };
  const dtS = 1 / sampleRateHz;
  const wanderHz = WANDER_MIN_HZ + (WANDER_MAX_HZ - WANDER_MIN_HZ) * rng.next();
  const wanderPhase = 2 * Math.PI * rng.next();
  const driftPhase = 2 * Math.PI * rng.next();
  const mainsPhase = 2 * Math.PI * rng.next();

  // EMG: white Gaussian noise through a one-pole high-pass and a one-pole low-pass.
  const hpPole = onePoleCoefficient(EMG_LOW_HZ, sampleRateHz);
  const lpPole = onePoleCoefficient(Math.min(EMG_HIGH_HZ, 0.4 * sampleRateHz), sampleRateHz);
  let hpPrevIn = 0;
  let hpOut = 0;
  let lpOut = 0;
  function filterEmg(x: number): number {
    hpOut = hpPole * (hpOut + x - hpPrevIn);
    hpPrevIn = x;
    lpOut = lpPole * lpOut + (1 - lpPole) * hpOut;
    return lpOut;
  }
  // Unit-variance input gives output variance = sum of the squared impulse response.
  let energy = filterEmg(1) ** 2;
  for (let i = 0; i < 20 * sampleRateHz; i++) energy += filterEmg(0) ** 2;
  const emgGain = 1 / Math.sqrt(energy);
  hpPrevIn = 0;
  hpOut = 0;
  lpOut = 0;

  const motionRng = rng.fork();
  let nextMotionIndex = Number.POSITIVE_INFINITY;
  let motionStartIndex = 0;
  let motionAmplitudeMv = 0;
  let motionHz = 0;
  let motionDecayPerSample = 0;
  let motionEnvelope = 0;

  function scheduleMotion(fromIndex: number): void {
    if (def.electrodeMotionPerMinute <= 0) {
      nextMotionIndex = Number.POSITIVE_INFINITY;
      return;
    }
    const meanGapSamples = (60 * sampleRateHz) / def.electrodeMotionPerMinute;
    nextMotionIndex = fromIndex + 1 + Math.floor(-Math.log(1 - motionRng.next()) * meanGapSamples);
  }

  function startMotion(index: number): void {
    motionStartIndex = index;
    const sign = motionRng.next() < 0.5 ? -1 : 1;
    motionAmplitudeMv = sign * def.electrodeMotionMv * (0.5 + motionRng.next());
    motionHz = MOTION_MIN_HZ + (MOTION_MAX_HZ - MOTION_MIN_HZ) * motionRng.next();
    const decayMs = MOTION_MIN_DECAY_MS + (MOTION_MAX_DECAY_MS - MOTION_MIN_DECAY_MS) * motionRng.next();
    motionDecayPerSample = Math.exp(-1000 / (decayMs * sampleRateHz));
    motionEnvelope = 1;
  }

  let lastIndex = -1;
  function sampleMv(index: number): number {
    if (lastIndex < 0) scheduleMotion(index);
    lastIndex = index;
    const tS = index * dtS;
    let v = 0;
    if (def.baselineWanderMv !== 0) {
      v +=
        def.baselineWanderMv *
        (0.75 * Math.sin(2 * Math.PI * wanderHz * tS + wanderPhase) +
          0.25 * Math.sin(2 * Math.PI * DRIFT_HZ * tS + driftPhase));
    }
    if (def.muscleNoiseMv !== 0) v += def.muscleNoiseMv * emgGain * filterEmg(rng.normal());
    if (def.mainsHumMv !== 0) v += def.mainsHumMv * Math.sin(2 * Math.PI * def.mainsHz * tS + mainsPhase);
    if (index >= nextMotionIndex) {
      startMotion(index);
      scheduleMotion(index);
    }
    if (motionEnvelope > 1e-3) {
      const sinceS = (index - motionStartIndex) * dtS;
      v += motionAmplitudeMv * motionEnvelope * Math.sin(2 * Math.PI * motionHz * sinceS);
      motionEnvelope *= motionDecayPerSample;
    }
    return v;
  }

  function set(patch: Partial<ArtefactDef>): void {
    const motionRateBefore = def.electrodeMotionPerMinute;
    for (const key of Object.keys(patch) as (keyof ArtefactDef)[]) {
      const value = patch[key];
      if (value !== undefined) (def as Record<string, unknown>)[key] = value;
    }
    if (def.electrodeMotionPerMinute !== motionRateBefore && lastIndex >= 0) scheduleMotion(lastIndex);
  }

  return { sampleMv, set };
}
