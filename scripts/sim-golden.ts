/**
 * Records the golden runs (sim/golden/golden-runs.ts) of every scenario preset in sim/golden/runs.json.
 * Run after a deliberate change of the engine, review the diff, and commit it with the change.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { goldenRun } from '../sim/golden/golden-runs.ts';
import { parseScenario, SCENARIO_PRESET_IDS } from '../sim/index.ts';

const runs = SCENARIO_PRESET_IDS.map((id) => {
  const parsed = parseScenario(JSON.parse(readFileSync(join('content', 'scenarios', `${id}.json`), 'utf8')));
  if (!parsed.ok) throw new Error(`${id}: ${parsed.errors.join('; ')}`);
  return goldenRun(parsed.value);
});
writeFileSync(join('sim', 'golden', 'runs.json'), `${JSON.stringify(runs, null, 2)}\n`);
console.log(`Recorded ${runs.length} golden runs in sim/golden/runs.json`);
