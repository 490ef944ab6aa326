import { DEFAULT_SETTINGS, parseScenario, type Scenario, SETTINGS_LIMITS, type SettingsPatch } from '#sim/index.ts';

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

/**
 * The device's neutral state, where every run starts (issue 13): standby (pressure 0) and the factory
 * timing, not the scenario's ideal. A full patch, so it also overrides a preset's suggested settings.
 */
export function neutralStartSettings(): SettingsPatch {
  const { inflateDelayMs, deflateDelayMs, stageDelayMs, adaptive, deflateLeadMs, cuffs } = DEFAULT_SETTINGS;
  return {
    inflateDelayMs,
    deflateDelayMs,
    pressureMmHg: 0,
    stageDelayMs,
    adaptive,
    deflateLeadMs,
    cuffs: { ...cuffs },
  };
}

/** Limits of the drawn mistiming, ms: enough to be wrong in a way the traces show, not absurd. */
export const START_MISTIMING_MAX_MS = 200;

/**
 * Starting settings for an attempt: standby, with the inflation and deflation delays each off the scenario's
 * suggested (ideal) timing by between half of `mistimingMs` and `mistimingMs`, early or late at random
 * (`random` returns numbers in [0, 1)). With 0, the factory timing of neutralStartSettings.
 */
export function drawStartSettings(scenario: Scenario, mistimingMs: number, random: () => number): SettingsPatch {
  const neutral = neutralStartSettings();
  if (mistimingMs <= 0) return neutral;
  const ideal = {
    inflateDelayMs: scenario.suggestedSettings?.inflateDelayMs ?? DEFAULT_SETTINGS.inflateDelayMs,
    deflateDelayMs: scenario.suggestedSettings?.deflateDelayMs ?? DEFAULT_SETTINGS.deflateDelayMs,
  };
  const off = (): number => (random() < 0.5 ? -1 : 1) * (mistimingMs / 2 + (random() * mistimingMs) / 2);
  const clamp = (v: number, r: { min: number; max: number }): number => Math.round(Math.min(r.max, Math.max(r.min, v)));
  return {
    ...neutral,
    inflateDelayMs: clamp(ideal.inflateDelayMs + off(), SETTINGS_LIMITS.inflateDelayMs),
    deflateDelayMs: clamp(ideal.deflateDelayMs + off(), SETTINGS_LIMITS.deflateDelayMs),
  };
}
