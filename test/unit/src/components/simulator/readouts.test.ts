import { expect, test } from 'vitest';
import type { Alarm } from '#sim/index.ts';
import { describeState, formatClock, formatReadout, readoutsFromBeats } from '#src/components/simulator/readouts.ts';

const beat = (rrMs: number, ds = 1.3) => ({
  rrMs,
  dsPeakRatio: ds,
  dsAreaRatio: 2.1,
  diastolicPeakMmHg: 150,
  systolicPeakMmHg: 115,
  endDiastolicMmHg: 60,
});

test('heart rate comes from the mean RR of the last four beats; pressures and ratios from the last beat', () => {
  const r = readoutsFromBeats([beat(600), beat(800), beat(900), beat(800), beat(900, 1.55)]);
  expect(r.heartRateBpm).toBeCloseTo(60000 / 850, 6);
  expect(r.dsPeakRatio).toBe(1.55);
  expect(r.augmentedDiastolicMmHg).toBe(150);
  expect(r.endDiastolicMmHg).toBe(60);
});

test('no beats give empty readouts and a non-finite value shows as a dash', () => {
  const r = readoutsFromBeats([]);
  expect(r.heartRateBpm).toBeNull();
  expect(formatReadout(r.dsPeakRatio, 2)).toBe('–');
  expect(readoutsFromBeats([beat(800, Number.NaN)]).dsPeakRatio).toBeNull();
  expect(formatReadout(1.456, 2)).toBe('1.46');
});

test('clock shows whole seconds as m:ss, rounding up so a countdown reaches 0:00 only at the end', () => {
  expect(formatClock(0)).toBe('0:00');
  expect(formatClock(59001)).toBe('1:00');
  expect(formatClock(125000)).toBe('2:05');
  expect(formatClock(-5)).toBe('0:00');
});

test('the screen-reader summary states status, readouts, settings, last beat and active alarms only', () => {
  const alarms: Alarm[] = [
    { code: 'low-ds', message: 'Low augmentation: D/S ratio below 1.0.', raisedAtMs: 1000, clearedAtMs: null },
    { code: 'heart-rate', message: 'Heart rate out of range.', raisedAtMs: 0, clearedAtMs: 500 },
  ];
  const text = describeState({
    status: 'running',
    timeMs: 65000,
    readouts: readoutsFromBeats([beat(857, 0.9)]),
    settings: { inflateDelayMs: 267, deflateDelayMs: 700, pressureMmHg: 260, adaptive: false },
    lastFeedback: 'Inflating 60 ms early',
    alarms,
  });
  expect(text).toBe(
    'Running at 1:05. Heart rate 70 bpm, D/S 0.90. Inflation 267 ms, deflation 700 ms, pressure 260 mmHg. Last beat: Inflating 60 ms early. Alarm: Low augmentation: D/S ratio below 1.0.',
  );
  const quiet = describeState({
    status: 'idle',
    timeMs: 0,
    readouts: readoutsFromBeats([]),
    settings: { inflateDelayMs: 267, deflateDelayMs: 700, pressureMmHg: 0, adaptive: true },
    lastFeedback: null,
    alarms: [],
  });
  expect(quiet).toBe('Ready at 0:00. Heart rate – bpm, D/S –. Adaptive timing, pressure 0 mmHg. No alarms.');
});
