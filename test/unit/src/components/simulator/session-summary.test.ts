import { expect, test } from 'vitest';
import type { EvidenceRow } from '#sim/index.ts';
import { timeToFirstGoodSettingsMs } from '#src/components/simulator/session-summary.ts';
import { percentile } from '#src/lib/percentile.ts';

function row(rTimeMs: number, good: boolean, excluded: EvidenceRow['excludedBecause'] = null): EvidenceRow {
  return {
    index: rTimeMs / 1000,
    rTimeMs,
    scored: excluded === null,
    excludedBecause: excluded,
    deviceDeclined: excluded === 'device-declined',
    beatClass: good ? 'ok' : 'late-deflation',
    inflationErrorMs: 0,
    deflationErrorMs: good ? -50 : 20,
    dsPeakRatio: 1.4,
    pressureSetpointMmHg: 260,
    inflationOk: true,
    deflationOk: good,
    augmentationOk: true,
    pressureOk: true,
  };
}

test('time to first good settings is the start of the first run of five beats meeting every criterion', () => {
  const evidence = [
    row(0, true),
    row(1000, true),
    row(2000, false),
    ...[3, 4, 5, 6, 7, 8].map((s) => row(s * 1000, true)),
  ];
  expect(timeToFirstGoodSettingsMs(evidence)).toBe(3000);
});

test('beats the device declined to assist neither break nor count towards the run', () => {
  const evidence = [
    row(0, true),
    row(1000, true),
    row(2000, false, 'device-declined'),
    row(3000, true),
    row(4000, true),
  ];
  expect(timeToFirstGoodSettingsMs(evidence, 4)).toBe(0);
  expect(timeToFirstGoodSettingsMs(evidence, 5)).toBeNull();
});

test('no good run gives null', () => {
  expect(timeToFirstGoodSettingsMs([row(0, false), row(1000, true)])).toBeNull();
  expect(timeToFirstGoodSettingsMs([])).toBeNull();
});

test('the 95th percentile by nearest rank', () => {
  const values = Array.from({ length: 100 }, (_, i) => i + 1);
  expect(percentile(values, 95)).toBe(95);
  expect(percentile([16.7, 16.6, 33.4], 95)).toBe(33.4);
  expect(percentile([], 95)).toBeNaN();
});
