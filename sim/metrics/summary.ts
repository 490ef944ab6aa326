import type { Alarm } from '../device/alarms.ts';
import { BEAT_CLASSES, type BeatClass, type BeatMetrics } from '../model/beat.ts';

export interface BeatMeans {
  beats: number;
  meanMapMmHg: number;
  meanSystolicPeakMmHg: number;
  meanDiastolicPeakMmHg: number;
  meanEndDiastolicMmHg: number;
  meanCardiacOutputLPerMin: number;
  meanStrokeVolumeMl: number;
  meanDptiMmHgS: number;
  meanTtiMmHgS: number;
  meanDsPeakRatio: number;
  meanDsAreaRatio: number;
  /** Median D/S: robust to the odd ratio of a beat after an ectopic one. */
  medianDsPeakRatio: number;
  meanEjectionMs: number;
  meanCoronaryFlowMlPerMin: number;
}

export interface ReferenceMeans {
  beats: number;
  meanMapMmHg: number;
  meanSystolicPeakMmHg: number;
  meanEndDiastolicMmHg: number;
  meanCardiacOutputLPerMin: number;
  meanDptiMmHgS: number;
  meanTtiMmHgS: number;
  medianDsPeakRatio: number;
}

export function referenceMeans(beats: BeatMetrics[]): ReferenceMeans | null {
  if (beats.length === 0) return null;
  const m = (f: (b: BeatMetrics) => number): number => mean(beats.map(f));
  return {
    beats: beats.length,
    meanMapMmHg: m((b) => b.reference.meanMmHg),
    meanSystolicPeakMmHg: m((b) => b.reference.systolicPeakMmHg),
    meanEndDiastolicMmHg: m((b) => b.reference.endDiastolicMmHg),
    meanCardiacOutputLPerMin: m((b) => b.reference.cardiacOutputLPerMin),
    meanDptiMmHgS: m((b) => b.reference.dptiMmHgS),
    meanTtiMmHgS: m((b) => b.reference.ttiMmHgS),
    medianDsPeakRatio: median(beats.map((b) => b.reference.dsPeakRatio)),
  };
}

export interface DetectionStats {
  trueBeats: number;
  detections: number;
  matched: number;
  sensitivity: number;
  positivePredictivity: number;
}

export interface RunSummary {
  durationMs: number;
  beatCount: number;
  assistedBeatCount: number;
  classCounts: Record<BeatClass, number>;
  meanHeartRateBpm: number;
  /** Means over every measured beat. */
  all: BeatMeans | null;
  /** Means over assisted beats. */
  assisted: BeatMeans | null;
  /** Means over the same (assisted) beats in the unassisted reference circulation. */
  reference: ReferenceMeans | null;
  /** Assisted relative to reference, same beats. */
  changes: {
    mapPct: number;
    cardiacOutputPct: number;
    dptiPct: number;
    endDiastolicMmHg: number;
    systolicPeakMmHg: number;
  } | null;
  meanInflationErrorMs: number | null;
  meanDeflationErrorMs: number | null;
  detection: DetectionStats;
  alarms: Alarm[];
  maxCuffPressureMmHg: number;
  minCuffPressureMmHg: number;
  /** Relative change of total blood volume over the run. */
  volumeDriftFraction: number;
  /** Times of scripted scenario events, ms (for grace windows). */
  eventTimesMs: number[];
}

function mean(values: number[]): number {
  if (values.length === 0) return Number.NaN;
  let s = 0;
  for (const v of values) s += v;
  return s / values.length;
}

function median(values: number[]): number {
  const s = values.slice().sort((a, b) => a - b);
  const n = s.length;
  if (n === 0) return Number.NaN;
  return n % 2 ? s[n >> 1]! : (s[n / 2 - 1]! + s[n / 2]!) / 2;
}

