/**
 * Worker thread for the server's replays: a 5-minute run costs seconds of CPU, which on the main thread
 * would stall every other request. Loaded by path from the repository (Node runs the .ts directly), so it
 * imports only sim/ and nothing that needs the app's bundler.
 */
import { parentPort } from 'node:worker_threads';
import { type ControlEntry, type Rubric, type Scenario, scoreAssessment, simulate } from '#sim/index.ts';

export interface ReplayJob {
  scenario: Scenario;
  seed: number;
  durationMs: number;
  controls: ControlEntry[];
  rubric: Rubric;
}

parentPort?.on('message', (job: ReplayJob) => {
  try {
    const result = simulate({
      scenario: job.scenario,
      seed: job.seed,
      durationMs: job.durationMs,
      controls: job.controls,
    });
    parentPort?.postMessage({ ok: true, assessment: scoreAssessment(result, job.rubric), summary: result.summary });
  } catch (error) {
    parentPort?.postMessage({ ok: false, message: error instanceof Error ? error.message : String(error) });
  }
});
