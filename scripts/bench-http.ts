/**
 * HTTP benchmark, measured the way services are judged: per page, in one run, (a) saturation throughput
 * (closed loop with autocannon: `--connections` clients each sending the next request when the last is
 * answered), also as a ratio to `/api/health`, the framework's floor (server, Astro, middleware, one
 * database read, no page); (b) latency under a fixed offered load of 60 % of that page's own saturation
 * rate (open loop, requests evenly spaced and each timed from when it was due: open-loop-load.ts, which
 * says why autocannon's `overallRate` is not open loop). At saturation p99 is only the queue; at 60 % it
 * is what a user waits for. Both with WEB_CONCURRENCY 1 and 2 (`--workers 1,2`). Beside the client's p99, the
 * server's own (from its request log) shows how much of the wait is spent inside the handler.
 *
 *   npm run bench:http [-- --no-build] [--duration 10] [--connections 50] [--workers 1,2] [--rounds 1] [--cpu-prof <dir>]
 *
 * --rounds N measures the ratio N times, /api/health and /account back to back after the first, and judges it by
 * the median: on a shared 2-core machine one page's run can be 30 % faster or slower than another's.
 *
 * Targets: the signed-in page (`/account`) serves >= 50 % of `/api/health`'s throughput, and every page's
 * p99 at 60 % load is <= 25 ms. Builds the site (unless --no-build), starts the built server on a free
 * loopback port with a fresh database (NODE_ENV=test, so the demo accounts are seeded) and signs in the
 * demo member for a session cookie. Only loopback traffic; each run is bounded. On a machine shared with
 * other work the figures are lower than the portal's own: the load average is printed with them.
 */
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { availableParallelism, loadavg } from 'node:os';
import { parseArgs } from 'node:util';
import { DEMO_PASSWORD } from '#scripts/demo-seed.ts';
import { loggedP99Ms } from '#scripts/logged-latency.ts';
import { offerOpenLoopLoad } from '#scripts/open-loop-load.ts';
import { median } from '#src/server/exams/statistics.ts';
import { signInOverHttp } from '#test/helpers/portal-flows.ts';
import { type RunningServer, startServer, untilServerSettled } from '#test/helpers/server.ts';

/** The parts of autocannon's result (its README, "Results") this script reads. */
interface Histogram {
  average: number;
  p50: number;
  p99: number;
}
interface AutocannonResult {
  requests: Histogram & { total: number };
  latency: Histogram;
  duration: number;
  errors: number;
  timeouts: number;
  non2xx: number;
  statusCodeStats: Record<string, { count: number }>;
}
type Autocannon = (options: {
  url: string;
  connections: number;
  duration: number;
  headers?: Record<string, string>;
}) => Promise<AutocannonResult>;

// autocannon ships no types; require() keeps the type checker to the interface above.
const autocannon = createRequire(import.meta.url)('autocannon') as Autocannon;

/** The signed-in page's saturation throughput as a share of /api/health's. */
const TARGET_RATIO_TO_HEALTH = 0.5;
/** p99 under the offered load below. */
const TARGET_P99_MS = 25;
/** Offered load for the latency figure, as a share of the page's own saturation rate. */
const OFFERED_SHARE = 0.6;
/** Untimed load before each measured run, so the JIT and the SQLite page cache are warm. */
const WARMUP_S = 2;
/** The open-loop generator's own warm-up at the offered rate, not counted (open-loop-load.ts). */
const OPEN_LOOP_WARMUP_S = 1;

const { values } = parseArgs({
  options: {
    'no-build': { type: 'boolean', default: false },
    duration: { type: 'string', default: '10' },
    connections: { type: 'string', default: '50' },
    'cpu-prof': { type: 'string' },
    workers: { type: 'string', default: '1,2' },
    rounds: { type: 'string', default: '1' },
  },
});
const durationS = Number(values.duration);
const connections = Number(values.connections);
if (!(durationS > 0 && durationS <= 120) || !(Number.isInteger(connections) && connections > 0 && connections <= 500)) {
  throw new Error('--duration must be 1..120 seconds and --connections 1..500.');
}
const rounds = Number(values.rounds);
if (!(Number.isInteger(rounds) && rounds >= 1 && rounds <= 9)) throw new Error('--rounds must be 1..9.');
const workerCounts = (values.workers ?? '1,2').split(',').map(Number);
if (!workerCounts.every((n) => Number.isInteger(n) && n >= 1 && n <= 64)) {
  throw new Error('--workers takes process counts separated by commas, such as 1,2.');
}

