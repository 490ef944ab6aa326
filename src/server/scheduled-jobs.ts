/**
 * Jobs the server process runs on a timer: at start and then every hour, in a worker thread of the server
 * (startScheduledJobs). A worker, because the embedded database's driver waits for a lock synchronously: a
 * second connection on the request thread would block the event loop while a request's transaction held the
 * lock, so neither could finish until the 5 s busy timeout failed one of them (measured: 5.2 s and
 * SQLITE_BUSY with two connections in one thread). In its own thread the job waits without stopping requests. Each run is recorded in
 * scheduled_job_runs (start, finish, result or error). A failing run is logged and recorded; the timer goes
 * on. A run still going when the next is due is not overlapped. The jobs read only current state, so a
 * restart simply runs them again; running twice or in two processes at once is safe
 * (services/membership-reminders.ts).
 */
import { once } from 'node:events';
import { Worker } from 'node:worker_threads';
import { eq } from 'drizzle-orm';
import type { Db } from '#db/client.ts';
import { scheduledJobRuns } from '#db/schema/index.ts';
import { runNightlyBackup } from './backup/backup.ts';
import { getEnv } from './env.ts';
import { recordJobRun } from './http/metrics.ts';
import { purgeOldContactMessages } from './services/contact.ts';
import { runCredentialJob } from './services/credential-job.ts';
import type { ServiceDeps } from './services/deps.ts';
import { submitExpiredAttempts } from './services/exam-attempts.ts';
import { recomputeAllStatistics } from './services/exam-forms.ts';
import { runReviewReminders } from './services/journal-editorial.ts';
import { purgeDecidedApplicationDocuments } from './services/membership-documents.ts';
import { runMembershipJob } from './services/membership-reminders.ts';

export const SCHEDULED_JOB_INTERVAL_MS = 60 * 60 * 1000;

export interface ScheduledJob {
  name: string;
  run(db: Db, deps: ServiceDeps, now: number): Promise<unknown>;
}

export const SCHEDULED_JOBS: ScheduledJob[] = [
  { name: 'membership', run: runMembershipJob },
  // Documents of rejected and withdrawn applications, once their keeping period is over.
  {
    name: 'application-documents',
    run: (db, _deps, now) => purgeDecidedApplicationDocuments(db, getEnv().UPLOAD_DIR, now),
  },
  // Contact messages, once their keeping period is over.
  { name: 'contact-messages', run: (db, _deps, now) => purgeOldContactMessages(db, now) },
  // Exam attempts past their deadline are submitted with what was saved (a candidate's next access does
  // it too), then every published exam's item statistics are recomputed and weak items flagged for review.
  {
    name: 'exams',
    run: async (db, _deps, now) => ({
      submitted: await submitExpiredAttempts(db, now),
      examsAnalysed: await recomputeAllStatistics(db, now),
    }),
  },
  // The day's backup archive of the database and uploads, and the retention of older ones.
  { name: 'backup', run: (_db, _deps, now) => runNightlyBackup(nightlyBackupOptions(now)) },
  // Credentials: awards, expiry reminders, maintenance due, recertification, expiry, membership lapses.
  { name: 'credentials', run: runCredentialJob },
  // Journal reviewers reminded before their report is due; overdue reports marked and their editor mailed.
  { name: 'journal-reviews', run: (db, deps, now) => runReviewReminders(db, deps, now) },
];

function nightlyBackupOptions(now: number): Parameters<typeof runNightlyBackup>[0] {
  const env = getEnv();
  return {
    databaseUrl: env.DATABASE_URL,
    uploadDir: env.UPLOAD_DIR,
    backupDir: env.BACKUP_DIR,
    keep: env.BACKUP_KEEP,
    hourUtc: env.BACKUP_HOUR_UTC,
    now,
  };
}

export interface ScheduledJobsOptions {
  db: Db;
  deps: ServiceDeps;
  intervalMs?: number;
  jobs?: ScheduledJob[];
  clock?: () => number;
  log?: Pick<Console, 'error'>;
  /** Let the timer keep the thread alive (the worker); by default it does not (tests, scripts). */
  keepAlive?: boolean;
  /** Told of every finished run (the worker passes it on to the server's metrics). */
  onRun?: (name: string, ok: boolean) => void;
}

