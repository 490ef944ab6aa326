/**
 * The timing-error study (sim/README "Timing errors at four heart rates"): ideal timing and each of the
 * four classic timing errors at a heart rate, run on a steady sinus rhythm and summarised to the console's
 * readouts, the rubric score and the alarms raised. Used by `npm run sim:timing-table` and by the tests of
 * validation targets 10, 11 and 3 of issue 12, so the table and the tests measure the same thing.
 *
 * Early inflation, late inflation and early deflation are shifts of the ideal delays in fractions of the
 * RR interval, so that each one is a clear case of its error at every rate (at 120 bpm diastole lasts
 * ~250 ms; a fixed 250 ms shift would move inflation past deflation). Late deflation is defined as IABP
 * teaching defines it, by the event it collides with: the deflation valves open after the ejection has
 * begun, so the LV opens against cuffs still at full pressure (Krishna & Zacharowski, Contin Educ Anaesth
 * Crit Care Pain 2009;9:24: the balloon deflates after the onset of systole). A deflation that starts
 * before ejection and finishes during it is not that error: deflation approaching or coinciding with the
 * onset of ejection lowered the systolic pressure-time index more (-27 % against -20 %) and raised the
 * diastolic one more than earlier deflation did, with cardiac output unchanged, though peak systolic
 * pressure fell less (43 patients; Kern et al., Am Heart J 1999;137:1129). The engine shows that zone in
 * its own table (sim/README, `npm run sim:timing-table`).
 */
import type { Alarm } from './device/alarms.ts';
import { idealTiming } from './ideal-timing.ts';
import { DEFAULT_RUBRIC, scoreAssessment } from './metrics/score.ts';
import type { BeatMetrics } from './model/beat.ts';
import type { Scenario } from './scenarios.ts';
import { simulate } from './simulate.ts';

export type TimingCase = 'ideal' | 'early-inflation' | 'late-inflation' | 'early-deflation' | 'late-deflation';
export const TIMING_CASES: readonly TimingCase[] = [
  'ideal',
  'early-inflation',
  'late-inflation',
  'early-deflation',
  'late-deflation',
];
export const STUDY_RATES_BPM: readonly number[] = [50, 70, 100, 120];

/** Shift of [inflation, deflation] delay from ideal, as a fraction of RR (late deflation: see below). */
export const TIMING_CASE_SHIFT_RR: Readonly<Record<Exclude<TimingCase, 'late-deflation'>, readonly [number, number]>> =
  Object.freeze({
    ideal: [0, 0],
    'early-inflation': [-0.15, 0],
    'late-inflation': [0.2, 0],
    'early-deflation': [0, -0.25],
  });

/**
 * Late deflation: the deflation valves open this long after the natural (unassisted) ejection onset, so the
 * cuffs are still at full pressure when the aortic valve opens (about 150 ms later than ideal at every
 * rate, as venting takes ~80 ms and ideal timing empties the cuffs 50 ms before ejection).
 */
export const LATE_DEFLATION_AFTER_EJECTION_MS = 20;

/**
 * Deflation later than ideal by this fraction of RR, the study's late deflation until issue 12: at 100-120
 * bpm the valves then open before ejection and the cuffs empty within its first 45 ms (a borderline
 * case, shown in its own table).
 */
export const BORDERLINE_LATE_DEFLATION_SHIFT_RR = 0.15;

export const STUDY_DURATION_MS = 50_000;
export const STUDY_SEED = 12;
export const STUDY_PRESSURE_MMHG = 260;

export interface TimingReadouts {
  heartRateBpm: number;
  case: TimingCase;
  inflateDelayMs: number;
  deflateDelayMs: number;
  beats: number;
  dsPeakRatio: number;
  dsAreaRatio: number;
  /** Augmented diastolic peak at the aortic root, mmHg (the console's "Augmented diastolic"). */
  augmentedDiastolicMmHg: number;
  strokeVolumeMl: number;
  cardiacOutputLPerMin: number;
  systolicMmHg: number;
  endDiastolicMmHg: number;
  ttiMmHgS: number;
  dptiMmHgS: number;
  /** Unassisted twin, same beats. */
  reference: {
    dsPeakRatio: number;
    systolicMmHg: number;
    endDiastolicMmHg: number;
    ttiMmHgS: number;
    dptiMmHgS: number;
    cardiacOutputLPerMin: number;
  };
  /** Share of the scored beats in each class. */
  dominantClass: BeatMetrics['beatClass'];
  score: number;
  passed: boolean;
  alarms: string[];
}

export function steadyStudyScenario(heartRateBpm: number): Scenario {
  return {
    id: 'timing-study',
    title: 'Timing study',
    description: 'Default patient, constant rate, normal HRV, clean ECG.',
    patient: {},
    ecg: { rhythm: { heartRateBpm, hrvLfAmplitudeMs: 15, hrvHfAmplitudeMs: 10 } },
    timeline: [],
  };
}

const mean = (v: number[]): number => (v.length === 0 ? Number.NaN : v.reduce((a, b) => a + b, 0) / v.length);

