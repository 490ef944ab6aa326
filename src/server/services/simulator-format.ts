/** Display helpers shared by the simulator procedures' messages and pages. */

/** "5 min", "1 min 30 s", "45 s". */
export function formatDurationMs(ms: number): string {
  const totalS = Math.round(ms / 1000);
  const min = Math.floor(totalS / 60);
  const s = totalS % 60;
  if (min === 0) return `${s} s`;
  return s === 0 ? `${min} min` : `${min} min ${s} s`;
}

/** Value for an `<input type="datetime-local">` showing a UTC time ("2026-11-23T12:05"). */
export function toDateTimeLocalUtc(ms: number): string {
  return new Date(ms).toISOString().slice(0, 16);
}

/** Parses a `datetime-local` value as UTC; null when blank or malformed. */
export function fromDateTimeLocalUtc(value: string): number | null {
  if (!/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2})?$/.test(value.trim())) return null;
  const ms = Date.parse(`${value.trim()}Z`);
  return Number.isFinite(ms) ? ms : null;
}
