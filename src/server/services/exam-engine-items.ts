/**
 * Engine items at content import (start-up, seed, exams:check): the key comes from the engine's own
 * classification of the asked beat, so it cannot drift from the trainer. Runs the engine on this thread;
 * the item bank's pages run it in the worker pool instead (exam-engine-pool.ts).
 */
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseScenario, type Scenario } from '#sim/index.ts';
import { type EngineRunError, runEngineItem } from '../exams/engine-frame.ts';
import type { EngineOutcome } from '../exams/item-body.ts';
import type { ItemSource } from '../exams/item-format.ts';
import { DEFAULT_CONTENT_DIR } from './handbook-import.ts';

/**
 * The scenario file content/scenarios/<id>.json, read from disk: this runs in the start-up and seed scripts,
 * outside the bundler that collects the presets for pages (src/lib/scenario-presets.ts).
 */
export function readScenario(id: string, contentDir: string = DEFAULT_CONTENT_DIR): Scenario | EngineRunError {
  const path = join(contentDir, 'scenarios', `${id}.json`);
  if (!/^[a-z0-9-]+$/.test(id) || !existsSync(path))
    return { field: 'scenario', error: `There is no scenario "${id}" in content/scenarios.` };
  const parsed = parseScenario(JSON.parse(readFileSync(path, 'utf8')));
  return parsed.ok
    ? parsed.value
    : { field: 'scenario', error: `Scenario "${id}" is invalid: ${parsed.errors.join('; ')}` };
}

type EngineSource = Extract<ItemSource, { type: 'engine' }>;

/** The outcome checked against what the item expects (a content file pins its class, so drift is caught). */
export function checkExpectation(source: EngineSource, outcome: EngineOutcome | EngineRunError) {
  if ('error' in outcome) return { error: `${outcome.error.replace(/\.$/, '')} (engine.${outcome.field}).` };
  if (outcome.beatClass !== source.expect) {
    return {
      error: `the engine classifies beat ${source.engine.beatIndex} as ${outcome.beatClass}, but the item expects ${source.expect}. Check the settings or the expectation.`,
    };
  }
  return outcome;
}

/** Runs the engine for an item on this thread: the beat's class and the frozen frame, or why it is refused. */
export function resolveEngineItem(
  source: EngineSource,
  contentDir = DEFAULT_CONTENT_DIR,
): EngineOutcome | { error: string } {
  const scenario = readScenario(source.engine.scenario, contentDir);
  if ('error' in scenario) return checkExpectation(source, scenario);
  return checkExpectation(source, runEngineItem(source.engine, scenario));
}
