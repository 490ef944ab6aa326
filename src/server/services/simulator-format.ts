/** Display helpers shared by the simulator procedures' messages and pages. */

const DATE_TIME = new Intl.DateTimeFormat('en-GB', {
  day: 'numeric',
  month: 'short',
  year: 'numeric',
  hour: '2-digit',
  minute: '2-digit',
  timeZone: 'UTC',
});

/** "23 Nov 2026, 12:05" in UTC, so every reader and the server agree. */
export function formatUtcDateTime(ms: number): string {
  return DATE_TIME.format(new Date(ms));
}

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
