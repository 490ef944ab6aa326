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
  type BeatClass,
  type ControlEntry,
  type CriterionResult,
  DEFAULT_SETTINGS,
  type EvidenceRow,
  idealTiming,
  type Rubric,
  type RunSummary,
  type Scenario,
  type ScenarioEvent,
  type SettingsPatch,
  scoreAssessment,
  simulate,
  type Traces,
} from '#sim/index.ts';
import { type EngineRunError, runEngineItem } from '../exams/engine-frame.ts';
import type { EngineOutcome } from '../exams/item-body.ts';
import type { EngineSpec } from '../exams/item-format.ts';
import { registerGauge } from '../http/metrics.ts';
import type { ReplayJob } from './simulator-replay-worker.ts';

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
  /** The settings the run started from (the attempt's; absent: the scenario's suggested settings). */
  startSettings?: SettingsPatch;
}

export interface ReplayOutcome {
  assessment: Assessment;
  summary: RunSummary;
}

/** The pressure a run starts at: the attempt's start settings over the scenario's suggested ones, else standby. */
export function startPressureOf(scenario: Scenario, startSettings: SettingsPatch | undefined): number {
  return startSettings?.pressureMmHg ?? scenario.suggestedSettings?.pressureMmHg ?? DEFAULT_SETTINGS.pressureMmHg;
}

/** Re-runs the engine with the given log and scores it, on this thread. Deterministic for the same inputs. */
export function replayAndScoreHere(input: ReplayInput): ReplayOutcome {
  const result = simulate({
    scenario: input.scenario,
    seed: input.seed,
    durationMs: input.durationMs,
    controls: input.controls,
    settings: input.startSettings,
  });
  const assessment = scoreAssessment(result, input.rubric, {
    controls: input.controls,
    startPressureMmHg: startPressureOf(input.scenario, input.startSettings),
  });
  return { assessment, summary: result.summary };
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

/** Replays waiting for a free worker (for monitoring and tests). */
export function replayQueueLength(): number {
  return waiting.length;
}

// Read at each scrape of /metrics, which loads this module so that they are there before the first replay.
registerGauge(
  'iecpa_replay_queue_length',
  'Simulator replays waiting for a free worker, in this process.',
  replayQueueLength,
);
registerGauge(
  'iecpa_replay_workers_busy',
  'Simulator replays running in worker threads, in this process.',
  () => running,
);

/** Runs one job in a worker of the pool (at most MAX_WORKERS at once; the rest wait their turn). */
async function inWorker<T>(path: string, job: ReplayJob): Promise<T> {
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

/** What an attempt stores of its scored replay beside the per-beat evidence: criteria, failures, a summary. */
export interface AttemptBreakdown {
  criteria: CriterionResult[];
  failures: string[];
  summary: {
    beatCount: number;
    assistedBeatCount: number;
    scoredBeatCount: number;
    classCounts: Record<BeatClass, number>;
    meanHeartRateBpm: number;
    medianDsPeakRatio: number | null;
    maxCuffPressureMmHg: number;
  };
}

/** The breakdown stored for a scored replay (a submission, or the demo seed's run). */
export function breakdownOf(
  summary: RunSummary,
  criteria: CriterionResult[],
  failures: string[],
  evidence: EvidenceRow[],
): AttemptBreakdown {
  return {
    criteria,
    failures,
    summary: {
      beatCount: summary.beatCount,
      assistedBeatCount: summary.assistedBeatCount,
      scoredBeatCount: evidence.filter((e) => e.scored).length,
      classCounts: summary.classCounts,
      meanHeartRateBpm: summary.meanHeartRateBpm,
      medianDsPeakRatio: summary.assisted?.medianDsPeakRatio ?? summary.all?.medianDsPeakRatio ?? null,
      maxCuffPressureMmHg: summary.maxCuffPressureMmHg,
    },
  };
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

/** Re-simulates a run up to `durationMs` with traces at `traceRateHz`, in the worker pool like a scoring replay. */
export async function replayTraces(
  input: Omit<ReplayInput, 'rubric'> & { traceRateHz: number },
): Promise<Traces | null> {
  const path = workerFile();
  if (path) {
    const out = await inWorker<{ traces: Traces | null }>(path, {
      kind: 'traces',
      ...input,
      controls: [...input.controls],
    });
    return out.traces;
  }
  const result = simulate({ ...input, settings: input.startSettings, traces: { rateHz: input.traceRateHz } });
  return result.traces ?? null;
}

/** Runs an exam's engine item (engine-frame.ts) in the worker pool, like a scoring replay. */
export async function runEngineItemInWorker(
  spec: EngineSpec,
  scenario: Scenario,
): Promise<EngineOutcome | EngineRunError> {
  const path = workerFile();
  return path
    ? inWorker<EngineOutcome | EngineRunError>(path, { kind: 'engine-item', spec, scenario })
    : runEngineItem(spec, scenario);
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
 * range at the start, and re-timed shortly after each scripted rate change. When the rubric assesses
 * titration, the operator starts at the protocol's start pressure and steps up to the working pressure as
 * the protocol allows, holding each step long enough to recheck the timing. Examiners see what such a run
 * scores before they publish (a rubric that this log fails is probably wrong).
 */
export function idealControlLog(scenario: Scenario, rubric: Rubric, durationMs: number): ControlEntry[] {
  const range = rubric.pressureRangeMmHg;
  const protocol = rubric.titration;
  const workingMmHg = Math.min(range.max, Math.max(range.min, PREVIEW_PRESSURE_MMHG, protocol?.targetMmHg ?? 0));
  const changes = heartRateChanges(scenario);
  const startMmHg = protocol ? Math.min(protocol.startMaxMmHg, workingMmHg) : workingMmHg;
  const log: ControlEntry[] = [];
  for (const change of changes) {
    const atMs = change.atMs === 0 ? 0 : change.atMs + PREVIEW_RETIME_AFTER_MS;
    if (atMs > durationMs) continue;
    const ideal = idealTiming({
      heartRateBpm: change.heartRateBpm,
      patient: scenario.patient,
      pressureMmHg: workingMmHg,
    });
    const patch = {
      inflateDelayMs: Math.round(ideal.inflateDelayMs),
      deflateDelayMs: Math.round(ideal.deflateDelayMs),
      ...(atMs === 0 ? { pressureMmHg: startMmHg } : {}),
    };
    log.push({ atMs, patch });
  }
  if (protocol) {
    // Long enough for the protocol's checked beats at the slowest rate of the run, with a few to spare.
    const slowestRrMs = 60000 / Math.min(...changes.map((c) => c.heartRateBpm));
    const holdMs = Math.ceil(Math.max(protocol.minHoldMs, (protocol.checkedBeatsBeforeStep + 3) * slowestRrMs) + 1000);
    let level = startMmHg;
    for (let atMs = holdMs; level < workingMmHg && atMs <= durationMs; atMs += holdMs) {
      level = Math.min(workingMmHg, level + protocol.maxStepMmHg);
      log.push({ atMs, patch: { pressureMmHg: level } });
    }
    log.sort((a, b) => a.atMs - b.atMs);
  }
  return log;
}
