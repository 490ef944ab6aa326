/**
 * Engine items on the item bank's pages (an examiner's preview, save or import): the engine runs in the
 * replay worker pool, so a request never runs a simulation on the server's thread. Scenarios come from the
 * presets bundled with the site (src/lib/scenario-presets.ts, the console's own), not from disk.
 */
import { getScenario } from '#src/lib/scenario-presets.ts';
import type { EngineRunError } from '../exams/engine-frame.ts';
import type { EngineOutcome } from '../exams/item-body.ts';
import type { EngineSpec, ItemSource } from '../exams/item-format.ts';
import { checkExpectation } from './exam-engine-items.ts';
import { runEngineItemInWorker } from './simulator-replay.ts';

/** The class the engine gives the spec's beat (which becomes the key) and the frame; or why not, by field. */
export async function engineOutcomeInWorker(spec: EngineSpec): Promise<EngineOutcome | EngineRunError> {
  const scenario = getScenario(spec.scenario);
  if (!scenario) return { field: 'scenario', error: `There is no scenario "${spec.scenario}" among the presets.` };
  return runEngineItemInWorker(spec, scenario);
}

/** An engine item of an items file, run in the pool and checked against the class it expects. */
export async function resolveEngineItemInWorker(
  source: Extract<ItemSource, { type: 'engine' }>,
): Promise<EngineOutcome | { error: string }> {
  return checkExpectation(source, await engineOutcomeInWorker(source.engine));
}
