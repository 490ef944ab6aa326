import type { APIRoute } from 'astro';
import { getDb } from '#src/server/db.ts';
import { getEnv } from '#src/server/env.ts';
import { isAddressAllowed, parseAllowList, renderMetrics } from '#src/server/http/metrics.ts';
import { readMetricGauges } from '#src/server/http/metrics-gauges.ts';
// Registers the replay pool's gauges (iecpa_replay_queue_length, iecpa_replay_workers_busy) at startup.
import '#src/server/services/simulator-replay.ts';

export const prerender = false;

/** Prometheus scrape target, served only to the addresses in METRICS_ALLOW (loopback by default). */
export const GET: APIRoute = async ({ clientAddress }) => {
  const allowed = parseAllowList(getEnv().METRICS_ALLOW);
  if (!allowed || !isAddressAllowed(allowed, clientAddress)) {
    return new Response('Metrics are served only to the addresses configured in METRICS_ALLOW.', {
      status: 403,
      headers: { 'Content-Type': 'text/plain; charset=utf-8', 'Cache-Control': 'no-store' },
    });
  }
  const { db } = await getDb();
  return new Response(renderMetrics(await readMetricGauges(db)), {
    headers: { 'Content-Type': 'text/plain; version=0.0.4; charset=utf-8', 'Cache-Control': 'no-store' },
  });
};
