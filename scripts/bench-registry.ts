/**
 * Registry benchmark (issue 16): the public registry's search and a verification page (and its JSON), at
 * `--connections` (50) on the built server, next to `/api/health` measured in the same run: saturation
 * throughput (closed loop), its share of `/api/health`'s, and p50/p99 latency at saturation. Target: the
 * registry pages serve >= 60 % of `/api/health`'s throughput (insurers check numbers in bulk). Each page is
 * measured as visitors ask for it and `rendered` each time (scripts/bench-pages-lib.ts).
 *
 *   npm run bench:registry [-- --no-build] [--duration 10] [--connections 50]
 *
 * Starts the built server (NODE_ENV=test, so the demo holder is seeded) on a free loopback port with a fresh
 * database. The registry's per-address limit is raised for the run (REGISTRY_RATE_LIMIT): the load comes
 * from one address, and the point is the pages, not the limiter (which still counts every request).
 */
import { credentials } from '#db/schema/index.ts';
import { startServer, untilServerSettled } from '#test/helpers/server.ts';
import { benchPages, pageBenchSetUp } from './bench-pages-lib.ts';

const options = pageBenchSetUp();
const server = await startServer({ REGISTRY_RATE_LIMIT: '1000000000' });
try {
  await untilServerSettled(server);
  const [row] = await server.db.db.select({ number: credentials.number }).from(credentials).limit(1);
  if (!row) throw new Error('the demo seed made no credential: is the handbook and exam content in place?');
  const search = '/registry?q=carla';
  const record = `/registry/${row.number}`;
  await benchPages(
    server.url,
    [
      { name: 'registry search', path: search },
      { name: 'registry search, rendered', path: search, rendered: true },
      { name: 'verification page', path: record },
      { name: 'verification page, rendered', path: record, rendered: true },
      { name: 'verification JSON', path: `${record}.json` },
    ],
    options,
    0.6,
    ['registry search', 'verification page', 'verification JSON'],
  );
} finally {
  await server.stop();
}
