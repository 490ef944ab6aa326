/**
 * Decimated display traces. Samples are written into growable typed arrays (doubling, so allocation is
 * amortised, never per step); `read` returns what was written since the last read and rewinds.
 */
export interface Traces {
  rateHz: number;
  timeMs: Float64Array;
  ecgMv: Float32Array;
  cuffCalfMmHg: Float32Array;
  cuffLowerThighMmHg: Float32Array;
  cuffUpperThighMmHg: Float32Array;
  aorticMmHg: Float32Array;
  /** Finger pleth, arbitrary units with a baseline. */
  plethAu: Float32Array;
  /** The same beat's pleth in the unassisted reference circulation (cuffs off), same units. */
  referencePlethAu: Float32Array;
  /** Valve commands and detected R peaks (ms) in the same span. */
  inflateMarksMs: Float64Array;
  deflateMarksMs: Float64Array;
  detectedRMarksMs: Float64Array;
}

type MarkKind = 'inflate' | 'deflate' | 'r';

export class TraceRecorder {
  readonly rateHz: number;
  private readonly every: number;
  private n = 0;
  private readonly capacity: number;
  private time = new Float64Array(1024);
  private ch: Float32Array[] = Array.from({ length: 7 }, () => new Float32Array(1024));
  private marks: Record<MarkKind, number[]> = { inflate: [], deflate: [], r: [] };

  /** capacity 0 = unbounded (batch); otherwise the oldest unread samples are dropped beyond it. */
  constructor(rateHz: number, stepMs: number, capacity: number) {
    this.every = Math.max(1, Math.round(1000 / rateHz / stepMs));
    this.rateHz = 1000 / (this.every * stepMs);
    this.capacity = capacity;
  }

  due(step: number): boolean {
    return step % this.every === 0;
  }

  mark(kind: MarkKind, timeMs: number): void {
    this.marks[kind].push(timeMs);
  }

  push(
    timeMs: number,
    ecg: number,
    c0: number,
    c1: number,
    c2: number,
    aortic: number,
    pleth: number,
    referencePleth: number,
  ): void {
    if (this.n === this.time.length) {
      if (this.capacity > 0 && this.n >= this.capacity) this.dropOldestHalf();
      else this.grow();
    }
    const i = this.n++;
    this.time[i] = timeMs;
    const ch = this.ch;
    ch[0]![i] = ecg;
    ch[1]![i] = c0;
    ch[2]![i] = c1;
    ch[3]![i] = c2;
    ch[4]![i] = aortic;
    ch[5]![i] = pleth;
    ch[6]![i] = referencePleth;
  }

  private grow(): void {
    const size = this.time.length * 2;
    const t = new Float64Array(size);
    t.set(this.time);
    this.time = t;
    this.ch = this.ch.map((c) => {
      const n = new Float32Array(size);
      n.set(c);
      return n;
    });
  }

  private dropOldestHalf(): void {
    const half = this.n >> 1;
    this.time.copyWithin(0, half, this.n);
    for (const c of this.ch) c.copyWithin(0, half, this.n);
    this.n -= half;
  }

  read(): Traces {
    const n = this.n;
    const ch = this.ch;
    const out: Traces = {
      rateHz: this.rateHz,
      timeMs: this.time.slice(0, n),
      ecgMv: ch[0]!.slice(0, n),
      cuffCalfMmHg: ch[1]!.slice(0, n),
      cuffLowerThighMmHg: ch[2]!.slice(0, n),
      cuffUpperThighMmHg: ch[3]!.slice(0, n),
      aorticMmHg: ch[4]!.slice(0, n),
      plethAu: ch[5]!.slice(0, n),
      referencePlethAu: ch[6]!.slice(0, n),
      inflateMarksMs: Float64Array.from(this.marks.inflate),
      deflateMarksMs: Float64Array.from(this.marks.deflate),
      detectedRMarksMs: Float64Array.from(this.marks.r),
    };
    this.n = 0;
    this.marks = { inflate: [], deflate: [], r: [] };
    return out;
  }
}
