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
import {
  BeatFacts,
  type ConsoleStatus,
  ControlsPanel,
  KeyHint,
  ReadoutsPanel,
  ShortcutsPanel,
  STATUS_LABELS,
  SteadyText,
  SummaryView,
  statusLabel,
} from './console-panels.tsx';
import type { FromWorker, ToWorker } from './console-protocol.ts';
import { ConsoleStats } from './console-stats.ts';
import { beatWindowMs } from './draw-traces.ts';
import { describeState, EMPTY_READOUTS, formatClock, type Readouts, readoutsFromBeats } from './readouts.ts';
import type { PracticeSummary } from './session-summary.ts';
import { keyAction, type SettingLimits, type SteppedSetting, stepSetting } from './setting-steps.ts';
import { TraceHistory } from './trace-history.ts';
import { type ConsoleMessage, errorText, simulatorApi, useAttemptCheckpoints } from './use-attempt-checkpoints.ts';
import { useEngineWorker } from './use-engine-worker.ts';
import { useTraceCanvas } from './use-trace-canvas.ts';
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

type Status = ConsoleStatus;

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

/**
 * The display's legend: a sample of each line as the display draws it (colour and dash on the display's
 * background), and the style in words, so that no trace is told apart by colour alone. The reference line
 * is listed always, so the legend (and what follows it) does not move when a beat is frozen.
 */
const LEGEND = [
  { swatch: 'ecg', label: 'ECG, ▼ detected R' },
  { swatch: 'pleth', label: 'Finger pleth' },
  { swatch: 'inflate', label: 'I: inflate command' },
  { swatch: 'deflate', label: 'D: deflate command' },
  { swatch: 'calf', label: 'Calf (solid)' },
  { swatch: 'lower', label: 'Lower thigh (dashed)' },
  { swatch: 'upper', label: 'Upper thigh (dotted)' },
  { swatch: 'reference', label: 'Unassisted reference pleth (dashed), on a frozen beat' },
] as const;

/** The run button's labels: it keeps the width of the longest, so the toolbar does not move as it changes. */
const RUN_LABELS = ['Start', 'Pause', 'Resume', 'Start again'] as const;

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
  const [message, setMessage] = useState<ConsoleMessage | null>(null);
  const [announcement, setAnnouncement] = useState('');
  const [shortcutsOn, setShortcutsOn] = useState(true);

  const historyRef = useRef<TraceHistory | null>(null);
  const beatsRef = useRef<BeatMetrics[]>([]);
  const statsRef = useRef(new ConsoleStats());
  const statusRef = useRef<Status>('loading');
  const frozenRef = useRef<number | null>(null);
  const lastControlLog = useRef<{ log: ControlEntry[]; durationMs: number } | null>(null);
  /** "Start again" re-initialises the worker; the run starts when it is ready. */
  const runWhenReady = useRef(false);
  const keyHandlerRef = useRef<(event: KeyboardEvent) => void>(() => undefined);
  const stateForAnnouncement = useRef<Parameters<typeof describeState>[0] | null>(null);
  const { checkpoint, reportCheckpoint, submitAttempt } = useAttemptCheckpoints({
    attemptId: assessment ? props.attemptId : undefined,
    everyMs: props.checkpointEveryMs ?? 2000,
    onMessage: setMessage,
  });
  const scenario = props.scenarios.find((s) => s.id === scenarioId) ?? props.scenarios[0];

  statusRef.current = status;
  frozenRef.current = frozenIndex;
  const canvasRef = useTraceCanvas({ historyRef, beatsRef, frozenRef, statusRef, statsRef });

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

  const { workerRef, send } = useEngineWorker(onWorkerMessage, (text) => setMessage({ kind: 'error', text }));

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
            <SteadyText
              text={
                running
                  ? 'Pause'
                  : status === 'paused' || status === 'frozen'
                    ? 'Resume'
                    : status === 'stopped'
                      ? 'Start again'
                      : 'Start'
              }
              all={RUN_LABELS}
            />
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
            <span>
              <span class="sim-clock__label">Time left</span>{' '}
              <span class="sim-clock__value" data-testid="countdown">
                {formatClock(remainingMs ?? 0)}
              </span>
            </span>
          ) : (
            <span>
              <span class="sim-clock__label">Elapsed</span> <span class="sim-clock__value">{formatClock(timeMs)}</span>
            </span>
          )}
          <span class="sim-status">
            <SteadyText text={statusLabel(status, autoPaused)} all={STATUS_LABELS} />
          </span>
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
            {LEGEND.map((item) => (
              <li key={item.swatch}>
                <span class="swatch-chip" aria-hidden="true">
                  <span class={`swatch swatch--${item.swatch}`} />
                </span>{' '}
                {item.label}
              </li>
            ))}
          </ul>
        </div>

        <ReadoutsPanel readouts={readouts} settings={settings} alarms={alarms} />
      </div>

      {settings && limits && (
        <ControlsPanel
          settings={settings}
          limits={limits}
          applyPatch={applyPatch}
          step={step}
          shortcutsOn={shortcutsOn}
        />
      )}

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
              aria-keyshortcuts={shortcutsOn ? 'F' : undefined}
            >
              {status === 'frozen' ? 'Resume from freeze' : 'Freeze'}
              <KeyHint keys="F" on={shortcutsOn} />
            </button>
            <button
              type="button"
              class="sim-button"
              onClick={() => stepBeat(-1)}
              disabled={status !== 'frozen'}
              aria-keyshortcuts={shortcutsOn ? ',' : undefined}
            >
              Previous beat
              <KeyHint keys="," on={shortcutsOn} />
            </button>
            <button
              type="button"
              class="sim-button"
              onClick={() => stepBeat(1)}
              disabled={status !== 'frozen'}
              aria-keyshortcuts={shortcutsOn ? '.' : undefined}
            >
              Next beat
              <KeyHint keys="." on={shortcutsOn} />
            </button>
          </fieldset>
        </div>
      )}

      {summary && !assessment && <SummaryView summary={summary} />}

      <ShortcutsPanel on={shortcutsOn} onToggle={setShortcutsOn} assessment={assessment} />

      <div class="visually-hidden" aria-live="polite" data-testid="live-summary">
        {announcement}
      </div>
    </section>
  );
}
