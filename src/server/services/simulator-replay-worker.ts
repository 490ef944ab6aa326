/**
 * Worker thread for the server's replays: a 5-minute run costs seconds of CPU, which on the main thread
 * would stall every other request. Loaded by path from the repository (Node runs the .ts directly), so it
 * imports only sim/ (and src/server/exams/engine-frame.ts, which imports only sim/) and nothing that needs
 * the app's bundler. Three jobs: score a whole run (submissions, practice saves), re-simulate a run's traces
 * up to a time (the result page's beat replay), and run an exam's engine item (the item bank's pages).
 */
import { parentPort } from 'node:worker_threads';
import {
  type ControlEntry,
  DEFAULT_SETTINGS,
  type Rubric,
  type Scenario,
  type SettingsPatch,
  scoreAssessment,
  simulate,
} from '#sim/index.ts';
import { runEngineItem } from '../exams/engine-frame.ts';
import type { EngineSpec } from '../exams/item-format.ts';

interface RunJob {
  scenario: Scenario;
  seed: number;
  durationMs: number;
  controls: ControlEntry[];
  /** The settings the run started from; absent: the scenario's suggested settings. */
  startSettings?: SettingsPatch;
}

export type ReplayJob =
  | (RunJob & { kind: 'score'; rubric: Rubric })
  | (RunJob & { kind: 'traces'; traceRateHz: number })
  | { kind: 'engine-item'; spec: EngineSpec; scenario: Scenario };

function run(job: ReplayJob): unknown {
  if (job.kind === 'engine-item') return runEngineItem(job.spec, job.scenario);
  const result = simulate({
    scenario: job.scenario,
    seed: job.seed,
    durationMs: job.durationMs,
    controls: job.controls,
    settings: job.startSettings,
    ...(job.kind === 'traces' ? { traces: { rateHz: job.traceRateHz } } : {}),
  });
  if (job.kind === 'traces') return { traces: result.traces ?? null };
  const startPressureMmHg =
    job.startSettings?.pressureMmHg ?? job.scenario.suggestedSettings?.pressureMmHg ?? DEFAULT_SETTINGS.pressureMmHg;
  const assessment = scoreAssessment(result, job.rubric, { controls: job.controls, startPressureMmHg });
  return { assessment, summary: result.summary };
}

parentPort?.on('message', (job: ReplayJob) => {
  try {
    parentPort?.postMessage({ ok: true, value: run(job) });
  } catch (error) {
    parentPort?.postMessage({ ok: false, message: error instanceof Error ? error.message : String(error) });
  }
});
