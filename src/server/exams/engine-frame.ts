/**
 * The engine's part of an engine item, with nothing but sim/ behind it so that it runs in the replay worker
 * (simulator-replay-worker.ts) as well as in the content importer: the engine's own checks of the spec, one
 * run of the scenario, the asked beat's class (the key) and the frozen console frame around it.
 */
import {
  type BeatMetrics,
  type Scenario,
  SETTINGS_LIMITS,
  seedError,
  settingsPatchErrors,
  simulate,
  type Traces,
} from '#sim/index.ts';
import type { EngineOutcome } from './item-body.ts';
import { ENGINE_CLASSES, type EngineClass, type EngineSpec } from './item-format.ts';

/** Simulated time per beat asked for: enough for any rate down to 40 bpm. */
const MS_PER_BEAT_BOUND = 1500;
const FRAME_WIDTH = 720;
const PANEL_HEIGHT = 120;
const TRACE_RATE_HZ = 250;

/** Why the engine refuses a spec, by the spec's field path ("settings.pressureMmHg"); empty when it runs. */
export function engineSpecErrors(spec: { seed?: unknown; settings?: unknown }): Record<string, string> {
  const errors: Record<string, string> = {};
  const seed = seedError(spec.seed);
  if (seed) errors.seed = `The engine refuses this ${seed}.`;
  for (const message of settingsPatchErrors(spec.settings)) {
    const field = /^([A-Za-z]+):/.exec(message)?.[1];
    const range = field && field in SETTINGS_LIMITS ? SETTINGS_LIMITS[field as keyof typeof SETTINGS_LIMITS] : null;
    const text = `The engine refuses this setting (${message})${range ? `: give ${range.min} to ${range.max}` : ''}.`;
    errors[field ? `settings.${field}` : 'settings'] ??= text;
  }
  return errors;
}

/** What went wrong running an item, and the spec field it is about. */
export interface EngineRunError {
  error: string;
  field: string;
}

/**
 * Runs the scenario with the spec's seed and settings far enough to reach the asked beat, and returns the
 * beat's class (the engine's own classification, sim/metrics/classify.ts) with the frame; or why not.
 */
export function runEngineItem(spec: EngineSpec, scenario: Scenario): EngineOutcome | EngineRunError {
  const refused = Object.entries(engineSpecErrors(spec))[0];
  if (refused) return { field: refused[0], error: refused[1] };
  const { beatIndex, seed, settings } = spec;
  const result = simulate({
    scenario,
    seed,
    settings,
    durationMs: (beatIndex + 3) * MS_PER_BEAT_BOUND,
    traces: { rateHz: TRACE_RATE_HZ },
  });
  const beat = result.beats.find((b) => b.index === beatIndex);
  if (!beat) return { field: 'beatIndex', error: `The run has no beat ${beatIndex}.` };
  if (!(ENGINE_CLASSES as readonly string[]).includes(beat.beatClass)) {
    return {
      field: 'beatIndex',
      error: `The engine finds beat ${beatIndex} ${beat.beatClass} (${beat.notAssistedReason ?? 'no reason given'}); choose an assisted beat or a treatment pressure.`,
    };
  }
  if (!result.traces) return { field: 'scenario', error: 'The engine returned no traces.' };
  return { beatClass: beat.beatClass as EngineClass, frameSvg: renderFrame(result.traces, beat, result.beats) };
}

interface Series {
  label: string;
  values: Float32Array;
  /** Dashed, so the series differ by more than colour. */
  dashed: boolean;
  colour: string;
}

function polyline(
  times: Float64Array,
  values: Float32Array,
  from: number,
  to: number,
  x0: number,
  x1: number,
  top: number,
  height: number,
  range: [number, number],
): string {
  const points: string[] = [];
  const span = range[1] - range[0] || 1;
  for (let i = 0; i < times.length; i++) {
    const t = times[i] as number;
    if (t < from || t > to) continue;
    const x = x0 + ((t - from) / (to - from)) * (x1 - x0);
    const y = top + height - (((values[i] as number) - range[0]) / span) * height;
    points.push(`${x.toFixed(1)},${y.toFixed(1)}`);
  }
  return points.join(' ');
}

function rangeOf(times: Float64Array, from: number, to: number, series: Float32Array[]): [number, number] {
  let lo = Number.POSITIVE_INFINITY;
  let hi = Number.NEGATIVE_INFINITY;
  for (let i = 0; i < times.length; i++) {
    const t = times[i] as number;
    if (t < from || t > to) continue;
    for (const s of series) {
      const v = s[i] as number;
      if (v < lo) lo = v;
      if (v > hi) hi = v;
    }
  }
  return Number.isFinite(lo) ? [lo, hi === lo ? lo + 1 : hi] : [0, 1];
}

/**
 * The console frame around the beat: ECG, aortic pressure with the pleth, and the three cuff pressures,
 * from half a beat before its R wave to half a beat after the next, with the inflate and deflate marks.
 */
