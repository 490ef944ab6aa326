/**
 * Replay of one beat of a scored attempt, for the result page: the run is re-simulated with the attempt's
 * seed and log (the engine is causal and deterministic, so stopping just after the beat gives the same
 * beats as the full run) and the waveforms around the beat are returned as SVG-ready polylines.
 */
import type { BeatClass, Traces } from '#sim/index.ts';
import { getScenario } from '#src/lib/scenario-presets.ts';
import type { AttemptDetail } from './simulator-attempts.ts';
import { replayTraces, withScriptedEvents } from './simulator-replay.ts';

/** Display rate of the replay traces, Hz: enough for the dicrotic notch and the cuff edges. */
export const REPLAY_TRACE_RATE_HZ = 200;
/** Shown before the beat's R wave and after the next one, ms. */
const BEFORE_MS = 250;
const AFTER_NEXT_MS = 350;
/** When no next beat follows (end of run), show this long after the R wave, ms. */
const FALLBACK_SPAN_MS = 1200;

export interface ReplayPanel {
  id: 'ecg' | 'aortic' | 'pleth' | 'cuffs';
  label: string;
  unit: string;
  min: number;
  max: number;
  lines: { id: string; label: string; points: string }[];
}

export interface BeatReplay {
  beatIndex: number;
  beatClass: BeatClass;
  startMs: number;
  endMs: number;
  /** Plot width in SVG user units (height per panel is PANEL_HEIGHT). */
  width: number;
  panels: ReplayPanel[];
  /** Marker x positions (SVG units) with what they mark. */
  marks: { x: number; kind: 'r' | 'inflate' | 'deflate' }[];
  description: string;
}

export const REPLAY_WIDTH = 900;
export const PANEL_HEIGHT = 110;

function window(traces: Traces, startMs: number, endMs: number): number[] {
  const idx: number[] = [];
  for (let i = 0; i < traces.timeMs.length; i++) {
    const t = traces.timeMs[i] ?? 0;
    if (t >= startMs && t <= endMs) idx.push(i);
  }
  return idx;
}

function bounds(values: number[], pad: number, floor?: number): { min: number; max: number } {
  let min = Number.POSITIVE_INFINITY;
  let max = Number.NEGATIVE_INFINITY;
  for (const v of values) {
    if (v < min) min = v;
    if (v > max) max = v;
  }
  if (!Number.isFinite(min)) return { min: 0, max: 1 };
  const span = Math.max(max - min, 1e-6);
  return { min: floor ?? min - span * pad, max: max + span * pad };
}

/**
 * Waveforms around beat `beatIndex` of a submitted attempt; null when the attempt has no stored log or the
 * beat does not exist in it.
 */
export async function replayBeat(attempt: AttemptDetail, beatIndex: number): Promise<BeatReplay | null> {
  const preset = getScenario(attempt.scenarioId);
  const beat = attempt.evidence?.find((e) => e.index === beatIndex);
  if (!preset || !attempt.controlLog || !beat || !attempt.evidence || attempt.seed === null) return null;
  const next = attempt.evidence.find((e) => e.index === beatIndex + 1);
  const startMs = Math.max(0, beat.rTimeMs - BEFORE_MS);
  const endMs = Math.min(attempt.durationMs, next ? next.rTimeMs + AFTER_NEXT_MS : beat.rTimeMs + FALLBACK_SPAN_MS);
  // In the worker pool: a beat near the end of a 10-minute run re-simulates the whole run (issue 14, finding 3).
  const traces = await replayTraces({
    scenario: withScriptedEvents(preset, attempt.events),
    seed: attempt.seed,
    durationMs: Math.max(endMs, 1),
    controls: attempt.controlLog,
    startSettings: attempt.startSettings ?? undefined,
    traceRateHz: REPLAY_TRACE_RATE_HZ,
  });
  if (!traces) return null;
  const idx = window(traces, startMs, endMs);
  const x = (t: number): number => ((t - startMs) / (endMs - startMs)) * REPLAY_WIDTH;
  const series = (arr: Float32Array): number[] => idx.map((i) => arr[i] ?? 0);
  const time = idx.map((i) => traces.timeMs[i] ?? 0);
  const line = (values: number[], min: number, max: number): string =>
    values
      .map((v, k) => {
        const y = PANEL_HEIGHT - ((v - min) / (max - min)) * PANEL_HEIGHT;
        return `${x(time[k] ?? 0).toFixed(1)},${Math.min(PANEL_HEIGHT, Math.max(0, y)).toFixed(1)}`;
      })
      .join(' ');
  const ecg = series(traces.ecgMv);
  const aortic = series(traces.aorticMmHg);
  const pleth = series(traces.plethAu);
  const calf = series(traces.cuffCalfMmHg);
  const lower = series(traces.cuffLowerThighMmHg);
  const upper = series(traces.cuffUpperThighMmHg);
  const ecgB = bounds(ecg, 0.1);
  const aorticB = bounds(aortic, 0.1);
  const plethB = bounds(pleth, 0.1);
  const cuffB = { min: 0, max: Math.max(50, bounds([...calf, ...lower, ...upper], 0.1, 0).max) };
  const marksIn = (arr: Float64Array, kind: 'r' | 'inflate' | 'deflate') =>
    Array.from(arr)
      .filter((t) => t >= startMs && t <= endMs)
      .map((t) => ({ x: Number(x(t).toFixed(1)), kind }));
  const fmt = (v: number | null): string => (v === null ? 'not measured' : `${Math.round(v)} ms`);
  return {
    beatIndex,
    beatClass: beat.beatClass,
    startMs,
    endMs,
    width: REPLAY_WIDTH,
    panels: [
      {
        id: 'ecg',
        label: 'ECG',
        unit: 'mV',
        ...ecgB,
        lines: [{ id: 'ecg', label: 'ECG', points: line(ecg, ecgB.min, ecgB.max) }],
      },
      {
        id: 'aortic',
        label: 'Aortic pressure',
        unit: 'mmHg',
        ...aorticB,
        lines: [{ id: 'aortic', label: 'Aortic pressure', points: line(aortic, aorticB.min, aorticB.max) }],
      },
      {
        id: 'pleth',
        label: 'Finger pleth',
        unit: 'a.u.',
        ...plethB,
        lines: [{ id: 'pleth', label: 'Finger pleth', points: line(pleth, plethB.min, plethB.max) }],
      },
      {
        id: 'cuffs',
        label: 'Cuff pressures',
        unit: 'mmHg',
        ...cuffB,
        lines: [
          { id: 'calf', label: 'Calf', points: line(calf, cuffB.min, cuffB.max) },
          { id: 'lower-thigh', label: 'Lower thigh', points: line(lower, cuffB.min, cuffB.max) },
          { id: 'upper-thigh', label: 'Upper thigh', points: line(upper, cuffB.min, cuffB.max) },
        ],
      },
    ],
    marks: [
      ...marksIn(traces.detectedRMarksMs, 'r'),
      ...marksIn(traces.inflateMarksMs, 'inflate'),
      ...marksIn(traces.deflateMarksMs, 'deflate'),
    ],
    description: `Beat ${beatIndex} at ${(beat.rTimeMs / 1000).toFixed(2)} s: inflation error ${fmt(beat.inflationErrorMs)}, deflation error ${fmt(beat.deflationErrorMs)}, D/S ${beat.dsPeakRatio.toFixed(2)}, cuff setpoint ${Math.round(beat.pressureSetpointMmHg)} mmHg.`,
  };
}
