/** Test helper: a simulator attempt run and reported to the server as the console does it. */
import type { Db } from '#db/client.ts';
import type { ControlEntry } from '#sim/index.ts';
import { CHECKPOINT_EVERY_MS, checkpointAttempt, startAttempt } from '#src/server/services/simulator-attempts.ts';
import { type MadeUser, TEST_META } from '#test/helpers/factories.ts';

export interface RunOptions {
  durationMs?: number;
  startedAt?: number;
  runAfterMs?: number;
  heartbeatUntil?: number;
}

/**
 * An honest run as the console makes it (simulator-attempts.ts, "Integrity"): the attempt starts at
 * `startedAt`, the run `runAfterMs` later, and the log is reported every CHECKPOINT_EVERY_MS of simulated
 * (= real) time, each report 100 ms after the time it covers; after the run the console keeps reporting
 * until `heartbeatUntil`. By default the run ended 2.4 s ago, so a submission now is on time.
 */
export async function reportedRunOn(
  db: Db,
  user: MadeUser,
  assessmentId: string,
  log: readonly ControlEntry[],
  opts: RunOptions = {},
): Promise<{ attemptId: string; runStartedAt: number; lastReportAt: number }> {
  const durationMs = opts.durationMs ?? 30_000;
  const startedAt = opts.startedAt ?? Date.now() - durationMs - 3000;
  const started = await startAttempt(db, user.id, assessmentId, TEST_META, startedAt);
  if (!started.ok) throw new Error(`start refused: ${started.message}`);
  const attemptId = started.attempt.attemptId;
  const runStart = startedAt + (opts.runAfterMs ?? 400);
  let sent = 0;
  let at = runStart;
  const report = async (throughMs: number, now: number): Promise<void> => {
    const upTo = log.filter((e) => e.atMs <= throughMs).length;
    const r = await checkpointAttempt(
      db,
      user.id,
      { attemptId, from: sent, entries: log.slice(sent, upTo), throughMs },
      TEST_META,
      now,
    );
    if (!r.ok) throw new Error(`checkpoint refused: ${JSON.stringify(r)}`);
    sent = r.acknowledged;
    at = now;
  };
  for (let through = 0; ; through = Math.min(durationMs, through + CHECKPOINT_EVERY_MS)) {
    await report(through, runStart + through + 100);
    if (through >= durationMs) break;
  }
  while (opts.heartbeatUntil !== undefined && at + CHECKPOINT_EVERY_MS <= opts.heartbeatUntil) {
    await report(durationMs, at + CHECKPOINT_EVERY_MS);
  }
  return { attemptId, runStartedAt: runStart + 100, lastReportAt: at };
}
