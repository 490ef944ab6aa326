/**
 * Registry benchmark (issue 16): the public registry's search and a verification page (and its JSON), at
 * `--connections` (50) on the built server, next to `/api/health` measured in the same run: saturation
 * throughput (closed loop), its share of `/api/health`'s, and p50/p99 latency at saturation. Target: the
 * registry pages serve >= 60 % of `/api/health`'s throughput (insurers check numbers in bulk).
 *
 *   npm run bench:registry [-- --no-build] [--duration 10] [--connections 50]
 *
 * Starts the built server (NODE_ENV=test, so the demo holder is seeded) on a free loopback port with a fresh
 * database. The registry's per-address limit is raised for the run (REGISTRY_RATE_LIMIT): the load comes
 * from one address, and the point is the pages, not the limiter (which still counts every request).
 */
import { execFileSync } from 'node:child_process';
import { createRequire } from 'node:module';
import { availableParallelism, loadavg } from 'node:os';
import { parseArgs } from 'node:util';
import { credentials } from '#db/schema/index.ts';
import { startServer } from '#test/helpers/server.ts';

interface AutocannonResult {
  requests: { total: number };
  latency: { p50: number; p99: number };
  duration: number;
  errors: number;
  timeouts: number;
  non2xx: number;
}
type Autocannon = (options: { url: string; connections: number; duration: number }) => Promise<AutocannonResult>;
// autocannon ships no types; require() keeps the type checker to the interface above.
const autocannon = createRequire(import.meta.url)('autocannon') as Autocannon;

const TARGET_SHARE = 0.6;
const WARMUP_S = 2;

const { values } = parseArgs({
  options: {
    'no-build': { type: 'boolean', default: false },
    duration: { type: 'string', default: '10' },
    connections: { type: 'string', default: '50' },
  },
});
const durationS = Number(values.duration);
const connections = Number(values.connections);
if (!(durationS > 0 && durationS <= 120) || !(Number.isInteger(connections) && connections > 0 && connections <= 500))
  throw new Error('--duration must be 1..120 seconds and --connections 1..500.');

if (!values['no-build']) {
  console.log('Building the site (pass --no-build to reuse dist/)...');
  execFileSync(process.execPath, ['node_modules/astro/bin/astro.mjs', 'build'], {
    stdio: ['ignore', 'ignore', 'inherit'],
    env: { ...process.env, ASTRO_TELEMETRY_DISABLED: '1' },
  });
}

const server = await startServer({ REGISTRY_RATE_LIMIT: '1000000000' });
try {
  const [row] = await server.db.db.select({ number: credentials.number }).from(credentials).limit(1);
  if (!row) throw new Error('the demo seed made no credential: is the handbook and exam content in place?');
  const pages = [
    { name: '/api/health', path: '/api/health' },
    { name: 'registry search', path: '/registry?q=carla' },
    { name: 'verification page', path: `/registry/${row.number}` },
    { name: 'verification JSON', path: `/registry/${row.number}.json` },
  ];
  for (const page of pages) {
    const check = await fetch(server.url + page.path);
    if (check.status !== 200) throw new Error(`${page.path} answered ${check.status}`);
    await check.arrayBuffer();
  }
  console.log(
    `${connections} connections, ${durationS} s per page after ${WARMUP_S} s warm-up; ${availableParallelism()} cores; load average ${loadavg()
      .map((l) => l.toFixed(1))
      .join(' ')}`,
  );
  const results: { name: string; rps: number; p50: number; p99: number; failed: number }[] = [];
  for (const page of pages) {
    const url = server.url + page.path;
    await autocannon({ url, connections, duration: WARMUP_S });
    const r = await autocannon({ url, connections, duration: durationS });
    results.push({
      name: page.name,
      rps: r.requests.total / r.duration,
      p50: r.latency.p50,
      p99: r.latency.p99,
      failed: r.errors + r.timeouts + r.non2xx,
    });
  }
  const health = results[0]?.rps ?? Number.NaN;
  console.log(
    `${'page'.padEnd(20)} ${'req/s'.padStart(8)} ${'vs health'.padStart(10)} ${'p50 ms'.padStart(7)} ${'p99 ms'.padStart(7)} ${'failed'.padStart(7)}`,
  );
  for (const r of results)
    console.log(
      `${r.name.padEnd(20)} ${r.rps.toFixed(0).padStart(8)} ${`${((r.rps / health) * 100).toFixed(0)} %`.padStart(10)} ${String(r.p50).padStart(7)} ${String(r.p99).padStart(7)} ${String(r.failed).padStart(7)}`,
    );
  for (const r of results.slice(1)) {
    const share = r.rps / health;
    console.log(
      `${r.name}: ${(share * 100).toFixed(0)} % of /api/health (target >= ${TARGET_SHARE * 100} %: ${share >= TARGET_SHARE ? 'met' : 'NOT met'}).`,
    );
  }
} finally {
  await server.stop();
}
