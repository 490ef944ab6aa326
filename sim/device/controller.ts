/**
 * Trigger controller: turns detected R waves into valve commands. It sees only the detector's output
 * (decision time and back-dated peak), never the true beats, so its timing carries the detector's latency
 * as a real device's does.
 */
import { applySettingsPatch, clampSettings, type DeviceSettings, type SettingsPatch } from '../model/settings.ts';
import { weisslerQs2Ms } from '../systolic-time-intervals.ts';
import { CUFF_COUNT, type Pneumatics } from './pneumatics.ts';

/** A beat is not assisted when its RR differs from the recent median by more than this fraction (sim/README). */
export const ARRHYTHMIA_RR_TOLERANCE = 0.2;
/** RR intervals kept for the running median. */
export const RR_HISTORY = 8;
/** RR intervals needed before the first assisted beat (the device must learn the rhythm). */
export const RR_NEEDED_TO_ASSIST = 3;
/** Setpoints below this are standby: valves are not opened. */
export const MIN_ASSIST_PRESSURE_MMHG = 10;

export type NotAssistedReason = 'learning' | 'arrhythmia' | 'standby' | null;

export interface DetectionRecord {
  /** When the detector decided, ms. */
  detectedAtMs: number;
  /** Back-dated R peak time from the detector, ms. */
  peakMs: number;
  /** Detected RR (peak to previous peak), ms; NaN for the first. */
  rrMs: number;
  medianRrMs: number;
  assisted: boolean;
  notAssistedReason: NotAssistedReason;
  settings: DeviceSettings;
  /** Scheduled valve-open time per cuff (NaN = not inflated this beat). */
  inflateAtMs: [number, number, number];
  deflateAtMs: number;
  /** Actual valve commands as executed (NaN until they happen). */
  inflateCommandMs: [number, number, number];
  deflateCommandMs: number;
  /** Deflation was forced by an R arriving while inflated, or by lost ECG. */
  forcedDeflation: boolean;
}

export class TriggerController {
  readonly records: DetectionRecord[] = [];
  private active: DeviceSettings;
  private pending: DeviceSettings;
  private readonly rrHistory: number[] = [];
  private lastPeakMs = Number.NaN;
  private current: DetectionRecord | null = null;
  private readonly pneumatics: Pneumatics;
  /** Called with (timeMs, kind) for trace markers. */
  onCommand: ((timeMs: number, kind: 'inflate' | 'deflate') => void) | null = null;

  constructor(pneumatics: Pneumatics, settings: DeviceSettings) {
    this.pneumatics = pneumatics;
    this.active = clampSettings(settings);
    this.pending = this.active;
  }

  get settings(): DeviceSettings {
    return this.pending;
  }

  /** Takes effect from the next detected beat. */
  setSettings(patch: SettingsPatch): void {
    this.pending = clampSettings(applySettingsPatch(this.pending, patch));
  }

  medianRrMs(): number {
    const n = this.rrHistory.length;
    if (n === 0) return Number.NaN;
    const sorted = this.rrHistory.slice().sort((a, b) => a - b);
    return n % 2 === 1 ? sorted[(n - 1) >> 1]! : (sorted[n / 2 - 1]! + sorted[n / 2]!) / 2;
  }

