/**
 * Canvas drawing of the console display: a monitor-style sweep of the last seconds, and the freeze-frame
 * view of one beat with the unassisted reference pleth overlaid. Colours are paired with labels, dash
 * patterns and letters so that nothing depends on colour alone.
 */
import type { BeatMetrics } from '#sim/index.ts';
import { sweepX, type TraceChannel, type TraceHistory, visibleSweepRange } from './trace-history.ts';

export const SWEEP_SECONDS = 6;
/** Blank band ahead of the sweep cursor, s. */
const GAP_SECONDS = 0.25;

export const DISPLAY_COLOURS = {
  background: '#071423',
  grid: '#17304d',
  label: '#d6e2ee',
  ecg: '#5ee07a',
  pleth: '#5cc8ff',
  reference: '#e6e6e6',
  // The three cuffs in hues far apart (yellow, violet, pink) as well as line styles (solid, dashed, dotted),
  // each well over the 3:1 non-text contrast of WCAG 2.2 SC 1.4.11 against the background.
  calf: '#ffd166',
  lowerThigh: '#b39dff',
  upperThigh: '#ff6fb5',
  inflate: '#7cf0e8',
  deflate: '#ff8080',
  r: '#ffffff',
} as const;

interface Lane {
  top: number;
  height: number;
  min: number;
  max: number;
}

interface LaneLayout {
  ecg: Lane;
  pleth: Lane;
  cuffs: Lane;
}

/** The cuff panel's scale marks, mmHg: its whole range, 0 to the device's 300 mmHg relief limit. */
export const CUFF_TICKS_MMHG = [0, 100, 200, 300] as const;

/** Dash patterns of the three cuff traces (solid, dashed, dotted), as the legend names them. */
export const CUFF_DASHES = { calf: [], lowerThigh: [7, 4], upperThigh: [2, 3] } as const;

/** Fixed scales: ECG -0.8..1.8 mV; cuffs 0..300 mmHg (the device limit); pleth auto-scaled. */
function layout(heightPx: number, plethMin: number, plethMax: number): LaneLayout {
  const pad = 18;
  const usable = heightPx - pad * 3 - 6;
  const pad2 = (plethMax - plethMin) * 0.1 || 0.5;
  return {
    ecg: { top: pad, height: usable * 0.28, min: -0.8, max: 1.8 },
    pleth: { top: pad * 2 + usable * 0.28, height: usable * 0.4, min: plethMin - pad2, max: plethMax + pad2 },
    cuffs: { top: pad * 3 + usable * 0.68, height: usable * 0.32, min: 0, max: 300 },
  };
}

function yOf(lane: Lane, v: number): number {
  const f = (v - lane.min) / (lane.max - lane.min);
  return lane.top + lane.height * (1 - Math.min(1.05, Math.max(-0.05, f)));
}

function rangeOf(history: TraceHistory, channels: TraceChannel[], first: number, last: number): [number, number] {
  let lo = Number.POSITIVE_INFINITY;
  let hi = Number.NEGATIVE_INFINITY;
  for (const ch of channels) {
    for (let k = first; k <= last; k++) {
      const v = history.value(ch, k);
      if (v < lo) lo = v;
      if (v > hi) hi = v;
    }
  }
  return Number.isFinite(lo) && Number.isFinite(hi) ? [lo, hi] : [0, 1];
}

function background(ctx: CanvasRenderingContext2D, w: number, h: number, lanes: LaneLayout): void {
  ctx.fillStyle = DISPLAY_COLOURS.background;
  ctx.fillRect(0, 0, w, h);
  ctx.font = '12px system-ui, sans-serif';
  ctx.fillStyle = DISPLAY_COLOURS.label;
  ctx.fillText('ECG (R marked ▼)', 6, lanes.ecg.top - 4);
  ctx.fillText('Finger pleth', 6, lanes.pleth.top - 4);
  ctx.fillText('Cuff pressure, mmHg', 6, lanes.cuffs.top - 4);
  ctx.strokeStyle = DISPLAY_COLOURS.grid;
  ctx.lineWidth = 1;
  ctx.beginPath();
  for (const p of CUFF_TICKS_MMHG) {
    const y = Math.round(yOf(lanes.cuffs, p)) + 0.5;
    ctx.moveTo(0, y);
    ctx.lineTo(w, y);
  }
  ctx.stroke();
}

