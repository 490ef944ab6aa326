/**
 * Measure one complete beat from the signal history (sim/README "Measurements, per beat").
 * Pleth values use the low-passed upper-body pressure before the display delay (a pure delay does not
 * change amplitudes or areas). Timing errors are measured against the unassisted reference circulation
 * running in lockstep on the same beats: its valve closure is the natural dicrotic notch and its next
 * opening the natural ejection onset, which the assistance itself would otherwise move (early inflation
 * closes the valve early; late deflation delays the next opening).
 */
import type { DetectionRecord } from '../device/controller.ts';
import type { BeatKind } from '../ecg/index.ts';
import type { BeatMetrics } from '../model/beat.ts';
import { classifyBeat, type TimingWindows } from './classify.ts';
import type { HaemodynamicChannels, SignalHistory } from './history.ts';

/** Cuff counted as inflated at 90 % of setpoint and empty below 10 mmHg (sim/README). */
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

interface Haemodynamics {
  openStep: number;
  closeStep: number;
  nextOpenStep: number;
  systolicPeakMmHg: number;
  diastolicPeakMmHg: number;
  endDiastolicMmHg: number;
  meanMmHg: number;
  strokeVolumeMl: number;
  cardiacOutputLPerMin: number;
  coronaryFlowMlPerMin: number;
  ttiMmHgS: number;
  dptiMmHgS: number;
  plethSystolic: number;
  plethDiastolic: number;
  dsPeakRatio: number;
  dsAreaRatio: number;
}

/**
 * `naturalCloseStep`: the unassisted twin's valve closure (the natural dicrotic notch), where the area ratio
 * splits systole from diastole; undefined for the twin itself (its own closure).
 */
function measureHaemodynamics(
  h: SignalHistory,
  ch: HaemodynamicChannels,
  w: BeatWindow,
  naturalCloseStep?: number,
): Haemodynamics {
  const dt = w.dtMs;
  const dtS = dt / 1000;
  const q = ch.aorticFlowMlPerS;
  const root = ch.rootMmHg;
  let open = w.rStep;
  for (let s = w.rStep; s <= w.nextRStep; s++) {
    if (q[h.at(s)]! > 0) {
      open = s;
      break;
    }
  }
  let close = w.nextRStep;
  for (let s = open; s <= w.endStep; s++) {
    if (q[h.at(s)]! <= 0) {
      close = s;
      break;
    }
  }
  let nextOpen = w.endStep;
  for (let s = Math.max(w.nextRStep, close + 1); s <= w.endStep; s++) {
    if (q[h.at(s)]! > 0) {
      nextOpen = s;
      break;
    }
  }
  let sys = -Infinity;
  let tti = 0;
  let sv = 0;
  for (let s = w.rStep; s <= close; s++) {
    const i = h.at(s);
    if (root[i]! > sys) sys = root[i]!;
    if (s >= open) sv += q[i]! * dtS;
  }
  // Tension-time index: the area under the LV pressure curve over the contraction (Sarnoff et al., Am J
  // Physiol 1958;192:148; Buckberg et al., Circ Res 1972;30:67), from the R (LV pressure starts to rise
  // within ~10 ms of it) until the LV has relaxed to its end-diastolic pressure (mitral opening). The
  // isovolumic phases count: an LV whose valve an early augmentation closes keeps contracting against
  // a closed valve, and one that must first exceed a still-augmented aortic pressure spends longer in
  // isovolumic contraction; both cost oxygen (Sarnoff 1958: O2 use follows the pressure-time area).
  const lv = ch.lvMmHg;
  const relaxedMmHg = lv[h.at(w.rStep)]! + 5;
  for (let s = w.rStep; s <= w.endStep; s++) {
    const p = lv[h.at(s)]!;
    if (s > close && p <= relaxedMmHg) break;
    tti += p * dtS;
  }
  let dia = -Infinity;
  let dpti = 0;
  for (let s = close; s < nextOpen; s++) {
    const i = h.at(s);
    if (root[i]! > dia) dia = root[i]!;
    dpti += (root[i]! - ch.lvMmHg[i]!) * dtS;
  }
  let sum = 0;
  let cor = 0;
  for (let s = w.rStep; s < w.nextRStep; s++) {
    const i = h.at(s);
    sum += root[i]!;
    cor += ch.coronaryFlowMlPerS[i]! * dtS;
  }
  const n = Math.max(1, w.nextRStep - w.rStep);
  const rrS = n * dtS;
  // Pleth: both amplitudes above the end-diastolic trough, i.e. the foot that ends this beat's diastole
  // (at the next valve opening), which is where unloading by deflation shows.
  const pl = ch.plethMmHg;
  let trough = Infinity;
  const footTo = Math.min(w.endStep, nextOpen + Math.round(40 / dt));
  for (let s = Math.max(close, nextOpen - Math.round(60 / dt)); s <= footTo; s++) {
    trough = Math.min(trough, pl[h.at(s)]!);
  }
  // Areas (the ratio of diastolic to systolic pressure area of the finger pleth: Michaels et al., Clin
  // Cardiol 2001;24:453, after Suresh et al., Clin Cardiol 1998;21:649) need a
  // baseline the curve does not go below, or a dip under it counts as negative area: with late deflation
  // the end-diastolic foot stays high while the pleth falls below it between the notch and the late
  // augmentation, and the area ratio went negative (issue 12). The area baseline is therefore the beat's
  // lowest pleth from its valve opening to its end-diastolic foot; on a beat whose foot is its lowest
  // point (every well-timed beat) that is the same trough as the amplitudes use.
  let areaBase = trough;
  for (let s = open; s < nextOpen; s++) areaBase = Math.min(areaBase, pl[h.at(s)]!);
  // The areas split at the natural notch (the unassisted twin's valve closure, as the timing errors are
  // measured): an early inflation closes the valve early, and splitting at that closure would move the
  // start of the augmentation into the diastolic area and shorten the systolic one, so that the area
  // ratio rewarded the error (2.95 against 2.32 at 70 bpm until issue 12).
  const split = Math.min(nextOpen, Math.max(open + 1, naturalCloseStep ?? close));
  let sPeak = -Infinity;
  let sArea = 0;
  for (let s = open; s < close; s++) {
    const v = pl[h.at(s)]!;
    if (v > sPeak) sPeak = v;
  }
  for (let s = open; s < split; s++) sArea += (pl[h.at(s)]! - areaBase) * dtS;
  let dPeak = -Infinity;
  let dArea = 0;
  for (let s = close; s < nextOpen; s++) {
    const v = pl[h.at(s)]!;
    if (v > dPeak) dPeak = v;
  }
  for (let s = split; s < nextOpen; s++) dArea += (pl[h.at(s)]! - areaBase) * dtS;
  const sAmp = sPeak - trough;
  const dAmp = dPeak - trough;
  return {
    openStep: open,
    closeStep: close,
    nextOpenStep: nextOpen,
    systolicPeakMmHg: sys,
    diastolicPeakMmHg: dia,
    endDiastolicMmHg: root[h.at(nextOpen)]!,
    meanMmHg: sum / n,
    strokeVolumeMl: sv,
    cardiacOutputLPerMin: (sv * 60) / rrS / 1000,
    coronaryFlowMlPerMin: (cor * 60) / rrS,
    ttiMmHgS: tti,
    dptiMmHgS: dpti,
    plethSystolic: sAmp,
    plethDiastolic: dAmp,
    dsPeakRatio: sAmp > 0 ? dAmp / sAmp : 0,
    dsAreaRatio: sArea > 0 ? dArea / sArea : 0,
  };
}

