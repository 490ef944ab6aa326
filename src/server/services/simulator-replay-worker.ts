/**
 * Worker thread for the server's replays: a 5-minute run costs seconds of CPU, which on the main thread
 * would stall every other request. Loaded by path from the repository (Node runs the .ts directly), so it
 * imports only sim/ and modules that import nothing needing the app's bundler.
 */
import { parentPort } from 'node:worker_threads';
import { scoreAssessment, simulate } from '#sim/index.ts';
import { replayBeat } from './simulator-beat-replay.ts';
import type { WorkerJob } from './simulator-replay.ts';

function run(job: WorkerJob): unknown {
  if (job.kind === 'beat') return replayBeat(job.job);
  const result = simulate({
    scenario: job.scenario,
    seed: job.seed,
    durationMs: job.durationMs,
    controls: job.controls,
  });
  return { assessment: scoreAssessment(result, job.rubric), summary: result.summary };
}

parentPort?.on('message', (job: WorkerJob) => {
  try {
    parentPort?.postMessage({ ok: true, value: run(job) });
  } catch (error) {
    parentPort?.postMessage({ ok: false, message: error instanceof Error ? error.message : String(error) });
  }
});