/** Readouts of one case; `delays` overrides the device delays (e.g. 70-bpm settings at another rate). */
export function runTimingCase(
  heartRateBpm: number,
  timingCase: TimingCase,
  delays?: { inflateDelayMs: number; deflateDelayMs: number },
): TimingReadouts {
  const rr = 60000 / heartRateBpm;
  let inflate: number;
  let deflate: number;
  if (delays) {
    inflate = delays.inflateDelayMs;
    deflate = delays.deflateDelayMs;
  } else {
    const ideal = idealTiming({ heartRateBpm, pressureMmHg: STUDY_PRESSURE_MMHG });
    if (timingCase === 'late-deflation') {
      inflate = ideal.inflateDelayMs;
      deflate = Math.round(ideal.nextEjectionAfterDetectionMs + LATE_DEFLATION_AFTER_EJECTION_MS);
    } else {
      const [si, sd] = TIMING_CASE_SHIFT_RR[timingCase];
      inflate = Math.max(0, Math.round(ideal.inflateDelayMs + si * rr));
      deflate = Math.max(0, Math.round(ideal.deflateDelayMs + sd * rr));
    }
  }
  const result = simulate({
    scenario: steadyStudyScenario(heartRateBpm),
    seed: STUDY_SEED,
    durationMs: STUDY_DURATION_MS,
    settings: { pressureMmHg: STUDY_PRESSURE_MMHG, inflateDelayMs: inflate, deflateDelayMs: deflate },
  });
  const assessment = scoreAssessment(result, DEFAULT_RUBRIC);
  const beats = result.beats.filter((b) => b.rTimeMs >= DEFAULT_RUBRIC.graceStartMs && b.assisted);
  const m = (f: (b: BeatMetrics) => number): number => mean(beats.map(f));
  const counts = new Map<BeatMetrics['beatClass'], number>();
  for (const b of beats) counts.set(b.beatClass, (counts.get(b.beatClass) ?? 0) + 1);
  let dominant: BeatMetrics['beatClass'] = 'not-assisted';
  let most = 0;
  for (const [k, n] of counts) {
    if (n > most) {
      most = n;
      dominant = k;
    }
  }
  const alarmCodes = (alarms: readonly Alarm[]): string[] => [...new Set(alarms.map((a) => a.code))];
  return {
    heartRateBpm,
    case: timingCase,
    inflateDelayMs: inflate,
    deflateDelayMs: deflate,
    beats: beats.length,
    dsPeakRatio: m((b) => b.dsPeakRatio),
    dsAreaRatio: m((b) => b.dsAreaRatio),
    augmentedDiastolicMmHg: m((b) => b.diastolicPeakMmHg),
    strokeVolumeMl: m((b) => b.strokeVolumeMl),
    cardiacOutputLPerMin: m((b) => b.cardiacOutputLPerMin),
    systolicMmHg: m((b) => b.systolicPeakMmHg),
    endDiastolicMmHg: m((b) => b.endDiastolicMmHg),
    ttiMmHgS: m((b) => b.ttiMmHgS),
    dptiMmHgS: m((b) => b.dptiMmHgS),
    reference: {
      dsPeakRatio: m((b) => b.reference.dsPeakRatio),
      systolicMmHg: m((b) => b.reference.systolicPeakMmHg),
      endDiastolicMmHg: m((b) => b.reference.endDiastolicMmHg),
      ttiMmHgS: m((b) => b.reference.ttiMmHgS),
      dptiMmHgS: m((b) => b.reference.dptiMmHgS),
      cardiacOutputLPerMin: m((b) => b.reference.cardiacOutputLPerMin),
    },
    dominantClass: dominant,
    score: assessment.score0to100,
    passed: assessment.passed,
    alarms: alarmCodes(result.summary.alarms),
  };
}

const f = (v: number, digits: number): string => (Number.isFinite(v) ? v.toFixed(digits) : '-');

/** The study as a markdown table (one row per rate and case). */
export function timingTableMarkdown(rows: readonly TimingReadouts[]): string {
  const head =
    '| HR bpm | timing | inflate/deflate ms | class | D/S peak | D/S area | SV mL | CO L/min | systolic mmHg | end-diastolic mmHg | TTI mmHg·s | DPTI mmHg·s | score | alarms |';
  const sep = '|---|---|---|---|---|---|---|---|---|---|---|---|---|---|';
  const lines = rows.map(
    (r) =>
      `| ${r.heartRateBpm} | ${r.case} | ${r.inflateDelayMs}/${r.deflateDelayMs} | ${r.dominantClass} | ${f(r.dsPeakRatio, 2)} | ${f(r.dsAreaRatio, 2)} | ${f(r.strokeVolumeMl, 1)} | ${f(r.cardiacOutputLPerMin, 2)} | ${f(r.systolicMmHg, 1)} | ${f(r.endDiastolicMmHg, 1)} | ${f(r.ttiMmHgS, 1)} | ${f(r.dptiMmHgS, 1)} | ${f(r.score, 1)}${r.passed ? '' : ' (fail)'} | ${r.alarms.length ? r.alarms.join(', ') : '-'} |`,
  );
  return [head, sep, ...lines].join('\n');
}
