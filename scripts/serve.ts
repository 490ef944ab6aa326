/**
 * Starts the portal: migrates the database (and seeds demo accounts outside production), then serves
 * Astro's build behind a Node server that serves the client build (assets, prerendered pages) and adds the
 * security headers to every response.
 */
import { readFileSync } from 'node:fs';
import { createServer } from 'node:http';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { getEnv } from '#src/server/env.ts';
import { securityHeaders } from '#src/server/http/security-headers.ts';
import { createStaticFileServer } from '#src/server/http/static-files.ts';
import { startScheduledJobs } from '#src/server/scheduled-jobs.ts';
import { importFirstEdition, openMigratedDb, seedDemoAccounts } from './prepare-db.ts';

type NodeHandler = (
  req: import('node:http').IncomingMessage,
  res: import('node:http').ServerResponse,
  next?: (error?: unknown) => void,
) => void;

const env = getEnv();
const handle = await openMigratedDb(env);
const imported = await importFirstEdition(handle);
if (imported.created.length + imported.updated.length > 0) {
  console.log(`Handbook import: ${imported.created.length} document(s) added, ${imported.updated.length} updated.`);
}
if (env.NODE_ENV !== 'production') {
  const created = await seedDemoAccounts(handle, env);
  if (created > 0) console.log(`Seeded ${created} demo account(s); see the README for their credentials.`);
}
handle.client.close();

// IECPA_DIST_DIR (relative to the repository, or absolute) lets test runs serve their own build.
const distDir = new URL(`${process.env.IECPA_DIST_DIR ?? 'dist'}/`, new URL('../', import.meta.url));
const entry = new URL('server/entry.mjs', distDir);
const { handler } = (await import(entry.href)) as { handler: NodeHandler };
const headers = securityHeaders(env.NODE_ENV === 'production');
const clientRoot = fileURLToPath(new URL('client', distDir));
const notFoundPage = readFileSync(join(clientRoot, '404.html'));
const serveStaticFile = createStaticFileServer(clientRoot);

const server = createServer((req, res) => {
  for (const [name, value] of Object.entries(headers)) res.setHeader(name, value);
  if (serveStaticFile(req, res)) return;
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
  });
});
server.listen(env.PORT, env.HOST, () => {
  console.log(`IECPA portal listening on http://${env.HOST}:${env.PORT} (database ${env.DATABASE_URL})`);
});
// Membership reminders and expiry: at start and hourly, in a worker thread (src/server/scheduled-jobs.ts).
startScheduledJobs();

for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.on(signal, () => server.close(() => process.exit(0)));
}
