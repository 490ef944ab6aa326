import { expect, test } from 'vitest';
import { SWEEP_SECONDS, SweepRenderer } from '#src/components/simulator/draw-traces.ts';
import { type TraceChunk, TraceHistory } from '#src/components/simulator/trace-history.ts';

/** A 2D context that draws nothing and records the clip rectangles it is given. */
function recordingContext(): { ctx: CanvasRenderingContext2D; rects: number[][] } {
  const rects: number[][] = [];
  const ctx = new Proxy(
    {},
    {
      get: (_target, name) =>
        name === 'rect'
          ? (...args: number[]) => rects.push(args)
          : name === 'measureText'
            ? () => ({ width: 0 })
            : () => undefined,
      set: () => true,
    },
  ) as unknown as CanvasRenderingContext2D;
  return { ctx, rects };
}

function chunk(n: number): TraceChunk {
  const a = new Float32Array(n).fill(1);
  return { ecgMv: a, plethAu: a, referencePlethAu: a, cuffCalfMmHg: a, cuffLowerThighMmHg: a, cuffUpperThighMmHg: a };
}

test('between wraps only a narrow strip is redrawn; a wrap, a resize or invalidate redraws everything', () => {
  const history = new TraceHistory(250, 20);
  const renderer = new SweepRenderer();
  const { ctx, rects } = recordingContext();
  history.push(chunk(250));
  renderer.draw(ctx, history, 900, 400);
  expect(renderer.fullDraws).toBe(1);

  history.push(chunk(4));
  renderer.draw(ctx, history, 900, 400);
  expect(renderer.stripDraws).toBe(1);
  const [, , stripWidth] = rects[rects.length - 1] ?? [];
  expect(stripWidth).toBeLessThan(60); // 4 samples (2.4 px) + 0.25 s gap (37.5 px) + margins, not 900 px

  renderer.draw(ctx, history, 900, 400); // nothing new: nothing drawn
  expect(renderer.fullDraws + renderer.stripDraws).toBe(2);

  history.push(chunk(250 * SWEEP_SECONDS)); // past the wrap
  renderer.draw(ctx, history, 900, 400);
  expect(renderer.fullDraws).toBe(2);

  history.push(chunk(4));
  renderer.draw(ctx, history, 800, 400);
  expect(renderer.fullDraws).toBe(3);

  renderer.invalidate();
  history.push(chunk(4));
  renderer.draw(ctx, history, 800, 400);
  expect(renderer.fullDraws).toBe(4);
});
