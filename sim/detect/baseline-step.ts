/**
 * Baseline step test. A QRS returns to the baseline; a step (electrode pop, lead switching, a beat cut off at
 * the end of a record) leaves the ECG displaced, in the direction of its excursion, and settled there. The
 * levels are means over `levelSamples` of the ECG as received (a de-wander filter would decay the step).
 */
export interface StepTest {
  /** Ring buffer of the ECG as received, indexed by sample index & mask. */
  raw: Float64Array;
  mask: number;
  /** Width of the level windows, samples. */
  levelSamples: number;
  /** The excursion is sought this many samples either side of the located R. */
  searchSamples: number;
  /** The level before the peak ends this many samples before the R. */
  preOffsetSamples: number;
  /** Displaced: the level now is beyond this fraction of the excursion (0.7). */
  displacedFraction: number;
  /** Settled: the ECG moved by less than this fraction of the excursion over the last level window (0.2). */
  quietFraction: number;
}

function mean(t: StepTest, from: number, to: number): number {
  let sum = 0;
  for (let i = from; i <= to; i++) sum += t.raw[i & t.mask] as number;
  return sum / (to - from + 1);
}

/** Whether the ECG at `atIndex` is still displaced from its level before `rIndex`, and settled, like a step. */
export function isBaselineStep(t: StepTest, rIndex: number, atIndex: number): boolean {
  const preEnd = rIndex - t.preOffsetSamples;
  const preStart = preEnd - t.levelSamples;
  // Both windows must still be in the ring buffer.
  if (preStart < 0 || atIndex - preStart > t.mask) return false;
  const pre = mean(t, preStart, preEnd);
  // The excursion is the largest departure from the level before within `searchSamples` of the R: the
  // located R may sit on the undershoot after a QRS spike, whose sign is not the QRS's.
  let excursion = 0;
  let extremeIndex = rIndex;
  const last = Math.min(atIndex, rIndex + t.searchSamples);
  for (let i = Math.max(preEnd + 1, rIndex - t.searchSamples); i <= last; i++) {
    const e = (t.raw[i & t.mask] as number) - pre;
    if (Math.abs(e) > Math.abs(excursion)) {
      excursion = e;
      extremeIndex = i;
    }
  }
  // A step stays displaced from its extreme on; a QRS returns towards the level before, even when it rides
  // on a swing of the baseline that leaves the ECG displaced afterwards.
  for (let i = extremeIndex + 1; i <= atIndex; i++) {
    if (((t.raw[i & t.mask] as number) - pre) * Math.sign(excursion) < t.displacedFraction * Math.abs(excursion)) {
      return false;
    }
  }
  const displaced = mean(t, atIndex - t.levelSamples, atIndex) - pre;
  if (!(displaced * excursion > 0 && Math.abs(displaced) > t.displacedFraction * Math.abs(excursion))) return false;
  let variation = 0;
  for (let i = atIndex - t.levelSamples + 1; i <= atIndex; i++) {
    variation += Math.abs((t.raw[i & t.mask] as number) - (t.raw[(i - 1) & t.mask] as number));
  }
  return variation < t.quietFraction * Math.abs(excursion);
}
