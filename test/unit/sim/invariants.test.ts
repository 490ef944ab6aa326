import { expect, test } from 'vitest';
import { Circulation } from '#sim/circulation/circulation.ts';
import { Engine } from '#sim/engine.ts';
import { STEP_MS, simulate } from '#sim/index.ts';
import { DEFAULT_PATIENT } from '#sim/model/patient.ts';
import { idealAt, loadPreset, steadyScenario } from '#test/helpers/sim-fixtures.ts';

// Validation target 7: blood volume conserved to 0.1 % over an hour; no NaN or unphysical pressure.
// The hour runs the circulation itself (volume is its invariant) with cuffs cycling at 280 mmHg every beat
// and a premature beat every 7th; the full engine is checked over 5 minutes of a preset with ectopy.
test('blood volume is conserved to 0.1 % over one simulated hour of cuff cycling', () => {
  const c = new Circulation({ ...DEFAULT_PATIENT });
  const v0 = c.totalVolumeMl();
  const dtMs = STEP_MS;
  let nextBeat = 0;
  let beat = 0;
  let finite = true;
  let minP = Infinity;
  let maxP = -Infinity;
  const steps = Math.round(3600000 / dtMs);
  for (let i = 0; i < steps; i++) {
    const t = i * dtMs;
    if (t >= nextBeat) {
      c.beginBeat(t / 1000, 70);
      beat++;
      nextBeat += beat % 7 === 0 ? 520 : 857;
    }
    const phase = t - (nextBeat - 857);
    c.cuffExternalMmHg.fill(phase > 420 && phase < 780 ? 0.7 * 280 : 0);
    c.step(dtMs / 1000);
    if ((i & 1023) === 0) {
      for (const p of c.pressureMmHg) {
        if (!Number.isFinite(p)) finite = false;
        if (p < minP) minP = p;
        if (p > maxP) maxP = p;
      }
    }
  }
  expect(Math.abs(c.totalVolumeMl() - v0) / v0).toBeLessThan(0.001);
  expect(finite).toBe(true);
  // Physical range: a collapsed segment bottoms out at -5 mmHg; nothing exceeds cuff plus arterial pressure.
  expect(minP).toBeGreaterThan(-5 - 1e-9);
  expect(maxP).toBeLessThan(350);
}, 120_000);

test('the full engine keeps every pressure finite and physical over 5 minutes with ectopy at 280 mmHg', () => {
  const ideal = idealAt(70);
  const engine = new Engine({
    scenario: loadPreset('frequent-pvcs'),
    seed: 3,
    settings: { pressureMmHg: 280, inflateDelayMs: ideal.inflateDelayMs, deflateDelayMs: ideal.deflateDelayMs },
  });
  let minP = Infinity;
  let maxP = -Infinity;
  for (let s = 1; s <= 300; s++) {
    engine.advanceTo(s * 1000);
    for (const p of engine.circulation.pressureMmHg) {
      minP = Math.min(minP, p);
      maxP = Math.max(maxP, p);
    }
  }
  expect(Number.isFinite(minP) && Number.isFinite(maxP)).toBe(true);
  expect(minP).toBeGreaterThan(-5 - 1e-9);
  expect(maxP).toBeLessThan(350);
  expect(Math.abs(engine.volumeDrift())).toBeLessThan(0.001);
  for (const b of engine.beats) {
    expect(Number.isFinite(b.systolicPeakMmHg) && Number.isFinite(b.meanMmHg) && Number.isFinite(b.dsPeakRatio)).toBe(
      true,
    );
  }
}, 120_000);

// Validation target 8: determinism.
test('the same scenario, seed, settings and control log give identical beats', () => {
  const options = {
    scenario: loadPreset('atrial-fibrillation'),
    seed: 99,
    durationMs: 30000,
    settings: { pressureMmHg: 220, inflateDelayMs: 300, deflateDelayMs: 700 },
    controls: [
      { atMs: 10000, patch: { pressureMmHg: 260 } },
      { atMs: 20000, patch: { adaptive: true, deflateLeadMs: 80 } },
    ],
  };
  const a = simulate(options);
  const b = simulate(options);
  expect(JSON.stringify(b.beats)).toBe(JSON.stringify(a.beats));
  expect(JSON.stringify(b.summary)).toBe(JSON.stringify(a.summary));
}, 60_000);

test('a different seed gives a different rhythm (the seed is used)', () => {
  const a = simulate({ scenario: steadyScenario(70), seed: 1, durationMs: 10000 });
  const b = simulate({ scenario: steadyScenario(70), seed: 2, durationMs: 10000 });
  expect(a.beats.map((x) => x.rTimeMs)).not.toEqual(b.beats.map((x) => x.rTimeMs));
}, 60_000);
