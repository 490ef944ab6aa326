/**
 * HTTP benchmark (issue 2, "Performance"): the home page and a signed-in page under load.
 *
 *   npm run bench:http [-- --no-build] [--duration 10] [--connections 50] [--cpu-prof <dir>] [--signed-in-only] [--workers <n>] [--floor]
 *
 * --signed-in-only skips the home page (a profile then shows the signed-in page alone). --workers <n> starts
 * the server with WEB_CONCURRENCY=n (scripts/serve.ts); server CPU then sums the primary and its workers.
 * --cpu-prof writes a V8 CPU profile of the server process into <dir> when it stops (open it in Chrome
 * DevTools, Performance panel), to see where a missed target goes.
 * --floor first measures what no page can beat on this machine: a bare node:http server answering a body of
 * the signed-in page's size (the machine and the load generator), then /api/health (the portal's server,
 * Astro and the middleware with one database read, but no page rendering).
 * Builds the site (unless --no-build), starts the built server on a free loopback port with a fresh
 * database (NODE_ENV=test, so the demo accounts are seeded), signs in the demo member (no second factor)
 * for a session cookie, then drives `/` and `/account` with autocannon and prints requests/s and p50/p99
 * latency. Target for the signed-in page on a 2-core machine: >= 1500 requests/s and p99 <= 50 ms (the
 * request validates the session and reads the database). Only loopback traffic; each run is bounded.
 */