  /** An R wave was detected now (decision time) with its back-dated peak time. */
  onDetection(nowMs: number, peakMs: number): DetectionRecord {
    let forced = false;
    if (this.current) {
      // A new R while cuffs are pressurised (or about to be) forces immediate deflation.
      if (this.pneumatics.anyInflating()) {
        this.deflateAll(nowMs, true);
        forced = true;
      }
      this.current.inflateAtMs = [Number.NaN, Number.NaN, Number.NaN];
      this.current.deflateAtMs = Number.NaN;
    }
    const rr = peakMs - this.lastPeakMs;
    const median = this.medianRrMs();
    this.lastPeakMs = peakMs;
    this.active = this.pending;
    const s = this.active;
    let reason: NotAssistedReason = null;
    if (this.rrHistory.length < RR_NEEDED_TO_ASSIST || !Number.isFinite(rr)) reason = 'learning';
    else if (Math.abs(rr - median) > ARRHYTHMIA_RR_TOLERANCE * median) reason = 'arrhythmia';
    else if (s.pressureMmHg < MIN_ASSIST_PRESSURE_MMHG) reason = 'standby';
    if (Number.isFinite(rr)) {
      this.rrHistory.push(rr);
      if (this.rrHistory.length > RR_HISTORY) this.rrHistory.shift();
    }
    const record: DetectionRecord = {
      detectedAtMs: nowMs,
      peakMs,
      rrMs: rr,
      medianRrMs: median,
      assisted: reason === null,
      notAssistedReason: reason,
      settings: s,
      inflateAtMs: [Number.NaN, Number.NaN, Number.NaN],
      deflateAtMs: Number.NaN,
      inflateCommandMs: [Number.NaN, Number.NaN, Number.NaN],
      deflateCommandMs: Number.NaN,
      forcedDeflation: false,
    };
    if (forced && this.current) this.current.forcedDeflation = true;
    if (reason === null) this.schedule(record, nowMs, peakMs, median);
    this.records.push(record);
    this.current = record;
    return record;
  }

  private schedule(record: DetectionRecord, nowMs: number, peakMs: number, medianRrMs: number): void {
    const s = record.settings;
    let inflateDelay = s.inflateDelayMs;
    let deflateAt = nowMs + s.deflateDelayMs;
    if (s.adaptive) {
      const hr = 60000 / medianRrMs;
      inflateDelay = s.inflateDelayMs * (weisslerQs2Ms(hr) / weisslerQs2Ms(70));
      deflateAt = peakMs + medianRrMs - s.deflateLeadMs;
    }
    record.deflateAtMs = deflateAt;
    const enabled = [s.cuffs.calf, s.cuffs.lowerThigh, s.cuffs.upperThigh];
    for (let i = 0; i < CUFF_COUNT; i++) {
      const at = nowMs + inflateDelay + i * s.stageDelayMs;
      if (enabled[i] && at < deflateAt) record.inflateAtMs[i] = at;
    }
  }

  private deflateAll(nowMs: number, forced: boolean): void {
    const wasInflating = this.pneumatics.anyInflating();
    this.pneumatics.ventAll();
    const c = this.current;
    if (c && wasInflating && Number.isNaN(c.deflateCommandMs)) {
      c.deflateCommandMs = nowMs;
      if (forced) c.forcedDeflation = true;
      this.onCommand?.(nowMs, 'deflate');
    }
  }

  /** Lost ECG: vent everything and cancel what is scheduled. */
  abort(nowMs: number): void {
    this.deflateAll(nowMs, true);
    if (this.current) {
      this.current.inflateAtMs = [Number.NaN, Number.NaN, Number.NaN];
      this.current.deflateAtMs = Number.NaN;
    }
  }

  /** Execute commands due at nowMs. Called every engine step. */
  step(nowMs: number): void {
    const c = this.current;
    if (c === null) return;
    // NaN (nothing scheduled) compares false.
    const at = c.inflateAtMs;
    for (let i = 0; i < CUFF_COUNT; i++) {
      const t = at[i]!;
      if (nowMs >= t) {
        this.pneumatics.openInflate(i, c.settings.pressureMmHg);
        c.inflateCommandMs[i] = nowMs;
        at[i] = Number.NaN;
        if (i === 0 || (Number.isNaN(c.inflateCommandMs[0]) && (i === 1 || Number.isNaN(c.inflateCommandMs[1])))) {
          this.onCommand?.(nowMs, 'inflate');
        }
      }
    }
    const d = c.deflateAtMs;
    if (nowMs >= d) {
      c.deflateAtMs = Number.NaN;
      this.deflateAll(nowMs, false);
    }
  }
}
