/** The scheduled jobs' worker thread (started by startScheduledJobs): its own connection and timer. */
import { parentPort, workerData } from 'node:worker_threads';
import { openDb } from '#db/client.ts';
import { getDeps } from './deps.ts';
import { getEnv } from './env.ts';
import { SCHEDULED_JOB_INTERVAL_MS, startJobTimer } from './scheduled-jobs.ts';

const env = getEnv();
const { db } = await openDb({ url: env.DATABASE_URL, authToken: env.DATABASE_AUTH_TOKEN });
const intervalMs = (workerData as { intervalMs?: number } | null)?.intervalMs ?? SCHEDULED_JOB_INTERVAL_MS;
startJobTimer({
  db,
  deps: getDeps(),
  intervalMs,
  keepAlive: true,
  onRun: (name, ok) => parentPort?.postMessage({ kind: 'job-run', name, ok }),
});
