/**
 * Timing counters of the console, exposed on `window.__iecpaConsoleStats` for the browser benchmark
 * (scripts/bench-simulator.ts): frames drawn, frame intervals, drawing time and the main thread's cost of
 * taking in the worker's chunks (the engine itself runs in the worker; its time is reported separately).
 */
export interface ConsoleStatsSnapshot {
  frames: number;
  /** Intervals between the last frames (up to FRAME_WINDOW), ms. */
  frameIntervalsMs: number[];
  drawMsTotal: number;
  /** Drawing time of the last frames (up to FRAME_WINDOW), ms. */
  drawMsRecent: number[];
  chunks: number;
  /** Main-thread time spent taking in worker chunks, ms. */
  ingestMsTotal: number;
  /** Worker time spent advancing the engine, ms. */
  workerEngineMsTotal: number;
}

/** Frame intervals kept for percentiles: 2 min at 60 fps. */
const FRAME_WINDOW = 7200;

export class ConsoleStats {
  private frames = 0;
  private lastFrameAt: number | null = null;
  private readonly intervals: number[] = [];
  private readonly draws: number[] = [];
  private drawMs = 0;
  private chunks = 0;
  private ingestMs = 0;
  private workerMs = 0;

  recordFrame(nowMs: number, drawMs: number): void {
    this.frames++;
    this.drawMs += drawMs;
    this.draws.push(drawMs);
    if (this.draws.length > FRAME_WINDOW) this.draws.shift();
    if (this.lastFrameAt !== null) {
      this.intervals.push(nowMs - this.lastFrameAt);
      if (this.intervals.length > FRAME_WINDOW) this.intervals.shift();
    }
    this.lastFrameAt = nowMs;
  }

  recordChunk(ingestMs: number, workerEngineMs: number): void {
    this.chunks++;
    this.ingestMs += ingestMs;
    this.workerMs += workerEngineMs;
  }

  snapshot(): ConsoleStatsSnapshot {
    return {
      frames: this.frames,
      frameIntervalsMs: this.intervals,
      drawMsTotal: this.drawMs,
      drawMsRecent: this.draws,
      chunks: this.chunks,
      ingestMsTotal: this.ingestMs,
      workerEngineMsTotal: this.workerMs,
    };
  }
}
