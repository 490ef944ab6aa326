import { expect, test } from 'vitest';
import { VACUUM_FLOOR_MMHG } from '#sim/device/pneumatics.ts';
import { Engine } from '#sim/engine.ts';
import { simulate } from '#sim/index.ts';
import { idealAt, steadyScenario } from '#test/helpers/sim-fixtures.ts';

test('a disabled calf cuff stays at the vacuum floor while the thigh cuffs cycle', () => {
  const ideal = idealAt(70);
  const engine = new Engine({
    scenario: steadyScenario(70),
    seed: 2,
    settings: {
      pressureMmHg: 250,
      inflateDelayMs: ideal.inflateDelayMs,
      deflateDelayMs: ideal.deflateDelayMs,
      cuffs: { calf: false },
    },
    traceRateHz: 250,
  });
  engine.advanceTo(15000);
  const t = engine.traces!.read();
  expect(Math.max(...t.cuffCalfMmHg)).toBeLessThanOrEqual(0);
  expect(Math.min(...t.cuffCalfMmHg)).toBeCloseTo(VACUUM_FLOOR_MMHG, 3);
  expect(Math.max(...t.cuffLowerThighMmHg)).toBeGreaterThan(200);
  expect(Math.max(...t.cuffUpperThighMmHg)).toBeGreaterThan(200);
}, 60_000);

test('cuffs inflate in sequence calf -> lower thigh -> upper thigh, stageDelayMs apart', () => {
  const engine = new Engine({
    scenario: steadyScenario(70),
    seed: 2,
    settings: { pressureMmHg: 250, inflateDelayMs: 300, deflateDelayMs: 750, stageDelayMs: 60 },
  });
  engine.advanceTo(12000);
  const assisted = engine.controller.records.filter((r) => r.assisted && r.detectedAtMs < 11000);
  expect(assisted.length).toBeGreaterThan(5);
  for (const r of assisted) {
    const [calf, lower, upper] = r.inflateCommandMs;
    expect(calf).toBeCloseTo(r.detectedAtMs + 300, 0);
    expect(lower! - calf!).toBeCloseTo(60, 0);
    expect(upper! - lower!).toBeCloseTo(60, 0);
  }
}, 60_000);

test('a settings change takes effect from the next detected beat, not mid-beat', () => {
  const engine = new Engine({
    scenario: steadyScenario(70),
    seed: 2,
    settings: { pressureMmHg: 200, inflateDelayMs: 300, deflateDelayMs: 750 },
  });
  engine.advanceTo(10000);
  const before = engine.controller.records.length;
  engine.setSettings({ pressureMmHg: 280 });
  engine.advanceTo(12000);
  const records = engine.controller.records;
  expect(records[before - 1]!.settings.pressureMmHg).toBe(200);
  for (const r of records.slice(before)) expect(r.settings.pressureMmHg).toBe(280);
}, 60_000);

test('too little pressure for augmentation raises the low-D/S alarm (D/S < 1.0 over 8 assisted beats)', () => {
  const ideal = idealAt(70);
  const r = simulate({
    scenario: steadyScenario(70),
    seed: 2,
    durationMs: 25000,
    settings: { pressureMmHg: 80, inflateDelayMs: ideal.inflateDelayMs, deflateDelayMs: ideal.deflateDelayMs },
  });
  expect(r.summary.alarms.map((a) => a.code)).toContain('low-ds');
  const good = simulate({
    scenario: steadyScenario(70),
    seed: 2,
    durationMs: 25000,
    settings: { pressureMmHg: 260, inflateDelayMs: ideal.inflateDelayMs, deflateDelayMs: ideal.deflateDelayMs },
  });
  expect(good.summary.alarms).toEqual([]);
}, 60_000);

test('a heart rate above 140 bpm raises the heart-rate alarm', () => {
  const r = simulate({ scenario: steadyScenario(150), seed: 2, durationMs: 12000 });
  expect(r.summary.alarms.map((a) => a.code)).toContain('heart-rate');
}, 60_000);

test('adaptive timing follows a rate rise (70 -> 85 bpm) that leaves fixed timing deflating late', () => {
  const scenario = {
    ...steadyScenario(70),
    timeline: [{ atMs: 20000, type: 'heart-rate' as const, heartRateBpm: 85 }],
  };
  const base = idealAt(70);
  const settings = { pressureMmHg: 260, inflateDelayMs: base.inflateDelayMs, deflateDelayMs: base.deflateDelayMs };
  const after = (b: { rTimeMs: number }): boolean => b.rTimeMs > 30000;
  const fixed = simulate({ scenario, seed: 6, durationMs: 60000, settings }).beats.filter(after);
  const adaptive = simulate({
    scenario,
    seed: 6,
    durationMs: 60000,
    // 70 ms: ejection starts ~35 ms after the R (QRS onset ~68 ms before R, PEP 103 ms as Weissler), so
    // the cuffs, which take ~40-60 ms to empty, must be commanded this long before the predicted R.
    settings: { ...settings, adaptive: true, deflateLeadMs: 70 },
  }).beats.filter(after);
  const late = (beats: typeof fixed): number => beats.filter((b) => b.beatClass === 'late-deflation').length;
  expect(late(fixed)).toBeGreaterThan(fixed.length * 0.8);
  expect(late(adaptive)).toBeLessThan(adaptive.length * 0.1);
  const ok = adaptive.filter((b) => b.beatClass === 'ok').length;
  expect(ok).toBeGreaterThan(adaptive.length * 0.8);
}, 60_000);
