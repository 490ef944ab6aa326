/**
 * The last few tens of seconds of display traces, kept on the main thread in fixed typed arrays (a ring
 * indexed by absolute sample number), so the sweep and the freeze-frame read without allocating.
 */
export const TRACE_CHANNELS = [
  'ecgMv',
  'plethAu',
  'referencePlethAu',
  'cuffCalfMmHg',
  'cuffLowerThighMmHg',
  'cuffUpperThighMmHg',
] as const;
export type TraceChannel = (typeof TRACE_CHANNELS)[number];

export type TraceChunk = Record<TraceChannel, Float32Array>;

export type MarkKind = 'r' | 'inflate' | 'deflate';

export class TraceHistory {
  readonly rateHz: number;
  readonly capacity: number;
  /** Samples received since the start; the newest is number `total - 1`. */
  total = 0;
  private readonly channels: Record<TraceChannel, Float32Array>;
  private readonly marks: Record<MarkKind, number[]> = { r: [], inflate: [], deflate: [] };

  constructor(rateHz: number, seconds: number) {
    this.rateHz = rateHz;
    this.capacity = Math.round(rateHz * seconds);
    const make = (): Float32Array => new Float32Array(this.capacity);
    this.channels = {
      ecgMv: make(),
      plethAu: make(),
      referencePlethAu: make(),
      cuffCalfMmHg: make(),
      cuffLowerThighMmHg: make(),
      cuffUpperThighMmHg: make(),
    };
  }

  /** Appends a chunk (all channels the same length); samples older than the capacity are overwritten. */
  push(chunk: TraceChunk): void {
    const n = chunk.ecgMv.length;
    for (const name of TRACE_CHANNELS) {
      const src = chunk[name];
      const dst = this.channels[name];
      for (let i = 0; i < n; i++) dst[(this.total + i) % this.capacity] = src[i] ?? 0;
    }
    this.total += n;
  }

  addMarks(kind: MarkKind, timesMs: ArrayLike<number>): void {
    const list = this.marks[kind];
    for (let i = 0; i < timesMs.length; i++) list.push(timesMs[i] ?? 0);
    const oldestMs = this.oldestTimeMs();
    let drop = 0;
    while (drop < list.length && (list[drop] ?? 0) < oldestMs) drop++;
    if (drop > 0) list.splice(0, drop);
  }

  /** Marks of a kind still inside the history, oldest first. */
  marksOf(kind: MarkKind): readonly number[] {
    return this.marks[kind];
  }

  /** Number of the oldest sample still held. */
  oldestSample(): number {
    return Math.max(0, this.total - this.capacity);
  }

  oldestTimeMs(): number {
    return this.sampleTimeMs(this.oldestSample());
  }

  sampleTimeMs(sample: number): number {
    return (sample * 1000) / this.rateHz;
  }

  /** The sample nearest a time, not clamped. */
  sampleAt(timeMs: number): number {
    return Math.round((timeMs * this.rateHz) / 1000);
  }

  /** Value of a channel at an absolute sample number; NaN when it is no longer (or not yet) held. */
  value(channel: TraceChannel, sample: number): number {
    if (sample < this.oldestSample() || sample >= this.total) return Number.NaN;
    return this.channels[channel][sample % this.capacity] ?? Number.NaN;
  }

  clear(): void {
    this.total = 0;
    this.marks.r.length = 0;
    this.marks.inflate.length = 0;
    this.marks.deflate.length = 0;
  }
}

/**
 * Where a sample sits on a sweep `sweepSamples` wide, 0..1 from the left: like a monitor, the trace is
 * written left to right and wraps, overwriting the oldest beat.
 */
export function sweepX(sample: number, sweepSamples: number): number {
  return (sample % sweepSamples) / sweepSamples;
}

/**
 * The span of samples a sweep shows: the last sweep width minus an erase gap ahead of the cursor, so the
 * newest trace is visibly separated from the oldest.
 */
export function visibleSweepRange(
  total: number,
  sweepSamples: number,
  gapSamples: number,
): { first: number; last: number } {
  const last = total - 1;
  const first = Math.max(0, total - sweepSamples + gapSamples);
  return { first, last };
}
