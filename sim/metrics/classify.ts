import type { BeatClass } from '../model/beat.ts';

/**
 * Timing windows used to classify a beat. Inflation error = augmentation arrival at the root minus valve
 * closure; deflation error = cuffs empty minus next ejection onset. The classic IABP rules (inflate at the
 * dicrotic notch, be empty just before ejection; e.g. Bolooki, Clinical Application of the IABP, 3rd ed.)
 * translated into windows: arrival within -40..+60 ms of closure, cuffs empty 0-150 ms before ejection.
 */
export interface TimingWindows {
  inflationEarlyMs: number;
  inflationLateMs: number;
  deflationEarlyMs: number;
  deflationLateMs: number;
}

export const DEFAULT_TIMING_WINDOWS: Readonly<TimingWindows> = Object.freeze({
  inflationEarlyMs: -40,
  inflationLateMs: 60,
  deflationEarlyMs: -150,
  deflationLateMs: 0,
});

/** Most harmful error first: late deflation and early inflation raise afterload. */
export function classifyBeat(
  assisted: boolean,
  inflationErrorMs: number | null,
  deflationErrorMs: number | null,
  w: TimingWindows = DEFAULT_TIMING_WINDOWS,
): BeatClass {
  if (!assisted || inflationErrorMs === null) return 'not-assisted';
  if (deflationErrorMs !== null && deflationErrorMs > w.deflationLateMs) return 'late-deflation';
  if (inflationErrorMs < w.inflationEarlyMs) return 'early-inflation';
  if (inflationErrorMs > w.inflationLateMs) return 'late-inflation';
  if (deflationErrorMs !== null && deflationErrorMs < w.deflationEarlyMs) return 'early-deflation';
  return 'ok';
}
