import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { expect, test } from 'vitest';
import { type GoldenRun, goldenRun } from '#sim/golden/golden-runs.ts';
import { parseScenario, SCENARIO_PRESET_IDS } from '#sim/index.ts';

const recorded = JSON.parse(readFileSync(join('sim', 'golden', 'runs.json'), 'utf8')) as GoldenRun[];

test('there is one golden run per scenario preset', () => {
  expect(recorded.map((r) => r.scenarioId)).toEqual([...SCENARIO_PRESET_IDS]);
});

// A failure here means the engine's output changed. If the change is meant, run `npm run sim:golden`,
// review the diff of sim/golden/runs.json and commit it with the change that caused it.
// Each run takes 0.5-1 s on an idle machine; the limit leaves room for a loaded one (shared 2-core CI).
const GOLDEN_RUN_TIMEOUT_MS = 30_000;
test.each(SCENARIO_PRESET_IDS.map((id) => [id]))(
  '%s runs as recorded in sim/golden/runs.json',
  (id) => {
    const parsed = parseScenario(JSON.parse(readFileSync(join('content', 'scenarios', `${id}.json`), 'utf8')));
    if (!parsed.ok) throw new Error(parsed.errors.join('; '));
    expect(goldenRun(parsed.value)).toEqual(recorded.find((r) => r.scenarioId === id));
  },
  GOLDEN_RUN_TIMEOUT_MS,
);
