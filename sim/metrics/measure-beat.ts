/**
 * Measure one complete beat from the signal history (SIM-SPEC "Measurements, per beat").
 * Pleth values use the low-passed upper-body pressure before the display delay (a pure delay does not
 * change amplitudes or areas).
 */

import type { DetectionRecord } from '../device/controller.ts';
import type { BeatKind } from '../ecg/index.ts';
import type { BeatMetrics } from '../model/beat.ts';
import { classifyBeat, type TimingWindows } from './classify.ts';
import type { SignalHistory } from './history.ts';

/** Cuff counted as inflated at 90 % of setpoint and empty below 10 mmHg (SIM-SPEC). */
export const INFLATED_FRACTION = 0.9;
export const EMPTY_CUFF_MMHG = 10;

export interface BeatWindow {
  index: number;
  rStep: number;
  nextRStep: number;
  rTimeMs: number;
  rrMs: number;
  kind: BeatKind;
  /** Last step available in the history. */
  endStep: number;
  dtMs: number;
  record: DetectionRecord | null;
  windows: TimingWindows;
}

function firstStep(from: number, to: number, h: SignalHistory, predicate: (i: number) => boolean): number {
  for (let s = from; s <= to; s++) if (predicate(h.at(s))) return s;
  return -1;
}

export function measureBeat(h: SignalHistory, w: BeatWindow): BeatMetrics {
  const dt = w.dtMs;
  const dtS = dt / 1000;
  const q = h.aorticFlowMlPerS;
  const root = h.rootMmHg;
  const openStep = firstStep(w.rStep, w.nextRStep, h, (i) => q[i]! > 0);
  const open = openStep < 0 ? w.rStep : openStep;
  let close = firstStep(open, w.endStep, h, (i) => q[i]! <= 0);
  if (close < 0) close = w.nextRStep;
  let nextOpen = firstStep(Math.max(w.nextRStep, close + 1), w.endStep, h, (i) => q[i]! > 0);
  if (nextOpen < 0) nextOpen = w.endStep;

  let sys = -Infinity;
  let tti = 0;
  let sv = 0;
  for (let s = w.rStep; s <= close; s++) {
    const i = h.at(s);
    if (root[i]! > sys) sys = root[i]!;
    if (s >= open) {
      tti += root[i]! * dtS;
      sv += q[i]! * dtS;
    }
  }
  let dia = -Infinity;
  let dpti = 0;
  for (let s = close; s < nextOpen; s++) {
    const i = h.at(s);
    if (root[i]! > dia) dia = root[i]!;
    dpti += (root[i]! - h.lvMmHg[i]!) * dtS;
  }
  const edp = root[h.at(nextOpen)]!;
  let sum = 0;
  let cor = 0;
  for (let s = w.rStep; s < w.nextRStep; s++) {
    const i = h.at(s);
    sum += root[i]!;
    cor += h.coronaryFlowMlPerS[i]! * dtS;
  }
  const n = Math.max(1, w.nextRStep - w.rStep);
  const rrS = n * dtS;

  // Pleth: both amplitudes above the end-diastolic trough, i.e. the foot that ends this beat's diastole
  // (at the next valve opening), which is where unloading by deflation shows.
  const pl = h.plethMmHg;
  let trough = Infinity;
  const footFrom = Math.max(close, nextOpen - Math.round(60 / dt));
  const footTo = Math.min(w.endStep, nextOpen + Math.round(40 / dt));
  for (let s = footFrom; s <= footTo; s++) trough = Math.min(trough, pl[h.at(s)]!);
  let sPeak = -Infinity;
  let sArea = 0;
  for (let s = open; s < close; s++) {
    const v = pl[h.at(s)]!;
    if (v > sPeak) sPeak = v;
    sArea += (v - trough) * dtS;
  }
  let dPeak = -Infinity;
  let dArea = 0;
  for (let s = close; s < nextOpen; s++) {
    const v = pl[h.at(s)]!;
    if (v > dPeak) dPeak = v;
    dArea += (v - trough) * dtS;
  }
  const sAmp = sPeak - trough;
  const dAmp = dPeak - trough;

  const rec = w.record;
  const setpoint = rec ? rec.settings.pressureMmHg : 0;
  const toMs = (step: number): number => step * dt;
  const fromMs = (ms: number): number => Math.round(ms / dt);
  let inflateCmd: number | null = null;
  let inflated90: number | null = null;
  let deflateCmd: number | null = null;
  let empty: number | null = null;
  let arrival: number | null = null;
  const assisted =
    rec !== null && rec.assisted && !Number.isNaN(rec.inflateCommandMs.find((t) => !Number.isNaN(t)) ?? Number.NaN);
  if (rec && assisted) {
    const firstCmd = rec.inflateCommandMs.find((t) => !Number.isNaN(t)) ?? Number.NaN;
    inflateCmd = firstCmd;
    const cmdStep = fromMs(firstCmd);
    const c0 = h.cuff0MmHg;
    const c1 = h.cuff1MmHg;
    const c2 = h.cuff2MmHg;
    const target = INFLATED_FRACTION * setpoint;
    const s90 = firstStep(cmdStep, w.endStep, h, (i) => c0[i]! >= target || c1[i]! >= target || c2[i]! >= target);
    inflated90 = s90 < 0 ? null : toMs(s90);
    const il = h.iliacFlowMlPerS;
    const sArr = firstStep(cmdStep, w.endStep, h, (i) => il[i]! < 0);
    arrival = sArr < 0 ? null : toMs(sArr);
    if (!Number.isNaN(rec.deflateCommandMs)) {
      deflateCmd = rec.deflateCommandMs;
      const sEmpty = firstStep(
        fromMs(rec.deflateCommandMs),
        w.endStep,
        h,
        (i) => c0[i]! < EMPTY_CUFF_MMHG && c1[i]! < EMPTY_CUFF_MMHG && c2[i]! < EMPTY_CUFF_MMHG,
      );
      empty = sEmpty < 0 ? null : toMs(sEmpty);
    }
  }
  const inflationError = arrival === null ? null : arrival - toMs(close);
  // Not yet empty at the end of the available history counts as empty then (late by at least that much).
  const emptyOrEnd = deflateCmd === null ? null : (empty ?? toMs(w.endStep));
  const deflationError = emptyOrEnd === null ? null : emptyOrEnd - toMs(nextOpen);
  return {
    index: w.index,
    rTimeMs: w.rTimeMs,
    rrMs: w.rrMs,
    kind: w.kind,
    detectedAtMs: rec ? rec.detectedAtMs : null,
    detectedPeakMs: rec ? rec.peakMs : null,
    assisted,
    notAssistedReason: rec ? (assisted ? null : (rec.notAssistedReason ?? 'no-inflation')) : 'not-detected',
    pressureSetpointMmHg: setpoint,
    systolicPeakMmHg: sys,
    diastolicPeakMmHg: dia,
    endDiastolicMmHg: edp,
    meanMmHg: sum / n,
    valveOpenMs: toMs(open),
    valveClosureMs: toMs(close),
    nextValveOpenMs: toMs(nextOpen),
    ejectionMs: toMs(close - open),
    inflateCommandMs: inflateCmd,
    inflated90Ms: inflated90,
    deflateCommandMs: deflateCmd,
    cuffsEmptyMs: empty,
    augmentationArrivalMs: arrival,
    strokeVolumeMl: sv,
    cardiacOutputLPerMin: (sv * 60) / rrS / 1000,
    coronaryFlowMlPerMin: (cor * 60) / rrS,
    ttiMmHgS: tti,
    dptiMmHgS: dpti,
    dptiTtiRatio: tti > 0 ? dpti / tti : 0,
    plethSystolicAmplitude: sAmp,
    plethDiastolicAmplitude: dAmp,
    dsPeakRatio: sAmp > 0 ? dAmp / sAmp : 0,
    dsAreaRatio: sArea > 0 ? dArea / sArea : 0,
    inflationErrorMs: inflationError,
    deflationErrorMs: deflationError,
    beatClass: classifyBeat(assisted, inflationError, deflationError, w.windows),
    reference: null,
  };
}
