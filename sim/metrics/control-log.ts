/**
 * Control-log validation: the candidate's browser records setting changes; the server checks them here
 * before replaying. Errors name the entry index and field.
 */
import { z } from 'zod';
import type { SettingsPatch } from '../model/settings.ts';
import { formatIssues, type ParseResult, settingsPatchSchema } from '../scenarios.ts';

export interface ControlEntry {
  atMs: number;
  patch: SettingsPatch;
}

export const DEFAULT_MAX_CONTROL_ENTRIES = 2000;

/**
 * The console applies setting changes at most once per this much simulated time (changes made in between
 * are merged: see src/components/simulator/control-throttle.ts), so a held key or a dragged control cannot
 * fill the log faster than 10 entries a second.
 */
export const MIN_CONTROL_SPACING_MS = 100;

/**
 * How many entries a run of `durationMs` may log: what the console's spacing allows (plus the first change
 * and the one flushed at the end), and never fewer than DEFAULT_MAX_CONTROL_ENTRIES.
 */
export function maxControlEntries(durationMs: number): number {
  return Math.max(DEFAULT_MAX_CONTROL_ENTRIES, Math.ceil(durationMs / MIN_CONTROL_SPACING_MS) + 2);
}

const entrySchema = z.object({ atMs: z.number().min(0), patch: settingsPatchSchema }).strict();

export interface ControlLogLimits {
  durationMs: number;
  maxEntries?: number;
}

export function validateControlLog(log: unknown, limits: ControlLogLimits): ParseResult<ControlEntry[]> {
  const maxEntries = limits.maxEntries ?? maxControlEntries(limits.durationMs);
  if (!Array.isArray(log)) return { ok: false, errors: ['controls: must be an array of { atMs, patch }'] };
  if (log.length > maxEntries) {
    return { ok: false, errors: [`controls: ${log.length} entries, at most ${maxEntries} allowed`] };
  }
  const errors: string[] = [];
  const entries: ControlEntry[] = [];
  let previous = -Infinity;
  log.forEach((raw, i) => {
    const r = entrySchema.safeParse(raw);
    if (!r.success) {
      errors.push(...formatIssues(r.error, `controls[${i}]`));
      return;
    }
    const e = r.data;
    if (e.atMs > limits.durationMs) {
      errors.push(`controls[${i}].atMs: ${e.atMs} ms is beyond the duration (${limits.durationMs} ms)`);
    }
    if (e.atMs < previous) {
      errors.push(`controls[${i}].atMs: ${e.atMs} ms goes back in time (previous entry at ${previous} ms)`);
    }
    previous = Math.max(previous, e.atMs);
    entries.push(e as ControlEntry);
  });
  return errors.length ? { ok: false, errors } : { ok: true, value: entries };
}
