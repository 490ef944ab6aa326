/**
 * Per-step signal history (ring buffers) from which beats are measured once they are complete.
 * 2^14 steps = 8.2 s at 0.5 ms: longer than any RR plus the look-ahead a beat needs.
 */
export const HISTORY_STEPS = 1 << 14;
const MASK = HISTORY_STEPS - 1;

/** The haemodynamic channels of one circulation (assisted, or the unassisted reference). */
export class HaemodynamicChannels {
  readonly rootMmHg = new Float64Array(HISTORY_STEPS);
  readonly lvMmHg = new Float64Array(HISTORY_STEPS);
  readonly aorticFlowMlPerS = new Float64Array(HISTORY_STEPS);
  readonly coronaryFlowMlPerS = new Float64Array(HISTORY_STEPS);
  /** Low-passed upper-body pressure, mmHg, before the pleth delay. */
  readonly plethMmHg = new Float64Array(HISTORY_STEPS);
}

export class SignalHistory {
  readonly assisted = new HaemodynamicChannels();
  /** Lockstep circulation with the cuffs always off, driven by the same heart beats. */
  readonly reference = new HaemodynamicChannels();
  readonly iliacFlowMlPerS = new Float64Array(HISTORY_STEPS);
  readonly cuff0MmHg = new Float64Array(HISTORY_STEPS);
  readonly cuff1MmHg = new Float64Array(HISTORY_STEPS);
  readonly cuff2MmHg = new Float64Array(HISTORY_STEPS);
  /** Index of the last written step. */
  lastStep = -1;

  /** Ring position of an absolute step. */
  at(step: number): number {
    return step & MASK;
  }
}