if (!values['no-build']) {
  console.log('Building the site (pass --no-build to reuse dist/)...');
  execFileSync(process.execPath, ['node_modules/astro/bin/astro.mjs', 'build'], {
    stdio: ['ignore', 'ignore', 'inherit'],
    env: { ...process.env, ASTRO_TELEMETRY_DISABLED: '1' },
  });
}

/** Pids of the server (scripts/serve.ts, started by startServer) and of its worker processes, if any. */
function serverPids(): number[] {
  const childrenOf = (ppid: number): string[] => {
    try {
      return execFileSync('ps', ['-o', 'pid=,args=', '--ppid', String(ppid)], { encoding: 'utf8' }).split('\n');
    } catch {
      return []; // ps exits with 1 when there is no such process
    }
  };
  const pidOf = (line: string): number => Number(line.trim().split(/\s+/)[0]);
  const primary = childrenOf(process.pid).find((l) => l.includes('scripts/serve.ts'));
  if (!primary) return [];
  const pid = pidOf(primary);
  const workers = childrenOf(pid).filter((l) => l.includes('scripts/serve.ts'));
  return [pid, ...workers.map(pidOf)];
}

/** CPU time processes have used (ms), from /proc/<pid>/stat utime + stime (Linux, 100 ticks/s). */
function cpuMs(pids: number[]): number | null {
  if (pids.length === 0) return null;
  try {
    let total = 0;
    for (const pid of pids) {
      const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
      const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      // Fields 14 and 15 of proc(5); the slice above starts at field 3.
      total += (Number(fields[11]) + Number(fields[12])) * 10;
    }
    return total;
  } catch {
    return null;
  }
}

interface Measured {
  requestsPerS: number;
  p50Ms: number;
  p99Ms: number;
  failed: number;
  /** The failed requests by what happened (a status, a network error), to tell the server's from the client's. */
  failures: Record<string, number>;
  /** Server CPU time (user + system) per request, or null where /proc is not available. */
  serverCpuMsPerRequest: number | null;
  /**
   * p99 of the server's own durations (its request log: handler start to response head) over the open-loop
   * run, or null. Set against the client's p99, it tells time spent inside the handler from time spent
   * before it (queued in the event loop or the kernel, or in the load generator sharing the cores).
   */
  serverP99Ms: number | null;
}

/** autocannon's failures by kind: statuses other than 2xx, network errors, timeouts. */
function saturationFailures(result: AutocannonResult): Record<string, number> {
  const failures: Record<string, number> = {};
  for (const [code, { count }] of Object.entries(result.statusCodeStats)) {
    if (!code.startsWith('2') && count > 0) failures[`status ${code}`] = count;
  }
  if (result.errors > 0) failures['network errors'] = result.errors;
  if (result.timeouts > 0) failures['timed out'] = result.timeouts;
  return failures;
}

/** One measured closed-loop autocannon run at saturation, with the server's CPU per request. */
async function measureSaturation(url: string, headers: Record<string, string>, pids: number[]): Promise<Measured> {
  const before = cpuMs(pids);
  const result = await autocannon({ url, connections, duration: durationS, headers });
  const after = cpuMs(pids);
  const total = result.requests.total;
  return {
    requestsPerS: total / result.duration,
    p50Ms: result.latency.p50,
    p99Ms: result.latency.p99,
    failed: result.errors + result.timeouts + result.non2xx,
    failures: saturationFailures(result),
    serverCpuMsPerRequest: before !== null && after !== null && total > 0 ? (after - before) / total : null,
    serverP99Ms: null,
  };
}

/** One measured open-loop run at a fixed rate (open-loop-load.ts), with the server's CPU per request. */
async function measureOffered(
  server: RunningServer,
  page: Page,
  headers: Record<string, string>,
  pids: number[],
  ratePerS: number,
): Promise<Measured> {
  const before = cpuMs(pids);
  const logFrom = server.output().length;
  const result = await offerOpenLoopLoad({
    url: server.url + page.path,
    headers,
    ratePerS,
    durationS,
    warmupS: OPEN_LOOP_WARMUP_S,
  });
  const after = cpuMs(pids);
  const serverP99Ms = loggedP99Ms(server.output().slice(logFrom), page.path);
  // The CPU was measured over the generator's warm-up too, at the same rate.
  const total = result.requestsPerS * (durationS + OPEN_LOOP_WARMUP_S);
  return {
    ...result,
    p50Ms: Math.round(result.p50Ms * 10) / 10,
    p99Ms: Math.round(result.p99Ms * 10) / 10,
    serverCpuMsPerRequest: before !== null && after !== null && total > 0 ? (after - before) / total : null,
    serverP99Ms: serverP99Ms === null ? null : Math.round(serverP99Ms * 10) / 10,
  };
}

