/**
 * The monitor display's drawing loop, at the display's frame rate: the sweeping traces while running, the
 * frozen beat with its reference while frozen; an idle console draws nothing. Records frame statistics for
 * the performance tests (window.__iecpaConsoleStats).
 */

import { type MutableRef, useEffect, useRef } from 'preact/hooks';
import type { BeatMetrics } from '#sim/index.ts';
import type { ConsoleStatus } from './console-panels.tsx';
import type { ConsoleStats, ConsoleStatsSnapshot } from './console-stats.ts';
import { drawBeat, SweepRenderer } from './draw-traces.ts';
import type { TraceHistory } from './trace-history.ts';

declare global {
  interface Window {
    __iecpaConsoleStats?: ConsoleStatsSnapshot;
  }
}

export interface TraceCanvasSources {
  historyRef: MutableRef<TraceHistory | null>;
  beatsRef: MutableRef<BeatMetrics[]>;
  frozenRef: MutableRef<number | null>;
  statusRef: MutableRef<ConsoleStatus>;
  statsRef: MutableRef<ConsoleStats>;
}

export function useTraceCanvas(sources: TraceCanvasSources): MutableRef<HTMLCanvasElement | null> {
  const canvasRef = useRef<HTMLCanvasElement | null>(null);
  const { historyRef, beatsRef, frozenRef, statusRef, statsRef } = sources;
  useEffect(() => {
    let frame = 0;
    let lastKey = '';
    const sweep = new SweepRenderer();
    const stats = statsRef.current;
    window.__iecpaConsoleStats = stats.snapshot();
    const draw = (now: number): void => {
      frame = requestAnimationFrame(draw);
      const canvas = canvasRef.current;
      const history = historyRef.current;
      if (!canvas || !history) return;
      const t0 = performance.now();
      const ratio = window.devicePixelRatio || 1;
      const w = canvas.clientWidth;
      const h = canvas.clientHeight;
      if (canvas.width !== Math.round(w * ratio) || canvas.height !== Math.round(h * ratio)) {
        canvas.width = Math.round(w * ratio);
        sweep.invalidate();
        canvas.height = Math.round(h * ratio);
      }
      const frozen = frozenRef.current;
      // While running, every frame is drawn; otherwise only when something changed (an idle console costs nothing).
      const key = `${history.total}|${frozen}|${canvas.width}x${canvas.height}|${history.capacity}`;
      if (key === lastKey && statusRef.current !== 'running') return;
      lastKey = key;
      const ctx = canvas.getContext('2d');
      if (!ctx) return;
      ctx.setTransform(ratio, 0, 0, ratio, 0, 0);
      const beat = frozen === null ? undefined : beatsRef.current.find((b) => b.index === frozen);
      if (beat) {
        drawBeat(ctx, history, beat, w, h);
        sweep.invalidate();
      } else {
        sweep.draw(ctx, history, w, h);
      }
      stats.recordFrame(now, performance.now() - t0);
      window.__iecpaConsoleStats = stats.snapshot();
    };
    frame = requestAnimationFrame(draw);
    return () => cancelAnimationFrame(frame);
  }, [historyRef, beatsRef, frozenRef, statusRef, statsRef]);
  return canvasRef;
}
