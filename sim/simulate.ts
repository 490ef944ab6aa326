import { R_DETECTOR_DEFAULTS } from './detect/index.ts';
import type { Alarm } from './device/alarms.ts';
import { Engine, MATCH_WINDOW_MS } from './engine.ts';
import type { TimingWindows } from './metrics/classify.ts';
import { type ControlEntry, validateControlLog } from './metrics/control-log.ts';
import { detectionStats, type RunSummary, summarizeRun } from './metrics/summary.ts';
import type { BeatMetrics } from './model/beat.ts';
import type { DeviceSettings, SettingsPatch } from './model/settings.ts';
import { assertScenario, type Scenario } from './scenarios.ts';
import type { Traces } from './traces.ts';
import { assertDurationMs } from './validate.ts';

/** Display trace rate used when none is given, Hz. */
export const DEFAULT_TRACE_RATE_HZ = 250;
/** Live mode keeps at most this many unread trace samples (60 s at 250 Hz). */
export const LIVE_TRACE_CAPACITY = 15000;

export interface SimulationOptions {
  /** A parsed Scenario or raw scenario JSON (validated here; a bad one throws naming the field). */
  scenario: Scenario | unknown;
  seed: number;
  settings?: SettingsPatch;
  traces?: { rateHz: number };
}

export interface Simulation {
  readonly timeMs: number;
  readonly settings: DeviceSettings;
  advance(ms: number): void;
  setSettings(patch: SettingsPatch): void;
  readTraces(): Traces;
  beats(): readonly BeatMetrics[];
  alarms(): readonly Alarm[];
  controlLog(): readonly ControlEntry[];
}

function toScenario(input: Scenario | unknown): Scenario {
  return assertScenario(input);
}

export function createSimulation(options: SimulationOptions): Simulation {
  const engine = new Engine({
    scenario: toScenario(options.scenario),
    seed: options.seed,
    settings: options.settings,
    traceRateHz: options.traces?.rateHz ?? DEFAULT_TRACE_RATE_HZ,
    traceCapacity: LIVE_TRACE_CAPACITY,
  });
  return {
    get timeMs(): number {
      return engine.timeMs;
    },
    get settings(): DeviceSettings {
      return engine.settings;
    },
    advance(ms: number): void {
      assertDurationMs('advance(ms)', ms, false);
      engine.advanceTo(engine.timeMs + ms);
    },
    setSettings(patch: SettingsPatch): void {
      engine.setSettings(patch);
    },
    readTraces(): Traces {
      return engine.traces!.read();
    },
    beats: () => engine.beats,
    alarms: () => engine.alarms.alarms,
    controlLog: () => engine.controlLog,
  };
}

export interface SimulateOptions {
  scenario: Scenario | unknown;
  seed: number;
  durationMs: number;
  settings?: SettingsPatch;
  /** Validated control log (see validateControlLog); applied at their times. */
  controls?: readonly ControlEntry[];
  traces?: { rateHz: number };
  timingWindows?: TimingWindows;
}

export interface SimulationResult {
  beats: BeatMetrics[];
  summary: RunSummary;
  /** True R times from the generator and the detector's (back-dated) R times, ms. */
  rWaves: { trueMs: number[]; detectedMs: number[] };
  traces?: Traces;
}

/**
 * Spans excluded from the detection statistics: the detector's learning period at the start and each
 * lead-off episode plus the same learning time after it (nothing can be detected on a flat line).
 */
export function detectionExclusions(scenario: Scenario, durationMs: number): [number, number][] {
  const learn = R_DETECTOR_DEFAULTS.learningMs + 1000;
  const spans: [number, number][] = [[0, learn]];
  let offAt: number | null = null;
  for (const e of scenario.timeline) {
    if (e.type !== 'lead-off') continue;
    if (e.on && offAt === null) offAt = e.atMs;
    if (!e.on && offAt !== null) {
      spans.push([offAt, e.atMs + learn]);
      offAt = null;
    }
  }
  if (offAt !== null) spans.push([offAt, durationMs]);
  return spans;
}

function outside(spans: [number, number][]): (t: number) => boolean {
  return (t) => !spans.some(([a, b]) => t >= a && t < b);
}

/** Run a whole scenario (the server's assessment replay). Deterministic for the same inputs. */
export function simulate(options: SimulateOptions): SimulationResult {
  const scenario = toScenario(options.scenario);
  assertDurationMs('durationMs', options.durationMs, true);
  if (options.controls !== undefined) {
    // Entries after the end are allowed and ignored: a beat replay runs only the start of an attempt.
    const checked = validateControlLog(options.controls, {
      durationMs: Number.POSITIVE_INFINITY,
      maxEntries: Number.MAX_SAFE_INTEGER,
    });
    if (!checked.ok) throw new RangeError(`Invalid controls: ${checked.errors.join('; ')}`);
  }
  const engine = new Engine({
    scenario,
    seed: options.seed,
    settings: options.settings,
    traceRateHz: options.traces?.rateHz,
    timingWindows: options.timingWindows,
  });
  for (const c of options.controls ?? []) {
    if (c.atMs > options.durationMs) break;
    engine.advanceTo(c.atMs);
    engine.setSettings(c.patch);
  }
  engine.advanceTo(options.durationMs);
  // The engine learns of a beat at its QRS onset, before its R: only R waves inside the run count.
  const trueMs = engine.trueBeats.filter((b) => b.rTimeMs <= engine.timeMs).map((b) => b.rTimeMs);
  const detectedMs = engine.detectedPeaksMs.slice();
  const keep = outside(detectionExclusions(scenario, options.durationMs));
  const summary = summarizeRun({
    durationMs: options.durationMs,
    beats: engine.beats,
    detection: detectionStats(trueMs.filter(keep), detectedMs.filter(keep), MATCH_WINDOW_MS),
    alarms: engine.alarms.alarms,
    maxCuffPressureMmHg: engine.maxCuffMmHg,
    minCuffPressureMmHg: engine.minCuffMmHg,
    volumeDriftFraction: engine.volumeDrift(),
    eventTimesMs: scenario.timeline.map((e) => e.atMs),
  });
  const result: SimulationResult = { beats: engine.beats, summary, rWaves: { trueMs, detectedMs } };
  if (engine.traces) result.traces = engine.traces.read();
  return result;
}
