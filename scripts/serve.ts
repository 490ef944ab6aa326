/**
 * Starts the portal: migrates the database (and seeds demo accounts outside production), then serves
 * Astro's build behind a Node server that serves the client build (assets, prerendered pages) and adds the
 * security headers to every response.
 *
 * WEB_CONCURRENCY=<n> (default 1) serves from n processes (node:cluster) sharing one port, so the server can
 * use n cores. The primary process prepares the database once and forks the workers; it serves nothing.
 * The embedded database copes (WAL: readers never wait; a writer in one process waits for a writer in
 * another in SQLite's busy handler, up to the 5 s busy timeout, and transactions begin IMMEDIATE so they do
 * not fail half-way), but the in-process write queue (db/serialize-writes.ts) covers only its own process:
 * a worker waiting for another worker's write transaction stalls its own requests meanwhile. Hence 1 by
 * default; set it to the core count on a machine with more cores than write traffic.
 *
 * Run it as `npm run serve` (package.json), which gives Node `--max-semi-space-size=4`: a young generation
 * of 8 MB instead of V8's default of up to 32 MB, collected more often, each collection short. With the
 * default, under `/account` at 540 requests/s the server paused 24-27 times per 10 s for 10-43 ms (mean
 * 24 ms) in scavenges, each a delay for every request in flight; with 4 MB, none over 10 ms (measured with a
 * PerformanceObserver on 'gc' entries, issue 14). Tests and benchmarks start the server with the same
 * arguments (test/helpers/server.ts reads them from package.json).
 */
import cluster from 'node:cluster';
import { readFileSync } from 'node:fs';
import { createServer } from 'node:http';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { getEnv } from '#src/server/env.ts';
import { answerEmptyDigestsFromMemory } from '#src/server/http/empty-digest.ts';
import { watchEventLoopDelay } from '#src/server/http/event-loop-delay.ts';
import { isValidHostHeader } from '#src/server/http/host-header.ts';
import { withLeanRequests } from '#src/server/http/lean-request.ts';
import { frontDoorAnswer } from '#src/server/http/request-line.ts';
import { securityHeaders } from '#src/server/http/security-headers.ts';
import { createStaticFileServer } from '#src/server/http/static-files.ts';
import { warmJournalCitations } from '#src/server/journal-warmup.ts';
import { startScheduledJobs } from '#src/server/scheduled-jobs.ts';

type NodeHandler = (
  req: import('node:http').IncomingMessage,
  res: import('node:http').ServerResponse,
  next?: (error?: unknown) => void,
) => void;

const env = getEnv();
const workerCount = env.WEB_CONCURRENCY;

// Once per server, in the process that starts it (the primary, when there are workers).
if (cluster.isPrimary) {
  // Imported here: the import (the handbook and exam importers, the engine, the demo seed) costs seconds of
  // CPU, which worker processes, which never prepare, need not pay.
  const { prepareDatabase } = await import('./prepare-db.ts');
  await prepareDatabase(env);
  // Membership reminders and expiry: at start and hourly, in a worker thread of this process only, so the
  // jobs run once per server however many workers serve (src/server/scheduled-jobs.ts).
  startScheduledJobs();
}

if (cluster.isPrimary && workerCount > 1) {
  superviseWorkers(workerCount);
} else {
  await serve();
}

