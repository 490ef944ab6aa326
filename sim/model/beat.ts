import type { BeatKind } from '../ecg/index.ts';

export type BeatClass =
  | 'ok'
  | 'early-inflation'
  | 'late-inflation'
  | 'early-deflation'
  | 'late-deflation'
  | 'not-assisted';

export const BEAT_CLASSES: readonly BeatClass[] = [
  'ok',
  'early-inflation',
  'late-inflation',
  'early-deflation',
  'late-deflation',
  'not-assisted',
];

/**
 * Unassisted values of the same beat: a reference circulation with the cuffs off runs in lockstep with
 * the assisted one, driven by the same heart beats (the reference pass of sim/README, done in one run).
 */
export interface ReferenceBeat {
  systolicPeakMmHg: number;
  endDiastolicMmHg: number;
  meanMmHg: number;
  dptiMmHgS: number;
  ttiMmHgS: number;
  cardiacOutputLPerMin: number;
  dsPeakRatio: number;
  /** Natural dicrotic notch (reference for the inflation error). */
  valveClosureMs: number;
  /** Natural next ejection onset (reference for the deflation error). */
  nextValveOpenMs: number;
}

/**
 * Measurements of one heart beat, from its R wave to the next (sim/README "Measurements, per beat").
 * Times are ms from the start of the run; pressures at the aortic root; null = not applicable.
 */
export interface BeatMetrics {
  index: number;
  rTimeMs: number;
  rrMs: number;
  kind: BeatKind;
  detectedAtMs: number | null;
  detectedPeakMs: number | null;
  assisted: boolean;
  notAssistedReason: string | null;
  pressureSetpointMmHg: number;
  systolicPeakMmHg: number;
  /** Highest pressure between valve closure and the next opening (the augmented peak when assisted). */
  diastolicPeakMmHg: number;
  /** Pressure at the next aortic valve opening. */
  endDiastolicMmHg: number;
  meanMmHg: number;
  valveOpenMs: number;
  /** Aortic valve closure (dicrotic notch). */
  valveClosureMs: number;
  nextValveOpenMs: number;
  ejectionMs: number;
  inflateCommandMs: number | null;
  /** First cuff to reach 90 % of the setpoint. */
  inflated90Ms: number | null;
  deflateCommandMs: number | null;
  /** All cuffs below 10 mmHg after the deflation command. */
  cuffsEmptyMs: number | null;
  /** Leg blood starts flowing back into the aorta (iliac flow reverses): augmentation reaches the root. */
  augmentationArrivalMs: number | null;
  strokeVolumeMl: number;
  cardiacOutputLPerMin: number;
  coronaryFlowMlPerMin: number;
  /** Tension-time index: area under LV pressure over the contraction (metrics/measure-beat.ts), mmHg*s. */
  ttiMmHgS: number;
  /** Diastolic pressure-time index: area between root and LV pressure in diastole, mmHg*s. */
  dptiMmHgS: number;
  dptiTtiRatio: number;
  plethSystolicAmplitude: number;
  plethDiastolicAmplitude: number;
  dsPeakRatio: number;
  dsAreaRatio: number;
  /** Augmentation arrival minus the natural (reference) valve closure, ms (negative = early inflation). */
  inflationErrorMs: number | null;
  /** Cuffs empty minus the natural (reference) next ejection onset, ms (positive = late deflation). */
  deflationErrorMs: number | null;
  beatClass: BeatClass;
  reference: ReferenceBeat;
}