/**
 * The cuff panel's axis labels, at the right-hand end of each grid line, on a patch of background so the
 * traces running under them do not blur them. Drawn after the traces (and again in each redrawn strip).
 */
function cuffAxis(ctx: CanvasRenderingContext2D, w: number, lanes: LaneLayout): void {
  ctx.save();
  ctx.font = '11px system-ui, sans-serif';
  ctx.textAlign = 'right';
  ctx.textBaseline = 'middle';
  const boxWidth = ctx.measureText('300').width + 6;
  for (const p of CUFF_TICKS_MMHG) {
    const y = Math.round(yOf(lanes.cuffs, p)) + 0.5;
    ctx.fillStyle = DISPLAY_COLOURS.background;
    ctx.fillRect(w - boxWidth - 2, y - 6, boxWidth + 2, 12);
    ctx.fillStyle = DISPLAY_COLOURS.label;
    ctx.fillText(String(p), w - 3, y);
  }
  ctx.restore();
}

/** Strokes a channel over [first, last] with x given by `xOf`; a wrap (x going back) breaks the path. */
function strokeChannel(
  ctx: CanvasRenderingContext2D,
  history: TraceHistory,
  channel: TraceChannel,
  lane: Lane,
  first: number,
  last: number,
  xOf: (k: number) => number,
  colour: string,
  dash: number[],
): void {
  ctx.strokeStyle = colour;
  ctx.setLineDash(dash);
  // Anchor the dash pattern to x, so a trace redrawn in pieces (incremental sweep) keeps one pattern.
  ctx.lineDashOffset = dash.length > 0 ? xOf(first) : 0;
  ctx.lineWidth = 1.6;
  ctx.beginPath();
  let prevX = Number.NEGATIVE_INFINITY;
  let pen = false;
  for (let k = first; k <= last; k++) {
    const v = history.value(channel, k);
    const x = xOf(k);
    if (!Number.isFinite(v)) {
      pen = false;
      continue;
    }
    const y = yOf(lane, v);
    if (!pen || x < prevX) ctx.moveTo(x, y);
    else ctx.lineTo(x, y);
    pen = true;
    prevX = x;
  }
  ctx.stroke();
  ctx.setLineDash([]);
}

function marks(
  ctx: CanvasRenderingContext2D,
  history: TraceHistory,
  lanes: LaneLayout,
  firstMs: number,
  lastMs: number,
  xOfMs: (t: number) => number,
): void {
  ctx.font = 'bold 11px system-ui, sans-serif';
  for (const t of history.marksOf('r')) {
    if (t < firstMs || t > lastMs) continue;
    const x = xOfMs(t);
    ctx.fillStyle = DISPLAY_COLOURS.r;
    ctx.fillText('▼', x - 4, lanes.ecg.top + 10);
  }
  const vertical = (kind: 'inflate' | 'deflate', colour: string, letter: string, dash: number[]): void => {
    ctx.strokeStyle = colour;
    ctx.fillStyle = colour;
    ctx.setLineDash(dash);
    ctx.lineWidth = 1;
    for (const t of history.marksOf(kind)) {
      if (t < firstMs || t > lastMs) continue;
      const x = Math.round(xOfMs(t)) + 0.5;
      ctx.beginPath();
      ctx.moveTo(x, lanes.ecg.top);
      ctx.lineTo(x, lanes.ecg.top + lanes.ecg.height);
      ctx.moveTo(x, lanes.pleth.top);
      ctx.lineTo(x, lanes.pleth.top + lanes.pleth.height);
      ctx.stroke();
      ctx.fillText(letter, x + 2, lanes.pleth.top + 11);
    }
    ctx.setLineDash([]);
  };
  vertical('inflate', DISPLAY_COLOURS.inflate, 'I', [4, 3]);
  vertical('deflate', DISPLAY_COLOURS.deflate, 'D', [1, 3]);
}

