import assert from 'node:assert/strict';
import { type ChildProcess, execFileSync, spawn } from 'node:child_process';
import { cpSync, existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type DbHandle, openDb } from '#db/client.ts';

export interface RunningServer {
  url: string;
  /** The server's database, for opening another connection to it. */
  databaseUrl: string;
  /** A second connection to the server's database, for reading the outbox and checking what was written. */
  db: DbHandle;
  /** Everything the server has written to stdout and stderr so far. */
  output(): string;
  stop(): Promise<void>;
  /** Kills the server process with SIGKILL (no shutdown of any kind) and waits for it to exit; keeps its files. */
  kill(): Promise<void>;
}

async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.unref();
    server.on('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      const port = typeof address === 'object' && address ? address.port : 0;
      server.close(() => resolve(port));
    });
  });
}

/**
 * The arguments `npm run serve` gives Node (package.json), so tests and benchmarks run the server as it runs
 * in service, V8 flags included.
 */
function serveArguments(): string[] {
  const packageJson = JSON.parse(readFileSync('package.json', 'utf8')) as { scripts: Record<string, string> };
  const [command, ...args] = packageJson.scripts.serve?.split(/\s+/) ?? [];
  assert.ok(
    command === 'node' && args.at(-1) === 'scripts/serve.ts',
    'package.json\'s "serve" script must be "node [flags] scripts/serve.ts".',
  );
  return args;
}

/** The files of a prepared portal: its database, uploads and credential keys, by their names in a folder. */
const PREPARED_FILES = ['iecpa.db', 'uploads', 'keys'] as const;

/**
 * Makes `dir` a prepared portal's folder (`npm run db:prepare`: migrated, handbook and exams imported, demo
 * accounts seeded), for startServer to copy: preparing costs each server seconds of CPU (the exam import
 * simulates its engine items, the demo journal makes PDFs), copying a few milliseconds. The e2e global setup
 * makes one per run and passes it on in IECPA_TEMPLATE_DIR.
 */
export function prepareTemplate(dir: string): void {
  execFileSync(process.execPath, ['scripts/db-prepare.ts'], {
    cwd: process.cwd(),
    stdio: ['ignore', 'ignore', 'inherit'],
    env: {
      ...process.env,
      NODE_ENV: 'test',
      DATABASE_URL: `file:${join(dir, 'iecpa.db')}`,
      UPLOAD_DIR: join(dir, 'uploads'),
      CREDENTIAL_KEY_DIR: join(dir, 'keys'),
    },
  });
}

/**
 * Starts the built portal (scripts/serve.ts on dist/) on a free port with a database of its own: a copy of
 * the run's template (IECPA_TEMPLATE_DIR) when there is one, else a fresh one the server prepares itself.
 * `extraEnv` with DATABASE_URL starts it on that database instead.
 */
export async function startServer(extraEnv: Record<string, string> = {}): Promise<RunningServer> {
  const dir = mkdtempSync(join(tmpdir(), 'iecpa-e2e-'));
  const template = process.env.IECPA_TEMPLATE_DIR;
  if (template && !extraEnv.DATABASE_URL) {
    for (const name of PREPARED_FILES) {
      const from = join(template, name);
      if (existsSync(from)) cpSync(from, join(dir, name), { recursive: true });
    }
  }
  const port = await freePort();
  const url = `http://127.0.0.1:${port}`;
  const databaseUrl = `file:${join(dir, 'iecpa.db')}`;
  const child: ChildProcess = spawn(process.execPath, serveArguments(), {
    cwd: process.cwd(),
    env: {
      ...process.env,
      NODE_ENV: 'test',
      DATABASE_URL: databaseUrl,
      HOST: '127.0.0.1',
      PORT: String(port),
      SITE_URL: url,
      UPLOAD_DIR: join(dir, 'uploads'),
      BACKUP_DIR: join(dir, 'backups'),
      CREDENTIAL_KEY_DIR: join(dir, 'keys'),
      ...extraEnv,
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  child.stdout?.on('data', (chunk) => {
    output += chunk;
  });
  child.stderr?.on('data', (chunk) => {
    output += chunk;
  });
  await new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`server did not start in 60 s:\n${output}`)), 60_000);
    const check = setInterval(() => {
      if (output.includes('listening on')) {
        clearTimeout(timer);
        clearInterval(check);
        resolve();
      }
    }, 50);
    child.once('exit', (code) => {
      clearTimeout(timer);
      clearInterval(check);
      reject(new Error(`server exited with ${code}:\n${output}`));
    });
  });
  const db = await openDb({ url: databaseUrl });
  return {
    url,
    databaseUrl,
    db,
    output: () => output,
    async kill() {
      if (child.exitCode !== null || child.signalCode !== null) return;
      const exited = new Promise((resolve) => child.once('exit', resolve));
      child.kill('SIGKILL');
      await exited;
    },
    async stop() {
      db.client.close();
      if (child.exitCode === null && child.signalCode === null) {
        const exited = new Promise((resolve) => child.once('exit', resolve));
        child.kill('SIGTERM');
        await exited;
      }
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

/**
 * Waits until the server's first run of every scheduled job has finished (they run at start, in a worker
 * thread: the nightly backup archives the database, the exam job recomputes statistics). Benchmarks wait
 * for it, so the jobs' CPU is not counted against the pages.
 */
export async function untilScheduledJobsIdle(server: RunningServer, timeoutMs = 120_000): Promise<void> {
  const { SCHEDULED_JOBS } = await import('#src/server/scheduled-jobs.ts');
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const runs = await server.db.client.execute(
      'SELECT name, last_started_at, last_finished_at FROM scheduled_job_runs',
    );
    const finished = new Set(
      runs.rows
        .filter((row) => row.last_finished_at !== null && Number(row.last_finished_at) >= Number(row.last_started_at))
        .map((row) => String(row.name)),
    );
    if (SCHEDULED_JOBS.every((job) => finished.has(job.name))) return;
    if (Date.now() > deadline) throw new Error(`scheduled jobs still running after ${timeoutMs} ms`);
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
}

/** What scripts/serve.ts logs once a serving process has compiled the citation styles in its worker. */
export const CITATION_STYLES_READY = 'Citation styles compiled in';

/**
 * Waits until the server's start-up work is over, so a benchmark measures serving alone: the scheduled
 * jobs' first runs, and each serving process's citation warm-up (`processes`: WEB_CONCURRENCY), which
 * compiles in a worker thread for about 2 s of CPU after the server listens.
 */
export async function untilServerSettled(server: RunningServer, processes = 1, timeoutMs = 120_000): Promise<void> {
  await untilScheduledJobsIdle(server, timeoutMs);
  const deadline = Date.now() + timeoutMs;
  while (server.output().split(CITATION_STYLES_READY).length - 1 < processes) {
    if (Date.now() > deadline) throw new Error(`citation styles not compiled after ${timeoutMs} ms`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}
