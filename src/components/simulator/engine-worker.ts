/**
 * The engine's Web Worker: advances the simulation by wall-clock time, capped per tick so that a
 * throttled or paused tab never makes simulated time jump, and posts trace chunks to the console.
 */
import {
  type BeatMetrics,
  createSimulation,
  DEFAULT_RUBRIC,
  DEFAULT_TIMING_WINDOWS,
  type Scenario,
  SETTINGS_LIMITS,
  type SettingsPatch,
  type Simulation,
  scoreAssessment,
  simulate,
} from '#sim/index.ts';
import type { FromWorker, ToWorker, WorkerChunk } from './console-protocol.ts';
import { ControlThrottle } from './control-throttle.ts';
import { type PracticeSummary, timeToFirstGoodSettingsMs } from './session-summary.ts';
import { advanceForTickMs } from './worker-clock.ts';

/** Tick period, ms: about one display frame, so chunks arrive as often as the console draws. */
const TICK_MS = 16;
/** Display trace rate, Hz: one sample per canvas pixel at a 6 s sweep on a wide screen is ~200 Hz. */
const TRACE_RATE_HZ = 250;

interface RunState {
  scenario: Scenario;
  seed: number;
  startSettings: SettingsPatch | undefined;
  durationMs: number | null;
  summarizeAtEnd: boolean;
  live: Simulation;
  reference: Simulation | null;
  beatsSent: number;
  /** Control-log entries already posted in chunks. */
  controlsSent: number;
  running: boolean;
  lastWallMs: number;
  timer: ReturnType<typeof setInterval> | null;
  /** Spaces the console's setting changes before the engine applies (and logs) them. */
  controls: ControlThrottle;
}

let state: RunState | null = null;

const post = (message: FromWorker, transfer: Transferable[] = []): void => {
  (self as unknown as Worker).postMessage(message, transfer);
};

function init(message: Extract<ToWorker, { type: 'init' }>): void {
  stopTimer();
  const live = createSimulation({
    scenario: message.scenario,
    seed: message.seed,
    settings: message.settings,
    traces: { rateHz: TRACE_RATE_HZ },
  });
  // The overlay's unassisted beat: the same patient and seed with the cuffs at zero pressure.
  const reference = message.reference
    ? createSimulation({
        scenario: message.scenario,
        seed: message.seed,
        settings: { ...message.settings, pressureMmHg: 0 },
        traces: { rateHz: TRACE_RATE_HZ },
      })
    : null;
  state = {
    scenario: message.scenario,
    seed: message.seed,
    startSettings: message.settings,
    durationMs: message.durationMs,
    summarizeAtEnd: message.summarizeAtEnd,
    live,
    reference,
    beatsSent: 0,
    controlsSent: 0,
    running: false,
    lastWallMs: 0,
    timer: null,
    controls: new ControlThrottle(),
  };
  post({
    type: 'ready',
    settings: live.settings,
    limits: SETTINGS_LIMITS,
    timingWindows: DEFAULT_TIMING_WINDOWS,
    traceRateHz: TRACE_RATE_HZ,
  });
}

function stopTimer(): void {
  if (state?.timer) clearInterval(state.timer);
  if (state) state.timer = null;
}

function tick(): void {
  const s = state;
  if (!s?.running) return;
  const now = performance.now();
  const advanceMs = advanceForTickMs(now, s.lastWallMs, s.live.timeMs, s.durationMs);
  s.lastWallMs = now;
  const due = s.controls.due(s.live.timeMs);
  if (due) s.live.setSettings(due);
  const t0 = performance.now();
  if (advanceMs > 0) {
    s.live.advance(advanceMs);
    s.reference?.advance(s.live.timeMs - s.reference.timeMs);
  }
  const engineMs = performance.now() - t0;
  postChunk(s, engineMs);
  if (s.durationMs !== null && s.live.timeMs >= s.durationMs - 0.25) finish('time-up', s.summarizeAtEnd);
}

