/**
 * Beat waveform as a sum of Gaussians in time, after ECGSYN (McSharry, Clifford, Tarassenko, Smith,
 * "A dynamical model for generating synthetic electrocardiogram signals", IEEE TBME 2003;50:289).
 *
 * ECGSYN moves a point round a limit cycle at angular speed w = 2*pi/RR and pushes z by Gaussians in angle.
 * Integrating its z equation over one pass gives waves of height a_i * b_i^2 / w and angular width b_i,
 * i.e. Gaussians in time of width b_i * RR / (2*pi). We evaluate those Gaussians directly (no ODE), with
 * ECGSYN's rate scaling: widths x sqrt(HR/60), P angle x (HR/60)^(1/4), Q and S angles x sqrt(HR/60).
 * The T wave is placed instead so that QT follows the Framingham linear QT-RR relation (below).
 */

import { weisslerQs2Ms } from '../systolic-time-intervals.ts';
import type { BeatKind } from './types.ts';

/** ECGSYN angles of P, Q, R, S, T, degrees (McSharry 2003, table 1). */
const ECGSYN_ANGLE_DEG = [-70, -15, 0, 15, 100] as const;
/** ECGSYN amplitudes a_i (same table). */
const ECGSYN_AMPLITUDE = [1.2, -5, 30, -7.5, 0.75] as const;
/** ECGSYN angular widths b_i, rad (same table). */
const ECGSYN_WIDTH_RAD = [0.25, 0.1, 0.1, 0.1, 0.4] as const;

/** Weissler's electromechanical systole, ms, for a heart rate in beats/min (systolic-time-intervals.ts). */
export function qs2Ms(heartRateBpm: number): number {
  return weisslerQs2Ms(heartRateBpm);
}

/**
 * QRS onset before the R peak, ms, of a beat drawn here: where the tangent at the Q wave's steepest
 * downstroke meets the baseline, as QT is measured (for a Gaussian of width sigma centred at c, the
 * steepest point is c + sigma and the tangent meets zero at c - 2 sigma on the rising side). ~68 ms at
 * 70 bpm for ECGSYN's broad Q wave. A PVC has no Q wave: its onset is the R wave's (R sigma 25 ms).
 * Systolic time intervals (PEP, QS2) and QT are measured from it, as Weissler and Sagie measured them
 * from the QRS onset.
 */
export function qrsOnsetBeforeRMs(kind: BeatKind, rrMs: number): number {
  if (kind === 'pvc') return 2 * PVC_R_SIGMA_MS;
  const heartRateBpm = Math.min(200, Math.max(30, 60000 / rrMs));
  const cycleMs = 60000 / heartRateBpm;
  const widthScale = Math.sqrt(heartRateBpm / 60);
  const centre = (-ECGSYN_ANGLE_DEG[1] / 360) * widthScale * cycleMs;
  const sigma = ((ECGSYN_WIDTH_RAD[1] * widthScale) / (2 * Math.PI)) * cycleMs;
  return centre + 2 * sigma;
}

/** The longest qrsOnsetBeforeRMs over the generator's 30-200 bpm, ms (at 30 bpm). */
export const MAX_QRS_ONSET_BEFORE_R_MS = 105;

/**
 * QT, ms, for an RR in ms: the Framingham linear relation QT = QTc + 0.154 (RR - 1 s) (Sagie, Larson,
 * Goldberg, Bengtson, Levy, Am J Cardiol 1992;70:797), with QT 400 ms at RR 1 s (a normal QTc; the
 * Framingham cohort's mean was ~400 ms). RR is clamped to the 30-200 bpm range of the generator.
 */
export const QT_AT_RR_1S_MS = 400;
export function qtMs(rrMs: number): number {
  const rr = Math.min(2000, Math.max(300, rrMs));
  return QT_AT_RR_1S_MS + 0.154 * (rr - 1000);
}

/**
 * T wave end by the tangent method (the steepest downslope's tangent meets the baseline): for a Gaussian
 * of width sigma centred at c that is c + 2 sigma. ECGSYN's T wave at 60 bpm is centred 278 ms after R
 * with sigma 64 ms; it is scaled in time (centre and width together) so that QT from the QRS onset is
 * qtMs(RR).
 */
function tWaveTimeScale(rrMs: number): number {
  const centreAt60Ms = (ECGSYN_ANGLE_DEG[4] / 360) * 1000;
  const sigmaAt60Ms = (ECGSYN_WIDTH_RAD[4] / (2 * Math.PI)) * 1000;
  return (qtMs(rrMs) - qrsOnsetBeforeRMs('sinus', rrMs)) / (centreAt60Ms + 2 * sigmaAt60Ms);
}

/**
 * PVC shape, ms and relative heights. A ventricular beat spreads cell to cell, so its QRS is >= 120 ms
 * whatever the rate, usually taller than the conducted QRS, with a T wave of opposite polarity
 * (secondary repolarisation change; Surawicz & Knilans, Chou's Electrocardiography in Clinical Practice,
 * 6th ed., 2008).
 * Widths here give a QRS of ~150 ms.
 */
