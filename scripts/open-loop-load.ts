/**
 * An open-loop load generator for the HTTP benchmark: requests leave at evenly spaced times fixed in
 * advance, whether or not earlier ones have been answered, and each latency is measured from the time its
 * request was due, not from when it could be sent (so a stall counts against every request it delayed:
 * no coordinated omission; the method of Tene's wrk2).
 *
 * autocannon's `overallRate` is not this: each connection sends back to back until it has used its share
 * of the second, then waits for the next second, so "60 % load" is a burst at saturation for 0.6 s of
 * every second, and its p99 is that burst's queue (measured on this portal: /api/health p50 7 ms and p99
 * 160 ms at 60 % of its saturation rate, for a request that takes 0.4 ms of CPU).
 */
import { Agent, request } from 'node:http';
import { percentile } from '#src/lib/percentile.ts';

export interface OpenLoopResult {
  /** Requests answered per second over the run. */
  requestsPerS: number;
  p50Ms: number;
  p99Ms: number;
  /** Requests that failed (network error, timeout or a status other than 2xx). */
  failed: number;
  /** The failed requests by what happened: "status 503", "ECONNRESET", "timed out". */
  failures: Record<string, number>;
}

export interface OpenLoopOptions {
  url: string;
  headers: Record<string, string>;
  ratePerS: number;
  durationS: number;
  /** Connections the generator may open; a request due when all are busy waits (and its wait counts). */
  maxConnections?: number;
  /** A request not answered within this counts as failed. */
  timeoutMs?: number;
  /**
   * Seconds at the same rate before the measured run, not counted: the generator opens its connections
   * (one per request in flight) and the server settles after the previous run.
   */
  warmupS?: number;
}

export async function offerOpenLoopLoad(options: OpenLoopOptions): Promise<OpenLoopResult> {
  const { url, headers, ratePerS, durationS, maxConnections = 256, timeoutMs = 10_000, warmupS = 1 } = options;
  if (!(ratePerS > 0 && durationS > 0 && warmupS >= 0)) throw new Error('The rate and the duration must be positive.');
  const agent = new Agent({ keepAlive: true, maxSockets: maxConnections });
  const target = new URL(url);
  const total = Math.max(1, Math.round(ratePerS * (warmupS + durationS)));
  const firstMeasured = Math.round(ratePerS * warmupS);
  const intervalMs = 1000 / ratePerS;
  const latencies: number[] = [];
  let failed = 0;
  const failures: Record<string, number> = {};
  const fail = (reason: string): void => {
    failed++;
    failures[reason] = (failures[reason] ?? 0) + 1;
  };
  let settled = 0;
  let sent = 0;
  const start = performance.now();
  const measuredFrom = start + firstMeasured * intervalMs;

  const done = new Promise<void>((resolve) => {
    const finish = (): void => {
      settled++;
      if (settled === total) resolve();
    };
    const send = (dueAt: number, measured: boolean): void => {
      const req = request(
        { agent, host: target.hostname, port: target.port, path: target.pathname + target.search, headers },
        (res) => {
          res.resume();
          res.on('end', () => {
            const ok = res.statusCode !== undefined && res.statusCode >= 200 && res.statusCode < 300;
            if (!ok && measured) fail(`status ${res.statusCode}`);
            else if (measured) latencies.push(performance.now() - dueAt);
            finish();
          });
        },
      );
      req.setTimeout(timeoutMs, () => req.destroy(new Error('timed out')));
      req.on('error', (error: NodeJS.ErrnoException) => {
        if (measured) fail(error.code ?? error.message);
        finish();
      });
      req.end();
    };
    // Wakes about every millisecond and sends every request due by then, each timed from its due time.
    const tick = (): void => {
      const now = performance.now();
      while (sent < total && start + sent * intervalMs <= now) {
        send(start + sent * intervalMs, sent >= firstMeasured);
        sent++;
      }
      if (sent < total) setTimeout(tick, Math.max(0, start + sent * intervalMs - performance.now()));
    };
    tick();
  });

  await done;
  const elapsedS = (performance.now() - measuredFrom) / 1000;
  agent.destroy();
  return {
    requestsPerS: latencies.length / elapsedS,
    p50Ms: percentile(latencies, 50),
    p99Ms: percentile(latencies, 99),
    failed,
    failures,
  };
}
