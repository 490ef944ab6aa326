import { count } from 'drizzle-orm';
import type { Db } from '#db/client.ts';
import { mailOutbox, scheduledJobRuns } from '#db/schema/index.ts';
import type { GaugeSample } from './metrics.ts';

/**
 * Values read from the database at scrape time, the same in every process: the mail outbox by status
 * (`failed` is the backlog to look at; `stored` grows when no SMTP is configured) and each scheduled job's
 * last run (recorded by whichever process runs the jobs).
 */
export async function readMetricGauges(db: Db): Promise<GaugeSample[]> {
  const gauges: GaugeSample[] = [];
  const outbox = await db.select({ status: mailOutbox.status, n: count() }).from(mailOutbox).groupBy(mailOutbox.status);
  for (const status of ['stored', 'sent', 'failed'] as const) {
    gauges.push({
      name: 'iecpa_mail_outbox_messages',
      help: 'Messages in the mail outbox, by status.',
      labels: { status },
      value: outbox.find((row) => row.status === status)?.n ?? 0,
    });
  }
  for (const run of await db.select().from(scheduledJobRuns)) {
    let ok = 0;
    try {
      ok = (JSON.parse(run.lastResult ?? '{}') as { ok?: boolean }).ok === true ? 1 : 0;
    } catch {
      ok = 0;
    }
    gauges.push({
      name: 'iecpa_scheduled_job_last_run_ok',
      help: '1 when the last finished run of the job succeeded, else 0.',
      labels: { job: run.name },
      value: ok,
    });
    gauges.push({
      name: 'iecpa_scheduled_job_last_finished_timestamp_seconds',
      help: 'When the last run of the job finished (Unix time); 0 when it never finished.',
      labels: { job: run.name },
      value: (run.lastFinishedAt ?? 0) / 1000,
    });
  }
  return gauges;
}
