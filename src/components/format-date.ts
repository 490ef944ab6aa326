const LONG_DATE = new Intl.DateTimeFormat('en-GB', {
  day: 'numeric',
  month: 'long',
  year: 'numeric',
  timeZone: 'UTC',
});

/**
 * A calendar date as people read it on the site ("1 December 2026"). Front-matter dates are parsed as UTC
 * midnight, so formatting in UTC keeps the day from shifting with the server's time zone.
 */
export function formatLongDate(date: Date): string {
  return LONG_DATE.format(date);
}

/** The same date for a `<time datetime>` attribute (YYYY-MM-DD). */
export function toIsoDate(date: Date): string {
  return date.toISOString().slice(0, 10);
}
