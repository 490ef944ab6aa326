/**
 * Ideal device timing for a patient at a heart rate, found on the engine itself: inflate so that the
 * augmentation reaches the aortic root at the dicrotic notch, deflate so that the cuffs are empty just
 * before the next ejection (target DEFLATION_MARGIN_MS early). Two short runs: one unassisted to find
 * valve closure and opening relative to the detected R, one assisted to correct for the cuff rise and
 * emptying times, then a correction of both delays by the measured errors.
 */
import type { Patient } from './model/patient.ts';
import type { Scenario } from './scenarios.ts';
import { simulate } from './simulate.ts';
import { weisslerQs2Ms } from './systolic-time-intervals.ts';

/** Target for "cuffs empty" before the next ejection onset, ms (inside the 0..150 ms window). */
export const DEFLATION_MARGIN_MS = 50;
const RUN_MS = 16000;
/** Beats before this are the warm-up of the device's rhythm learning. */
const SETTLE_MS = 6000;

export interface IdealTiming {
  heartRateBpm: number;
  inflateDelayMs: number;
  deflateDelayMs: number;
  /** Median detected-R -> aortic valve closure, ms. */
  closureAfterDetectionMs: number;
  /** Median detected-R -> next aortic valve opening, ms. */
  nextEjectionAfterDetectionMs: number;
  /** Median detection latency (decision - true R), ms. */
  detectionLatencyMs: number;
  /** Weissler's QS2 for men, 546 - 2.1 HR ms (systolic-time-intervals.ts), for comparison. */
  weisslerQs2Ms: number;
}

function median(v: number[]): number {
  const s = v.slice().sort((a, b) => a - b);
  if (s.length === 0) return Number.NaN;
  const m = s.length >> 1;
  return s.length % 2 ? s[m]! : (s[m - 1]! + s[m]!) / 2;
}

export function idealTiming(options: {
  heartRateBpm: number;
  patient?: Partial<Patient>;
  pressureMmHg?: number;
  stageDelayMs?: number;
}): IdealTiming {
  const hr = options.heartRateBpm;
  const scenario: Scenario = {
    id: 'ideal-timing',
    title: 'Ideal timing probe',
    description: 'Regular sinus rhythm without variability, clean ECG.',
    patient: options.patient ?? {},
    ecg: { rhythm: { heartRateBpm: hr, hrvLfAmplitudeMs: 0, hrvHfAmplitudeMs: 0 } },
    timeline: [],
  };
  const base = simulate({ scenario, seed: 1, durationMs: RUN_MS }).beats.filter(
    (b) => b.rTimeMs > SETTLE_MS && b.detectedAtMs !== null,
  );
  const closure = median(base.map((b) => b.valveClosureMs - b.detectedAtMs!));
  const nextOpen = median(base.map((b) => b.nextValveOpenMs - b.detectedAtMs!));
  const latency = median(base.map((b) => b.detectedAtMs! - b.rTimeMs));
  let inflate = closure - 40;
  let deflate = nextOpen - DEFLATION_MARGIN_MS - 80;
  for (let pass = 0; pass < 2; pass++) {
    const assisted = simulate({
      scenario,
      seed: 1,
      durationMs: RUN_MS,
      settings: {
        inflateDelayMs: Math.max(0, inflate),
        deflateDelayMs: Math.max(0, deflate),
        pressureMmHg: options.pressureMmHg ?? 260,
        stageDelayMs: options.stageDelayMs ?? 40,
      },
    }).beats.filter((b) => b.rTimeMs > SETTLE_MS && b.assisted);
    const infErr = median(assisted.map((b) => b.inflationErrorMs).filter((v): v is number => v !== null));
    const defErr = median(assisted.map((b) => b.deflationErrorMs).filter((v): v is number => v !== null));
    if (Number.isFinite(infErr)) inflate -= infErr;
    if (Number.isFinite(defErr)) deflate -= defErr + DEFLATION_MARGIN_MS;
  }
  return {
    heartRateBpm: hr,
    inflateDelayMs: Math.round(Math.max(0, inflate)),
    deflateDelayMs: Math.round(Math.max(0, deflate)),
    closureAfterDetectionMs: closure,
    nextEjectionAfterDetectionMs: nextOpen,
    detectionLatencyMs: latency,
    weisslerQs2Ms: weisslerQs2Ms(hr),
  };
}