import { execFileSync, spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { availableParallelism, loadavg } from 'node:os';
import { parseArgs } from 'node:util';
import { DEMO_PASSWORD } from '#db/seed.ts';
import { signInOverHttp } from '#test/helpers/portal-flows.ts';
import { startServer } from '#test/helpers/server.ts';

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

const TARGET_REQUESTS_PER_S = 1500;
const TARGET_P99_MS = 50;
/** Untimed load before each measured run, so the JIT and the SQLite page cache are warm. */
const WARMUP_S = 2;

const { values } = parseArgs({
  options: {
    'no-build': { type: 'boolean', default: false },
    duration: { type: 'string', default: '10' },
    connections: { type: 'string', default: '50' },
    'cpu-prof': { type: 'string' },
    'signed-in-only': { type: 'boolean', default: false },
    workers: { type: 'string' },
    floor: { type: 'boolean', default: false },
  },
});
const durationS = Number(values.duration);
const connections = Number(values.connections);
if (!(durationS > 0 && durationS <= 120) || !(Number.isInteger(connections) && connections > 0 && connections <= 500)) {
  throw new Error('--duration must be 1..120 seconds and --connections 1..500.');
}

if (!values['no-build']) {
  console.log('Building the site (pass --no-build to reuse dist/)...');
  execFileSync(process.execPath, ['node_modules/astro/bin/astro.mjs', 'build'], {
    stdio: ['ignore', 'ignore', 'inherit'],
    env: { ...process.env, ASTRO_TELEMETRY_DISABLED: '1' },
  });
}

interface Row {
  name: string;
  result: AutocannonResult;
  /** Server CPU time (user + system) per request, or null where /proc is not available. */
  serverCpuMsPerRequest: number | null;
  /** This process's CPU time per request: autocannon shares the machine's cores with the server. */
  loadCpuMsPerRequest: number;
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

/**
 * Warm-up, then the measured run. Also records the server's CPU time per request: on a shared, busy
 * machine requests/s says more about the neighbours than about the portal, CPU per request does not.
 */
async function load(name: string, url: string, headers: Record<string, string>, pids: number[]): Promise<Row> {
  await autocannon({ url, connections, duration: WARMUP_S, headers });
  const before = cpuMs(pids);
  const loadBefore = process.cpuUsage();
  const result = await autocannon({ url, connections, duration: durationS, headers });
  const loadUsed = process.cpuUsage(loadBefore);
  const after = cpuMs(pids);
  const serverCpuMsPerRequest =
    before !== null && after !== null && result.requests.total > 0 ? (after - before) / result.requests.total : null;
  const loadCpuMsPerRequest = (loadUsed.user + loadUsed.system) / 1000 / Math.max(1, result.requests.total);
  return { name, result, serverCpuMsPerRequest, loadCpuMsPerRequest };
}

function describe({ name, result, serverCpuMsPerRequest, loadCpuMsPerRequest }: Row): string {
  const statuses = Object.entries(result.statusCodeStats)
    .map(([code, { count }]) => `${code}x${count}`)
    .join(' ');
  return [
    name.padEnd(24),
    `${result.requests.average.toFixed(0).padStart(6)} req/s`,
    `p50 ${String(result.latency.p50).padStart(4)} ms`,
    `p99 ${String(result.latency.p99).padStart(4)} ms`,
    `server CPU ${serverCpuMsPerRequest === null ? '?' : serverCpuMsPerRequest.toFixed(2)} ms/req`,
    `autocannon CPU ${loadCpuMsPerRequest.toFixed(2)} ms/req`,
    `errors ${result.errors}, non-2xx ${result.non2xx} (${statuses})`,
  ].join('  ');
}

/**
 * A bare node:http server in a process of its own, answering every request with `bodyBytes` bytes of HTML:
 * the most this machine serves with the load generator beside it.
 */
async function startBareServer(bodyBytes: number): Promise<{ url: string; pid: number; stop(): void }> {
  const source = `
    const body = Buffer.alloc(${bodyBytes}, 'x');
    const server = require('node:http').createServer((req, res) => {
      res.setHeader('Content-Type', 'text/html; charset=utf-8');
      res.end(body);
    });
    server.listen(0, '127.0.0.1', () => console.log(server.address().port));`;
  const child = spawn(process.execPath, ['-e', source], { stdio: ['ignore', 'pipe', 'inherit'] });
  const port = await new Promise<number>((resolve, reject) => {
    child.once('error', reject);
    child.stdout.once('data', (chunk: Buffer) => resolve(Number(String(chunk).trim())));
  });
  if (!child.pid) throw new Error('The bare server did not start.');
  return { url: `http://127.0.0.1:${port}/`, pid: child.pid, stop: () => child.kill() };
}

const profileDir = values['cpu-prof'];
const serverEnv: Record<string, string> = {};
if (profileDir) serverEnv.NODE_OPTIONS = `${process.env.NODE_OPTIONS ?? ''} --cpu-prof --cpu-prof-dir=${profileDir}`;
if (values.workers) serverEnv.WEB_CONCURRENCY = values.workers;
const server = await startServer(serverEnv);
try {
  const cookie = await signInOverHttp(server.url, 'member@iecpa.test', DEMO_PASSWORD);
  const check = await fetch(`${server.url}/account`, { headers: { Cookie: cookie }, redirect: 'manual' });
  if (check.status !== 200) throw new Error(`/account with the session cookie answered ${check.status}, not 200`);
  const signedInPageBytes = (await check.arrayBuffer()).byteLength;

  console.log(
    `${connections} connections, ${durationS} s each after ${WARMUP_S} s warm-up; ` +
      `server processes: ${serverPids().length} (WEB_CONCURRENCY ${values.workers ?? process.env.WEB_CONCURRENCY ?? '1'}); ` +
      `${availableParallelism()} cores, load average ${loadavg()
        .map((l) => l.toFixed(1))
        .join(' ')}`,
  );
  const pids = serverPids();
  const rows: Row[] = [];
  if (values.floor) {
    const bare = await startBareServer(signedInPageBytes);
    try {
      rows.push(await load(`bare node:http ${(signedInPageBytes / 1024).toFixed(0)} KiB`, bare.url, {}, [bare.pid]));
    } finally {
      bare.stop();
    }
    rows.push(await load('GET /api/health', `${server.url}/api/health`, {}, pids));
  }
  if (!values['signed-in-only']) rows.push(await load('GET / (anonymous)', `${server.url}/`, {}, pids));
  rows.push(await load('GET /account (member)', `${server.url}/account`, { Cookie: cookie }, pids));
  for (const row of rows) console.log(describe(row));

  const signedIn = rows.at(-1)?.result;
  if (signedIn) {
    const fastEnough = signedIn.requests.average >= TARGET_REQUESTS_PER_S;
    const p99Ok = signedIn.latency.p99 <= TARGET_P99_MS;
    const clean = signedIn.non2xx === 0 && signedIn.errors === 0;
    console.log(
      `Target for the signed-in page: >= ${TARGET_REQUESTS_PER_S} req/s and p99 <= ${TARGET_P99_MS} ms on 2 cores: ` +
        `${fastEnough && p99Ok && clean ? 'met' : 'NOT met'} ` +
        `(${signedIn.requests.average.toFixed(0)} req/s, p99 ${signedIn.latency.p99} ms${clean ? '' : ', with failed requests'}).`,
    );
  }
} finally {
  await server.stop();
}
if (profileDir) console.log(`Server CPU profile written to ${profileDir}.`);