function cuffTraces(
  ctx: CanvasRenderingContext2D,
  history: TraceHistory,
  lanes: LaneLayout,
  first: number,
  last: number,
  xOf: (k: number) => number,
): void {
  const c = DISPLAY_COLOURS;
  strokeChannel(ctx, history, 'cuffCalfMmHg', lanes.cuffs, first, last, xOf, c.calf, [...CUFF_DASHES.calf]);
  const lower = [...CUFF_DASHES.lowerThigh];
  strokeChannel(ctx, history, 'cuffLowerThighMmHg', lanes.cuffs, first, last, xOf, c.lowerThigh, lower);
  const upper = [...CUFF_DASHES.upperThigh];
  strokeChannel(ctx, history, 'cuffUpperThighMmHg', lanes.cuffs, first, last, xOf, c.upperThigh, upper);
}

function sweepGeometry(history: TraceHistory): { sweep: number; gap: number } {
  return { sweep: Math.round(history.rateHz * SWEEP_SECONDS), gap: Math.round(history.rateHz * GAP_SECONDS) };
}

/** Traces, marks and cursor for samples [first, last] of the sweep (the caller clips and clears). */
function sweepContent(
  ctx: CanvasRenderingContext2D,
  history: TraceHistory,
  lanes: LaneLayout,
  first: number,
  last: number,
  widthPx: number,
  heightPx: number,
): void {
  const { sweep } = sweepGeometry(history);
  const xOf = (k: number): number => sweepX(k, sweep) * widthPx;
  strokeChannel(ctx, history, 'ecgMv', lanes.ecg, first, last, xOf, DISPLAY_COLOURS.ecg, []);
  strokeChannel(ctx, history, 'plethAu', lanes.pleth, first, last, xOf, DISPLAY_COLOURS.pleth, []);
  cuffTraces(ctx, history, lanes, first, last, xOf);
  marks(ctx, history, lanes, history.sampleTimeMs(first), history.sampleTimeMs(last), (t) => xOf(history.sampleAt(t)));
  cuffAxis(ctx, widthPx, lanes);
  ctx.fillStyle = DISPLAY_COLOURS.label;
  ctx.fillRect(xOf(history.total - 1), 0, 2, heightPx);
}

/** The whole live sweep: traces written left to right, wrapping, with an erase gap ahead of the cursor. */
export function drawSweep(
  ctx: CanvasRenderingContext2D,
  history: TraceHistory,
  widthPx: number,
  heightPx: number,
): void {
  new SweepRenderer().draw(ctx, history, widthPx, heightPx);
}

/**
 * Draws the sweep as a monitor does: between wraps only the strip the new samples occupy (plus the erase
 * gap ahead of the cursor) is cleared and redrawn, so the canvas rasterises a few pixels a frame instead
 * of the whole display; a full redraw happens at each wrap (re-scaling the pleth), on resize and when
 * invalidated (after a freeze-frame).
 */
export class SweepRenderer {
  private drawnTotal = -1;
  private widthPx = 0;
  private heightPx = 0;
  private lanes: LaneLayout | null = null;
  private history: TraceHistory | null = null;
  private lastRMarkMs = Number.NEGATIVE_INFINITY;
  /** Full redraws and strip redraws since creation (for tests and the benchmark). */
  fullDraws = 0;
  stripDraws = 0;

  invalidate(): void {
    this.drawnTotal = -1;
  }

