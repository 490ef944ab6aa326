/**
 * The handbook's waveform figures, drawn by the simulator engine (sim/index.ts) at fixed seeds so that they
 * cannot drift from the trainer: each is an SVG strip of ECG, finger pleth and cuff pressure with the
 * valve commands marked, an alt text (<title>) and a long description (<desc>). `npm run handbook:figures`
 * writes them to content/figures/; a unit test re-renders them and fails if the committed files differ.
 */
import { type BeatMetrics, idealTiming, type Scenario, simulate, type Traces } from '#sim/index.ts';

export interface FigureSpec {
  name: string;
  title: string;
  /** Milliseconds added to the ideal inflation and deflation delays. */
  inflateShiftMs: number;
  deflateShiftMs: number;
  /** What the reader should see, before the measured numbers are appended. */
  lead: string;
  /** Shade the systolic and diastolic areas and label S, D and the trough (the D/S figure). */
  measure?: boolean;
  /** ECG electrode-motion artefact (the double-triggering figure): events per minute and size, mV. */
  electrodeMotion?: { perMinute: number; mv: number };
  seed?: number;
  windowStartMs?: number;
}

/** Detections the engine made with no true R wave within 120 ms: false triggers. */
export interface FigureFacts {
  trueRWaves: number;
  falseTriggers: number;
}

const HEART_RATE_BPM = 70;
const PRESSURE_MMHG = 260;
const SEED = 7;
const DURATION_MS = 16_000;
const DEFAULT_WINDOW_START_MS = 12_000;
const WINDOW_MS = 3_000;
const TRACE_RATE_HZ = 125;

/** A steady patient: sinus rhythm without variability, clean ECG, so a figure shows one behaviour. */
function scenarioFor(spec: FigureSpec): Scenario {
  const motion = spec.electrodeMotion;
  return {
    id: 'handbook-figure',
    title: 'Handbook figure',
    description: 'Steady sinus rhythm at 70 beats/min, no rate variability.',
    patient: {},
    ecg: {
      rhythm: { heartRateBpm: HEART_RATE_BPM, hrvLfAmplitudeMs: 0, hrvHfAmplitudeMs: 0 },
      ...(motion ? { artefacts: { electrodeMotionPerMinute: motion.perMinute, electrodeMotionMv: motion.mv } } : {}),
    },
    timeline: [],
  } as unknown as Scenario;
}

export const FIGURES: readonly FigureSpec[] = [
  {
    name: 'ideal-timing',
    title: 'Ideal timing: inflation at the dicrotic notch, deflation just before the next systole',
    inflateShiftMs: 0,
    deflateShiftMs: 0,
    lead: 'The augmentation wave rises from the dicrotic notch and is taller than the systolic wave; the pleth falls below the unassisted trace just before the next upstroke (systolic unloading).',
  },
  {
    name: 'early-inflation',
    title: 'Timing error: early inflation, 250 ms before the ideal point',
    inflateShiftMs: -250,
    deflateShiftMs: 0,
    lead: 'The cuffs inflate while the heart is still ejecting: the augmentation wave merges into the systolic wave, the dicrotic notch disappears and the ventricle works against the raised pressure.',
  },
  {
    name: 'late-inflation',
    title: 'Timing error: late inflation, 150 ms after the ideal point',
    inflateShiftMs: 150,
    deflateShiftMs: 0,
    lead: 'The pleth dips below the notch before the augmentation wave starts; the diastolic peak is lower and later, and part of diastole goes unassisted.',
  },
  {
    name: 'early-deflation',
    title: 'Timing error: early deflation, 300 ms before the ideal point',
    inflateShiftMs: 0,
    deflateShiftMs: -300,
    lead: 'The augmentation wave is narrow and falls away long before the next systole; pressure recovers towards the unassisted trough, so there is little systolic unloading.',
  },
  {
    name: 'late-deflation',
    title: 'Timing error: late deflation, 250 ms after the ideal point',
    inflateShiftMs: 0,
    deflateShiftMs: 250,
    lead: 'The cuffs are still pressurised when the next ejection starts: the end-diastolic trough is no lower than the unassisted one and the ventricle ejects against the cuffs.',
  },
  {
    name: 'ds-measurement',
    title: 'Measuring the D/S ratio by peak and by area on a well-timed beat',
    inflateShiftMs: 0,
    deflateShiftMs: 0,
    measure: true,
    lead: 'Both amplitudes are measured from the same end-diastolic trough: S from the trough to the systolic peak, D from the trough to the augmented peak. The area ratio divides the shaded diastolic area by the shaded systolic area.',
  },
  {
    name: 'double-triggering',
    title: 'Double triggering: an electrode-motion artefact detected as an R wave',
    inflateShiftMs: 0,
    deflateShiftMs: 0,
    electrodeMotion: { perMinute: 12, mv: 1.5 },
    seed: 7,
    windowStartMs: 7_500,
    lead: 'A movement artefact on the ECG is taken for an R wave: the device deflates and starts a new cycle out of step with the heart, so the cuffs inflate at the wrong time and the following beat loses its augmentation. The cure is a clean ECG (skin preparation, fresh electrodes, a lead with a tall R wave, a still patient), not a change of timing.',
  },
];

