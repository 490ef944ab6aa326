/**
 * Request and job metrics of this process, rendered in the Prometheus text exposition format
 * (prometheus.io/docs/instrumenting/exposition_formats, version 0.0.4) for `/metrics`. Counters live in
 * memory: they start at zero when the process starts, as Prometheus expects of counters. With
 * WEB_CONCURRENCY > 1 each worker process counts its own requests.
 */
import { BlockList, isIP } from 'node:net';

/** Latency buckets (seconds): the page budget is tens of milliseconds, the tail reaches seconds. */
export const LATENCY_BUCKETS_S = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10] as const;

interface RouteLatency {
  buckets: number[];
  sumS: number;
  count: number;
}

interface LiveGauge {
  help: string;
  read: () => number;
}

interface Registry {
  requestCounts: Map<string, number>;
  latencies: Map<string, RouteLatency>;
  jobRuns: Map<string, { runs: number; failures: number }>;
  liveGauges: Map<string, LiveGauge>;
}

// One registry per process, kept on globalThis: the server script (scheduled jobs) and Astro's bundle (the
// middleware, /metrics) each load their own copy of this module.
const REGISTRY_KEY = Symbol.for('iecpa.metrics');
const registry: Registry = ((globalThis as Record<symbol, unknown>)[REGISTRY_KEY] as Registry | undefined) ?? {
  requestCounts: new Map(),
  latencies: new Map(),
  jobRuns: new Map(),
  liveGauges: new Map(),
};
(globalThis as Record<symbol, unknown>)[REGISTRY_KEY] = registry;
const { requestCounts, latencies, jobRuns, liveGauges } = registry;

/**
 * Registers a value of this process read at scrape time, such as the length of a work queue
 * (`iecpa_replay_queue_length`); registering a name again replaces it.
 */
export function registerGauge(name: string, help: string, read: () => number): void {
  if (!/^[a-z_][a-z0-9_]*$/.test(name)) throw new Error(`${name} is not a metric name.`);
  liveGauges.set(name, { help, read });
}

/** Counts one answered request: `route` is the route pattern (never the URL, which can carry personal data). */
export function recordRequest(method: string, route: string, status: number, durationMs: number): void {
  const key = JSON.stringify([method, route, String(status)]);
  requestCounts.set(key, (requestCounts.get(key) ?? 0) + 1);
  let latency = latencies.get(route);
  if (!latency) {
    latency = { buckets: LATENCY_BUCKETS_S.map(() => 0), sumS: 0, count: 0 };
    latencies.set(route, latency);
  }
  const seconds = durationMs / 1000;
  LATENCY_BUCKETS_S.forEach((bound, i) => {
    if (seconds <= bound) latency.buckets[i] = (latency.buckets[i] ?? 0) + 1;
  });
  latency.sumS += seconds;
  latency.count++;
}

export function recordJobRun(name: string, ok: boolean): void {
  const entry = jobRuns.get(name) ?? { runs: 0, failures: 0 };
  entry.runs++;
  if (!ok) entry.failures++;
  jobRuns.set(name, entry);
}

/** A value read at scrape time (from the database): one gauge, one sample per label set. */
export interface GaugeSample {
  name: string;
  help: string;
  labels: Record<string, string>;
  value: number;
}

