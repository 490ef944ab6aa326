/**
 * Pacemaker pulse blanking. Pacemaker pulses last 0.1-2 ms (the test pulses of IEC 60601-2-27, which
 * requires ECG monitors to reject them), far steeper than any QRS. From a too-steep sample until
 * `blankSamples` after the last one, the output holds the value from before the pulse, so the QRS detector
 * behind it can neither detect the pulse nor take it for the R peak.
 */
export class PaceBlanker {
  private readonly maxStepMv: number;
  private readonly blankSamples: number;
  private lastInput = 0;
  private lastOutput = 0;
  private held = 0;
  private blankUntil = -1;
  private n = -1;

  /** `slewMvPerS`: fastest change a QRS makes; `blankSamples`: hold after the last steep sample. */
  constructor(slewMvPerS: number, sampleRateHz: number, blankSamples: number) {
    this.maxStepMv = slewMvPerS / sampleRateHz;
    this.blankSamples = blankSamples;
  }

  /** The next sample with pacemaker pulses held out. */
  push(sampleMv: number): number {
    const n = ++this.n;
    if (n > 0 && Math.abs(sampleMv - this.lastInput) > this.maxStepMv) {
      if (n >= this.blankUntil) this.held = this.lastOutput;
      this.blankUntil = n + this.blankSamples;
    }
    this.lastInput = sampleMv;
    this.lastOutput = n < this.blankUntil ? this.held : sampleMv;
    return this.lastOutput;
  }

  reset(): void {
    this.lastInput = this.lastOutput = this.held = 0;
    this.blankUntil = -1;
    this.n = -1;
  }
}