interface Rendered {
  svg: string;
  alt: string;
  description: string;
  facts: FigureFacts;
}

const W = 720;
const PAD_L = 70;
const PAD_R = 12;
const ROWS = [
  { key: 'ecg', label: 'ECG', top: 34, height: 70 },
  { key: 'pleth', label: 'Pleth', top: 124, height: 120 },
  { key: 'cuff', label: 'Cuffs (mmHg)', top: 264, height: 70 },
] as const;
const H = 360;

const f1 = (n: number) => n.toFixed(1);
const f2 = (n: number) => n.toFixed(2);
const esc = (s: string) => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');

function scale(values: ArrayLike<number>[], top: number, height: number): (v: number) => number {
  let lo = Number.POSITIVE_INFINITY;
  let hi = Number.NEGATIVE_INFINITY;
  for (const arr of values)
    for (let i = 0; i < arr.length; i++) {
      const v = arr[i] as number;
      if (v < lo) lo = v;
      if (v > hi) hi = v;
    }
  const span = hi - lo || 1;
  return (v) => top + height - ((v - lo) / span) * height;
}

function slice(traces: Traces, WINDOW_START_MS: number): { t: number[]; idx: number[] } {
  const t: number[] = [];
  const idx: number[] = [];
  for (let i = 0; i < traces.timeMs.length; i++) {
    const ms = traces.timeMs[i] as number;
    if (ms >= WINDOW_START_MS && ms <= WINDOW_START_MS + WINDOW_MS) {
      t.push(ms);
      idx.push(i);
    }
  }
  return { t, idx };
}

function path(
  t: number[],
  idx: number[],
  data: ArrayLike<number>,
  y: (v: number) => number,
  xOf: (ms: number) => number,
): string {
  return idx.map((i, k) => `${k === 0 ? 'M' : 'L'}${f1(xOf(t[k] as number))},${f1(y(data[i] as number))}`).join('');
}

/** The names of the committed figures (content/figures/<name>.svg), for quiz questions that show one. */
export const FIGURE_NAMES = FIGURES.map((f) => f.name) as [string, ...string[]];