const PVC_R_SIGMA_MS = 25;
const PVC_R_HEIGHT = 1.5;
const PVC_S_OFFSET_MS = 60;
const PVC_S_SIGMA_MS = 25;
const PVC_S_HEIGHT = -0.35;
const PVC_T_OFFSET_MS = 300;
const PVC_T_SIGMA_MS = 70;
const PVC_T_HEIGHT = -0.55;

/** Gaussians are drawn out to this many widths either side (exp(-8) < 0.04 % of the peak). */
export const GAUSSIAN_SUPPORT_SIGMAS = 4;

export interface BeatWaves {
  count: number;
  /** Centre of each wave relative to the R peak, ms. */
  readonly centreMs: Float64Array;
  readonly sigmaMs: Float64Array;
  readonly heightMv: Float64Array;
}

export function createBeatWaves(): BeatWaves {
  return {
    count: 0,
    centreMs: new Float64Array(5),
    sigmaMs: new Float64Array(5),
    heightMv: new Float64Array(5),
  };
}

function push(out: BeatWaves, centreMs: number, sigmaMs: number, height: number): void {
  out.centreMs[out.count] = centreMs;
  out.sigmaMs[out.count] = sigmaMs;
  out.heightMv[out.count] = height;
  out.count++;
}

/**
 * Fill `out` with the waves of one beat. The beat's rate is its own preceding RR (QT follows the preceding
 * cycle length). Heights are scaled so the summed signal at the R time equals rAmplitudeMv (sinus) or
 * PVC_R_HEIGHT * rAmplitudeMv (PVC).
 */
export function fillBeatWaves(out: BeatWaves, kind: BeatKind, rrMs: number, rAmplitudeMv: number): void {
  out.count = 0;
  if (kind === 'pvc') {
    push(out, 0, PVC_R_SIGMA_MS, PVC_R_HEIGHT);
    push(out, PVC_S_OFFSET_MS, PVC_S_SIGMA_MS, PVC_S_HEIGHT);
    push(out, PVC_T_OFFSET_MS, PVC_T_SIGMA_MS, PVC_T_HEIGHT);
  } else {
    const heartRateBpm = Math.min(200, Math.max(30, 60000 / rrMs));
    const cycleMs = 60000 / heartRateBpm;
    const widthScale = Math.sqrt(heartRateBpm / 60);
    const pAngleScale = Math.sqrt(widthScale);
    const angleScales = [pAngleScale, widthScale, 1, widthScale, 1];
    const rHeight = ECGSYN_AMPLITUDE[2] * ECGSYN_WIDTH_RAD[2] ** 2;
    const systoleScale = tWaveTimeScale(cycleMs);
    // AF has no organised atrial activity, hence no P wave.
    const first = kind === 'af' ? 1 : 0;
    for (let i = first; i < 5; i++) {
      const angleDeg = ECGSYN_ANGLE_DEG[i] as number;
      const amplitude = ECGSYN_AMPLITUDE[i] as number;
      const widthRad = ECGSYN_WIDTH_RAD[i] as number;
      const height = (amplitude * widthRad * widthRad) / rHeight;
      if (i === 4) {
        // T wave: ECGSYN's position and width at 60 bpm, scaled to the Framingham QT.
        const centreAt60Ms = (angleDeg / 360) * 1000;
        const sigmaAt60Ms = (widthRad / (2 * Math.PI)) * 1000;
        push(out, centreAt60Ms * systoleScale, sigmaAt60Ms * systoleScale, height);
      } else {
        const centreMs = (angleDeg / 360) * (angleScales[i] as number) * cycleMs;
        const sigmaMs = ((widthRad * widthScale) / (2 * Math.PI)) * cycleMs;
        push(out, centreMs, sigmaMs, height);
      }
    }
  }
  const target = kind === 'pvc' ? PVC_R_HEIGHT * rAmplitudeMv : rAmplitudeMv;
  const atR = waveValueAt(out, 0);
  const scale = target / atR;
  for (let i = 0; i < out.count; i++) out.heightMv[i] = (out.heightMv[i] as number) * scale;
}

/** Sum of the beat's waves at `timeMs` relative to its R peak. */
export function waveValueAt(waves: BeatWaves, timeMs: number): number {
  let sum = 0;
  for (let i = 0; i < waves.count; i++) {
    const d = (timeMs - (waves.centreMs[i] as number)) / (waves.sigmaMs[i] as number);
    sum += (waves.heightMv[i] as number) * Math.exp(-0.5 * d * d);
  }
  return sum;
}

/** How far before the R peak the beat's drawn waves start, ms (positive). */
export function waveLeadMs(waves: BeatWaves): number {
  let lead = 0;
  for (let i = 0; i < waves.count; i++) {
    const start = (waves.centreMs[i] as number) - GAUSSIAN_SUPPORT_SIGMAS * (waves.sigmaMs[i] as number);
    if (-start > lead) lead = -start;
  }
  return lead;
}