export interface ScheduledJobsHandle {
  /** Resolves when the run in progress (if any) has finished. */
  idle(): Promise<void>;
  stop(): void;
}

/** Runs one job once and records it; never throws (the error is logged and recorded). */
export async function runScheduledJob(
  db: Db,
  deps: ServiceDeps,
  job: ScheduledJob,
  clock: () => number = Date.now,
  log: Pick<Console, 'error'> = console,
): Promise<{ ok: boolean; result: unknown }> {
  const startedAt = clock();
  try {
    await db
      .insert(scheduledJobRuns)
      .values({ name: job.name, lastStartedAt: startedAt, lastFinishedAt: null, lastResult: null })
      .onConflictDoUpdate({ target: scheduledJobRuns.name, set: { lastStartedAt: startedAt } });
    const result = await job.run(db, deps, startedAt);
    await db
      .update(scheduledJobRuns)
      .set({ lastFinishedAt: clock(), lastResult: JSON.stringify({ ok: true, result }) })
      .where(eq(scheduledJobRuns.name, job.name));
    return { ok: true, result };
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    log.error(`[scheduled job ${job.name}] failed: ${message}`);
    await db
      .update(scheduledJobRuns)
      .set({ lastFinishedAt: clock(), lastResult: JSON.stringify({ ok: false, error: message.slice(0, 500) }) })
      .where(eq(scheduledJobRuns.name, job.name))
      .catch((recordError: unknown) => log.error(`[scheduled job ${job.name}] could not record: ${recordError}`));
    return { ok: false, result: message };
  }
}

/** Starts the timer in this thread: every job runs now and then every `intervalMs`. */
export function startJobTimer(options: ScheduledJobsOptions): ScheduledJobsHandle {
  const jobs = options.jobs ?? SCHEDULED_JOBS;
  const clock = options.clock ?? Date.now;
  const log = options.log ?? console;
  let running: Promise<void> | null = null;

  function tick(): void {
    if (running) return;
    running = (async () => {
      for (const job of jobs) {
        const { ok } = await runScheduledJob(options.db, options.deps, job, clock, log);
        options.onRun?.(job.name, ok);
      }
    })().finally(() => {
      running = null;
    });
  }

  tick();
  const timer = setInterval(tick, options.intervalMs ?? SCHEDULED_JOB_INTERVAL_MS);
  if (!options.keepAlive) timer.unref();
  return {
    async idle() {
      while (running) await running;
    },
    stop() {
      clearInterval(timer);
    },
  };
}

/**
 * Starts the scheduled jobs in a worker thread of this process (scripts/serve.ts calls it once). The worker
 * opens its own connection from the environment (DATABASE_URL, SMTP_URL…); `env` overrides it (tests).
 * A worker that fails is logged, never thrown into the server; the worker does not keep the process alive.
 */
export function startScheduledJobs(
  options: { env?: Record<string, string | undefined>; intervalMs?: number; log?: Pick<Console, 'error'> } = {},
): Worker {
  const log = options.log ?? console;
  const worker = new Worker(new URL('./scheduled-jobs-worker.ts', import.meta.url), {
    env: options.env ?? process.env,
    workerData: { intervalMs: options.intervalMs ?? SCHEDULED_JOB_INTERVAL_MS },
  });
  worker.on('message', (message: { kind?: string; name?: string; ok?: boolean }) => {
    if (message?.kind === 'job-run' && typeof message.name === 'string')
      recordJobRun(message.name, message.ok === true);
  });
  worker.on('error', (error) => log.error(`[scheduled jobs] worker failed: ${error.message}`));
  worker.on('exit', (code) => {
    if (code !== 0) log.error(`[scheduled jobs] worker exited with code ${code}`);
  });
  worker.unref();
  return worker;
}

/**
 * Stops the jobs' worker: it finishes the job it is running, closes its connection and exits. Only a worker
 * that has not exited within `timeoutMs` is terminated. Resolves to how it ended.
 */
export async function stopScheduledJobs(worker: Worker, timeoutMs = 30_000): Promise<'stopped' | 'terminated'> {
  worker.postMessage({ kind: 'stop' });
  try {
    await once(worker, 'exit', { signal: AbortSignal.timeout(timeoutMs) });
    return 'stopped';
  } catch {
    await worker.terminate();
    return 'terminated';
  }
}
