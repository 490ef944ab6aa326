/**
 * The counterpulsation console island: canvas display, readouts and device controls over the engine,
 * which runs in a Web Worker. Practice mode adds per-beat feedback, freeze-frame with the unassisted
 * reference overlay and a scored summary; assessment mode fixes scenario and seed, counts down and
 * submits the control log for the server to score.
 */

import { useCallback, useEffect, useRef, useState } from 'preact/hooks';
import type {
  Alarm,
  BeatMetrics,
  ControlEntry,
  DeviceSettings,
  Scenario,
  SettingsPatch,
  TimingWindows,
} from '#sim/index.ts';
import { type BeatFeedback, feedbackForBeat } from './beat-feedback.ts';
import type { FromWorker, ToWorker } from './console-protocol.ts';
import { ConsoleStats, type ConsoleStatsSnapshot } from './console-stats.ts';
import { beatWindowMs, drawBeat, SweepRenderer } from './draw-traces.ts';
import {
  activeAlarms,
  describeState,
  EMPTY_READOUTS,
  formatClock,
  formatReadout,
  type Readouts,
  readoutsFromBeats,
} from './readouts.ts';
import { CLASS_LABELS, type PracticeSummary } from './session-summary.ts';
import {
  keyAction,
  SETTING_STEPS,
  type SettingLimits,
  SHORTCUT_HELP,
  type SteppedSetting,
  sliderKeyDelta,
  stepSetting,
} from './setting-steps.ts';
import { TraceHistory } from './trace-history.ts';
import './simulator-console.css';

export interface SimulatorConsoleProps {
  mode: 'practice' | 'assessment';
  scenarios: Scenario[];
  initialScenarioId: string;
  seed?: number;
  /** Assessment: simulated duration of the attempt, ms. */
  durationMs?: number;
  attemptId?: string;
  /** Assessment: how often the console reports its control log to the server, ms. */
  checkpointEveryMs?: number;
  /** The device settings every run starts from: the neutral state, or the attempt's drawn settings. */
  startSettings?: SettingsPatch;
  signedIn: boolean;
}

interface CheckpointAck {
  acknowledged: number;
}

type Status = 'loading' | 'idle' | 'running' | 'paused' | 'frozen' | 'stopping' | 'stopped';

declare global {
  interface Window {
    __iecpaConsoleStats?: ConsoleStatsSnapshot;
  }
}

/** History kept for the freeze-frame, s: the last dozen or more beats. */
const HISTORY_SECONDS = 20;
/** The live region speaks at most this often, ms (a polite summary, not a running commentary). */
const ANNOUNCE_EVERY_MS = 5000;
const BEATS_KEPT = 80;
/** Seeds are 0..2^31-1, the range the server stores. */
const SEED_MAX = 2 ** 31 - 1;
/** A practice session ends (and is scored and saved) at 15 min, the longest the server keeps. */
export const PRACTICE_MAX_MS = 15 * 60 * 1000;
/** Shorter practice runs are not saved (the server refuses them: nothing could be scored). */
const PRACTICE_MIN_SAVE_MS = 1000;

/** The portal's typed tRPC client, loaded when the console first talks to the server. */
async function simulatorApi(): Promise<typeof import('../../lib/trpc-client.ts')['api']> {
  return (await import('../../lib/trpc-client.ts')).api;
}

