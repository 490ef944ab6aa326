/**
 * Classical item and test statistics for one exam form, computed from first attempts.
 *
 * Sources:
 * - Moodle Docs, "Quiz statistics calculations" (docs.moodle.org/dev/Quiz_statistics_calculations): facility
 *   index F = mean item score / max, item SD as a fraction of the max (divisor S - 1), discrimination index
 *   as the correlation of the item score with the rest of the test (total minus the item), discriminative
 *   efficiency DE = C(x_i, X_-i) / C_max(x_i, X_-i), where C_max is the covariance obtained when both score
 *   lists are sorted in the same order, the test's coefficient of internal consistency and its SEM.
 * - Crocker & Algina, "Introduction to Classical and Modern Test Theory" (1986), ch. 6-7 and 14: Cronbach's
 *   alpha = k/(k-1) (1 - sum var(x_i) / var(X)), which equals KR-20 for items scored 0/1; the standard error
 *   of measurement SEM = SD_X sqrt(1 - alpha); the point-biserial correlation of a 0/1 variable (choosing an
 *   option) with the total for distractor analysis.
 *
 * Every item score here is a fraction of the item's maximum (0..1), so a test total is a sum of fractions.
 */

/** One item's responses, candidate by candidate (the same candidate order in every item). */
export interface ItemResponsesDef {
  itemId: string;
  /**
   * Score of each candidate as a fraction of the item's maximum, 0..1; null when the candidate's draw did
   * not include the item (forms drawn from a larger bank).
   */
  scores: readonly (number | null)[];
  /** Option ids of a choice item (empty for items without options: no distractor analysis). */
  options: readonly string[];
  /** The keyed option ids; every other option is a distractor. */
  keyed: readonly string[];
  /** The option ids each candidate chose (empty when unanswered or the item has no options). */
  choices: readonly (readonly string[])[];
}

export interface DistractorStatistics {
  optionId: string;
  keyed: boolean;
  /** How many candidates chose the option. */
  count: number;
  /** Point-biserial correlation of choosing it (0/1) with the test total; null when undefined (no variance). */
  correlation: number | null;
}

export type FlagReason = 'facility-low' | 'facility-high' | 'discrimination-low' | 'distractor-positive';

export interface ItemStatistics {
  itemId: string;
  /** Facility index, 0..1. */
  facility: number;
  /** Sample SD of the item score as a fraction of its maximum. */
  sd: number;
  /** Corrected item-total (item vs rest of test) correlation; null when either has no variance. */
  discrimination: number | null;
  /** Discriminative efficiency, 0..1 when discrimination is positive; null when undefined. */
  discriminativeEfficiency: number | null;
  distractors: DistractorStatistics[];
  flags: FlagReason[];
}

export interface TestStatistics {
  candidates: number;
  items: number;
  /** Totals are in item-maximum units (a sum of fractions): the maximum total equals `items`. */
  mean: number;
  median: number;
  sd: number;
  /**
   * Cronbach's alpha (KR-20 for 0/1 items); null with fewer than 2 items per candidate or a total without
   * variance. With forms drawn from a larger bank, k is the number of items per candidate and the sum of
   * item variances is k times their mean over the bank's items (exact when every candidate took every item).
   */
  alpha: number | null;
  /** Standard error of measurement in total units; null when alpha is null. */
  sem: number | null;
}

export interface ExamStatistics {
  test: TestStatistics;
  items: ItemStatistics[];
}

/** Flag thresholds (the review queue's rules). */
export const FACILITY_LOW = 0.2;
export const FACILITY_HIGH = 0.95;
export const DISCRIMINATION_LOW = 0.15;

function mean(values: readonly number[]): number {
  let sum = 0;
  for (const v of values) sum += v;
  return values.length === 0 ? 0 : sum / values.length;
}

/** Sample covariance (divisor n - 1); 0 with fewer than 2 values. */
function covariance(a: readonly number[], b: readonly number[]): number {
  const n = a.length;
  if (n < 2) return 0;
  const ma = mean(a);
  const mb = mean(b);
  let sum = 0;
  for (let i = 0; i < n; i++) sum += ((a[i] as number) - ma) * ((b[i] as number) - mb);
  return sum / (n - 1);
}

function variance(a: readonly number[]): number {
  return covariance(a, a);
}

