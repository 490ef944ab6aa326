/**
 * Device settings the operator controls. A change takes effect from the next detected beat.
 */
export interface CuffEnable {
  calf: boolean;
  lowerThigh: boolean;
  upperThigh: boolean;
}

export interface DeviceSettings {
  /** Detected R -> calf valve opens, ms (fixed mode). Range 0-1500. */
  inflateDelayMs: number;
  /** Detected R -> all valves vent, ms (fixed mode). Range 0-2000. */
  deflateDelayMs: number;
  /** Cuff pressure setpoint, mmHg, 0-300 (FDA 510(k) K190683: the device never exceeds 300 mmHg). */
  pressureMmHg: number;
  /** Delay between cuff stages (calf -> lower thigh -> upper thigh), ms, 0-100, default 40. */
  stageDelayMs: number;
  cuffs: CuffEnable;
  /**
   * Adaptive timing: deflation `deflateLeadMs` before the predicted next R (median RR), and the inflation
   * delay scaled with rate as QS2(HR)/QS2(70) (Weissler's QS2 for men, 546 - 2.1 HR ms;
   * systolic-time-intervals.ts).
   */
  adaptive: boolean;
  /** Adaptive mode: deflation command this long before the predicted next detected R, ms, 0-500. */
  deflateLeadMs: number;
}

export interface SettingsPatch {
  inflateDelayMs?: number;
  deflateDelayMs?: number;
  pressureMmHg?: number;
  stageDelayMs?: number;
  cuffs?: Partial<CuffEnable>;
  adaptive?: boolean;
  deflateLeadMs?: number;
}

/** Inclusive ranges of the numeric settings (shared by scenario, control-log and CLI validation). */
export const SETTINGS_LIMITS = Object.freeze({
  inflateDelayMs: { min: 0, max: 1500 },
  deflateDelayMs: { min: 0, max: 2000 },
  pressureMmHg: { min: 0, max: 300 },
  stageDelayMs: { min: 0, max: 100 },
  deflateLeadMs: { min: 0, max: 500 },
});

/**
 * Standby (pressure 0, no assistance) at factory timing: fixed delays about 80 ms early for 70 bpm (the
 * ideal there is about 259/704 ms), so that every run asks the operator to set the timing (issue 13).
 */
export const DEFAULT_SETTINGS: Readonly<DeviceSettings> = Object.freeze({
  inflateDelayMs: 180,
  deflateDelayMs: 620,
  pressureMmHg: 0,
  stageDelayMs: 40,
  cuffs: Object.freeze({ calf: true, lowerThigh: true, upperThigh: true }),
  adaptive: false,
  deflateLeadMs: 60,
});

export function applySettingsPatch(base: DeviceSettings, patch: SettingsPatch | undefined): DeviceSettings {
  if (!patch) return { ...base, cuffs: { ...base.cuffs } };
  return {
    inflateDelayMs: patch.inflateDelayMs ?? base.inflateDelayMs,
    deflateDelayMs: patch.deflateDelayMs ?? base.deflateDelayMs,
    pressureMmHg: patch.pressureMmHg ?? base.pressureMmHg,
    stageDelayMs: patch.stageDelayMs ?? base.stageDelayMs,
    cuffs: { ...base.cuffs, ...(patch.cuffs ?? {}) },
    adaptive: patch.adaptive ?? base.adaptive,
    deflateLeadMs: patch.deflateLeadMs ?? base.deflateLeadMs,
  };
}

/**
 * Clamp numeric settings into SETTINGS_LIMITS. A second guard only: the engine refuses out-of-range values
 * before they get here (sim/validate.ts), so for valid input this changes nothing.
 */
export function clampSettings(s: DeviceSettings): DeviceSettings {
  const c = (v: number, r: { min: number; max: number }): number =>
    Number.isFinite(v) ? Math.min(r.max, Math.max(r.min, v)) : r.min;
  return {
    ...s,
    cuffs: { ...s.cuffs },
    inflateDelayMs: c(s.inflateDelayMs, SETTINGS_LIMITS.inflateDelayMs),
    deflateDelayMs: c(s.deflateDelayMs, SETTINGS_LIMITS.deflateDelayMs),
    pressureMmHg: c(s.pressureMmHg, SETTINGS_LIMITS.pressureMmHg),
    stageDelayMs: c(s.stageDelayMs, SETTINGS_LIMITS.stageDelayMs),
    deflateLeadMs: c(s.deflateLeadMs, SETTINGS_LIMITS.deflateLeadMs),
  };
}
