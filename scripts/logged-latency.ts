/**
 * Latency as the server itself saw it, from its request log (src/server/http/request-log.ts: one JSON line per
 * request with its route pattern and `durationMs`, handler start to response head), for the HTTP benchmark
 * to set beside what its clients measured.
 */
import { percentile } from '#src/lib/percentile.ts';

/** The 99th percentile of the durations the server logged for `route` in `logText` (its JSON lines), or null. */
export function loggedP99Ms(logText: string, route: string): number | null {
  const durations: number[] = [];
  for (const line of logText.split('\n')) {
    if (!line.startsWith('{')) continue;
    try {
      const entry = JSON.parse(line) as { route?: unknown; durationMs?: unknown };
      if (entry.route === route && typeof entry.durationMs === 'number') durations.push(entry.durationMs);
    } catch {
      // Not a request log line.
    }
  }
  return durations.length === 0 ? null : percentile(durations, 99);
}
