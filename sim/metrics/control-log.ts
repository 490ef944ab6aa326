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

const entrySchema = z.object({ atMs: z.number().finite().min(0), patch: settingsPatchSchema }).strict();

export interface ControlLogLimits {
  durationMs: number;
  maxEntries?: number;
}

export function validateControlLog(log: unknown, limits: ControlLogLimits): ParseResult<ControlEntry[]> {
  const maxEntries = limits.maxEntries ?? DEFAULT_MAX_CONTROL_ENTRIES;
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
