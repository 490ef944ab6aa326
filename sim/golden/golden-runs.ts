/**
 * Golden runs: for each scenario preset, a fixed run (seed, duration, ideal timing at 260 mmHg set at the
 * start) summarised to the figures a practitioner reads. Recorded in sim/golden/runs.json by
 * `npm run sim:golden` and checked by test/unit/sim/golden/golden-runs.test.ts, so any change of physiology,
 * detection or scoring shows up as a reviewed update of that file, never silently.
 */
import { idealTiming } from '../ideal-timing.ts';
import type { RunSummary } from '../metrics/summary.ts';
import type { Scenario } from '../scenarios.ts';
import { simulate } from '../simulate.ts';

export const GOLDEN_SEED = 20261203;
export const GOLDEN_DURATION_MS = 60_000;
export const GOLDEN_PRESSURE_MMHG = 260;

/** Figures kept to 4 significant digits: enough to catch a change, robust to the last bit of a platform's maths. */
function sig(value: number | null | undefined): number | null {
  if (value === null || value === undefined || !Number.isFinite(value)) return null;
  return Number(value.toPrecision(4));
}

export interface GoldenRun {
  scenarioId: string;
  beatCount: number;
  assistedBeatCount: number;
  classCounts: RunSummary['classCounts'];
  meanHeartRateBpm: number | null;
  detection: { trueBeats: number; detections: number; matched: number };
  assisted: Record<string, number | null> | null;
  changes: Record<string, number | null> | null;
  meanInflationErrorMs: number | null;
  meanDeflationErrorMs: number | null;
  alarms: string[];
}

export function goldenRun(scenario: Scenario): GoldenRun {
  const ideal = idealTiming({
    heartRateBpm: scenario.ecg.rhythm.heartRateBpm,
    patient: scenario.patient,
    pressureMmHg: GOLDEN_PRESSURE_MMHG,
  });
  const { summary } = simulate({
    scenario,
    seed: GOLDEN_SEED,
    durationMs: GOLDEN_DURATION_MS,
    controls: [
      {
        atMs: 0,
        patch: {
          pressureMmHg: GOLDEN_PRESSURE_MMHG,
          inflateDelayMs: Math.round(ideal.inflateDelayMs),
          deflateDelayMs: Math.round(ideal.deflateDelayMs),
        },
      },
    ],
  });
  const rounded = (o: object | null) =>
    o === null ? null : Object.fromEntries(Object.entries(o).map(([k, v]) => [k, sig(v as number)]));
  return {
    scenarioId: scenario.id,
    beatCount: summary.beatCount,
    assistedBeatCount: summary.assistedBeatCount,
    classCounts: summary.classCounts,
    meanHeartRateBpm: sig(summary.meanHeartRateBpm),
    detection: {
      trueBeats: summary.detection.trueBeats,
      detections: summary.detection.detections,
      matched: summary.detection.matched,
    },
    assisted: rounded(summary.assisted),
    changes: rounded(summary.changes),
    meanInflationErrorMs: sig(summary.meanInflationErrorMs),
    meanDeflationErrorMs: sig(summary.meanDeflationErrorMs),
    alarms: [...new Set(summary.alarms.map((a) => a.code))].sort(),
  };
}