function escapeLabel(value: string): string {
  return value.replace(/\\/g, '\\\\').replace(/\n/g, '\\n').replace(/"/g, '\\"');
}

function labelText(labels: Record<string, string>): string {
  const parts = Object.entries(labels).map(([k, v]) => `${k}="${escapeLabel(v)}"`);
  return parts.length ? `{${parts.join(',')}}` : '';
}

/** The exposition text: the in-memory counters and histograms, then `gauges`. */
export function renderMetrics(gauges: GaugeSample[] = []): string {
  const lines: string[] = [];
  lines.push('# HELP iecpa_http_requests_total Requests answered, by method, route pattern and status.');
  lines.push('# TYPE iecpa_http_requests_total counter');
  for (const [key, n] of [...requestCounts].sort()) {
    const [method = '', route = '', status = ''] = JSON.parse(key) as string[];
    lines.push(`iecpa_http_requests_total${labelText({ method, route, status })} ${n}`);
  }
  lines.push('# HELP iecpa_http_request_duration_seconds Time to the response head, by route pattern.');
  lines.push('# TYPE iecpa_http_request_duration_seconds histogram');
  for (const [route, latency] of [...latencies].sort(([a], [b]) => a.localeCompare(b))) {
    LATENCY_BUCKETS_S.forEach((bound, i) => {
      lines.push(
        `iecpa_http_request_duration_seconds_bucket${labelText({ route, le: String(bound) })} ${latency.buckets[i]}`,
      );
    });
    lines.push(`iecpa_http_request_duration_seconds_bucket${labelText({ route, le: '+Inf' })} ${latency.count}`);
    lines.push(`iecpa_http_request_duration_seconds_sum${labelText({ route })} ${latency.sumS}`);
    lines.push(`iecpa_http_request_duration_seconds_count${labelText({ route })} ${latency.count}`);
  }
  lines.push('# HELP iecpa_scheduled_job_runs_total Scheduled job runs in this process since it started.');
  lines.push('# TYPE iecpa_scheduled_job_runs_total counter');
  for (const [job, entry] of jobRuns) lines.push(`iecpa_scheduled_job_runs_total${labelText({ job })} ${entry.runs}`);
  lines.push('# HELP iecpa_scheduled_job_failures_total Scheduled job runs that failed, in this process.');
  lines.push('# TYPE iecpa_scheduled_job_failures_total counter');
  for (const [job, entry] of jobRuns) {
    lines.push(`iecpa_scheduled_job_failures_total${labelText({ job })} ${entry.failures}`);
  }
  const byName = new Map<string, GaugeSample[]>();
  for (const [name, gauge] of liveGauges) {
    byName.set(name, [{ name, help: gauge.help, labels: {}, value: gauge.read() }]);
  }
  for (const gauge of gauges) byName.set(gauge.name, [...(byName.get(gauge.name) ?? []), gauge]);
  for (const [name, samples] of byName) {
    lines.push(`# HELP ${name} ${samples[0]?.help ?? ''}`);
    lines.push(`# TYPE ${name} gauge`);
    for (const sample of samples) lines.push(`${name}${labelText(sample.labels)} ${sample.value}`);
  }
  return `${lines.join('\n')}\n`;
}

/** Forgets every counter (tests). */
export function resetMetrics(): void {
  requestCounts.clear();
  latencies.clear();
  jobRuns.clear();
  liveGauges.clear();
}

/**
 * Parses METRICS_ALLOW: addresses and CIDR blocks separated by commas (`127.0.0.1, ::1, 10.0.0.0/8`).
 * Returns null for an invalid list.
 */
export function parseAllowList(text: string): BlockList | null {
  const list = new BlockList();
  for (const raw of text.split(',')) {
    const item = raw.trim();
    if (item === '') continue;
    const [address = '', prefixText] = item.split('/');
    const family = isIP(address);
    if (family === 0) return null;
    const type = family === 4 ? 'ipv4' : 'ipv6';
    if (prefixText === undefined) {
      list.addAddress(address, type);
      continue;
    }
    const prefix = Number(prefixText);
    if (!(Number.isInteger(prefix) && prefix >= 0 && prefix <= (family === 4 ? 32 : 128))) return null;
    list.addSubnet(address, prefix, type);
  }
  return list;
}

/** True when `address` (a client address, IPv4-mapped IPv6 included) is on the allow list. */
export function isAddressAllowed(list: BlockList, address: string): boolean {
  const mapped = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/i.exec(address);
  const plain = mapped?.[1] ?? address;
  const family = isIP(plain);
  if (family === 0) return false;
  return list.check(plain, family === 4 ? 'ipv4' : 'ipv6');
}
