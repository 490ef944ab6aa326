/**
 * `npm run bench:journal [-- --no-build] [--duration 10]` (scripts/bench-journal-pages.ts): saturation throughput of a journal article page
 * at 50 connections next to /api/health in the same run (issue 17's target: the article page at >= 60 %
 * of /api/health), on the built portal with the demo seed. A warm-up run precedes each measured one.
 */
import { execFileSync } from 'node:child_process';
import { createRequire } from 'node:module';
import { loadavg } from 'node:os';
import { parseArgs } from 'node:util';
import { desc } from 'drizzle-orm';
import { journalArticles } from '#db/schema/index.ts';
import { startServer } from '#test/helpers/server.ts';

interface AutocannonResult {
  requests: { average: number; total: number };
  latency: { p50: number; p99: number };
  non2xx: number;
  errors: number;
}
type Autocannon = (options: { url: string; connections: number; duration: number }) => Promise<AutocannonResult>;
// autocannon ships no types; require() keeps the type checker to the interface above.
const autocannon = createRequire(import.meta.url)('autocannon') as Autocannon;

const TARGET_RATIO = 0.6;
const { values } = parseArgs({
  options: {
    'no-build': { type: 'boolean', default: false },
    duration: { type: 'string', default: '10' },
    connections: { type: 'string', default: '50' },
  },
});
const duration = Number(values.duration);
const connections = Number(values.connections);
if (!(duration > 0 && duration <= 120) || !(connections > 0 && connections <= 500)) {
  throw new Error('--duration must be 1..120 seconds and --connections 1..500.');
}
if (!values['no-build']) {
  console.log('Building the site (pass --no-build to reuse dist/)...');
  execFileSync(process.execPath, ['node_modules/astro/bin/astro.mjs', 'build'], {
    stdio: ['ignore', 'ignore', 'inherit'],
  });
}

const server = await startServer();
try {
  const [article] = await server.db.db
    .select({ id: journalArticles.id })
    .from(journalArticles)
    .orderBy(desc(journalArticles.publishedAt))
    .limit(1);
  if (!article) throw new Error('the demo seed published no article');
  const pages = [
    ['/api/health', '/api/health'],
    ['article page', `/journal/articles/${article.id}`],
    ['journal index', '/journal'],
  ] as const;
  const rows: { page: string; rps: number; p50: number; p99: number; failed: number }[] = [];
  for (const [name, path] of pages) {
    const url = `${server.url}${path}`;
    await autocannon({ url, connections, duration: 2 });
    const r = await autocannon({ url, connections, duration });
    rows.push({
      page: name,
      rps: r.requests.average,
      p50: r.latency.p50,
      p99: r.latency.p99,
      failed: r.non2xx + r.errors,
    });
  }
  const health = rows[0]?.rps ?? 1;
  console.log(
    `\n${connections} connections, ${duration} s each, load average ${loadavg()
      .map((l) => l.toFixed(1))
      .join(' ')}`,
  );
  console.log('| page | req/s | share of /api/health | p50 ms | p99 ms | failed |');
  console.log('|---|---|---|---|---|---|');
  for (const r of rows) {
    console.log(
      `| ${r.page} | ${r.rps.toFixed(0)} | ${((100 * r.rps) / health).toFixed(0)} % | ${r.p50} | ${r.p99} | ${r.failed} |`,
    );
  }
  const ratio = (rows[1]?.rps ?? 0) / health;
  console.log(
    `\nArticle page: ${(100 * ratio).toFixed(0)} % of /api/health (target >= ${100 * TARGET_RATIO} %): ${ratio >= TARGET_RATIO ? 'met' : 'NOT met'}.`,
  );
} finally {
  await server.stop();
}