interface PageRow {
  workers: number;
  page: string;
  saturation: Measured;
  offeredPerS: number;
  offered: Measured;
}

interface Page {
  name: string;
  path: string;
  signedIn: boolean;
}

const PAGES: Page[] = [
  { name: '/api/health', path: '/api/health', signedIn: false },
  { name: '/ (home)', path: '/', signedIn: false },
  { name: '/account (member)', path: '/account', signedIn: true },
];

/**
 * One server's figures: a row per page, and the signed-in page's saturation rate over health's from the rounds
 * after the first (--rounds).
 */
async function benchServer(workers: number): Promise<{ rows: PageRow[]; extraRatios: number[] }> {
  const serverEnv: Record<string, string> = { WEB_CONCURRENCY: String(workers) };
  const profileDir = values['cpu-prof'];
  if (profileDir) serverEnv.NODE_OPTIONS = `${process.env.NODE_OPTIONS ?? ''} --cpu-prof --cpu-prof-dir=${profileDir}`;
  const server = await startServer(serverEnv);
  await untilServerSettled(server, workers);
  try {
    const cookie = await signInOverHttp(server.url, 'member@iecpa.test', DEMO_PASSWORD);
    const check = await fetch(`${server.url}/account`, { headers: { Cookie: cookie }, redirect: 'manual' });
    if (check.status !== 200) throw new Error(`/account with the session cookie answered ${check.status}, not 200`);
    await check.arrayBuffer();
    const pids = serverPids();
    console.log(
      `WEB_CONCURRENCY ${workers}: ${pids.length} server process(es); load average ${loadavg()
        .map((l) => l.toFixed(1))
        .join(' ')} before the run`,
    );
    const rows: PageRow[] = [];
    for (const page of PAGES) {
      const url = server.url + page.path;
      const headers: Record<string, string> = page.signedIn ? { Cookie: cookie } : {};
      await autocannon({ url, connections, duration: WARMUP_S, headers });
      const saturation = await measureSaturation(url, headers, pids);
      const offeredPerS = Math.max(1, Math.round(saturation.requestsPerS * OFFERED_SHARE));
      const offered = await measureOffered(server, page, headers, pids, offeredPerS);
      rows.push({ workers, page: page.name, saturation, offeredPerS, offered });
    }
    // More rounds of the ratio alone, /api/health and /account back to back, so that a change of the machine's
    // speed between two pages' runs (minutes apart above) weighs on one round, not on the verdict.
    const extraRatios: number[] = [];
    for (let round = 1; round < rounds; round++) {
      const health = await measureSaturation(`${server.url}/api/health`, {}, pids);
      const member = await measureSaturation(`${server.url}/account`, { Cookie: cookie }, pids);
      extraRatios.push(member.requestsPerS / health.requestsPerS);
    }
    return { rows, extraRatios };
  } finally {
    await server.stop();
  }
}

function cell(text: string | number, width: number): string {
  return String(text).padStart(width);
}

/**
 * How busy the server's processes were under the offered load: its CPU time per second over the cores it
 * could use. Requests arriving one at a time cost more CPU each than a closed loop's back-to-back ones (one
 * turn of the event loop and its system calls per request), so 60 % of the closed-loop saturation rate keeps
 * the server busier than 60 %, and the queue at p99 grows with it.
 */
function busyShare(row: PageRow): string {
  const cpu = row.offered.serverCpuMsPerRequest;
  if (cpu === null) return '?';
  const cores = Math.min(row.workers, availableParallelism());
  return `${Math.round((row.offered.requestsPerS * cpu) / 10 / cores)} %`;
}

