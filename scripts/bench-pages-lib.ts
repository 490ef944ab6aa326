/**
 * What the page benchmarks share (bench-registry.ts, bench-journal-pages.ts): their options, the build,
 * and closed-loop saturation runs of pages next to `/api/health` in the same run, printed as a table with
 * each page's share of `/api/health`'s throughput.
 *
 * A page can be measured two ways: as visitors ask for it (the same address again and again, so after the
 * first render the server answers from its page cache, src/server/http/public-page-cache.ts), and
 * `rendered`: every request a different address (an ignored `render=<n>` query parameter), so each one is
 * rendered — what a page costs when the database has just changed, or for a signed-in reader.
 */
import { execFileSync } from 'node:child_process';
import { createRequire } from 'node:module';
import { availableParallelism, loadavg } from 'node:os';
import { parseArgs } from 'node:util';

interface AutocannonResult {
  requests: { total: number };
  latency: { p50: number; p99: number };
  duration: number;
  errors: number;
  timeouts: number;
  non2xx: number;
}
type Autocannon = (options: {
  url: string;
  connections: number;
  duration: number;
  requests?: { setupRequest: (request: { path: string }) => { path: string } }[];
}) => Promise<AutocannonResult>;
// autocannon ships no types; require() keeps the type checker to the interface above.
const autocannon = createRequire(import.meta.url)('autocannon') as Autocannon;

const WARMUP_S = 2;

export interface PageBenchOptions {
  durationS: number;
  connections: number;
}

/** `--no-build`, `--duration` (s, default 10) and `--connections` (default 50); builds the site unless told not to. */
export function pageBenchSetUp(): PageBenchOptions {
  const { values } = parseArgs({
    options: {
      'no-build': { type: 'boolean', default: false },
      duration: { type: 'string', default: '10' },
      connections: { type: 'string', default: '50' },
    },
  });
  const durationS = Number(values.duration);
  const connections = Number(values.connections);
  if (
    !(durationS > 0 && durationS <= 120) ||
    !(Number.isInteger(connections) && connections > 0 && connections <= 500)
  ) {
    throw new Error('--duration must be 1..120 seconds and --connections 1..500.');
  }
  if (!values['no-build']) {
    console.log('Building the site (pass --no-build to reuse dist/)...');
    execFileSync(process.execPath, ['node_modules/astro/bin/astro.mjs', 'build'], {
      stdio: ['ignore', 'ignore', 'inherit'],
      env: { ...process.env, ASTRO_TELEMETRY_DISABLED: '1' },
    });
  }
  return { durationS, connections };
}

export interface BenchPage {
  name: string;
  path: string;
  /** Every request to a different address, so none is answered from the page cache. */
  rendered?: boolean;
}

interface PageResult {
  name: string;
  rps: number;
  p50: number;
  p99: number;
  failed: number;
}

function distinctPaths(path: string): { setupRequest: (request: { path: string }) => { path: string } }[] {
  let n = 0;
  const joiner = path.includes('?') ? '&' : '?';
  return [{ setupRequest: (request) => ({ ...request, path: `${path}${joiner}render=${n++}` }) }];
}

/**
 * Measures `/api/health` and then each page (each after a warm-up), prints the table and, for the pages
 * named in `targets`, whether they reach `targetShare` of `/api/health`'s throughput.
 */
export async function benchPages(
  baseUrl: string,
  pages: BenchPage[],
  options: PageBenchOptions,
  targetShare: number,
  targets: string[],
): Promise<void> {
  const all: BenchPage[] = [{ name: '/api/health', path: '/api/health' }, ...pages];
  for (const page of all) {
    const check = await fetch(baseUrl + page.path);
    if (check.status !== 200) throw new Error(`${page.path} answered ${check.status}`);
    await check.arrayBuffer();
  }
  console.log(
    `${options.connections} connections, ${options.durationS} s per page after ${WARMUP_S} s warm-up; ${availableParallelism()} cores; load average ${loadavg()
      .map((l) => l.toFixed(1))
      .join(' ')}`,
  );
  const results: PageResult[] = [];
  for (const page of all) {
    const run = (duration: number) =>
      autocannon({
        url: baseUrl + page.path,
        connections: options.connections,
        duration,
        ...(page.rendered ? { requests: distinctPaths(page.path) } : {}),
      });
    await run(WARMUP_S);
    const r = await run(options.durationS);
    results.push({
      name: page.name,
      rps: r.requests.total / r.duration,
      p50: r.latency.p50,
      p99: r.latency.p99,
      failed: r.errors + r.timeouts + r.non2xx,
    });
  }
  const health = results[0]?.rps ?? Number.NaN;
  const width = Math.max(20, ...results.map((r) => r.name.length + 1));
  console.log(
    `${'page'.padEnd(width)} ${'req/s'.padStart(8)} ${'vs health'.padStart(10)} ${'p50 ms'.padStart(7)} ${'p99 ms'.padStart(7)} ${'failed'.padStart(7)}`,
  );
  for (const r of results) {
    console.log(
      `${r.name.padEnd(width)} ${r.rps.toFixed(0).padStart(8)} ${`${((r.rps / health) * 100).toFixed(0)} %`.padStart(10)} ${String(r.p50).padStart(7)} ${String(r.p99).padStart(7)} ${String(r.failed).padStart(7)}`,
    );
  }
  for (const r of results.filter((result) => targets.includes(result.name))) {
    const share = r.rps / health;
    console.log(
      `${r.name}: ${(share * 100).toFixed(0)} % of /api/health (target >= ${targetShare * 100} %: ${share >= targetShare ? 'met' : 'NOT met'}).`,
    );
  }
}
