/**
 * The eight most recent RR intervals and their mean (Pan & Tompkins' RR AVERAGE1), and the mean of the eight
 * most recent regular ones (RR AVERAGE2), in samples.
 */
const RR_HISTORY = 8;

export class RrHistory {
  /** Mean of the stored intervals; `initialSamples` until the first one. */
  mean: number;
  /**
   * RR AVERAGE2 of Pan & Tompkins (1985): mean of the eight most recent intervals within 92-116 % of it, so
   * an extra detection (a P wave, noise) or a missed beat does not pull it. When eight intervals in a row fall
   * outside (the rate has changed), it restarts from `mean`.
   */
  regularMean: number;
  private readonly regular = new Float64Array(RR_HISTORY);
  private regularCount = 0;
  private regularNext = 0;
  private irregularRun = 0;
  /** Slot of the latest interval in `regular`, -1 when it was left out. */
  private lastRegularSlot = -1;
  private readonly initialSamples: number;
  private readonly rr = new Float64Array(RR_HISTORY);
  private count = 0;
  private next = 0;

  constructor(initialSamples: number) {
    this.initialSamples = initialSamples;
    this.mean = initialSamples;
    this.regularMean = initialSamples;
  }

  push(rrSamples: number): void {
    this.rr[this.next] = rrSamples;
    this.next = (this.next + 1) % RR_HISTORY;
    if (this.count < RR_HISTORY) this.count++;
    this.updateMean();
    this.pushRegular(rrSamples);
  }

  private pushRegular(rrSamples: number): void {
    this.lastRegularSlot = -1;
    if (this.regularCount > 0 && (rrSamples < 0.92 * this.regularMean || rrSamples > 1.16 * this.regularMean)) {
      if (++this.irregularRun < RR_HISTORY) return;
      this.irregularRun = 0;
      if (this.restartFromMissedBeatPattern()) return;
      // The rhythm has changed: start again from the recent intervals.
      this.regular.set(this.rr);
      this.regularCount = this.count;
      this.regularNext = this.next;
      this.regularMean = this.mean;
      return;
    }
    this.irregularRun = 0;
    this.lastRegularSlot = this.regularNext;
    this.regular[this.regularNext] = rrSamples;
    this.regularNext = (this.regularNext + 1) % RR_HISTORY;
    if (this.regularCount < RR_HISTORY) this.regularCount++;
    this.updateRegularMean();
  }

  /**
   * Restarts RR AVERAGE2 from the shorter intervals when the last ones fall into one RR and two (within 8 %
   * below and 16 % above, as Pan & Tompkins' limits): the pattern of a beat missed again and again (a low PVC
   * in bigeminy or trigeminy), whose mean would make search-back wait past every missed beat. False when the
   * intervals show no such pattern (a change of rate, atrial fibrillation).
   */
  private restartFromMissedBeatPattern(): boolean {
    const intervals = Array.from(this.rr.subarray(0, this.count));
    const base = [...intervals].sort((a, b) => a - b)[(intervals.length - 1) >> 2] as number;
    const single = intervals.filter((rr) => rr >= 0.92 * base && rr <= 1.16 * base);
    const double = intervals.filter((rr) => rr >= 2 * 0.92 * base && rr <= 2 * 1.16 * base);
    if (single.length < 2 || double.length < 2 || single.length + double.length < intervals.length) return false;
    this.regular.fill(0);
    this.regular.set(single);
    this.regularCount = single.length;
    this.regularNext = single.length % RR_HISTORY;
    this.lastRegularSlot = -1;
    this.updateRegularMean();
    return true;
  }

  private updateRegularMean(): void {
    let sum = 0;
    for (let i = 0; i < this.regularCount; i++) sum += this.regular[i] as number;
    this.regularMean = sum / this.regularCount;
  }

  /** Lengthen the latest interval (its beat turned out to be later: a P wave was taken for it). */
  extendLast(bySamples: number): void {
    if (this.count === 0) return;
    const last = (this.next + RR_HISTORY - 1) % RR_HISTORY;
    this.rr[last] = (this.rr[last] as number) + bySamples;
    this.updateMean();
    if (this.lastRegularSlot >= 0) {
      this.regular[this.lastRegularSlot] = (this.regular[this.lastRegularSlot] as number) + bySamples;
      this.updateRegularMean();
    }
  }

  reset(): void {
    this.rr.fill(0);
    this.count = this.next = 0;
    this.mean = this.initialSamples;
    this.regular.fill(0);
    this.regularCount = this.regularNext = this.irregularRun = 0;
    this.lastRegularSlot = -1;
    this.regularMean = this.initialSamples;
  }

  private updateMean(): void {
    let sum = 0;
    for (let i = 0; i < this.count; i++) sum += this.rr[i] as number;
    this.mean = sum / this.count;
  }
}
