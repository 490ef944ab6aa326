import { MIN_CONTROL_SPACING_MS, type SettingsPatch } from '#sim/index.ts';

/** Two patches as one: the later value of each setting wins; cuff switches merge one by one. */
export function mergePatches(earlier: SettingsPatch, later: SettingsPatch): SettingsPatch {
  const merged: SettingsPatch = { ...earlier, ...later };
  if (earlier.cuffs || later.cuffs) merged.cuffs = { ...earlier.cuffs, ...later.cuffs };
  return merged;
}

/**
 * Spaces the setting changes the console hands to the engine at least MIN_CONTROL_SPACING_MS of simulated
 * time apart. The engine logs every change it applies and the server replays that log, whose length it
 * caps (maxControlEntries): without spacing, a held arrow key (about 30 repeats a second) or a dragged
 * control could exceed the cap and get a whole assessment refused. A change after a quiet spell applies at
 * once; changes that follow within the spacing wait, merged, until it has passed (at most 0.1 s later, below
 * one heartbeat). The engine sees exactly what it logs, so the replay stays exact.
 */
export class ControlThrottle {
  #pending: SettingsPatch | null = null;
  #lastAppliedAtMs = Number.NEGATIVE_INFINITY;

  /** A change from the console at simulated time `nowMs`: the patch to apply now, or null if it must wait. */
  offer(patch: SettingsPatch, nowMs: number): SettingsPatch | null {
    this.#pending = this.#pending ? mergePatches(this.#pending, patch) : patch;
    return this.due(nowMs);
  }

  /** The waiting changes, merged, once the spacing has passed at `nowMs`; else null. */
  due(nowMs: number): SettingsPatch | null {
    if (!this.#pending || nowMs - this.#lastAppliedAtMs < MIN_CONTROL_SPACING_MS) return null;
    return this.#take(nowMs);
  }

  /** Whatever still waits, at the end of a run (its last entry may come sooner than the spacing). */
  flush(nowMs: number): SettingsPatch | null {
    return this.#pending ? this.#take(nowMs) : null;
  }

  #take(nowMs: number): SettingsPatch {
    const patch = this.#pending as SettingsPatch;
    this.#pending = null;
    this.#lastAppliedAtMs = nowMs;
    return patch;
  }
}
