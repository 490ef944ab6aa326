/**
 * A scheduled job's result (the counts it returns, stored as JSON in scheduled_job_runs) in words an
 * administrator reads on /admin: `maintenanceDue` as "maintenance due", a list as its length, true as "yes",
 * and a group of counts (reminders by days before expiry) as its total with the parts in brackets.
 */
export function describeJobResult(result: unknown): string {
  if (!result || typeof result !== 'object' || Array.isArray(result)) return '';
  return Object.entries(result)
    .map(([key, value]) => `${wordsOf(key)} ${describeValue(value)}`)
    .join(', ');
}

/** camelCase and kebab-case keys as lower-case words. */
function wordsOf(key: string): string {
  return key
    .replace(/([a-z0-9])([A-Z])/g, '$1 $2')
    .replace(/[-_]+/g, ' ')
    .toLowerCase();
}

function describeValue(value: unknown): string {
  if (Array.isArray(value)) return String(value.length);
  if (typeof value === 'boolean') return value ? 'yes' : 'no';
  if (value && typeof value === 'object') {
    const entries = Object.entries(value);
    const parts = entries.map(([key, part]) => `${key}: ${describeValue(part)}`).join(', ');
    const allCounts = entries.every(([, part]) => typeof part === 'number');
    const total = entries.reduce((sum, [, part]) => sum + (typeof part === 'number' ? part : 0), 0);
    return allCounts ? `${total} (${parts})` : `(${parts})`;
  }
  return String(value);
}