function postChunk(s: RunState, engineMs: number): void {
  const t = s.live.readTraces();
  const ref = s.reference?.readTraces() ?? null;
  const n = t.timeMs.length;
  const referencePleth = new Float32Array(n);
  if (ref) referencePleth.set(ref.plethAu.subarray(0, Math.min(n, ref.plethAu.length)));
  else referencePleth.fill(Number.NaN);
  const all = s.live.beats();
  const refBeats = s.reference?.beats() ?? [];
  const beats = all.slice(s.beatsSent).map((b) => {
    const r = refBeats[b.index];
    if (!r || r.index !== b.index) return b;
    // A measured beat carries every field of the reference record (sim's ReferenceBeat is a subset).
    const reference: BeatMetrics['reference'] = r;
    return { ...b, reference };
  });
  s.beatsSent = all.length;
  const log = s.live.controlLog();
  const controls = log.slice(s.controlsSent);
  s.controlsSent = log.length;
  const chunk: WorkerChunk = {
    type: 'chunk',
    timeMs: s.live.timeMs,
    traces: {
      ecgMv: t.ecgMv,
      plethAu: t.plethAu,
      referencePlethAu: referencePleth,
      cuffCalfMmHg: t.cuffCalfMmHg,
      cuffLowerThighMmHg: t.cuffLowerThighMmHg,
      cuffUpperThighMmHg: t.cuffUpperThighMmHg,
    },
    marks: { r: t.detectedRMarksMs, inflate: t.inflateMarksMs, deflate: t.deflateMarksMs },
    beats,
    alarms: s.live.alarms().slice(),
    controls,
    engineMs,
  };
  post(chunk, [
    t.ecgMv.buffer,
    t.plethAu.buffer,
    referencePleth.buffer,
    t.cuffCalfMmHg.buffer,
    t.cuffLowerThighMmHg.buffer,
    t.cuffUpperThighMmHg.buffer,
    t.detectedRMarksMs.buffer,
    t.inflateMarksMs.buffer,
    t.deflateMarksMs.buffer,
  ]);
}

/** Replays the control log exactly as the server does and scores it with the default rubric. */
function summarize(s: RunState, durationMs: number): PracticeSummary | null {
  if (durationMs <= 0) return null;
  const controls = s.live.controlLog().slice();
  const result = simulate({ scenario: s.scenario, seed: s.seed, durationMs, controls, settings: s.startSettings });
  const assessment = scoreAssessment(result, DEFAULT_RUBRIC);
  return {
    durationMs,
    score0to100: assessment.score0to100,
    passed: assessment.passed,
    criteria: assessment.criteria,
    failures: assessment.failures,
    timeToGoodMs: timeToFirstGoodSettingsMs(assessment.evidence),
    classCounts: result.summary.classCounts,
    beatCount: result.summary.beatCount,
  };
}

function finish(reason: 'stop' | 'time-up', withSummary: boolean): void {
  const s = state;
  if (!s) return;
  s.running = false;
  stopTimer();
  const waiting = s.controls.flush(s.live.timeMs);
  if (waiting) s.live.setSettings(waiting);
  // Whole milliseconds: the server takes an integer duration, and every logged change lies within it.
  const wholeMs = Math.ceil(s.live.timeMs);
  if (wholeMs > s.live.timeMs) s.live.advance(wholeMs - s.live.timeMs);
  const durationMs = s.live.timeMs;
  let summary: PracticeSummary | null = null;
  try {
    summary = withSummary ? summarize(s, durationMs) : null;
  } catch (error) {
    post({ type: 'error', message: `The session summary could not be computed: ${String(error)}` });
  }
  post({ type: 'stopped', durationMs, controlLog: s.live.controlLog().slice(), reason, summary });
}

self.onmessage = (event: MessageEvent<ToWorker>): void => {
  const message = event.data;
  try {
    switch (message.type) {
      case 'init':
        init(message);
        break;
      case 'run':
        if (state && !state.running) {
          state.running = true;
          state.lastWallMs = performance.now();
          state.timer = setInterval(tick, TICK_MS);
        }
        break;
      case 'pause':
        if (state) {
          tick();
          state.running = false;
          stopTimer();
        }
        break;
      case 'set': {
        const patch = state?.controls.offer(message.patch, state.live.timeMs);
        if (patch) state?.live.setSettings(patch);
        break;
      }
      case 'stop':
        finish('stop', message.summarize);
        break;
    }
  } catch (error) {
    post({ type: 'error', message: error instanceof Error ? error.message : String(error) });
  }
};