/** Renders one figure from the engine; the same spec always gives the same bytes. */
export function renderFigure(spec: FigureSpec): Rendered {
  const WINDOW_START_MS = spec.windowStartMs ?? DEFAULT_WINDOW_START_MS;
  const seed = spec.seed ?? SEED;
  const xOf = (ms: number) => PAD_L + ((ms - WINDOW_START_MS) / WINDOW_MS) * (W - PAD_L - PAD_R);
  const ideal = idealTiming({ heartRateBpm: HEART_RATE_BPM, pressureMmHg: PRESSURE_MMHG });
  const result = simulate({
    scenario: scenarioFor(spec),
    seed,
    durationMs: DURATION_MS,
    settings: {
      pressureMmHg: PRESSURE_MMHG,
      inflateDelayMs: Math.round(ideal.inflateDelayMs + spec.inflateShiftMs),
      deflateDelayMs: Math.round(ideal.deflateDelayMs + spec.deflateShiftMs),
    },
    traces: { rateHz: TRACE_RATE_HZ },
  });
  const traces = result.traces;
  if (!traces) throw new Error('the engine returned no traces');
  const { t, idx } = slice(traces, WINDOW_START_MS);
  const inWindow = (ms: number) => ms >= WINDOW_START_MS && ms <= WINDOW_START_MS + WINDOW_MS;
  const trueR = result.rWaves.trueMs.filter(inWindow);
  const facts: FigureFacts = {
    trueRWaves: trueR.length,
    falseTriggers: result.rWaves.detectedMs.filter(inWindow).filter((d) => !trueR.some((r) => Math.abs(r - d) < 120))
      .length,
  };
  const beats = result.beats.filter(
    (b: BeatMetrics) => b.assisted && b.rTimeMs >= WINDOW_START_MS - 1000 && b.rTimeMs <= WINDOW_START_MS + WINDOW_MS,
  );
  const mean = (f: (b: BeatMetrics) => number) => beats.reduce((s, b) => s + f(b), 0) / Math.max(1, beats.length);
  const dsPeak = mean((b) => b.dsPeakRatio);
  const dsArea = mean((b) => b.dsAreaRatio);
  const classes = [...new Set(beats.map((b) => b.beatClass))].join(', ');

  const pick = (data: ArrayLike<number>) => idx.map((i) => data[i] as number);
  const [ecgRow, plethRow, cuffRow] = ROWS;
  const yEcg = scale([pick(traces.ecgMv)], ecgRow.top, ecgRow.height);
  const yPleth = scale([pick(traces.plethAu)], plethRow.top, plethRow.height);
  const yCuff = (v: number) => cuffRow.top + cuffRow.height - (Math.max(0, v) / 300) * cuffRow.height;

  const parts: string[] = [];
  for (const row of ROWS) {
    parts.push(
      `<text x="4" y="${row.top + row.height / 2}" class="lbl">${esc(row.label)}</text>`,
      `<line x1="${PAD_L}" y1="${row.top + row.height}" x2="${W - PAD_R}" y2="${row.top + row.height}" class="axis"/>`,
    );
  }
  const marks = (list: Float64Array, cls: string, letter: string) => {
    for (const ms of list) {
      if (ms < WINDOW_START_MS || ms > WINDOW_START_MS + WINDOW_MS) continue;
      const x = f1(xOf(ms));
      parts.push(
        `<line x1="${x}" y1="${ROWS[0].top - 6}" x2="${x}" y2="${cuffRow.top + cuffRow.height}" class="${cls}"/>`,
        `<text x="${x}" y="${ROWS[0].top - 10}" class="mk ${cls}" text-anchor="middle">${letter}</text>`,
      );
    }
  };
  marks(traces.inflateMarksMs, 'inf', 'inflate');
  marks(traces.deflateMarksMs, 'def', 'deflate');
  parts.push(`<path d="${path(t, idx, traces.ecgMv, yEcg, xOf)}" class="ecg"/>`);
  parts.push(`<path d="${path(t, idx, traces.plethAu, yPleth, xOf)}" class="pleth"/>`);
  parts.push(`<path d="${path(t, idx, traces.cuffCalfMmHg, yCuff, xOf)}" class="cuff"/>`);
  parts.push(`<path d="${path(t, idx, traces.cuffUpperThighMmHg, yCuff, xOf)}" class="cuff2"/>`);
  parts.push(
    `<text x="${W - PAD_R}" y="${plethRow.top + 10}" class="key" text-anchor="end">finger pleth, arbitrary units</text>`,
    `<text x="${W - PAD_R}" y="${cuffRow.top + 8}" class="key" text-anchor="end">calf (solid) and upper-thigh (dotted) cuffs, 0-300 mmHg</text>`,
  );

  if (spec.measure && idx.length > 0) {
    // One beat in the middle of the window: trough before its upstroke, systolic peak, diastolic peak.
    const r = result.rWaves.trueMs.filter(
      (ms) => ms > WINDOW_START_MS + 600 && ms < WINDOW_START_MS + WINDOW_MS - 900,
    )[0];
    if (r !== undefined) {
      const rr = 60_000 / HEART_RATE_BPM;
      const perSample = 1000 / TRACE_RATE_HZ;
      const n = (ms: number) => Math.round(ms / perSample);
      const all = idx.map((i) => traces.plethAu[i] as number);
      const at = (ms: number) => t.findIndex((x) => x >= ms);
      const argMin = (from: number, to: number) => {
        let best = from;
        for (let k = from; k < Math.min(to, all.length); k++) if ((all[k] as number) < (all[best] as number)) best = k;
        return best;
      };
      const argMax = (from: number, to: number) => {
        let best = from;
        for (let k = from; k < Math.min(to, all.length); k++) if ((all[k] as number) > (all[best] as number)) best = k;
        return best;
      };
      // The pleth lags the R wave: find this beat's end-diastolic trough, systolic peak, dicrotic notch,
      // augmented peak and the next trough on the pleth itself.
      const start = argMin(at(r), at(r) + n(rr));
      const end = argMin(start + n(rr * 0.5), start + n(rr * 1.3));
      const sysPeak = argMax(start, start + n(rr * 0.3));
      const notch = argMin(sysPeak, sysPeak + n(rr * 0.25));
      const diaPeak = argMax(notch, end);
      const segT = t.slice(start, end + 1);
      const vals = all.slice(start, end + 1);
      const trough = all[start] as number;
      const sysEnd = notch - start;
      const sysIdx = sysPeak - start;
      const diaIdx = diaPeak - start;
      const yT = f1(yPleth(trough));
      const area = (from: number, to: number, cls: string) => {
        const pts = segT
          .slice(from, to)
          .map((ms, k) => `${f1(xOf(ms))},${f1(yPleth(Math.max(trough, vals[from + k] as number)))}`);
        const x0 = f1(xOf(segT[from] as number));
        const x1 = f1(xOf(segT[to - 1] as number));
        parts.push(`<polygon points="${x0},${yT} ${pts.join(' ')} ${x1},${yT}" class="${cls}"/>`);
      };
      area(0, sysEnd, 'area-s');
      area(sysEnd, vals.length, 'area-d');
      const xS = f1(xOf(segT[sysIdx] as number));
      const xD = f1(xOf(segT[diaIdx] as number));
      parts.push(
        `<line x1="${f1(xOf(segT[0] as number))}" y1="${yT}" x2="${f1(xOf(segT[segT.length - 1] as number))}" y2="${yT}" class="base"/>`,
        `<line x1="${xS}" y1="${yT}" x2="${xS}" y2="${f1(yPleth(vals[sysIdx] as number))}" class="amp"/>`,
        `<line x1="${xD}" y1="${yT}" x2="${xD}" y2="${f1(yPleth(vals[diaIdx] as number))}" class="amp"/>`,
        `<text x="${xS}" y="${f1(yPleth(vals[sysIdx] as number) - 4)}" class="mk" text-anchor="middle">S</text>`,
        `<text x="${xD}" y="${f1(yPleth(vals[diaIdx] as number) - 4)}" class="mk" text-anchor="middle">D</text>`,
        `<text x="${f1(xOf(segT[0] as number) - 4)}" y="${yT}" class="key" text-anchor="end">trough</text>`,
      );
    }
  }

  const falseText =
    facts.falseTriggers > 0 ? ` ${facts.falseTriggers} false trigger(s) among ${facts.trueRWaves} heartbeats.` : '';
  const numbers = `Measured by the engine over the assisted beats shown: peak D/S ${f2(dsPeak)}, area D/S ${f2(dsArea)}; beats classified as ${classes || 'none'}.${falseText}`;
  const alt = `${spec.title}. ECG, finger pleth and cuff pressure over 3 seconds at 70 beats/min and 260 mmHg. ${numbers}`;
  const description = `${spec.lead} The strip shows three stacked traces over the same 3 seconds: the ECG at the top, with a dotted vertical line labelled inflate at each inflation command and a dashed line labelled deflate at each deflation command; the finger plethysmogram in the middle, in arbitrary units as a device shows it; and the calf and upper-thigh cuff pressures at the bottom. ${numbers} Drawn by the IECPA simulator (seed ${seed}, inflation ${spec.inflateShiftMs >= 0 ? '+' : ''}${spec.inflateShiftMs} ms and deflation ${spec.deflateShiftMs >= 0 ? '+' : ''}${spec.deflateShiftMs} ms from the ideal timing).`;
  const svg = [
    `<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 ${W} ${H}" width="${W}" height="${H}" role="img" aria-labelledby="t d">`,
    `<title id="t">${esc(alt)}</title>`,
    `<desc id="d">${esc(description)}</desc>`,
    '<style>.lbl{font:12px sans-serif;fill:#222}.key{font:10px sans-serif;fill:#444}.mk{font:bold 11px sans-serif;fill:#222}.axis{stroke:#bbb}.ecg{fill:none;stroke:#1a7f37;stroke-width:1.2}.pleth{fill:none;stroke:#0b4fa1;stroke-width:1.8}.ref{fill:none;stroke:#777;stroke-width:1.2;stroke-dasharray:4 3}.cuff{fill:none;stroke:#a33;stroke-width:1.4}.cuff2{fill:none;stroke:#a33;stroke-width:1.2;stroke-dasharray:1 2}.inf{stroke:#b35c00;stroke-dasharray:2 2}.def{stroke:#6b3fa0;stroke-dasharray:6 2}.mk.inf{fill:#b35c00;stroke:none;font-size:9px}.mk.def{fill:#6b3fa0;stroke:none;font-size:9px}.area-s{fill:#0b4fa1;fill-opacity:.15}.area-d{fill:#b35c00;fill-opacity:.2}.base{stroke:#222;stroke-dasharray:3 2}.amp{stroke:#222;stroke-width:1.5}</style>',
    `<rect width="${W}" height="${H}" fill="#fff"/>`,
    `<text x="${PAD_L}" y="14" class="lbl">${esc(spec.title)}</text>`,
    ...parts,
    `<text x="${PAD_L}" y="${H - 16}" class="key">${esc(numbers.replace(falseText, ''))}</text>`,
    `<text x="${PAD_L}" y="${H - 4}" class="key">${esc(falseText.trim())}</text>`,
    '</svg>',
    '',
  ].join('\n');
  return { svg, alt, description, facts };
}

/** Every figure as the files `npm run handbook:figures` writes: name.svg. */
export function renderAllFigures(): Map<string, string> {
  return new Map(FIGURES.map((spec) => [`${spec.name}.svg`, renderFigure(spec).svg]));
}
