/** One bar: what it counts and how many. */
export interface Bar {
  label: string;
  value: number;
}

/** Where one bar and its texts go, in the chart's own units (its viewBox). */
export interface BarRow {
  label: string;
  /** The label as drawn: cut to fit the width, with an ellipsis (the table has it in full). */
  shownLabel: string;
  value: number;
  /** Baseline of the label, which sits above its bar. */
  labelY: number;
  /** Top of the bar. */
  barY: number;
  barWidth: number;
  /** Where the value is written: just past the bar's end, on the bar's middle. */
  valueX: number;
  valueY: number;
}

export interface BarChartLayout {
  width: number;
  height: number;
  barHeight: number;
  rows: BarRow[];
}

export interface BarChartDef {
  /** Total width of the viewBox; about the width the chart is shown at, so text stays its set size. Default 320. */
  width?: number;
  /** Room kept right of the longest bar for its value. Default 44. */
  valueWidth?: number;
  /** Height of one row: label, bar and gap. Default 42. */
  rowHeight?: number;
  /** Height of the bar. Default 14. */
  barHeight?: number;
  /** Longest label drawn in full; longer ones are cut. Default 40 characters (about 300 units at 14 px). */
  maxLabelChars?: number;
}

const DEFAULTS: Required<BarChartDef> = {
  width: 320,
  valueWidth: 44,
  rowHeight: 42,
  barHeight: 14,
  maxLabelChars: 40,
};

/** Narrowest bar drawn for a count above zero, so "1 of 4000" still shows a mark. */
const MIN_VISIBLE_BAR = 2;
/** Label baseline below the row's top (14 px text), and the gap from the label to its bar. */
const LABEL_BASELINE = 15;
const LABEL_TO_BAR = 6;

function cut(label: string, maxChars: number): string {
  const chars = [...label];
  return chars.length <= maxChars ? label : `${chars.slice(0, maxChars - 1).join('')}…`;
}

/**
 * A horizontal bar chart's geometry: one row per bar, the label above its bar (category and country names
 * are long, and charts sit in narrow columns), bars scaled to the largest value (zero draws no bar).
 */
export function barChartLayout(bars: readonly Bar[], def: BarChartDef = {}): BarChartLayout {
  const o = { ...DEFAULTS, ...def };
  const barArea = o.width - o.valueWidth;
  const max = Math.max(0, ...bars.map((b) => b.value));
  const rows = bars.map((bar, i) => {
    const top = i * o.rowHeight;
    const scaled = max > 0 ? (bar.value / max) * barArea : 0;
    const barWidth = bar.value > 0 ? Math.max(MIN_VISIBLE_BAR, scaled) : 0;
    const barY = top + LABEL_BASELINE + LABEL_TO_BAR;
    return {
      label: bar.label,
      shownLabel: cut(bar.label, o.maxLabelChars),
      value: bar.value,
      labelY: top + LABEL_BASELINE,
      barY,
      barWidth,
      valueX: barWidth + 6,
      valueY: barY + o.barHeight / 2 + 5,
    };
  });
  return {
    width: o.width,
    height: Math.max(1, bars.length) * o.rowHeight,
    barHeight: o.barHeight,
    rows,
  };
}

/**
 * The first `keep` bars, and the rest summed into one bar named `otherLabel(n)` (n = how many were summed),
 * so a chart of 60 countries stays readable; the table beside it still lists every one.
 */
export function topBars(bars: readonly Bar[], keep: number, otherLabel: (n: number) => string): Bar[] {
  if (bars.length <= keep + 1) return [...bars];
  const rest = bars.slice(keep);
  return [...bars.slice(0, keep), { label: otherLabel(rest.length), value: rest.reduce((s, b) => s + b.value, 0) }];
}

/** The chart's figures as one sentence, for its accessible description. */
export function describeBars(bars: readonly Bar[]): string {
  if (bars.length === 0) return 'No data.';
  return `${bars.map((b) => `${b.label}: ${b.value}`).join('; ')}.`;
}
