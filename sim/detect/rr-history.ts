/** The eight most recent RR intervals and their mean (Pan & Tompkins' RR AVERAGE1), in samples. */
const RR_HISTORY = 8;

export class RrHistory {
  /** Mean of the stored intervals; `initialSamples` until the first one. */
  mean: number;
  private readonly initialSamples: number;
  private readonly rr = new Float64Array(RR_HISTORY);
  private count = 0;
  private next = 0;

  constructor(initialSamples: number) {
    this.initialSamples = initialSamples;
    this.mean = initialSamples;
  }

  push(rrSamples: number): void {
    this.rr[this.next] = rrSamples;
    this.next = (this.next + 1) % RR_HISTORY;
    if (this.count < RR_HISTORY) this.count++;
    this.updateMean();
  }

  /** Lengthen the latest interval (its beat turned out to be later: a P wave was taken for it). */
  extendLast(bySamples: number): void {
    if (this.count === 0) return;
    const last = (this.next + RR_HISTORY - 1) % RR_HISTORY;
    this.rr[last] = (this.rr[last] as number) + bySamples;
    this.updateMean();
  }

  reset(): void {
    this.rr.fill(0);
    this.count = this.next = 0;
    this.mean = this.initialSamples;
  }

  private updateMean(): void {
    let sum = 0;
    for (let i = 0; i < this.count; i++) sum += this.rr[i] as number;
    this.mean = sum / this.count;
  }
}
