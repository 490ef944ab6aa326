import { parseScenario, type Scenario } from '#sim/index.ts';

/** What a picker needs to list a preset. */
export interface ScenarioPresetInfo {
  id: string;
  title: string;
  description: string;
}

/** The preset the console opens with; the picker lists it first, the others by title. */
export const DEFAULT_SCENARIO_ID = 'default-stable-angina';

/**
 * Parses every preset file; a bad one throws with the file, the field and the reason, so the build fails
 * rather than the console at run time.
 */
export function loadScenarioFiles(files: Record<string, unknown>): Scenario[] {
  const scenarios: Scenario[] = [];
  for (const [path, json] of Object.entries(files)) {
    const parsed = parseScenario(json);
    if (!parsed.ok) throw new Error(`Scenario file ${path} is invalid: ${parsed.errors.join('; ')}`);
    const expectedId = path.replace(/^.*\//, '').replace(/\.json$/, '');
    if (parsed.value.id !== expectedId) {
      throw new Error(`Scenario file ${path} is invalid: id: "${parsed.value.id}" must match the file name`);
    }
    scenarios.push(parsed.value);
  }
  return scenarios.sort((a, b) =>
    a.id === DEFAULT_SCENARIO_ID ? -1 : b.id === DEFAULT_SCENARIO_ID ? 1 : a.title.localeCompare(b.title),
  );
}

const PRESETS: readonly Scenario[] = loadScenarioFiles(
  import.meta.glob('../../content/scenarios/*.json', { eager: true, import: 'default' }),
);

/** Every preset scenario, default first. */
export function listScenarios(): readonly Scenario[] {
  return PRESETS;
}

/** id, title and description of every preset, default first. */
export function listScenarioInfo(): ScenarioPresetInfo[] {
  return PRESETS.map(({ id, title, description }) => ({ id, title, description }));
}

/** The preset with this id, or null. */
export function getScenario(id: string): Scenario | null {
  return PRESETS.find((s) => s.id === id) ?? null;
}