function renderFrame(traces: Traces, beat: BeatMetrics, beats: readonly BeatMetrics[]): string {
  const next = beats.find((b) => b.index === beat.index + 1);
  const from = beat.rTimeMs - beat.rrMs / 2;
  const to = (next?.rTimeMs ?? beat.rTimeMs + beat.rrMs) + beat.rrMs / 2;
  const x0 = 90;
  const x1 = FRAME_WIDTH - 10;
  const panels: { title: string; series: Series[] }[] = [
    { title: 'ECG', series: [{ label: 'ECG', values: traces.ecgMv, dashed: false, colour: '#0a6b2a' }] },
    {
      title: 'Pressure',
      series: [
        { label: 'Aortic pressure', values: traces.aorticMmHg, dashed: false, colour: '#a3161a' },
        { label: 'Pleth', values: traces.plethAu, dashed: true, colour: '#1b4f9c' },
      ],
    },
    {
      title: 'Cuffs',
      series: [
        { label: 'Calf cuff', values: traces.cuffCalfMmHg, dashed: false, colour: '#5b2a86' },
        { label: 'Lower thigh cuff', values: traces.cuffLowerThighMmHg, dashed: true, colour: '#7a4b00' },
        { label: 'Upper thigh cuff', values: traces.cuffUpperThighMmHg, dashed: false, colour: '#333333' },
      ],
    },
  ];
  const parts: string[] = [];
  // The asked beat, from its R wave to the next, shaded and labelled (the stem refers to "the marked beat").
  const bandX0 = x0 + ((beat.rTimeMs - from) / (to - from)) * (x1 - x0);
  const bandX1 = x0 + (((next?.rTimeMs ?? beat.rTimeMs + beat.rrMs) - from) / (to - from)) * (x1 - x0);
  const panelsBottom = 10 + panels.length * (PANEL_HEIGHT + 20) - 20;
  parts.push(
    `<rect x="${bandX0.toFixed(1)}" y="10" width="${(bandX1 - bandX0).toFixed(1)}" height="${panelsBottom - 10}" fill="#fff4c2" />`,
  );
  parts.push(
    `<text x="${((bandX0 + bandX1) / 2).toFixed(1)}" y="${panelsBottom + 28}" font-size="11" text-anchor="middle" fill="#000">marked beat</text>`,
  );
  panels.forEach((panel, n) => {
    const top = 10 + n * (PANEL_HEIGHT + 20);
    // Pleth and pressure have different units: each series is scaled to the panel on its own.
    parts.push(`<text x="8" y="${top + 14}" font-size="13" fill="#000">${panel.title}</text>`);
    parts.push(`<rect x="${x0}" y="${top}" width="${x1 - x0}" height="${PANEL_HEIGHT}" fill="none" stroke="#999" />`);
    panel.series.forEach((s, k) => {
      const range =
        panel.title === 'Cuffs'
          ? rangeOf(
              traces.timeMs,
              from,
              to,
              panel.series.map((p) => p.values),
            )
          : rangeOf(traces.timeMs, from, to, [s.values]);
      const points = polyline(traces.timeMs, s.values, from, to, x0, x1, top + 4, PANEL_HEIGHT - 8, range);
      parts.push(
        `<polyline points="${points}" fill="none" stroke="${s.colour}" stroke-width="1.5"${s.dashed ? ' stroke-dasharray="5 3"' : ''}><title>${s.label}</title></polyline>`,
      );
      parts.push(
        `<text x="8" y="${top + 32 + k * 14}" font-size="10" fill="${s.colour}">${s.dashed ? '- - ' : '— '}${s.label}</text>`,
      );
    });
  });
  const bottom = 10 + panels.length * (PANEL_HEIGHT + 20) - 20;
  const marks = (list: Float64Array, label: string, colour: string): void => {
    for (const t of list) {
      if (t < from || t > to) continue;
      const x = x0 + ((t - from) / (to - from)) * (x1 - x0);
      parts.push(
        `<line x1="${x.toFixed(1)}" y1="10" x2="${x.toFixed(1)}" y2="${bottom}" stroke="${colour}" stroke-dasharray="2 3" />`,
      );
      parts.push(`<text x="${(x + 2).toFixed(1)}" y="${bottom + 14}" font-size="10" fill="${colour}">${label}</text>`);
    }
  };
  marks(traces.inflateMarksMs, 'inflate', '#5b2a86');
  marks(traces.deflateMarksMs, 'deflate', '#7a4b00');
  const height = bottom + 36;
  return `<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 ${FRAME_WIDTH} ${height}" role="img" aria-label="Console frame: ECG, aortic pressure and pleth, and cuff pressures around one beat, with the inflate and deflate marks"><rect width="100%" height="100%" fill="#fff" />${parts.join('')}</svg>`;
}
