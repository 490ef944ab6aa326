/**
 * Messages between the console island (main thread) and the engine worker. Trace arrays travel as
 * transferables; everything else is structured-cloned.
 */
import type {
  Alarm,
  BeatMetrics,
  ControlEntry,
  DeviceSettings,
  Scenario,
  SettingsPatch,
  TimingWindows,
} from '#sim/index.ts';
import type { PracticeSummary } from './session-summary.ts';
import type { SettingLimits } from './setting-steps.ts';
import type { TraceChunk } from './trace-history.ts';

export type ToWorker =
  | {
      type: 'init';
      scenario: Scenario;
      seed: number;
      /** The run ends at this simulated time (the assessment's duration; the practice cap). */
      durationMs: number | null;
      /** Score the run when it ends on time (practice), as on Stop with `summarize`. */
      summarizeAtEnd: boolean;
      /** Also run the unassisted reference (cuffs off, same seed) for the overlay. */
      reference: boolean;
      /** The device settings the run starts from (the device's neutral state, or the attempt's draw). */
      settings?: SettingsPatch;
    }
  | { type: 'run' }
  | { type: 'pause' }
  | { type: 'set'; patch: SettingsPatch }
  /** Stop; with `summarize` the worker replays the control log and scores it (practice summary). */
  | { type: 'stop'; summarize: boolean };

export interface WorkerReady {
  type: 'ready';
  /** The device's starting settings; after this the console is their source (chunks do not echo them, so a
   * chunk already in flight cannot undo a change the operator just made). */
  settings: DeviceSettings;
  limits: SettingLimits;
  timingWindows: TimingWindows;
  traceRateHz: number;
}

export interface WorkerChunk {
  type: 'chunk';
  timeMs: number;
  traces: TraceChunk;
  marks: { r: Float64Array; inflate: Float64Array; deflate: Float64Array };
  /** Beats measured since the last chunk (with the reference beat's values when the overlay runs). */
  beats: BeatMetrics[];
  alarms: Alarm[];
  /** Control-log entries applied since the last chunk, all at or before `timeMs` (assessment checkpoints). */
  controls: ControlEntry[];
  /** Worker time spent in the engine for this chunk, ms. */
  engineMs: number;
}

export interface WorkerStopped {
  type: 'stopped';
  durationMs: number;
  controlLog: ControlEntry[];
  /** Why the run ended: the operator, or the assessment's time running out. */
  reason: 'stop' | 'time-up';
  summary: PracticeSummary | null;
}

export type FromWorker = WorkerReady | WorkerChunk | WorkerStopped | { type: 'error'; message: string };
