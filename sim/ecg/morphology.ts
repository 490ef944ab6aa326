/**
 * Beat waveform as a sum of Gaussians in time, after ECGSYN (McSharry, Clifford, Tarassenko, Smith,
 * "A dynamical model for generating synthetic electrocardiogram signals", IEEE TBME 2003;50:289).
 *
 * ECGSYN moves a point round a limit cycle at angular speed w = 2*pi/RR and pushes z by Gaussians in angle.
 * Integrating its z equation over one pass gives waves of height a_i * b_i^2 / w and angular width b_i,
 * i.e. Gaussians in time of width b_i * RR / (2*pi). We evaluate those Gaussians directly (no ODE), with
 * ECGSYN's rate scaling: widths x sqrt(HR/60), P angle x (HR/60)^(1/4), Q and S angles x sqrt(HR/60).
 * The T wave is placed with Weissler's QS2 instead of a fixed angle so that QT shortens with rate as
 * electromechanical systole does (Weissler, Harris, Schoenfeld, Circulation 1968;37:149: QS2 = 541 - 2.2*HR ms).
 */
import type { BeatKind } from './types.ts';

/** ECGSYN angles of P, Q, R, S, T, degrees (McSharry 2003, table 1). */
const ECGSYN_ANGLE_DEG = [-70, -15, 0, 15, 100] as const;
/** ECGSYN amplitudes a_i (same table). */
const ECGSYN_AMPLITUDE = [1.2, -5, 30, -7.5, 0.75] as const;
/** ECGSYN angular widths b_i, rad (same table). */
const ECGSYN_WIDTH_RAD = [0.25, 0.1, 0.1, 0.1, 0.4] as const;

/** Weissler's electromechanical systole, ms, for a heart rate in beats/min (Weissler 1968). */
export function qs2Ms(heartRateBpm: number): number {
  return 541 - 2.2 * heartRateBpm;
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
    const systoleScale = qs2Ms(heartRateBpm) / qs2Ms(60);
    // AF has no organised atrial activity, hence no P wave.
    const first = kind === 'af' ? 1 : 0;
    for (let i = first; i < 5; i++) {
      const angleDeg = ECGSYN_ANGLE_DEG[i] as number;
      const amplitude = ECGSYN_AMPLITUDE[i] as number;
      const widthRad = ECGSYN_WIDTH_RAD[i] as number;
      const height = (amplitude * widthRad * widthRad) / rHeight;
      if (i === 4) {
        // T wave: ECGSYN's position and width at 60 bpm, scaled with QS2.
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
