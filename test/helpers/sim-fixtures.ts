/** Shared inputs for the engine tests: presets from content/scenarios and cached ideal timings. */
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { type IdealTiming, idealTiming, parseScenario, SCENARIO_PRESET_IDS, type Scenario } from '#sim/index.ts';

const scenarioDir = join(dirname(fileURLToPath(import.meta.url)), '..', '..', 'content', 'scenarios');

export const PRESET_IDS = SCENARIO_PRESET_IDS;

export function readPresetJson(id: string): unknown {
  return JSON.parse(readFileSync(join(scenarioDir, `${id}.json`), 'utf8'));
}

export function loadPreset(id: string): Scenario {
  const r = parseScenario(readPresetJson(id));
  if (!r.ok) throw new Error(`${id}: ${r.errors.join('; ')}`);
  return r.value;
}

/** A steady 70 bpm sinus rhythm without scripted events (timing tests need a constant rate). */
export function steadyScenario(heartRateBpm = 70): Scenario {
  return {
    id: 'steady',
    title: 'Steady sinus rhythm',
    description: 'Default patient, constant rate, normal HRV, clean ECG.',
    patient: {},
    ecg: { rhythm: { heartRateBpm, hrvLfAmplitudeMs: 15, hrvHfAmplitudeMs: 10 } },
    timeline: [],
  };
}

const idealCache = new Map<number, IdealTiming>();
export function idealAt(heartRateBpm: number): IdealTiming {
  let t = idealCache.get(heartRateBpm);
  if (!t) {
    t = idealTiming({ heartRateBpm });
    idealCache.set(heartRateBpm, t);
  }
  return t;
}

export function mean(values: number[]): number {
  return values.reduce((a, b) => a + b, 0) / values.length;
}
