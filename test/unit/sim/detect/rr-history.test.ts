import { expect, test } from 'vitest';
import { RrHistory } from '#sim/detect/rr-history.ts';

test('RR AVERAGE2 ignores an extra detection and a missed beat that pull RR AVERAGE1', () => {
  const rr = new RrHistory(360);
  for (let i = 0; i < 8; i++) rr.push(300);
  rr.push(230); // a P wave taken for a QRS 70 samples early
  rr.push(70);
  expect(rr.mean).toBeLessThan(280);
  expect(rr.regularMean).toBe(300);
  rr.push(600); // a missed beat
  expect(rr.regularMean).toBe(300);
});

test('RR AVERAGE2 follows a lasting change of rate after eight intervals outside its limits', () => {
  const rr = new RrHistory(360);
  for (let i = 0; i < 8; i++) rr.push(300);
  for (let i = 0; i < 7; i++) rr.push(200);
  expect(rr.regularMean).toBe(300);
  rr.push(200);
  expect(rr.regularMean).toBe(200);
});

test('lengthening the latest interval (P-wave correction) lengthens it in RR AVERAGE2 too', () => {
  const rr = new RrHistory(360);
  for (let i = 0; i < 8; i++) rr.push(300);
  rr.push(296);
  rr.extendLast(8);
  expect(rr.regularMean).toBe(300.5);
  rr.reset();
  expect(rr.regularMean).toBe(360);
});

test('RR AVERAGE2 restarts from the shorter intervals when beats are missed in a pattern, from the mean otherwise', () => {
  // A PVC missed every third beat: normal-to-normal intervals of one RR (300) and two (600) alternate.
  const missing = new RrHistory(400);
  for (let i = 0; i < 8; i++) missing.push(400);
  for (let i = 0; i < 4; i++) {
    missing.push(300);
    missing.push(600);
  }
  expect(missing.regularMean).toBe(300);
  // Irregular without that pattern (atrial fibrillation): the mean of the last eight, as before.
  const irregular = new RrHistory(400);
  for (let i = 0; i < 8; i++) irregular.push(400);
  const af = [250, 330, 560, 290, 470, 610, 350, 520];
  for (const interval of af) irregular.push(interval);
  expect(irregular.regularMean).toBeCloseTo(af.reduce((a, b) => a + b, 0) / af.length, 6);
});
