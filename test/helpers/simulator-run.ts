import { vi } from 'vitest';
import type { Db } from '#db/client.ts';
import type { ControlEntry } from '#sim/index.ts';
import { beginRun, checkpointAttempt, submitAttempt } from '#src/server/services/simulator-attempts.ts';
import { type callerFor, TEST_META } from './factories.ts';

type Caller = Awaited<ReturnType<typeof callerFor>>['caller'];

/** How often the helper reports, as the console does (simulator-attempt-run.ts asks for at most 20 s). */
const CHECKPOINT_EVERY_MS = 2_000;

/**
 * Runs an attempt as an honest console does, on a mocked clock (only Date is faked; timers and the replay
 * workers run for real): Start, a checkpoint every 2 s with the settings applied by then, and the
 * submission when the run's time is up. Returns what submitAttempt returns, or throws its refusal.
 */
export async function runAndSubmit(
  caller: Caller,
  attemptId: string,
  log: readonly unknown[],
  /** Fields a forged submission adds (a score, a pass): the procedure must ignore them. */
  extra: Record<string, unknown> = {},
) {
  const { durationMs } = await caller.simulator.attempt({ attemptId });
  // The run is placed so that it ends just before the real now: times the server stores after it (the
  // submission, a cooldown's end) are then not in the future once the real clock is back.
  const t0 = Date.now() - durationMs - 1_000;
  vi.useFakeTimers({ toFake: ['Date'] });
  vi.setSystemTime(t0);
  try {
    await caller.simulator.beginRun({ attemptId });
    const timed = log as readonly Partial<ControlEntry>[];
    let sent = 0;
    for (let t = CHECKPOINT_EVERY_MS; t < durationMs; t += CHECKPOINT_EVERY_MS) {
      vi.setSystemTime(t0 + t);
      let upTo = sent;
      while (upTo < timed.length && Number(timed[upTo]?.atMs) <= t) upTo++;
      await caller.simulator.checkpoint({
        attemptId,
        simTimeMs: t,
        fromIndex: sent,
        entries: [...log.slice(sent, upTo)],
      });
      sent = upTo;
    }
    vi.setSystemTime(t0 + durationMs);
    const input = { ...extra, attemptId, controlLog: [...log] };
    return await caller.simulator.submitAttempt(input);
  } finally {
    vi.useRealTimers();
  }
}

/**
 * The same run through the services with an explicit clock: Start at `t0`, a checkpoint every 2 s, the
 * submission at `t0 + durationMs`. For tests that place the run at a given time (deadlines).
 */
export async function runAndSubmitAt(
  db: Db,
  candidateId: string,
  attemptId: string,
  log: readonly ControlEntry[],
  durationMs: number,
  t0: number,
) {
  const begun = await beginRun(db, candidateId, attemptId, TEST_META, t0);
  if (!begun.ok) return begun;
  let sent = 0;
  for (let t = CHECKPOINT_EVERY_MS; t < durationMs; t += CHECKPOINT_EVERY_MS) {
    let upTo = sent;
    while (upTo < log.length && (log[upTo]?.atMs ?? Number.POSITIVE_INFINITY) <= t) upTo++;
    const r = await checkpointAttempt(
      db,
      candidateId,
      { attemptId, simTimeMs: t, fromIndex: sent, entries: log.slice(sent, upTo) },
      TEST_META,
      t0 + t,
    );
    if (!r.ok) return r;
    sent = upTo;
  }
  return submitAttempt(db, candidateId, { attemptId, controlLog: [...log] }, TEST_META, t0 + durationMs);
}
