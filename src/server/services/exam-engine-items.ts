/**
 * Engine items: the key comes from the engine's own classification of the asked beat, so it cannot drift
 * from the trainer. Runs the whole simulation synchronously: call it at content import (start-up, seed),
 * never on a request.
 */
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { type BeatMetrics, parseScenario, type Scenario, simulate, type Traces } from '#sim/index.ts';
import type { EngineOutcome } from '../exams/item-body.ts';
import { ENGINE_CLASSES, type EngineClass, type ItemSource } from '../exams/item-format.ts';
import { DEFAULT_CONTENT_DIR } from './handbook-import.ts';

/**
 * The scenario file content/scenarios/<id>.json, read from disk: this runs in the start-up and seed scripts,
 * outside the bundler that collects the presets for pages (src/lib/scenario-presets.ts).
 */
function readScenario(id: string, contentDir: string): Scenario | { error: string } {
  const path = join(contentDir, 'scenarios', `${id}.json`);
  if (!/^[a-z0-9-]+$/.test(id) || !existsSync(path))
    return { error: `there is no scenario "${id}" in content/scenarios.` };
  const parsed = parseScenario(JSON.parse(readFileSync(path, 'utf8')));
  return parsed.ok ? parsed.value : { error: `scenario "${id}" is invalid: ${parsed.errors.join('; ')}` };
}

/** Simulated time per beat asked for: enough for any rate down to 40 bpm. */
const MS_PER_BEAT_BOUND = 1500;
const FRAME_WIDTH = 720;
const PANEL_HEIGHT = 120;
const TRACE_RATE_HZ = 250;

type EngineSource = Extract<ItemSource, { type: 'engine' }>;

/** Runs the engine for an item: the beat's class and the frozen frame, or why the item is refused. */
export function resolveEngineItem(
  source: EngineSource,
  contentDir = DEFAULT_CONTENT_DIR,
): EngineOutcome | { error: string } {
  const scenario = readScenario(source.engine.scenario, contentDir);
  if ('error' in scenario) return scenario;
  const { beatIndex, seed, settings } = source.engine;
  const result = simulate({
    scenario,
    seed,
    settings,
    durationMs: (beatIndex + 3) * MS_PER_BEAT_BOUND,
    traces: { rateHz: TRACE_RATE_HZ },
  });
  const beat = result.beats.find((b) => b.index === beatIndex);
  if (!beat) return { error: `the run has no beat ${beatIndex}.` };
  if (!(ENGINE_CLASSES as readonly string[]).includes(beat.beatClass)) {
    return {
      error: `beat ${beatIndex} is ${beat.beatClass} (${beat.notAssistedReason ?? 'no reason given'}); choose an assisted beat.`,
    };
  }
  const beatClass = beat.beatClass as EngineClass;
  if (beatClass !== source.expect) {
    return {
      error: `the engine classifies beat ${beatIndex} as ${beatClass}, but the item expects ${source.expect}. Check the settings or the expectation.`,
    };
  }
  if (!result.traces) return { error: 'the engine returned no traces.' };
  return { beatClass, frameSvg: renderFrame(result.traces, beat, result.beats) };
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