function errorText(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

function randomSeed(): number {
  return 1 + Math.floor(Math.random() * 99999);
}

export function SimulatorConsole(props: SimulatorConsoleProps) {
  const assessment = props.mode === 'assessment';
  const [scenarioId, setScenarioId] = useState(props.initialScenarioId);
  const [seed, setSeed] = useState<number>(props.seed ?? 1);
  const [status, setStatus] = useState<Status>('loading');
  const [autoPaused, setAutoPaused] = useState(false);
  const [settings, setSettingsState] = useState<DeviceSettings | null>(null);
  const [limits, setLimits] = useState<SettingLimits | null>(null);
  const [windows, setWindows] = useState<TimingWindows | null>(null);
  const [readouts, setReadouts] = useState<Readouts>(EMPTY_READOUTS);
  const [alarms, setAlarms] = useState<Alarm[]>([]);
  const [lastBeat, setLastBeat] = useState<BeatMetrics | null>(null);
  const [timeMs, setTimeMs] = useState(0);
  const [frozenIndex, setFrozenIndex] = useState<number | null>(null);
  const [summary, setSummary] = useState<PracticeSummary | null>(null);
  const [message, setMessage] = useState<{ kind: 'info' | 'error' | 'success'; text: string } | null>(null);
  const [announcement, setAnnouncement] = useState('');
  const [shortcutsOn, setShortcutsOn] = useState(true);

  const workerRef = useRef<Worker | null>(null);
  const historyRef = useRef<TraceHistory | null>(null);
  const beatsRef = useRef<BeatMetrics[]>([]);
  const canvasRef = useRef<HTMLCanvasElement | null>(null);
  const statsRef = useRef(new ConsoleStats());
  const statusRef = useRef<Status>('loading');
  const frozenRef = useRef<number | null>(null);
  const lastControlLog = useRef<{ log: ControlEntry[]; durationMs: number } | null>(null);
  /** "Start again" re-initialises the worker; the run starts when it is ready. */
  const runWhenReady = useRef(false);
  const keyHandlerRef = useRef<(event: KeyboardEvent) => void>(() => undefined);
  const stateForAnnouncement = useRef<Parameters<typeof describeState>[0] | null>(null);
  /**
   * Assessment checkpoints (simulator-attempts.ts, "Integrity"): the control log as applied so far, the
   * simulated time it covers, how many entries the server acknowledged, and whether the run was reported.
   */
  const checkpoint = useRef({
    log: [] as ControlEntry[],
    throughMs: 0,
    acknowledged: 0,
    started: false,
    busy: false,
    done: false,
  });
  const scenario = props.scenarios.find((s) => s.id === scenarioId) ?? props.scenarios[0];

  statusRef.current = status;
  frozenRef.current = frozenIndex;

  const send = useCallback((message: ToWorker): void => {
    workerRef.current?.postMessage(message);
  }, []);

  /** Sends the log's unacknowledged entries and the time they cover; the server acknowledges what it holds. */
  const reportCheckpoint = useCallback(async (): Promise<boolean> => {
    const c = checkpoint.current;
    if (props.attemptId === undefined || c.busy || c.done) return false;
    c.busy = true;
    try {
      const api = await simulatorApi();
      const ack = await api.simulator.checkpointAttempt.mutate({
        attemptId: props.attemptId,
        from: c.acknowledged,
        entries: c.log.slice(c.acknowledged),
        throughMs: c.throughMs,
      });
      c.acknowledged = ack.acknowledged;
      return true;
    } catch (error) {
      setMessage({
        kind: 'error',
        text: `The server did not receive this run's progress: ${errorText(error)}. The console keeps trying.`,
      });
      return false;
    } finally {
      c.busy = false;
    }
  }, [props.attemptId]);

  // While an assessment run goes on (and until it is submitted) the console reports every few seconds.
  useEffect(() => {
    if (!assessment) return;
    const timer = setInterval(() => {
      if (checkpoint.current.started && !checkpoint.current.done) void reportCheckpoint();
    }, props.checkpointEveryMs ?? 2000);
    return () => clearInterval(timer);
  }, [assessment, props.checkpointEveryMs, reportCheckpoint]);

  const submitAttempt = useCallback(
    async (log: ControlEntry[]): Promise<void> => {
      if (props.attemptId === undefined) {
        setMessage({
          kind: 'error',
          text: 'This attempt has no id, so it cannot be submitted. Start it again from the assessment page.',
        });
        return;
      }
      setMessage({ kind: 'info', text: 'Submitting your attempt for scoring…' });
      try {
        const api = await simulatorApi();
        await api.simulator.submitAttempt.mutate({ attemptId: props.attemptId, controlLog: log });
        checkpoint.current.done = true;
        window.location.assign(`/simulator/attempts/${encodeURIComponent(String(props.attemptId))}`);
      } catch (error) {
        setMessage({
          kind: 'error',
          text: `Your attempt could not be submitted: ${errorText(error)}. Your run is kept on this page: press "Submit again".`,
        });
      }
    },
    [props.attemptId],
  );

  const savePractice = useCallback(
    async (log: ControlEntry[], durationMs: number): Promise<void> => {
      if (!scenario) return;
      try {
        const api = await simulatorApi();
        await api.simulator.savePractice.mutate({ scenarioId: scenario.id, seed, durationMs, controlLog: log });
        setMessage({
          kind: 'success',
          text: 'Practice session saved to your record. The server scored it on another recording of the same scenario.',
        });
      } catch (error) {
        setMessage({
          kind: 'error',
          text: `This practice session could not be saved: ${errorText(error)}. The summary below is still correct; try again later.`,
        });
      }
    },
    [scenario, seed],
  );

  const onWorkerMessage = useCallback(
    (event: MessageEvent<FromWorker>): void => {
      const data = event.data;
      switch (data.type) {
        case 'ready':
          historyRef.current = new TraceHistory(data.traceRateHz, HISTORY_SECONDS);
          beatsRef.current = [];
          setSettingsState(data.settings);
          setLimits(data.limits);
          setWindows(data.timingWindows);
          setReadouts(EMPTY_READOUTS);
          setAlarms([]);
          setLastBeat(null);
          setTimeMs(0);
          if (runWhenReady.current) {
            runWhenReady.current = false;
            workerRef.current?.postMessage({ type: 'run' } satisfies ToWorker);
            setStatus('running');
          } else {
            setStatus('idle');
          }
          break;
        case 'chunk': {
          const t0 = performance.now();
          const history = historyRef.current;
          if (history) {
            history.push(data.traces);
            history.addMarks('r', data.marks.r);
            history.addMarks('inflate', data.marks.inflate);
            history.addMarks('deflate', data.marks.deflate);
          }
          if (data.beats.length > 0) {
            const beats = beatsRef.current;
            beats.push(...data.beats);
            if (beats.length > BEATS_KEPT) beats.splice(0, beats.length - BEATS_KEPT);
            setReadouts(readoutsFromBeats(beats));
            setLastBeat(beats[beats.length - 1] ?? null);
            setAlarms(data.alarms);
          }
          if (data.controls.length > 0) checkpoint.current.log.push(...data.controls);
          checkpoint.current.throughMs = Math.max(checkpoint.current.throughMs, data.timeMs);
          setTimeMs(Math.floor(data.timeMs / 1000) * 1000);
          statsRef.current.recordChunk(performance.now() - t0, data.engineMs);
          break;
        }
        case 'stopped': {
          setStatus('stopped');
          setTimeMs(data.durationMs);
          lastControlLog.current = { log: data.controlLog, durationMs: data.durationMs };
          setMessage(null);
          if (assessment) {
            void submitAttempt(data.controlLog);
          } else {
            setSummary(data.summary);
            if (props.signedIn && data.durationMs >= PRACTICE_MIN_SAVE_MS)
              void savePractice(data.controlLog, data.durationMs);
          }
          break;
        }
        case 'error':
          setMessage({
            kind: 'error',
            text: `The simulator stopped with an error: ${data.message}. Reload the page to start again.`,
          });
          break;
      }
    },
    [assessment, props.signedIn, savePractice, submitAttempt],
  );

  // One worker for the island's lifetime; its message handler is swapped as callbacks change.
  useEffect(() => {
    let worker: Worker;
    try {
      worker = new Worker(new URL('./engine-worker.ts', import.meta.url), { type: 'module' });
    } catch (error) {
      setMessage({
        kind: 'error',
        text: `This browser could not start the simulator (${errorText(error)}). Try a current browser.`,
      });
      return;
    }
    workerRef.current = worker;
    worker.onerror = (event) => {
      setMessage({
        kind: 'error',
        text: `The simulator failed to load: ${event.message || 'unknown error'}. Reload the page.`,
      });
    };
    return () => {
      worker.terminate();
      workerRef.current = null;
    };
  }, []);

  useEffect(() => {
    if (workerRef.current) workerRef.current.onmessage = onWorkerMessage;
  }, [onWorkerMessage]);

  const initialise = useCallback((): void => {
    if (!scenario) return;
    setStatus('loading');
    setSummary(null);
    setFrozenIndex(null);
    send({
      type: 'init',
      scenario,
      seed,
      durationMs: assessment ? (props.durationMs ?? 120000) : PRACTICE_MAX_MS,
      summarizeAtEnd: !assessment,
      reference: !assessment,
      settings: props.startSettings,
    });
  }, [scenario, seed, assessment, props.durationMs, props.startSettings, send]);

  // (Re)initialise when the scenario or seed changes (only possible while not running).
  useEffect(() => {
    if (workerRef.current) initialise();
  }, [initialise]);

  // Drawing loop at the display's frame rate.
  useEffect(() => {
    let frame = 0;
    let lastKey = '';
    const sweep = new SweepRenderer();
    const stats = statsRef.current;
    window.__iecpaConsoleStats = stats.snapshot();
    const draw = (now: number): void => {
      frame = requestAnimationFrame(draw);
      const canvas = canvasRef.current;
      const history = historyRef.current;
      if (!canvas || !history) return;
      const t0 = performance.now();
      const ratio = window.devicePixelRatio || 1;
      const w = canvas.clientWidth;
      const h = canvas.clientHeight;
      if (canvas.width !== Math.round(w * ratio) || canvas.height !== Math.round(h * ratio)) {
        canvas.width = Math.round(w * ratio);
        sweep.invalidate();
        canvas.height = Math.round(h * ratio);
      }
      const frozen = frozenRef.current;
      // While running, every frame is drawn; otherwise only when something changed (an idle console costs nothing).
      const key = `${history.total}|${frozen}|${canvas.width}x${canvas.height}|${history.capacity}`;
      if (key === lastKey && statusRef.current !== 'running') return;
      lastKey = key;
      const ctx = canvas.getContext('2d');
      if (!ctx) return;
      ctx.setTransform(ratio, 0, 0, ratio, 0, 0);
      const beat = frozen === null ? undefined : beatsRef.current.find((b) => b.index === frozen);
      if (beat) {
        drawBeat(ctx, history, beat, w, h);
        sweep.invalidate();
      } else {
        sweep.draw(ctx, history, w, h);
      }
      stats.recordFrame(now, performance.now() - t0);
      window.__iecpaConsoleStats = stats.snapshot();
    };
    frame = requestAnimationFrame(draw);
    return () => cancelAnimationFrame(frame);
  }, []);

  // Shortcuts listen on the document so they work wherever focus is (buttons, canvas, body); text fields
  // are left alone and a checkbox turns them off (WCAG 2.1.4).
  useEffect(() => {
    const onKey = (event: KeyboardEvent): void => keyHandlerRef.current(event);
    document.addEventListener('keydown', onKey);
    return () => document.removeEventListener('keydown', onKey);
  }, []);

  // A hidden tab pauses the run and a visible one resumes it, so simulated time never jumps.
  useEffect(() => {
    const onVisibility = (): void => {
      if (document.hidden && statusRef.current === 'running') {
        send({ type: 'pause' });
        setStatus('paused');
        setAutoPaused(true);
      } else if (!document.hidden && statusRef.current === 'paused') {
        setAutoPaused((was) => {
          if (was) {
            send({ type: 'run' });
            setStatus('running');
          }
          return false;
        });
      }
    };
    document.addEventListener('visibilitychange', onVisibility);
    return () => document.removeEventListener('visibilitychange', onVisibility);
  }, [send]);

  const feedback: BeatFeedback | null = lastBeat && windows ? feedbackForBeat(lastBeat, windows) : null;

  stateForAnnouncement.current = settings
    ? {
        status: status === 'loading' || status === 'stopping' ? 'idle' : status,
        timeMs,
        readouts,
        settings,
        lastFeedback: assessment ? null : (feedback?.headline ?? null),
        alarms,
      }
    : null;

  useEffect(() => {
    const timer = setInterval(() => {
      const s = stateForAnnouncement.current;
      if (s && (s.status === 'running' || s.status === 'frozen' || s.status === 'paused'))
        setAnnouncement(describeState(s));
    }, ANNOUNCE_EVERY_MS);
    return () => clearInterval(timer);
  }, []);

  const start = (): void => {
    setMessage(null);
    setFrozenIndex(null);
    setAutoPaused(false);
    if (assessment && !checkpoint.current.started) {
      // The first report starts the run's clock on the server; the engine runs only once it is acknowledged.
      setStatus('loading');
      void reportCheckpoint().then((ok) => {
        if (!ok) {
          setStatus('idle');
          return;
        }
        checkpoint.current.started = true;
        send({ type: 'run' });
        setStatus('running');
        setAnnouncement('Running.');
      });
      return;
    }
    if (status === 'stopped') {
      runWhenReady.current = true;
      initialise();
      return;
    }
    send({ type: 'run' });
    setStatus('running');
    setAnnouncement('Running.');
  };
  const pause = (): void => {
    send({ type: 'pause' });
    setStatus('paused');
    setAutoPaused(false);
  };
  const stop = (): void => {
    setFrozenIndex(null);
    setStatus('stopping');
    if (!assessment) setMessage({ kind: 'info', text: 'Scoring your session…' });
    send({ type: 'stop', summarize: !assessment });
  };

  const applyPatch = (patch: SettingsPatch): void => {
    if (!settings) return;
    send({ type: 'set', patch });
    // Show the new value at once; the device applies it from the next beat.
    setSettingsState({ ...settings, ...patch, cuffs: { ...settings.cuffs, ...(patch.cuffs ?? {}) } });
  };

  const step = (setting: SteppedSetting, delta: number): void => {
    if (!settings || !limits) return;
    applyPatch({ [setting]: stepSetting(limits, setting, settings[setting], delta) });
  };

  const frozenBeats = (): BeatMetrics[] => {
    const history = historyRef.current;
    if (!history) return [];
    return beatsRef.current.filter((b) => beatWindowMs(b).fromMs >= history.oldestTimeMs());
  };

  const freeze = (): void => {
    if (assessment) return;
    if (status === 'frozen') {
      setFrozenIndex(null);
      send({ type: 'run' });
      setStatus('running');
      return;
    }
    const beats = frozenBeats();
    const last = beats[beats.length - 1];
    if (!last) {
      setMessage({ kind: 'info', text: 'No beat measured yet: let the run go for a few seconds, then freeze.' });
      return;
    }
    if (status === 'running') send({ type: 'pause' });
    setFrozenIndex(last.index);
    setStatus('frozen');
  };

  const stepBeat = (delta: number): void => {
    if (frozenIndex === null) return;
    const beats = frozenBeats();
    const at = beats.findIndex((b) => b.index === frozenIndex);
    const next = beats[Math.min(beats.length - 1, Math.max(0, at + delta))];
    if (next) setFrozenIndex(next.index);
  };

  keyHandlerRef.current = (event: KeyboardEvent): void => {
    if (!shortcutsOn || event.ctrlKey || event.metaKey || event.altKey) return;
    const target = event.target as HTMLElement | null;
    if (
      target &&
      (target.tagName === 'SELECT' ||
        target.tagName === 'TEXTAREA' ||
        target.isContentEditable ||
        (target.tagName === 'INPUT' &&
          (target as HTMLInputElement).type !== 'range' &&
          (target as HTMLInputElement).type !== 'checkbox' &&
          (target as HTMLInputElement).type !== 'radio'))
    )
      return;
    const action = keyAction(event.key, event.shiftKey);
    if (!action) return;
    if (action.kind === 'step') {
      if (!settings) return;
      event.preventDefault();
      if (action.setting === 'deflateDelayMs' && settings.adaptive) step('deflateLeadMs', -action.delta);
      else step(action.setting, action.delta);
    } else if (action.kind === 'freeze') {
      if (assessment) return;
      event.preventDefault();
      freeze();
    } else if (status === 'frozen') {
      event.preventDefault();
      stepBeat(action.delta);
    }
  };

  const running = status === 'running';
  const stoppable = running || status === 'paused' || status === 'frozen';
  const canChangeSetup = !assessment && (status === 'idle' || status === 'stopped');
  const remainingMs = assessment ? Math.max(0, (props.durationMs ?? 120000) - timeMs) : null;
  const frozenBeat = frozenIndex === null ? null : (beatsRef.current.find((b) => b.index === frozenIndex) ?? null);
  const frozenFeedback = frozenBeat && windows ? feedbackForBeat(frozenBeat, windows) : null;
  const active = activeAlarms(alarms);

  return (
    <section class="sim-console" aria-label="Counterpulsation console">
      <div class="sim-toolbar">
        {assessment ? (
          // The scenario is fixed by the attempt: shown as a fact, not as a disabled control. No seed: the
          // one on screen is only for display, the scored one is the server's (issue 14).
          <dl class="sim-fixed-setup">
            <div>
              <dt>Scenario</dt>
              <dd>{scenario?.title}</dd>
            </div>
          </dl>
        ) : (
          <>
            <div class="sim-field">
              <label for="sim-scenario">Scenario</label>
              <select
                id="sim-scenario"
                value={scenarioId}
                disabled={!canChangeSetup}
                onChange={(e) => setScenarioId((e.currentTarget as HTMLSelectElement).value)}
              >
                {props.scenarios.map((s) => (
                  <option key={s.id} value={s.id}>
                    {s.title}
                  </option>
                ))}
              </select>
            </div>
            <div class="sim-field sim-field--seed">
              <label for="sim-seed">Seed</label>
              <input
                id="sim-seed"
                type="number"
                inputMode="numeric"
                min={0}
                max={SEED_MAX}
                value={seed}
                disabled={!canChangeSetup}
                onChange={(e) => {
                  const v = Number.parseInt((e.currentTarget as HTMLInputElement).value, 10);
                  if (Number.isSafeInteger(v) && v >= 0 && v <= SEED_MAX) setSeed(v);
                }}
              />
              <button
                type="button"
                class="sim-button sim-button--small"
                disabled={!canChangeSetup}
                onClick={() => setSeed(randomSeed())}
              >
                New seed
              </button>
            </div>
          </>
        )}
        <fieldset class="sim-run-buttons">
          <legend class="visually-hidden">Run</legend>
          {/* One Start/Pause/Resume button, so focus stays on it as the run starts and stops. */}
          <button
            type="button"
            class="sim-button sim-button--primary"
            onClick={running ? pause : start}
            disabled={status === 'loading' || status === 'stopping' || (assessment && status === 'stopped')}
          >
            {running
              ? 'Pause'
              : status === 'paused' || status === 'frozen'
                ? 'Resume'
                : status === 'stopped'
                  ? 'Start again'
                  : 'Start'}
          </button>
          {assessment ? (
            <button
              type="button"
              class="sim-button sim-button--primary"
              // The server refuses a submission before the run's time is up: the run submits itself then.
              disabled={status !== 'stopped'}
              onClick={() => (lastControlLog.current ? void submitAttempt(lastControlLog.current.log) : undefined)}
            >
              {status === 'stopped' ? 'Submit again' : 'Submit'}
            </button>
          ) : (
            <button
              type="button"
              class="sim-button"
              onClick={() => (stoppable ? stop() : undefined)}
              aria-disabled={!stoppable}
            >
              Stop
            </button>
          )}
        </fieldset>
        <p class="sim-clock" aria-live="off">
          {assessment ? (
            <>
              <span class="sim-clock__label">Time left</span>{' '}
              <span class="sim-clock__value" data-testid="countdown">
                {formatClock(remainingMs ?? 0)}
              </span>
            </>
          ) : (
            <>
              <span class="sim-clock__label">Elapsed</span> <span class="sim-clock__value">{formatClock(timeMs)}</span>
            </>
          )}
          <span class="sim-status"> {statusLabel(status, autoPaused)}</span>
        </p>
      </div>

      {message && (
        <div class={`sim-message sim-message--${message.kind}`} role={message.kind === 'error' ? 'alert' : 'status'}>
          {message.text}
        </div>
      )}

      <div class="sim-main">
        <div class="sim-display">
          <canvas
            ref={canvasRef}
            class="sim-canvas"
            role="img"
            aria-label="Monitor display: ECG with detected R waves, finger pleth and the three cuff pressures, with inflation (I) and deflation (D) markers. The readouts and the status summary give the same information as text."
          />
          <ul class="sim-legend" aria-label="Display legend">
            <li>
              <span class="swatch swatch--ecg" /> ECG, ▼ detected R
            </li>
            <li>
              <span class="swatch swatch--pleth" /> Finger pleth
            </li>
            <li>
              <span class="swatch swatch--inflate" /> I: inflate command
            </li>
            <li>
              <span class="swatch swatch--deflate" /> D: deflate command
            </li>
            <li>
              <span class="swatch swatch--calf" /> Calf (solid)
            </li>
            <li>
              <span class="swatch swatch--lower" /> Lower thigh (dashed)
            </li>
            <li>
              <span class="swatch swatch--upper" /> Upper thigh (dotted)
            </li>
            {frozenBeat && (
              <li>
                <span class="swatch swatch--reference" /> Unassisted reference pleth (dashed)
              </li>
            )}
          </ul>
        </div>

        <div class="sim-readouts">
          <h2 class="sim-heading">Readouts</h2>
          <dl class="sim-readout-grid">
            <Readout label="Heart rate" value={formatReadout(readouts.heartRateBpm)} unit="bpm" id="hr" />
            <Readout label="D/S peak ratio" value={formatReadout(readouts.dsPeakRatio, 2)} unit="" id="ds" />
            <Readout label="D/S area ratio" value={formatReadout(readouts.dsAreaRatio, 2)} unit="" id="ds-area" />
            <Readout
              label="Augmented diastolic"
              value={formatReadout(readouts.augmentedDiastolicMmHg)}
              unit="mmHg"
              id="aug"
            />
            <Readout label="Systolic" value={formatReadout(readouts.systolicMmHg)} unit="mmHg" id="sys" />
            <Readout label="End-diastolic" value={formatReadout(readouts.endDiastolicMmHg)} unit="mmHg" id="edp" />
            <Readout
              label="Treatment pressure"
              value={settings ? String(settings.pressureMmHg) : '–'}
              unit="mmHg"
              id="pressure"
            />
          </dl>
          <h3 class="sim-subheading">Alarms</h3>
          {active.length === 0 ? (
            <p class="sim-alarms sim-alarms--none">None</p>
          ) : (
            <ul class="sim-alarms">
              {active.map((a) => (
                <li key={a.code}>
                  <strong>Alarm:</strong> {a.message}
                </li>
              ))}
            </ul>
          )}
        </div>
      </div>

      {!assessment && (
        <div class="sim-feedback" data-testid="feedback">
          <h2 class="sim-heading">{frozenBeat ? `Freeze-frame: beat ${frozenBeat.index + 1}` : 'Last beat'}</h2>
          {(frozenFeedback ?? feedback) ? (
            <div class={`sim-feedback__card sim-feedback__card--${(frozenFeedback ?? feedback)?.tone}`}>
              <p class="sim-feedback__headline">{(frozenFeedback ?? feedback)?.headline}</p>
              <p>{(frozenFeedback ?? feedback)?.advice}</p>
              {frozenBeat && <BeatFacts beat={frozenBeat} />}
            </div>
          ) : (
            <p>Start the run; feedback appears for each beat once the device has learned the rhythm.</p>
          )}
          <fieldset class="sim-freeze">
            <legend class="visually-hidden">Freeze-frame</legend>
            <button
              type="button"
              class="sim-button"
              onClick={freeze}
              disabled={!(running || status === 'paused' || status === 'frozen')}
              aria-pressed={status === 'frozen'}
            >
              {status === 'frozen' ? 'Resume from freeze' : 'Freeze'}
            </button>
            <button type="button" class="sim-button" onClick={() => stepBeat(-1)} disabled={status !== 'frozen'}>
              Previous beat
            </button>
            <button type="button" class="sim-button" onClick={() => stepBeat(1)} disabled={status !== 'frozen'}>
              Next beat
            </button>
          </fieldset>
        </div>
      )}

      {settings && limits && (
        <div class="sim-controls">
          <fieldset class="sim-group">
            <legend>Timing</legend>
            <fieldset class="sim-mode">
              <legend class="visually-hidden">Timing mode</legend>
              <label>
                <input
                  type="radio"
                  name="sim-timing-mode"
                  checked={!settings.adaptive}
                  onChange={() => applyPatch({ adaptive: false })}
                />{' '}
                Fixed
              </label>
              <label>
                <input
                  type="radio"
                  name="sim-timing-mode"
                  checked={settings.adaptive}
                  onChange={() => applyPatch({ adaptive: true })}
                />{' '}
                Adaptive
              </label>
            </fieldset>
            <SettingControl
              id="inflate"
              label="Inflation delay after R"
              unit="ms"
              setting="inflateDelayMs"
              value={settings.inflateDelayMs}
              limits={limits}
              onStep={step}
              onSet={(v) => applyPatch({ inflateDelayMs: v })}
              hint={settings.adaptive ? 'Adaptive: scaled with heart rate from this value.' : undefined}
            />
            {settings.adaptive ? (
              <SettingControl
                id="deflate-lead"
                label="Deflation lead before next R"
                unit="ms"
                setting="deflateLeadMs"
                value={settings.deflateLeadMs}
                limits={limits}
                onStep={step}
                onSet={(v) => applyPatch({ deflateLeadMs: v })}
              />
            ) : (
              <SettingControl
                id="deflate"
                label="Deflation delay after R"
                unit="ms"
                setting="deflateDelayMs"
                value={settings.deflateDelayMs}
                limits={limits}
                onStep={step}
                onSet={(v) => applyPatch({ deflateDelayMs: v })}
              />
            )}
          </fieldset>
          <fieldset class="sim-group">
            <legend>Pressure and cuffs</legend>
            <SettingControl
              id="pressure"
              label="Treatment pressure"
              unit="mmHg"
              setting="pressureMmHg"
              value={settings.pressureMmHg}
              limits={limits}
              onStep={step}
              onSet={(v) => applyPatch({ pressureMmHg: v })}
            />
            <SettingControl
              id="stage"
              label="Stage delay between cuffs"
              unit="ms"
              setting="stageDelayMs"
              value={settings.stageDelayMs}
              limits={limits}
              onStep={step}
              onSet={(v) => applyPatch({ stageDelayMs: v })}
            />
            <fieldset class="sim-cuffs">
              <legend class="visually-hidden">Cuffs in use</legend>
              {(
                [
                  ['calf', 'Calves'],
                  ['lowerThigh', 'Lower thighs'],
                  ['upperThigh', 'Upper thighs'],
                ] as const
              ).map(([key, label]) => (
                <label key={key}>
                  <input
                    type="checkbox"
                    checked={settings.cuffs[key]}
                    onChange={(e) => applyPatch({ cuffs: { [key]: (e.currentTarget as HTMLInputElement).checked } })}
                  />{' '}
                  {label}
                </label>
              ))}
            </fieldset>
          </fieldset>
        </div>
      )}

      {summary && !assessment && <SummaryView summary={summary} />}

      <details class="sim-shortcuts">
        <summary>Keyboard shortcuts</summary>
        <label class="sim-shortcuts__toggle">
          <input
            type="checkbox"
            checked={shortcutsOn}
            onChange={(e) => setShortcutsOn((e.currentTarget as HTMLInputElement).checked)}
          />{' '}
          Single-key shortcuts on (while focus is in the console)
        </label>
        <dl>
          {SHORTCUT_HELP.filter(
            (s) => !assessment || (!s.action.includes('freeze') && !s.action.includes('frozen')),
          ).map((s) => (
            <div key={s.keys}>
              <dt>
                <kbd>{s.keys}</kbd>
              </dt>
              <dd>{s.action}</dd>
            </div>
          ))}
        </dl>
      </details>

      <div class="visually-hidden" aria-live="polite" data-testid="live-summary">
        {announcement}
      </div>
    </section>
  );
}

function statusLabel(status: Status, autoPaused: boolean): string {
  switch (status) {
    case 'loading':
      return 'Loading…';
    case 'idle':
      return 'Ready';
    case 'running':
      return 'Running';
    case 'paused':
      return autoPaused ? 'Paused (tab hidden)' : 'Paused';
    case 'frozen':
      return 'Frozen';
    case 'stopping':
      return 'Stopping…';
    case 'stopped':
      return 'Stopped';
  }
}

function Readout(props: { label: string; value: string; unit: string; id: string }) {
  return (
    <div class="sim-readout" data-readout={props.id}>
      <dt>{props.label}</dt>
      <dd>
        <span class="sim-readout__value">{props.value}</span>
        {props.unit && <span class="sim-readout__unit"> {props.unit}</span>}
      </dd>
    </div>
  );
}

function SettingControl(props: {
  id: string;
  label: string;
  unit: string;
  setting: SteppedSetting;
  value: number;
  limits: SettingLimits;
  onStep: (setting: SteppedSetting, delta: number) => void;
  onSet: (value: number) => void;
  hint?: string | undefined;
}) {
  // While the slider is dragged only the label follows; the device gets the value on release, so a drag
  // is one control-log entry rather than dozens.
  const [draft, setDraft] = useState<number | null>(null);
  const shown = draft ?? props.value;
  const { fine, coarse } = SETTING_STEPS[props.setting];
  const range = props.limits[props.setting];
  const inputId = `sim-${props.id}`;
  const u = props.unit;
  return (
    <div class="sim-setting">
      <label for={inputId} class="sim-setting__label">
        {props.label}:{' '}
        <output for={inputId} class="sim-setting__value" data-setting={props.setting}>
          {shown}
        </output>{' '}
        {u}
      </label>
      <div class="sim-setting__row">
        <button
          type="button"
          class="sim-step"
          aria-label={`${props.label} minus ${coarse} ${u}`}
          onClick={() => props.onStep(props.setting, -coarse)}
        >
          −{coarse}
        </button>
        <button
          type="button"
          class="sim-step"
          aria-label={`${props.label} minus ${fine} ${u}`}
          onClick={() => props.onStep(props.setting, -fine)}
        >
          −{fine}
        </button>
        <input
          id={inputId}
          type="range"
          min={range.min}
          max={range.max}
          step={fine}
          value={shown}
          aria-valuetext={`${shown} ${u}`}
          onKeyDown={(e) => {
            // Arrows step by the fine step and Page Up/Down by the coarse one from the exact value (the
            // native slider would snap a value such as 267 to its 5 ms grid).
            const delta = sliderKeyDelta(e.key, fine, coarse);
            if (delta === null) return;
            e.preventDefault();
            props.onStep(props.setting, delta);
          }}
          onInput={(e) => setDraft(Number((e.currentTarget as HTMLInputElement).value))}
          onChange={(e) => {
            setDraft(null);
            props.onSet(Number((e.currentTarget as HTMLInputElement).value));
          }}
        />
        <button
          type="button"
          class="sim-step"
          aria-label={`${props.label} plus ${fine} ${u}`}
          onClick={() => props.onStep(props.setting, fine)}
        >
          +{fine}
        </button>
        <button
          type="button"
          class="sim-step"
          aria-label={`${props.label} plus ${coarse} ${u}`}
          onClick={() => props.onStep(props.setting, coarse)}
        >
          +{coarse}
        </button>
      </div>
      {props.hint && <p class="sim-setting__hint">{props.hint}</p>}
    </div>
  );
}

function BeatFacts(props: { beat: BeatMetrics }) {
  const b = props.beat;
  const ref = b.reference;
  const row = (label: string, value: string, refValue?: string) => (
    <tr>
      <th scope="row">{label}</th>
      <td>{value}</td>
      <td>{refValue ?? '–'}</td>
    </tr>
  );
  const n = (v: number | null | undefined, d = 0): string =>
    v === null || v === undefined || !Number.isFinite(v) ? '–' : v.toFixed(d);
  return (
    <table class="sim-beat-facts">
      <caption class="visually-hidden">This beat against the same beat unassisted</caption>
      <thead>
        <tr>
          <th scope="col">Measure</th>
          <th scope="col">This beat</th>
          <th scope="col">Unassisted</th>
        </tr>
      </thead>
      <tbody>
        {row('Inflation error, ms (− early)', n(b.inflationErrorMs))}
        {row('Deflation error, ms (+ late)', n(b.deflationErrorMs))}
        {row('D/S peak ratio', n(b.dsPeakRatio, 2), n(ref?.dsPeakRatio, 2))}
        {row('Systolic, mmHg', n(b.systolicPeakMmHg), n(ref?.systolicPeakMmHg))}
        {row('End-diastolic, mmHg', n(b.endDiastolicMmHg), n(ref?.endDiastolicMmHg))}
      </tbody>
    </table>
  );
}

function SummaryView(props: { summary: PracticeSummary }) {
  const s = props.summary;
  return (
    <section class="sim-summary" aria-labelledby="sim-summary-heading" data-testid="summary">
      <h2 id="sim-summary-heading" class="sim-heading">
        Session summary
      </h2>
      <p class="sim-summary__score">
        Score <strong>{s.score0to100.toFixed(1)}</strong> of 100 ({s.passed ? 'would pass' : 'would not pass'} the
        default assessment rubric) over {formatClock(s.durationMs)}.
      </p>
      <p>
        Time to first good settings (five beats in a row meeting every criterion):{' '}
        <strong>{s.timeToGoodMs === null ? 'not reached' : formatClock(s.timeToGoodMs)}</strong>.
      </p>
      {s.failures.length > 0 && (
        <ul class="sim-summary__failures">
          {s.failures.map((f) => (
            <li key={f}>{f}</li>
          ))}
        </ul>
      )}
      <div class="sim-summary__tables">
        <table>
          <caption>Criteria</caption>
          <thead>
            <tr>
              <th scope="col">Criterion</th>
              <th scope="col">Weight</th>
              <th scope="col">Score</th>
            </tr>
          </thead>
          <tbody>
            {s.criteria.map((c) => (
              <tr key={c.id}>
                <th scope="row">
                  {c.label}
                  <span class="sim-summary__detail">{c.detail}</span>
                </th>
                <td>{c.weight}</td>
                <td>{c.score.toFixed(1)}</td>
              </tr>
            ))}
          </tbody>
        </table>
        <table>
          <caption>Beats by class ({s.beatCount} beats)</caption>
          <thead>
            <tr>
              <th scope="col">Class</th>
              <th scope="col">Beats</th>
            </tr>
          </thead>
          <tbody>
            {(Object.keys(CLASS_LABELS) as (keyof typeof CLASS_LABELS)[]).map((k) => (
              <tr key={k}>
                <th scope="row">{CLASS_LABELS[k]}</th>
                <td>{s.classCounts[k] ?? 0}</td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>
    </section>
  );
}