/** Forks the workers, replaces one that dies, and stops them all on SIGINT/SIGTERM. */
function superviseWorkers(count: number): void {
  let stopping = false;
  let alive = 0;
  /** Workers that got as far as listening; one that dies before is failing to start (port taken, no build). */
  const served = new Set<number>();
  const fork = (): void => {
    cluster.fork();
    alive++;
  };
  cluster.on('listening', (worker) => {
    served.add(worker.id);
    if (served.size === count) {
      console.log(
        `IECPA portal listening on http://${env.HOST}:${env.PORT} with ${count} worker processes (database ${env.DATABASE_URL})`,
      );
    }
  });
  cluster.on('exit', (worker, code, signal) => {
    alive--;
    if (stopping) {
      if (alive === 0) process.exit();
      return;
    }
    console.error(`Worker ${worker.process.pid} exited (${signal ?? `code ${code}`}).`);
    if (!served.has(worker.id)) {
      // Starting another would fail the same way, over and over.
      console.error('It died before it could serve; stopping the server.');
      stopping = true;
      process.exitCode = 1;
      if (alive === 0) process.exit();
      for (const other of Object.values(cluster.workers ?? {})) other?.process.kill('SIGTERM');
      return;
    }
    fork();
  });
  for (const signal of ['SIGINT', 'SIGTERM'] as const) {
    process.on(signal, () => {
      stopping = true;
      if (alive === 0) process.exit();
      for (const worker of Object.values(cluster.workers ?? {})) worker?.process.kill('SIGTERM');
    });
  }
  for (let i = 0; i < count; i++) fork();
}

async function serve(): Promise<void> {
  // Astro hashes each linked stylesheet's (empty) inline content for the CSP on every request.
  answerEmptyDigestsFromMemory(crypto.subtle);
  watchEventLoopDelay();
  // IECPA_DIST_DIR (relative to the repository, or absolute) lets test runs serve their own build.
  const distDir = new URL(`${process.env.IECPA_DIST_DIR ?? 'dist'}/`, new URL('../', import.meta.url));
  const entry = new URL('server/entry.mjs', distDir);
  const { handler } = (await import(entry.href)) as { handler: NodeHandler };
  const headers = securityHeaders(env.NODE_ENV === 'production');
  const clientRoot = fileURLToPath(new URL('client', distDir));
  const notFoundPage = readFileSync(join(clientRoot, '404.html'));
  const serveStaticFile = createStaticFileServer(clientRoot);
  // The CSL styles compile in the citation worker while the server starts listening; a reader who comes
  // sooner waits only for the rest of it (src/server/journal-warmup.ts).
  warmJournalCitations(new URL(env.SITE_URL).origin).then(
    (ms) => console.log(`Citation styles compiled in ${Math.round(ms)} ms.`),
    (error: unknown) =>
      console.error('Compiling the citation styles failed; the first article page will try again:', error),
  );

  const server = createServer((req, res) => {
    for (const [name, value] of Object.entries(headers)) res.setHeader(name, value);
    if (!isValidHostHeader(req.headers.host)) {
      res.statusCode = 400;
      res.setHeader('Content-Type', 'text/plain; charset=utf-8');
      res.end('Bad request: the Host header is not a valid host name.');
      return;
    }
    const answer = frontDoorAnswer(req.method, req.url);
    if (answer) {
      res.statusCode = answer.status;
      if (answer.allow) res.setHeader('Allow', answer.allow);
      if (answer.status !== 204) res.setHeader('Content-Type', 'text/plain; charset=utf-8');
      res.end(answer.message);
      return;
    }
    if (serveStaticFile(req, res)) return;
    withLeanRequests(() =>
      handler(req, res, (error) => {
        // Astro hands on what no route matched: answer with the prerendered 404 page.
        if (error) {
          res.statusCode = 500;
          res.setHeader('Content-Type', 'text/plain; charset=utf-8');
          res.end('Internal error');
          return;
        }
        res.statusCode = 404;
        res.setHeader('Content-Type', 'text/html; charset=utf-8');
        res.end(notFoundPage);
      }),
    );
  });
  server.listen(env.PORT, env.HOST, () => {
    if (cluster.isWorker) return; // the primary reports once all workers listen
    console.log(`IECPA portal listening on http://${env.HOST}:${env.PORT} (database ${env.DATABASE_URL})`);
  });

  for (const signal of ['SIGINT', 'SIGTERM'] as const) {
    process.on(signal, () => server.close(() => process.exit(0)));
  }
}