function printTable(rows: PageRow[]): void {
  console.log(
    [
      'WC'.padEnd(3),
      'page'.padEnd(20),
      cell('sat req/s', 10),
      cell('vs health', 10),
      cell('CPU ms/req', 11),
      cell('offered/s', 10),
      cell('got/s', 7),
      cell('p50 ms', 7),
      cell('p99 ms', 7),
      cell('server p99', 11),
      cell('busy', 6),
      cell('failed', 7),
    ].join(' '),
  );
  for (const row of rows) {
    const health = rows.find((r) => r.workers === row.workers && r.page === '/api/health');
    const ratio = health ? row.saturation.requestsPerS / health.saturation.requestsPerS : Number.NaN;
    const cpu = row.saturation.serverCpuMsPerRequest;
    console.log(
      [
        String(row.workers).padEnd(3),
        row.page.padEnd(20),
        cell(row.saturation.requestsPerS.toFixed(0), 10),
        cell(`${(ratio * 100).toFixed(0)} %`, 10),
        cell(cpu === null ? '?' : cpu.toFixed(2), 11),
        cell(row.offeredPerS, 10),
        cell(row.offered.requestsPerS.toFixed(0), 7),
        cell(row.offered.p50Ms, 7),
        cell(row.offered.p99Ms, 7),
        cell(row.offered.serverP99Ms ?? '?', 11),
        cell(busyShare(row), 6),
        cell(row.saturation.failed + row.offered.failed, 7),
      ].join(' '),
    );
  }
}

/** What failed, where anything did: the server's answers (a status) apart from the client's (a network error). */
function printFailures(rows: PageRow[]): void {
  const describe = (failures: Record<string, number>): string =>
    Object.entries(failures)
      .map(([reason, count]) => `${count} ${reason}`)
      .join(', ');
  for (const row of rows) {
    for (const [phase, measured] of [
      ['at saturation', row.saturation],
      [`at ${OFFERED_SHARE * 100} %`, row.offered],
    ] as const) {
      if (measured.failed > 0) console.log(`WC ${row.workers} ${row.page} ${phase}: ${describe(measured.failures)}`);
    }
  }
}

function printVerdicts(rows: PageRow[], extraRatios: Map<number, number[]>): void {
  for (const workers of workerCounts) {
    const health = rows.find((r) => r.workers === workers && r.page === '/api/health');
    const member = rows.find((r) => r.workers === workers && r.page === '/account (member)');
    if (!health || !member) continue;
    // With --rounds, the median of every round's ratio (the table's own first).
    const ratios = [
      member.saturation.requestsPerS / health.saturation.requestsPerS,
      ...(extraRatios.get(workers) ?? []),
    ].sort((a, b) => a - b);
    const ratio = median(ratios);
    if (ratios.length > 1) {
      console.log(
        `WEB_CONCURRENCY ${workers}: /account over /api/health in ${ratios.length} rounds: ` +
          `${ratios.map((r) => `${(r * 100).toFixed(0)} %`).join(', ')}; median ${(ratio * 100).toFixed(0)} %`,
      );
    }
    const slow = rows.filter((r) => r.workers === workers && r.offered.p99Ms > TARGET_P99_MS).map((r) => r.page);
    const failed = rows.filter((r) => r.workers === workers && r.saturation.failed + r.offered.failed > 0);
    console.log(
      `WEB_CONCURRENCY ${workers}: signed-in page at ${(ratio * 100).toFixed(0)} % of /api/health${ratios.length > 1 ? ' (median)' : ''} ` +
        `(target >= ${TARGET_RATIO_TO_HEALTH * 100} %: ${ratio >= TARGET_RATIO_TO_HEALTH ? 'met' : 'NOT met'}); ` +
        `p99 at ${OFFERED_SHARE * 100} % load <= ${TARGET_P99_MS} ms: ` +
        `${slow.length === 0 ? 'met' : `NOT met (${slow.join(', ')})`}` +
        `${failed.length ? `; failed requests on ${failed.map((r) => r.page).join(', ')}` : ''}.`,
    );
  }
}

console.log(
  `${connections} connections; per page ${WARMUP_S} s warm-up, ${durationS} s at saturation, ${durationS} s at ` +
    `${OFFERED_SHARE * 100} % of it (open loop); ${availableParallelism()} cores.`,
);
const rows: PageRow[] = [];
const extraRatios = new Map<number, number[]>();
for (const workers of workerCounts) {
  const measured = await benchServer(workers);
  rows.push(...measured.rows);
  extraRatios.set(workers, measured.extraRatios);
}
printTable(rows);
printFailures(rows);
printVerdicts(rows, extraRatios);
if (values['cpu-prof']) console.log(`Server CPU profiles written to ${values['cpu-prof']}.`);
