/** Largest simulated advance per worker tick, ms: a late timer (background tab, GC pause) loses time, not beats. */
export const MAX_ADVANCE_PER_TICK_MS = 100;

/**
 * How far to advance the simulation on a tick: the wall-clock time since the last tick, capped at
 * MAX_ADVANCE_PER_TICK_MS and at the run's end, never negative.
 */
export function advanceForTickMs(
  wallNowMs: number,
  lastWallMs: number,
  simTimeMs: number,
  durationMs: number | null,
  capMs = MAX_ADVANCE_PER_TICK_MS,
): number {
  const elapsed = Math.min(capMs, Math.max(0, wallNowMs - lastWallMs));
  return durationMs === null ? elapsed : Math.max(0, Math.min(elapsed, durationMs - simTimeMs));
}
