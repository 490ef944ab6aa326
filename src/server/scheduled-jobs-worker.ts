/**
 * The scheduled jobs' worker thread (started by startScheduledJobs): its own connection and timer. On a
 * `stop` message it lets the running job finish, closes its connection and exits: terminating the thread
 * while the database driver's native code ran aborted the whole process (SIGABRT, seen in CI).
 */
import { parentPort, workerData } from 'node:worker_threads';
import { openDb } from '#db/client.ts';
import { getDeps } from './deps.ts';
import { getEnv } from './env.ts';
import { SCHEDULED_JOB_INTERVAL_MS, startJobTimer } from './scheduled-jobs.ts';

const env = getEnv();
const { db, client } = await openDb({ url: env.DATABASE_URL, authToken: env.DATABASE_AUTH_TOKEN });
const intervalMs = (workerData as { intervalMs?: number } | null)?.intervalMs ?? SCHEDULED_JOB_INTERVAL_MS;
const jobs = startJobTimer({
  db,
  deps: getDeps(),
  intervalMs,
  keepAlive: true,
  onRun: (name, ok) => parentPort?.postMessage({ kind: 'job-run', name, ok }),
});
parentPort?.on('message', async (message: { kind?: string }) => {
  if (message?.kind !== 'stop') return;
  jobs.stop();
  await jobs.idle();
  client.close();
  parentPort?.close();
});