function firstStep(from: number, to: number, h: SignalHistory, predicate: (i: number) => boolean): number {
  for (let s = from; s <= to; s++) if (predicate(h.at(s))) return s;
  return -1;
}

export function measureBeat(h: SignalHistory, w: BeatWindow): BeatMetrics {
  const dt = w.dtMs;
  const r = measureHaemodynamics(h, h.reference, w);
  const a = measureHaemodynamics(h, h.assisted, w, r.closeStep);
  const rec = w.record;
  const setpoint = rec ? rec.settings.pressureMmHg : 0;
  const toMs = (step: number): number => step * dt;
  const fromMs = (ms: number): number => Math.round(ms / dt);
  const firstCmd = rec ? (rec.inflateCommandMs.find((t) => !Number.isNaN(t)) ?? Number.NaN) : Number.NaN;
  const assisted = rec !== null && rec.assisted && !Number.isNaN(firstCmd);
  let inflated90: number | null = null;
  let deflateCmd: number | null = null;
  let empty: number | null = null;
  let arrival: number | null = null;
  if (rec && assisted) {
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
  const inflationError = arrival === null ? null : arrival - toMs(r.closeStep);
  // Not yet empty at the end of the available history counts as empty then (late by at least that much).
  const emptyOrEnd = deflateCmd === null ? null : (empty ?? toMs(w.endStep));
  const deflationError = emptyOrEnd === null ? null : emptyOrEnd - toMs(r.nextOpenStep);
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
    systolicPeakMmHg: a.systolicPeakMmHg,
    diastolicPeakMmHg: a.diastolicPeakMmHg,
    endDiastolicMmHg: a.endDiastolicMmHg,
    meanMmHg: a.meanMmHg,
    valveOpenMs: toMs(a.openStep),
    valveClosureMs: toMs(a.closeStep),
    nextValveOpenMs: toMs(a.nextOpenStep),
    ejectionMs: toMs(a.closeStep - a.openStep),
    inflateCommandMs: assisted ? firstCmd : null,
    inflated90Ms: inflated90,
    deflateCommandMs: deflateCmd,
    cuffsEmptyMs: empty,
    augmentationArrivalMs: arrival,
    strokeVolumeMl: a.strokeVolumeMl,
    cardiacOutputLPerMin: a.cardiacOutputLPerMin,
    coronaryFlowMlPerMin: a.coronaryFlowMlPerMin,
    ttiMmHgS: a.ttiMmHgS,
    dptiMmHgS: a.dptiMmHgS,
    dptiTtiRatio: a.ttiMmHgS > 0 ? a.dptiMmHgS / a.ttiMmHgS : 0,
    plethSystolicAmplitude: a.plethSystolic,
    plethDiastolicAmplitude: a.plethDiastolic,
    dsPeakRatio: a.dsPeakRatio,
    dsAreaRatio: a.dsAreaRatio,
    inflationErrorMs: inflationError,
    deflationErrorMs: deflationError,
    beatClass: classifyBeat(assisted, inflationError, deflationError, w.windows),
    reference: {
      systolicPeakMmHg: r.systolicPeakMmHg,
      endDiastolicMmHg: r.endDiastolicMmHg,
      meanMmHg: r.meanMmHg,
      dptiMmHgS: r.dptiMmHgS,
      ttiMmHgS: r.ttiMmHgS,
      cardiacOutputLPerMin: r.cardiacOutputLPerMin,
      dsPeakRatio: r.dsPeakRatio,
      valveClosureMs: toMs(r.closeStep),
      nextValveOpenMs: toMs(r.nextOpenStep),
    },
  };
}