/** Pearson correlation; null when either variable is constant. */
export function correlation(a: readonly number[], b: readonly number[]): number | null {
  const va = variance(a);
  const vb = variance(b);
  if (va <= 1e-15 || vb <= 1e-15) return null;
  return covariance(a, b) / Math.sqrt(va * vb);
}

export function median(values: readonly number[]): number {
  if (values.length === 0) return 0;
  const sorted = [...values].sort((x, y) => x - y);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1
    ? (sorted[mid] as number)
    : ((sorted[mid - 1] as number) + (sorted[mid] as number)) / 2;
}

/** Moodle's DE: the covariance over the largest covariance these two marginal distributions allow. */
function discriminativeEfficiency(item: readonly number[], rest: readonly number[]): number | null {
  const cMax = covariance(
    [...item].sort((x, y) => x - y),
    [...rest].sort((x, y) => x - y),
  );
  if (cMax <= 1e-15) return null;
  return covariance(item, rest) / cMax;
}

/** The review queue's reasons for one item. */
export function flagsFor(stats: Omit<ItemStatistics, 'flags'>): FlagReason[] {
  const flags: FlagReason[] = [];
  if (stats.facility < FACILITY_LOW) flags.push('facility-low');
  if (stats.facility > FACILITY_HIGH) flags.push('facility-high');
  // An item nobody separates (no variance) has no discrimination to speak of: the facility flags cover it.
  if (stats.discrimination !== null && stats.discrimination < DISCRIMINATION_LOW) flags.push('discrimination-low');
  if (stats.distractors.some((d) => !d.keyed && d.correlation !== null && d.correlation > 0)) {
    flags.push('distractor-positive');
  }
  return flags;
}

/**
 * The statistics of a form. Every item must have one score per candidate, in the same candidate order;
 * throws otherwise (a programming error, not user input).
 */
export function computeExamStatistics(items: readonly ItemResponsesDef[]): ExamStatistics {
  const n = items[0]?.scores.length ?? 0;
  for (const item of items) {
    if (item.scores.length !== n || (item.options.length > 0 && item.choices.length !== n)) {
      throw new Error(`Item ${item.itemId} has responses for a different number of candidates`);
    }
  }
  const totals = new Array<number>(n).fill(0);
  const itemsTaken = new Array<number>(n).fill(0);
  for (const item of items) {
    for (let c = 0; c < n; c++) {
      const score = item.scores[c];
      if (score === null || score === undefined) continue;
      totals[c] = (totals[c] as number) + score;
      itemsTaken[c] = (itemsTaken[c] as number) + 1;
    }
  }

  const itemVariances: number[] = [];
  const itemStats: ItemStatistics[] = items.map((item) => {
    // Only the candidates who were given the item.
    const who: number[] = [];
    for (let c = 0; c < n; c++) if (item.scores[c] !== null) who.push(c);
    const x = who.map((c) => item.scores[c] as number);
    const total = who.map((c) => totals[c] as number);
    const rest = who.map((c, k) => (totals[c] as number) - (x[k] as number));
    const distractors: DistractorStatistics[] = item.options.map((optionId) => {
      const chose = who.map((c) => ((item.choices[c] ?? []).includes(optionId) ? 1 : 0));
      return {
        optionId,
        keyed: item.keyed.includes(optionId),
        count: chose.reduce<number>((sum, v) => sum + v, 0),
        correlation: correlation(chose, total),
      };
    });
    if (x.length >= 2) itemVariances.push(variance(x));
    const base = {
      itemId: item.itemId,
      facility: mean(x),
      sd: Math.sqrt(variance(x)),
      discrimination: correlation(x, rest),
      discriminativeEfficiency: discriminativeEfficiency(x, rest),
      distractors,
    };
    return { ...base, flags: flagsFor(base) };
  });

  const k = itemsTaken.length === 0 ? 0 : Math.max(...itemsTaken);
  const totalVariance = variance(totals);
  const itemVarianceSum = k * mean(itemVariances);
  const alpha = k >= 2 && totalVariance > 1e-15 ? (k / (k - 1)) * (1 - itemVarianceSum / totalVariance) : null;
  const sd = Math.sqrt(totalVariance);
  return {
    test: {
      candidates: n,
      items: k,
      mean: mean(totals),
      median: median(totals),
      sd,
      alpha,
      sem: alpha === null ? null : sd * Math.sqrt(Math.max(0, 1 - alpha)),
    },
    items: itemStats,
  };
}