  draw(ctx: CanvasRenderingContext2D, history: TraceHistory, widthPx: number, heightPx: number): void {
    const { sweep, gap } = sweepGeometry(history);
    const total = history.total;
    const same = this.history === history && this.widthPx === widthPx && this.heightPx === heightPx;
    if (same && total === this.drawnTotal) return;
    const xNow = sweepX(total - 1, sweep) * widthPx;
    const gapPx = (gap / sweep) * widthPx;
    const strip =
      same &&
      this.lanes !== null &&
      this.drawnTotal > 0 &&
      total > this.drawnTotal &&
      Math.floor((total - 1) / sweep) === Math.floor((this.drawnTotal - 1) / sweep) &&
      xNow + gapPx + 2 < widthPx;
    if (strip && this.lanes) {
      const x0 = Math.floor(sweepX(this.drawnTotal - 1, sweep) * widthPx) - 3;
      const x1 = Math.ceil(xNow + gapPx) + 2;
      ctx.save();
      ctx.beginPath();
      ctx.rect(x0, 0, x1 - x0, heightPx);
      ctx.clip();
      background(ctx, widthPx, heightPx, this.lanes);
      // Start far enough back that a mark's letter and the joining segment reaching into the strip are redrawn.
      const back = Math.ceil((16 / widthPx) * sweep) + 1;
      const { first } = visibleSweepRange(total, sweep, gap);
      sweepContent(ctx, history, this.lanes, Math.max(first, this.drawnTotal - 1 - back), total - 1, widthPx, heightPx);
      ctx.restore();
      // R marks are back-dated to the peak and arrive after the strip has passed them: draw new ones once.
      ctx.font = 'bold 11px system-ui, sans-serif';
      ctx.fillStyle = DISPLAY_COLOURS.r;
      const firstMs = history.sampleTimeMs(first);
      for (const t of history.marksOf('r')) {
        if (t <= this.lastRMarkMs || t < firstMs) continue;
        ctx.fillText('▼', sweepX(history.sampleAt(t), sweep) * widthPx - 4, this.lanes.ecg.top + 10);
      }
      this.stripDraws++;
    } else {
      const { first, last } = visibleSweepRange(total, sweep, gap);
      const [pMin, pMax] = last >= first ? rangeOf(history, ['plethAu'], first, last) : [0, 1];
      const lanes = layout(heightPx, pMin, pMax);
      background(ctx, widthPx, heightPx, lanes);
      if (last >= first) sweepContent(ctx, history, lanes, first, last, widthPx, heightPx);
      else cuffAxis(ctx, widthPx, lanes);
      this.lanes = lanes;
      this.fullDraws++;
    }
    const rMarks = history.marksOf('r');
    this.lastRMarkMs = rMarks[rMarks.length - 1] ?? (strip ? this.lastRMarkMs : Number.NEGATIVE_INFINITY);
    this.history = history;
    this.widthPx = widthPx;
    this.heightPx = heightPx;
    this.drawnTotal = total;
  }
}

/** The span a frozen beat is shown over: from just before its R to just after the next. */
export function beatWindowMs(beat: Pick<BeatMetrics, 'rTimeMs' | 'rrMs'>): { fromMs: number; toMs: number } {
  return { fromMs: beat.rTimeMs - 150, toMs: beat.rTimeMs + beat.rrMs + 350 };
}

/** Freeze-frame: one beat across the display, with the unassisted reference pleth dashed over the pleth. */
export function drawBeat(
  ctx: CanvasRenderingContext2D,
  history: TraceHistory,
  beat: Pick<BeatMetrics, 'rTimeMs' | 'rrMs'>,
  widthPx: number,
  heightPx: number,
): void {
  const { fromMs, toMs } = beatWindowMs(beat);
  const first = Math.max(history.oldestSample(), history.sampleAt(fromMs));
  const last = Math.min(history.total - 1, history.sampleAt(toMs));
  const [pMin, pMax] = last >= first ? rangeOf(history, ['plethAu', 'referencePlethAu'], first, last) : [0, 1];
  const lanes = layout(heightPx, pMin, pMax);
  background(ctx, widthPx, heightPx, lanes);
  if (last < first) {
    cuffAxis(ctx, widthPx, lanes);
    return;
  }
  const xOfMs = (t: number): number => ((t - fromMs) / (toMs - fromMs)) * widthPx;
  const xOf = (k: number): number => xOfMs(history.sampleTimeMs(k));
  strokeChannel(ctx, history, 'ecgMv', lanes.ecg, first, last, xOf, DISPLAY_COLOURS.ecg, []);
  strokeChannel(ctx, history, 'referencePlethAu', lanes.pleth, first, last, xOf, DISPLAY_COLOURS.reference, [5, 4]);
  strokeChannel(ctx, history, 'plethAu', lanes.pleth, first, last, xOf, DISPLAY_COLOURS.pleth, []);
  cuffTraces(ctx, history, lanes, first, last, xOf);
  marks(ctx, history, lanes, fromMs, toMs, xOfMs);
  cuffAxis(ctx, widthPx, lanes);
  ctx.font = '12px system-ui, sans-serif';
  ctx.fillStyle = DISPLAY_COLOURS.reference;
  ctx.fillText('- - - unassisted reference (same beat, cuffs off)', widthPx - 300, lanes.pleth.top - 4);
}
