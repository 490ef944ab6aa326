import { expect, test } from 'vitest';
import { advanceForTickMs, MAX_ADVANCE_PER_TICK_MS } from '#src/components/simulator/worker-clock.ts';

test('advances by the wall-clock time since the last tick', () => {
  expect(advanceForTickMs(1016, 1000, 5000, null)).toBe(16);
});

test('a late tick (hidden tab, long pause) advances at most the cap, so simulated time never jumps', () => {
  expect(advanceForTickMs(61_000, 1000, 5000, null)).toBe(MAX_ADVANCE_PER_TICK_MS);
});

test('never advances past the end of a timed run, nor backwards', () => {
  expect(advanceForTickMs(1050, 1000, 29_990, 30_000)).toBe(10);
  expect(advanceForTickMs(1050, 1000, 30_000, 30_000)).toBe(0);
  expect(advanceForTickMs(900, 1000, 5000, null)).toBe(0);
});
