import { execFileSync } from 'node:child_process';
import { request } from 'node:http';
import { afterAll, beforeAll, expect, test } from 'vitest';
import { DEMO_PASSWORD } from '#scripts/demo-seed.ts';
import { postForm, signInOverHttp } from '#test/helpers/portal-flows.ts';
import { type RunningServer, startServer } from '#test/helpers/server.ts';

// WEB_CONCURRENCY=2: two worker processes share the port (scripts/serve.ts). Each worker checks sessions on
// its own prepared read connection (db/client.ts), so a sign-out handled by one worker must be seen by the
// other at once.

const WORKERS = 2;
let server: RunningServer;

beforeAll(async () => {
  server = await startServer({ WEB_CONCURRENCY: String(WORKERS) });
});

afterAll(async () => {
  await server?.stop();
});

/** Command lines of the processes whose parent is `pid`. */
function childrenOf(pid: number): { pid: number; args: string }[] {
  const out = execFileSync('ps', ['-o', 'pid=,args=', '--ppid', String(pid)], { encoding: 'utf8' });
  return out
    .split('\n')
    .filter((line) => line.trim() !== '')
    .map((line) => {
      const [first = '', ...rest] = line.trim().split(/\s+/);
      return { pid: Number(first), args: rest.join(' ') };
    });
}

/** GET on a connection of its own (the cluster hands connections to the workers in turn). */
function getOnNewConnection(path: string, cookie: string): Promise<number> {
  return new Promise((resolve, reject) => {
    const req = request(`${server.url}${path}`, { agent: false, headers: { Cookie: cookie } }, (res) => {
      res.resume();
      res.on('end', () => resolve(res.statusCode ?? 0));
    });
    req.on('error', reject);
    req.end();
  });
}

test('serves from the configured number of worker processes', () => {
  const primary = childrenOf(process.pid).find((p) => p.args.includes('scripts/serve.ts'));
  expect(primary).toBeDefined();
  const workers = childrenOf(primary?.pid ?? 0).filter((p) => p.args.includes('scripts/serve.ts'));
  expect(workers).toHaveLength(WORKERS);
});

test('a session works on every worker, and after sign-out on one it works on none', async () => {
  const cookie = await signInOverHttp(server.url, 'member@iecpa.test', DEMO_PASSWORD);
  const signedIn = await Promise.all(Array.from({ length: 12 }, () => getOnNewConnection('/account', cookie)));
  expect(signedIn).toEqual(Array(12).fill(200));

  const signOut = await postForm(server.url, '/sign-out', {}, cookie);
  expect(signOut.status).toBe(303);
  const after = await Promise.all(Array.from({ length: 12 }, () => getOnNewConnection('/account', cookie)));
  expect(after).toEqual(Array(12).fill(303));
});

/** The worker processes of the server this file started. */
function workerPids(): number[] {
  const primary = childrenOf(process.pid).find((p) => p.args.includes('scripts/serve.ts'));
  if (!primary) return [];
  return childrenOf(primary.pid)
    .filter((p) => p.args.includes('scripts/serve.ts'))
    .map((p) => p.pid);
}

test('replaces a worker that dies, and the replacement serves signed-in pages', async () => {
  // Signed in before the kill: fetch keeps connections alive, and one kept to the killed worker would be
  // closed under the next fetch. After the kill only fresh connections are used.
  const cookie = await signInOverHttp(server.url, 'member@iecpa.test', DEMO_PASSWORD);
  const [victim] = workerPids();
  expect(victim).toBeDefined();
  process.kill(victim ?? 0, 'SIGKILL');
  const deadline = Date.now() + 30_000;
  while (Date.now() < deadline) {
    const pids = workerPids();
    if (pids.length === WORKERS && !pids.includes(victim ?? 0)) break;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  const pids = workerPids();
  expect(pids).toHaveLength(WORKERS);
  expect(pids).not.toContain(victim);

  // Once the replacement listens, every connection, whichever worker takes it, is served: try a round of
  // twelve until one is all served (the replacement needs a moment to start), for at most 30 s.
  let statuses: number[] = [];
  const served = Date.now() + 30_000;
  do {
    statuses = await Promise.all(
      Array.from({ length: 12 }, () => getOnNewConnection('/account', cookie).catch(() => 0)),
    );
  } while (statuses.some((status) => status !== 200) && Date.now() < served);
  expect(statuses).toEqual(Array(12).fill(200));
});

test('stops, with exit code 1, when its workers cannot start (no build to serve)', async () => {
  await expect(startServer({ WEB_CONCURRENCY: String(WORKERS), IECPA_DIST_DIR: 'no-such-build' })).rejects.toThrow(
    /exited with 1/,
  );
});
