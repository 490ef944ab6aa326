import { expect, test } from 'vitest';
import { sweepX, type TraceChunk, TraceHistory, visibleSweepRange } from '#src/components/simulator/trace-history.ts';

function chunk(values: number[]): TraceChunk {
  const a = Float32Array.from(values);
  return {
    ecgMv: a,
    plethAu: a.map((v) => v * 2),
    referencePlethAu: a.map((v) => v * 3),
    cuffCalfMmHg: a,
    cuffLowerThighMmHg: a,
    cuffUpperThighMmHg: a,
  };
}

test('keeps samples by absolute number and forgets those older than its capacity', () => {
  const h = new TraceHistory(10, 1); // 10 samples
  h.push(chunk([0, 1, 2, 3, 4, 5, 6, 7]));
  h.push(chunk([8, 9, 10, 11]));
  expect(h.total).toBe(12);
  expect(h.oldestSample()).toBe(2);
  expect(h.value('ecgMv', 2)).toBe(2);
  expect(h.value('ecgMv', 11)).toBe(11);
  expect(h.value('plethAu', 11)).toBe(22);
  expect(h.value('referencePlethAu', 10)).toBe(30);
  expect(h.value('ecgMv', 1)).toBeNaN();
  expect(h.value('ecgMv', 12)).toBeNaN();
});

test('maps times to samples at its rate and drops marks that fall out of the history', () => {
  const h = new TraceHistory(250, 2); // 500 samples = 2 s
  expect(h.sampleAt(1000)).toBe(250);
  expect(h.sampleTimeMs(500)).toBe(2000);
  h.push(chunk(new Array(250).fill(0)));
  h.addMarks('r', [100, 900]);
  h.push(chunk(new Array(500).fill(0)));
  h.addMarks('inflate', [2500]);
  h.addMarks('r', [2800]);
  expect(h.oldestTimeMs()).toBe(1000);
  expect(h.marksOf('r')).toEqual([2800]);
  expect(h.marksOf('inflate')).toEqual([2500]);
});

test('a sweep wraps: the sample one sweep later is drawn at the same x', () => {
  expect(sweepX(0, 1500)).toBe(0);
  expect(sweepX(750, 1500)).toBe(0.5);
  expect(sweepX(1500 + 750, 1500)).toBe(0.5);
});

test('the visible sweep leaves an erase gap ahead of the cursor and starts at 0 before the first wrap', () => {
  expect(visibleSweepRange(100, 1500, 60)).toEqual({ first: 0, last: 99 });
  expect(visibleSweepRange(4000, 1500, 60)).toEqual({ first: 2560, last: 3999 });
  const { first, last } = visibleSweepRange(4000, 1500, 60);
  expect(last - first + 1).toBe(1500 - 60);
});
