/**
 * Validation of the engine's run inputs, in one place: `simulate`, `createSimulation`,
 * `Simulation.setSettings`, `advance` and the CLI all check through these functions, and the settings
 * themselves through `settingsPatchSchema` (the schema scenarios and control logs use). A bad value throws a
 * RangeError naming the field, the value and the allowed range; nothing is clamped silently (the device
 * refuses a pressure above its 300 mmHg maximum rather than lowering it).
 */
import { SETTINGS_LIMITS, type SettingsPatch } from './model/settings.ts';
import { formatIssues, settingsPatchSchema } from './scenarios.ts';

/** Largest seed: seeds are unsigned 32-bit integers (rng.ts mixes them as uint32). */
export const SEED_MAX = 2 ** 32 - 1;
/** Longest run `simulate` accepts, ms (24 h, the longest scenario timeline). */
export const MAX_DURATION_MS = 24 * 3600 * 1000;

function show(value: unknown): string {
  if (typeof value === 'number') return String(value);
  if (typeof value === 'string') return JSON.stringify(value);
  return typeof value;
}

/** Reasons a seed is invalid, or null: an integer 0 <= seed <= 2^32 - 1 (2^32 and 0.4 would alias 0). */
export function seedError(seed: unknown): string | null {
  if (typeof seed !== 'number' || !Number.isInteger(seed) || seed < 0 || seed > SEED_MAX) {
    return `seed: ${show(seed)} is not an integer between 0 and ${SEED_MAX}`;
  }
  return null;
}

export function assertSeed(seed: unknown): number {
  const error = seedError(seed);
  if (error !== null) throw new RangeError(error);
  return seed as number;
}

/** Field-by-field reasons a settings patch is invalid ("pressureMmHg: ..."), empty when it is valid. */
export function settingsPatchErrors(patch: unknown): string[] {
  const r = settingsPatchSchema.safeParse(patch);
  return r.success ? [] : formatIssues(r.error);
}

/** The patch, checked: every value finite and within SETTINGS_LIMITS, no unknown field. */
export function assertSettingsPatch(patch: unknown, what = 'settings'): SettingsPatch {
  if (patch === undefined) return {};
  const errors = settingsPatchErrors(patch);
  if (errors.length > 0) {
    const limits = Object.entries(SETTINGS_LIMITS)
      .map(([k, r]) => `${k} ${r.min}-${r.max}`)
      .join(', ');
    throw new RangeError(`Invalid ${what}: ${errors.join('; ')} (limits: ${limits})`);
  }
  return patch as SettingsPatch;
}

/** A run length or an advance, ms: finite, within [min, MAX_DURATION_MS] (`exclusiveMin` for > min). */
export function assertDurationMs(name: string, ms: unknown, exclusiveMin: boolean): number {
  const ok =
    typeof ms === 'number' && Number.isFinite(ms) && (exclusiveMin ? ms > 0 : ms >= 0) && ms <= MAX_DURATION_MS;
  if (!ok) {
    throw new RangeError(
      `${name}: ${show(ms)} must be a finite number ${exclusiveMin ? '>' : '>='} 0 and <= ${MAX_DURATION_MS} ms`,
    );
  }
  return ms;
}

/** Highest trace rate: the engine's step rate (2000 Hz); traces are decimated from it. */
export const MAX_TRACE_RATE_HZ = 2000;

export function assertTraceRate(rateHz: unknown): number {
  if (typeof rateHz !== 'number' || !Number.isFinite(rateHz) || rateHz <= 0 || rateHz > MAX_TRACE_RATE_HZ) {
    throw new RangeError(`traces.rateHz: ${show(rateHz)} must be a number > 0 and <= ${MAX_TRACE_RATE_HZ} Hz`);
  }
  return rateHz;
}
