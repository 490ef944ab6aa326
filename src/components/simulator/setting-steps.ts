/*
 * Main-thread code imports only types from sim/: its values would pull the zod schemas into the island
 * bundle. The device limits arrive from the worker (which runs the engine) in its 'ready' message.
 */

/** The numeric settings the console steps with buttons, keys and sliders. */
export type SteppedSetting = 'inflateDelayMs' | 'deflateDelayMs' | 'deflateLeadMs' | 'pressureMmHg' | 'stageDelayMs';

/**
 * Fine and coarse steps per setting. Timing: +/-5 ms and +/-20 ms as on ECP consoles.
 * Pressure: 5 and 25 mmHg; Lin et al. raised pressure in 37.5 mmHg steps, so a coarse step of 25 mmHg
 * reaches the treatment range in a few presses without overshooting it.
 */
export const SETTING_STEPS: Readonly<Record<SteppedSetting, { fine: number; coarse: number }>> = Object.freeze({
  inflateDelayMs: { fine: 5, coarse: 20 },
  deflateDelayMs: { fine: 5, coarse: 20 },
  deflateLeadMs: { fine: 5, coarse: 20 },
  pressureMmHg: { fine: 5, coarse: 25 },
  stageDelayMs: { fine: 5, coarse: 20 },
});

/** Inclusive limits per setting (sim's SETTINGS_LIMITS, as sent by the worker). */
export type SettingLimits = Readonly<Record<SteppedSetting, { min: number; max: number }>>;

/** The value after a step, clamped to the device's limits. */
export function stepSetting(limits: SettingLimits, setting: SteppedSetting, value: number, delta: number): number {
  return clampSetting(limits, setting, value + delta);
}

export function clampSetting(limits: SettingLimits, setting: SteppedSetting, value: number): number {
  const { min, max } = limits[setting];
  if (!Number.isFinite(value)) return min;
  return Math.min(max, Math.max(min, Math.round(value)));
}

export type KeyAction =
  | { kind: 'step'; setting: SteppedSetting; delta: number }
  | { kind: 'freeze' }
  | { kind: 'beat'; delta: -1 | 1 };

/** Letter pairs: the upper key raises, the lower key lowers (Q/A, W/S, E/D); Shift makes the step coarse. */
const KEY_SETTINGS: Record<string, { setting: SteppedSetting; direction: 1 | -1 }> = {
  q: { setting: 'inflateDelayMs', direction: 1 },
  a: { setting: 'inflateDelayMs', direction: -1 },
  w: { setting: 'deflateDelayMs', direction: 1 },
  s: { setting: 'deflateDelayMs', direction: -1 },
  e: { setting: 'pressureMmHg', direction: 1 },
  d: { setting: 'pressureMmHg', direction: -1 },
};

/** What a key press does on the console, or null when the key is not a shortcut. */
export function keyAction(key: string, shiftKey: boolean): KeyAction | null {
  const lower = key.toLowerCase();
  const mapped = KEY_SETTINGS[lower];
  if (mapped) {
    const step = SETTING_STEPS[mapped.setting];
    return { kind: 'step', setting: mapped.setting, delta: mapped.direction * (shiftKey ? step.coarse : step.fine) };
  }
  if (lower === 'f') return { kind: 'freeze' };
  if (key === ',' || key === '<') return { kind: 'beat', delta: -1 };
  if (key === '.' || key === '>') return { kind: 'beat', delta: 1 };
  return null;
}

/**
 * The keys (as printed, upper case) that raise and lower a setting, or undefined when it has none. In
 * adaptive timing the deflation pair steps the lead before the next R instead, which runs the other way
 * (SimulatorConsole's key handler): W, "deflate later", shortens the lead.
 */
export function settingKeys(setting: SteppedSetting): { up: string; down: string } | undefined {
  const of = (target: SteppedSetting, direction: 1 | -1): string | undefined =>
    Object.entries(KEY_SETTINGS)
      .find(([, m]) => m.setting === target && m.direction === direction)?.[0]
      ?.toUpperCase();
  const [target, flip] = setting === 'deflateLeadMs' ? (['deflateDelayMs', -1] as const) : ([setting, 1] as const);
  const up = of(target, flip);
  const down = of(target, flip === 1 ? -1 : 1);
  return up && down ? { up, down } : undefined;
}

/** The shortcut list the console shows (and the tests read). */
export const SHORTCUT_HELP: readonly { keys: string; action: string }[] = [
  { keys: 'Q / A', action: 'Inflation delay +5 / -5 ms (Shift: +/-20 ms)' },
  { keys: 'W / S', action: 'Deflation delay +5 / -5 ms (Shift: +/-20 ms)' },
  { keys: 'E / D', action: 'Treatment pressure +5 / -5 mmHg (Shift: +/-25 mmHg)' },
  { keys: 'F', action: 'Freeze or resume (practice)' },
  { keys: ', / .', action: 'Previous / next beat while frozen' },
];

/** The step a slider key makes (arrows fine, Page Up/Down coarse), or null to leave the key to the browser. */
export function sliderKeyDelta(key: string, fine: number, coarse: number): number | null {
  switch (key) {
    case 'ArrowUp':
    case 'ArrowRight':
      return fine;
    case 'ArrowDown':
    case 'ArrowLeft':
      return -fine;
    case 'PageUp':
      return coarse;
    case 'PageDown':
      return -coarse;
    default:
      return null;
  }
}
