import type { Assessment, BeatClass, EvidenceRow } from '#sim/index.ts';

/** Consecutive fully good beats that count as "good settings found". */
export const GOOD_RUN_BEATS = 5;

function allGood(e: EvidenceRow): boolean {
  return e.inflationOk && e.deflationOk && e.augmentationOk && e.pressureOk;
}

/**
 * Time from the start to the first beat of the first run of `runBeats` beats that meet every rubric
 * criterion (timing windows, D/S target, pressure range), ms; null when no such run happened. Beats the
 * device declined to assist neither break nor extend a run.
 */
export function timeToFirstGoodSettingsMs(evidence: readonly EvidenceRow[], runBeats = GOOD_RUN_BEATS): number | null {
  let runStart: number | null = null;
  let run = 0;
  for (const e of evidence) {
    if (e.excludedBecause === 'device-declined') continue;
    if (allGood(e)) {
      if (run === 0) runStart = e.rTimeMs;
      run++;
      if (run >= runBeats) return runStart;
    } else {
      run = 0;
      runStart = null;
    }
  }
  return null;
}

export interface PracticeSummary {
  durationMs: number;
  score0to100: number;
  passed: boolean;
  criteria: Assessment['criteria'];
  failures: string[];
  timeToGoodMs: number | null;
  classCounts: Record<BeatClass, number>;
  beatCount: number;
}

/** The label a class gets in the summary table. */
export const CLASS_LABELS: Readonly<Record<BeatClass, string>> = Object.freeze({
  ok: 'Good timing',
  'early-inflation': 'Early inflation',
  'late-inflation': 'Late inflation',
  'early-deflation': 'Early deflation',
  'late-deflation': 'Late deflation',
  'not-assisted': 'Not assisted',
});