export function beatMeans(beats: BeatMetrics[]): BeatMeans | null {
  if (beats.length === 0) return null;
  const m = (f: (b: BeatMetrics) => number): number => mean(beats.map(f));
  return {
    beats: beats.length,
    meanMapMmHg: m((b) => b.meanMmHg),
    meanSystolicPeakMmHg: m((b) => b.systolicPeakMmHg),
    meanDiastolicPeakMmHg: m((b) => b.diastolicPeakMmHg),
    meanEndDiastolicMmHg: m((b) => b.endDiastolicMmHg),
    meanCardiacOutputLPerMin: m((b) => b.cardiacOutputLPerMin),
    meanStrokeVolumeMl: m((b) => b.strokeVolumeMl),
    meanDptiMmHgS: m((b) => b.dptiMmHgS),
    meanTtiMmHgS: m((b) => b.ttiMmHgS),
    meanDsPeakRatio: m((b) => b.dsPeakRatio),
    meanDsAreaRatio: m((b) => b.dsAreaRatio),
    medianDsPeakRatio: median(beats.map((b) => b.dsPeakRatio)),
    meanEjectionMs: m((b) => b.ejectionMs),
    meanCoronaryFlowMlPerMin: m((b) => b.coronaryFlowMlPerMin),
  };
}

/** Greedy one-to-one matching within a window (ANSI/AAMI EC57 style), both lists sorted. */
export function detectionStats(trueMs: number[], detectedMs: number[], windowMs: number): DetectionStats {
  let j = 0;
  let matched = 0;
  for (const r of trueMs) {
    while (j < detectedMs.length && detectedMs[j]! < r - windowMs) j++;
    if (j < detectedMs.length && Math.abs(detectedMs[j]! - r) <= windowMs) {
      matched++;
      j++;
    }
  }
  return {
    trueBeats: trueMs.length,
    detections: detectedMs.length,
    matched,
    sensitivity: trueMs.length === 0 ? 1 : matched / trueMs.length,
    positivePredictivity: detectedMs.length === 0 ? 1 : matched / detectedMs.length,
  };
}

export interface SummaryInput {
  durationMs: number;
  beats: BeatMetrics[];
  detection: DetectionStats;
  alarms: Alarm[];
  maxCuffPressureMmHg: number;
  minCuffPressureMmHg: number;
  volumeDriftFraction: number;
  eventTimesMs: number[];
}

export function summarizeRun(input: SummaryInput): RunSummary {
  const { beats } = input;
  const classCounts = Object.fromEntries(BEAT_CLASSES.map((c) => [c, 0])) as Record<BeatClass, number>;
  for (const b of beats) classCounts[b.beatClass]++;
  const assisted = beats.filter((b) => b.assisted);
  const a = beatMeans(assisted);
  const r = referenceMeans(assisted);
  const infl = assisted.map((b) => b.inflationErrorMs).filter((v): v is number => v !== null);
  const defl = assisted.map((b) => b.deflationErrorMs).filter((v): v is number => v !== null);
  const rrs = beats.map((b) => b.rrMs).filter((v) => Number.isFinite(v) && v > 0);
  return {
    durationMs: input.durationMs,
    beatCount: beats.length,
    assistedBeatCount: assisted.length,
    classCounts,
    meanHeartRateBpm: rrs.length ? 60000 / mean(rrs) : 0,
    all: beatMeans(beats),
    assisted: beatMeans(assisted),
    reference: r,
    changes:
      a && r
        ? {
            mapPct: (100 * (a.meanMapMmHg - r.meanMapMmHg)) / r.meanMapMmHg,
            cardiacOutputPct:
              (100 * (a.meanCardiacOutputLPerMin - r.meanCardiacOutputLPerMin)) / r.meanCardiacOutputLPerMin,
            dptiPct: (100 * (a.meanDptiMmHgS - r.meanDptiMmHgS)) / r.meanDptiMmHgS,
            endDiastolicMmHg: a.meanEndDiastolicMmHg - r.meanEndDiastolicMmHg,
            systolicPeakMmHg: a.meanSystolicPeakMmHg - r.meanSystolicPeakMmHg,
          }
        : null,
    meanInflationErrorMs: infl.length ? mean(infl) : null,
    meanDeflationErrorMs: defl.length ? mean(defl) : null,
    detection: input.detection,
    alarms: input.alarms,
    maxCuffPressureMmHg: input.maxCuffPressureMmHg,
    minCuffPressureMmHg: input.minCuffPressureMmHg,
    volumeDriftFraction: input.volumeDriftFraction,
    eventTimesMs: input.eventTimesMs,
  };
}
