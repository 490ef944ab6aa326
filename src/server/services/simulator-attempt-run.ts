/**
 * The real-time protocol of a simulator attempt (issue: an assessment passed without operating the
 * simulator). A result counts only for a run that took place in real time under the server's eyes:
 *
 * - The console never learns the scoring seed. It shows the run on a display seed of its own; the server
 *   scores the candidate's settings on its own run of the same patient (scenario, scripted events) with the
 *   secret seed. Timing settings act on each detected R wave, so a competent operator's log scores the same
 *   on either run, while a log optimised offline against the displayed beats gains nothing.
 * - Start is reported (beginRun). While the run goes on the console reports checkpoints (the control log as
 *   applied, with the simulated time it reached) at least every few seconds; the server acknowledges each.
 *   Simulated time may neither run ahead of real time (no fast-forward) nor fall far behind it (assessments
 *   have no pause), and settings may only be added after the last acknowledged time (no backdating).
 * - A submission is refused before Start + duration, must extend the acknowledged log (only the last few
 *   seconds may be new), and claims the attempt before any replay runs, so a second one is refused cheaply.
 *
 * A run that breaks a rule is voided: the server forgets it (flagging it for examiners), and the candidate
 * may press Start again while the attempt's deadline allows a whole run.
 */
import { type ControlEntry, validateControlLog } from '#sim/index.ts';

export const RUN_RULES = {
  /** The console reports at least this often while running (it aims at every 2 s). */
  maxGapMs: 20_000,
  /** Simulated time may be this much ahead of the server's clock (message latency, clock granularity). */
  aheadToleranceMs: 1_500,
  /** Simulated time may fall this much behind real time (a slow machine, a busy tab) before the run is void. */
  maxLagMs: 30_000,
} as const;

/** What the server holds of a run in progress. */
export interface RunState {
  runStartedAt: number | null;
  lastCheckpointAt: number | null;
  lastCheckpointSimMs: number | null;
  stored: ControlEntry[];
  durationMs: number;
}

export interface CheckpointInput {
  /** Simulated time the console has reached, ms. */
  simTimeMs: number;
  /** How many entries of the log the console already had acknowledged when it sent this. */
  fromIndex: number;
  /** The log's entries from `fromIndex` on, in order. */
  entries: unknown[];
}

export type RunCheck =
  | { ok: true; log: ControlEntry[]; simTimeMs: number }
  | { ok: false; voids: boolean; message: string };

const refuse = (message: string): RunCheck => ({ ok: false, voids: false, message });
const voided = (message: string): RunCheck => ({ ok: false, voids: true, message });

function sameEntry(a: unknown, b: unknown): boolean {
  return JSON.stringify(a) === JSON.stringify(b);
}

/** The rules every report shares: a started run, reported often enough. */
function checkLiveness(state: RunState, now: number): RunCheck | null {
  if (state.runStartedAt === null || state.lastCheckpointAt === null) {
    return refuse('The run has not started on the server. Press Start.');
  }
  if (now - state.lastCheckpointAt > RUN_RULES.maxGapMs) {
    return voided(
      `The console did not report to the server for ${Math.round((now - state.lastCheckpointAt) / 1000)} s (the limit is ${RUN_RULES.maxGapMs / 1000} s), so this run no longer counts.`,
    );
  }
  return null;
}

/**
 * The log after `entries` from `fromIndex` are added to the stored log: entries already stored must match,
 * new ones must lie after the last acknowledged time and not after `untilMs`.
 */
function extendLog(state: RunState, fromIndex: number, entries: unknown[], untilMs: number): RunCheck {
  const stored = state.stored;
  if (!Number.isInteger(fromIndex) || fromIndex < 0 || fromIndex > stored.length) {
    return refuse('The console and the server disagree about the settings reported so far. Reload the page.');
  }
  // Compared after validation, so both sides are in the engine's normal form.
  const checked = validateControlLog([...stored.slice(0, fromIndex), ...entries], { durationMs: state.durationMs });
  if (!checked.ok) return refuse(`The settings log is not valid, so nothing was stored: ${checked.errors.join('; ')}`);
  const log = checked.value;
  if (log.length < stored.length) {
    return voided('Settings already reported to the server are missing from the log, so this run no longer counts.');
  }
  for (let i = fromIndex; i < stored.length; i++) {
    if (!sameEntry(log[i], stored[i])) {
      return voided('A setting already reported to the server was changed afterwards, so this run no longer counts.');
    }
  }
  // A setting made in the instant after a report carries that report's time, so the acknowledged time itself
  // is still open; anything earlier is backdated.
  const after = state.lastCheckpointSimMs ?? 0;
  for (const entry of log.slice(stored.length)) {
    const inWindow = entry.atMs >= after && entry.atMs <= untilMs;
    if (!inWindow) {
      return voided(
        `A setting at ${Math.round(entry.atMs)} ms arrived after the server had acknowledged the run up to ${Math.round(after)} ms, so this run no longer counts.`,
      );
    }
  }
  return { ok: true, log, simTimeMs: untilMs };
}

/** A checkpoint during the run. */
export function checkCheckpoint(state: RunState, input: CheckpointInput, now: number): RunCheck {
  const live = checkLiveness(state, now);
  if (live) return live;
  const startedAt = state.runStartedAt ?? now;
  const elapsed = now - startedAt;
  if (!Number.isFinite(input.simTimeMs) || input.simTimeMs < 0 || input.simTimeMs > state.durationMs + 1) {
    return refuse('The reported time is outside the run.');
  }
  if (input.simTimeMs < (state.lastCheckpointSimMs ?? 0))
    return refuse('This report is older than one already received.');
  if (input.simTimeMs > elapsed + RUN_RULES.aheadToleranceMs) {
    return voided('The run went faster than real time, so it no longer counts.');
  }
  if (input.simTimeMs < elapsed - RUN_RULES.maxLagMs) {
    return voided('The run fell too far behind real time (was it paused?), so it no longer counts.');
  }
  return extendLog(state, input.fromIndex, input.entries, input.simTimeMs);
}

/** The final submission: the whole log, once the run's time has passed in real time. */
export function checkSubmission(state: RunState, controlLog: unknown[], now: number): RunCheck {
  const live = checkLiveness(state, now);
  if (live) return live;
  const endsAt = (state.runStartedAt ?? now) + state.durationMs - RUN_RULES.aheadToleranceMs;
  if (now < endsAt) {
    return refuse(
      `The run has not finished: ${Math.ceil((endsAt - now) / 1000)} s remain. It is submitted when its time is up.`,
    );
  }
  return extendLog(state, 0, controlLog, state.durationMs);
}
