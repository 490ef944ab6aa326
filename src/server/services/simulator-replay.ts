/**
 * The server's replay of a simulator run: the only score that counts (sim/README "Assessment"). The candidate's
 * browser sends nothing but its control log; the scenario, seed, events, duration and rubric come from the
 * database and the content presets.
 */
import { existsSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { join } from 'node:path';
import { Worker } from 'node:worker_threads';
import {
  type Assessment,
  type ControlEntry,
  idealTiming,
  type Rubric,
  type RunSummary,
  type Scenario,
  type ScenarioEvent,
  scoreAssessment,
  simulate,
} from '#sim/index.ts';
import { getScenario } from '#src/lib/scenario-presets.ts';
import type { AttemptDetail } from './simulator-attempts.ts';
import { type BeatReplay, type BeatReplayJob, replayBeat } from './simulator-beat-replay.ts';

/** A seed drawn on the server (unsigned 31-bit, as simulator-schemas' seedField takes). */
export function drawSeed(): number {
  const v = new Uint32Array(1);
  crypto.getRandomValues(v);
  return (v[0] ?? 0) & 0x7fffffff;
}

/** The scenario with the assessment's scripted events merged into its timeline, in time order. */
export function withScriptedEvents(scenario: Scenario, events: readonly ScenarioEvent[]): Scenario {
  // A stable sort keeps the preset's own event first when both fall on the same millisecond.
  const timeline = [...scenario.timeline, ...events].sort((a, b) => a.atMs - b.atMs);
  return { ...scenario, timeline };
}

export interface ReplayInput {
  scenario: Scenario;
  seed: number;
  durationMs: number;
  controls: readonly ControlEntry[];
  rubric: Rubric;
}

export interface ReplayOutcome {
  assessment: Assessment;
  summary: RunSummary;
}

/** What the replay worker is asked to do (simulator-replay-worker.ts). */
export type WorkerJob = ({ kind: 'score' } & ReplayInput) | { kind: 'beat'; job: BeatReplayJob };

/** Re-runs the engine with the given log and scores it, on this thread. Deterministic for the same inputs. */
export function replayAndScoreHere(input: ReplayInput): ReplayOutcome {
  const result = simulate({
    scenario: input.scenario,
    seed: input.seed,
    durationMs: input.durationMs,
    controls: input.controls,
  });
  return { assessment: scoreAssessment(result, input.rubric), summary: result.summary };
}

/** The worker file in the repository; the server and the tests run from the repository's root. */
function workerFile(): string | null {
  const path = join(process.cwd(), 'src', 'server', 'services', 'simulator-replay-worker.ts');
  return existsSync(path) ? path : null;
}

/** Replays running at once: one per core, so scoring never starves the request thread of a core for long. */
const MAX_WORKERS = Math.max(1, availableParallelism() - 1);
let running = 0;
const waiting: (() => void)[] = [];

/** Replays waiting for a worker (for the metrics). */
export function replayQueueLength(): number {
  return waiting.length;
}

async function inWorker<T>(path: string, job: WorkerJob): Promise<T> {
  if (running >= MAX_WORKERS) await new Promise<void>((resolve) => waiting.push(resolve));
  running++;
  const worker = new Worker(path);
  try {
    return await new Promise<T>((resolve, reject) => {
      worker.once('message', (m: { ok: true; value: T } | { ok: false; message: string }) =>
        m.ok ? resolve(m.value) : reject(new Error(m.message)),
      );
      worker.once('error', reject);
      worker.once('exit', (code) => reject(new Error(`replay worker exited with code ${code}`)));
      worker.postMessage(job);
    });
  } finally {
    void worker.terminate();
    running--;
    waiting.shift()?.();
  }
}

/**
 * Re-runs the engine with the given log and scores it: in a worker thread when the worker file is there
 * (the server and tests), else on this thread. Same engine code either way, so the same result.
 */
export async function replayAndScore(input: ReplayInput): Promise<ReplayOutcome> {
  const path = workerFile();
  return path
    ? inWorker<ReplayOutcome>(path, { kind: 'score', ...input, controls: [...input.controls] })
    : replayAndScoreHere(input);
}

/** The job for beat `beatIndex` of a scored attempt; null when it has no stored log or no such beat. */
export function beatReplayJob(attempt: AttemptDetail, beatIndex: number): BeatReplayJob | null {
  const preset = getScenario(attempt.scenarioId);
  if (!preset || !attempt.controlLog || !attempt.evidence || attempt.seed === null) return null;
  if (!attempt.evidence.some((e) => e.index === beatIndex)) return null;
  return {
    scenario: withScriptedEvents(preset, attempt.events),
    seed: attempt.seed,
    durationMs: attempt.durationMs,
    controls: attempt.controlLog,
    evidence: attempt.evidence,
    beatIndex,
  };
}

/** The waveforms around one beat, replayed in the worker pool (minutes of simulation for a late beat). */
export async function replayBeatInWorker(job: BeatReplayJob): Promise<BeatReplay | null> {
  const path = workerFile();
  return path ? inWorker<BeatReplay | null>(path, { kind: 'beat', job }) : replayBeat(job);
}

/** Seconds after a rate change at which the preview's ideal operator re-times the cuffs. */
const PREVIEW_RETIME_AFTER_MS = 5000;
/** Treatment pressure the preview aims for (the common 260 mmHg of trials; Eftekhari & May 2013). */
const PREVIEW_PRESSURE_MMHG = 260;

function heartRateChanges(scenario: Scenario): { atMs: number; heartRateBpm: number }[] {
  const changes = [{ atMs: 0, heartRateBpm: scenario.ecg.rhythm.heartRateBpm }];
  for (const e of scenario.timeline) {
    const rate = e.type === 'heart-rate' ? e.heartRateBpm : e.type === 'rhythm' ? e.rhythm.heartRateBpm : undefined;
    if (rate !== undefined) changes.push({ atMs: e.atMs, heartRateBpm: rate });
  }
  return changes;
}

/**
 * The control log of a model operator: ideal timing for the starting rate and a pressure inside the rubric's
 * range at the start, and re-timed shortly after each scripted rate change. Examiners see what such a run
 * scores before they publish (a rubric that this log fails is probably wrong).
 */
export function idealControlLog(scenario: Scenario, rubric: Rubric, durationMs: number): ControlEntry[] {
  const range = rubric.pressureRangeMmHg;
  const pressureMmHg = Math.min(range.max, Math.max(range.min, PREVIEW_PRESSURE_MMHG));
  const log: ControlEntry[] = [];
  for (const change of heartRateChanges(scenario)) {
    const atMs = change.atMs === 0 ? 0 : change.atMs + PREVIEW_RETIME_AFTER_MS;
    if (atMs > durationMs) continue;
    const ideal = idealTiming({ heartRateBpm: change.heartRateBpm, patient: scenario.patient, pressureMmHg });
    const patch = {
      inflateDelayMs: Math.round(ideal.inflateDelayMs),
      deflateDelayMs: Math.round(ideal.deflateDelayMs),
      ...(atMs === 0 ? { pressureMmHg } : {}),
    };
    log.push({ atMs, patch });
  }
  return log;
}
