import { describe, expect, test } from 'vitest';
import { activationAt, activationExact } from '#sim/circulation/activation.ts';
import { Circulation } from '#sim/circulation/circulation.ts';
import { STEP_MS, simulate } from '#sim/index.ts';
import { DEFAULT_PATIENT } from '#sim/model/patient.ts';
import { steadyScenario } from '#test/helpers/sim-fixtures.ts';

// Validation target 1 (sim/README): default patient, cuffs off, 70 bpm.
describe('default patient unassisted at 70 bpm', () => {
  const result = simulate({ scenario: steadyScenario(70), seed: 11, durationMs: 40000 });
  const beats = result.beats.filter((b) => b.rTimeMs > 10000);
  const m = result.summary.all;

  test('aortic root pressure is about 120/75 mmHg (+/- 8 mmHg; sim/README calibration target)', () => {
    const sys = beats.reduce((a, b) => a + b.systolicPeakMmHg, 0) / beats.length;
    const dia = beats.reduce((a, b) => a + b.endDiastolicMmHg, 0) / beats.length;
    expect(Math.abs(sys - 120)).toBeLessThanOrEqual(8);
    expect(Math.abs(dia - 75)).toBeLessThanOrEqual(8);
  });

  test('cardiac output is 5 +/- 0.5 L/min (sim/README calibration target)', () => {
    const co = beats.reduce((a, b) => a + b.cardiacOutputLPerMin, 0) / beats.length;
    expect(co).toBeGreaterThanOrEqual(4.5);
    expect(co).toBeLessThanOrEqual(5.5);
  });

  test('ejection lasts 280-320 ms (Weissler LVET = 413 - 1.7 HR = 294 ms at 70 bpm)', () => {
    const et = beats.reduce((a, b) => a + b.ejectionMs, 0) / beats.length;
    expect(et).toBeGreaterThanOrEqual(280);
    expect(et).toBeLessThanOrEqual(320);
  });

  test('pleth D/S is 0.45-0.7 without assistance (0.56 +/- 0.04, Eftekhari & May, Acta Cardiol 2013;68:47)', () => {
    const ds = beats.map((b) => b.dsPeakRatio).sort((a, b) => a - b);
    const median = ds[ds.length >> 1] ?? 0;
    expect(median).toBeGreaterThanOrEqual(0.45);
    expect(median).toBeLessThanOrEqual(0.7);
  });

  test('pleth foot arrives 150-250 ms after the R wave (pulse arrival time)', () => {
    // Foot = valve opening + pleth delay (the pleth is the delayed upper-body pressure).
    const pat = beats.map((b) => b.valveOpenMs - b.rTimeMs + DEFAULT_PATIENT.plethDelayMs);
    const meanPat = pat.reduce((a, b) => a + b, 0) / pat.length;
    expect(meanPat).toBeGreaterThanOrEqual(150);
    expect(meanPat).toBeLessThanOrEqual(250);
    expect(m).not.toBeNull();
  });
});

test('explicit Euler stability index stays below 1 at the engine step with collapsed leg segments', () => {
  const c = new Circulation({ ...DEFAULT_PATIENT });
  expect(c.stabilityIndex(STEP_MS / 1000)).toBeLessThan(1);
  // The bound is meaningful: a 4 ms step would violate it.
  expect(c.stabilityIndex(0.004)).toBeGreaterThan(1);
});

test('the stiffest patient the schema allows is integrated in substeps that keep the index <= 1 and stays finite', () => {
  const stiff = { ...DEFAULT_PATIENT, arterialComplianceScale: 0.3, peripheralResistanceScale: 0.5, emaxMmHgPerMl: 5 };
  const c = new Circulation(stiff);
  const dtS = STEP_MS / 1000;
  const v0 = c.totalVolumeMl();
  let nextBeat = 0;
  for (let i = 0; i < 40000; i++) {
    const tMs = i * STEP_MS;
    if (tMs >= nextBeat) {
      c.beginBeat(tMs / 1000, 70);
      nextBeat += 857;
    }
    c.cuffExternalMmHg.fill(tMs % 857 > 420 && tMs % 857 < 780 ? 0.7 * 300 : 0);
    c.step(dtS);
  }
  expect(c.substepCount).toBeGreaterThan(1);
  expect(c.stabilityIndex(dtS / c.substepCount)).toBeLessThanOrEqual(1);
  for (const p of c.pressureMmHg) {
    expect(Number.isFinite(p)).toBe(true);
    expect(p).toBeGreaterThan(-5 - 1e-9);
    expect(p).toBeLessThan(400);
  }
  expect(Math.abs(c.totalVolumeMl() - v0) / v0).toBeLessThan(1e-9);
}, 60_000);

test('tabulated double-Hill activation matches the exact formula within 1e-4 (Stergiopulos 1996)', () => {
  for (let u = 0.01; u < 1.15; u += 0.0137) {
    expect(Math.abs(activationAt(u) - activationExact(u))).toBeLessThan(1e-4);
  }
});
