import { expect, test } from 'vitest';
import { simulate } from '#sim/index.ts';
import { idealAt, mean, steadyScenario } from '#test/helpers/sim-fixtures.ts';

const DURATION_MS = 40000;
const SETTLED_MS = 15000;

function assistedAt(pressureMmHg: number, inflateDelayMs?: number, deflateDelayMs?: number) {
  const ideal = idealAt(70);
  const r = simulate({
    scenario: steadyScenario(70),
    seed: 5,
    durationMs: DURATION_MS,
    settings: {
      pressureMmHg,
      inflateDelayMs: inflateDelayMs ?? ideal.inflateDelayMs,
      deflateDelayMs: deflateDelayMs ?? ideal.deflateDelayMs,
    },
  });
  const beats = r.beats.filter((b) => b.rTimeMs > SETTLED_MS && b.assisted);
  return { r, beats };
}

function medianDs(beats: { dsPeakRatio: number }[]): number {
  const v = beats.map((b) => b.dsPeakRatio).sort((a, b) => a - b);
  return v[v.length >> 1] ?? Number.NaN;
}

// Validation target 2: optimal timing at 260 mmHg.
const optimal = assistedAt(260);
const opt = optimal.beats;
const ref = opt.map((b) => b.reference!);

test('optimal timing at 260 mmHg gives pleth D/S 1.1-1.6 (1.30 +/- 0.11, Eftekhari & May, Acta Cardiol 2013;68:47)', () => {
  expect(opt.length).toBeGreaterThan(15);
  const ds = medianDs(opt);
  expect(ds).toBeGreaterThanOrEqual(1.1);
  expect(ds).toBeLessThanOrEqual(1.6);
});

test('optimal timing raises mean arterial pressure by 3-20 % (+17 % at 262.5 mmHg, Lin et al.)', () => {
  const change =
    (100 * (mean(opt.map((b) => b.meanMmHg)) - mean(ref.map((b) => b.meanMmHg)))) / mean(ref.map((b) => b.meanMmHg));
  expect(change).toBeGreaterThanOrEqual(3);
  expect(change).toBeLessThanOrEqual(20);
});

test('optimal timing raises the diastolic pressure-time index (sim/README target 2)', () => {
  expect(mean(opt.map((b) => b.dptiMmHgS))).toBeGreaterThan(mean(ref.map((b) => b.dptiMmHgS)) * 1.05);
});

test('optimal timing does not lower cardiac output by more than 5 % (sim/README target 2)', () => {
  const co = mean(opt.map((b) => b.cardiacOutputLPerMin));
  const coRef = mean(ref.map((b) => b.cardiacOutputLPerMin));
  expect(co).toBeGreaterThanOrEqual(coRef * 0.95);
});

test('optimal timing classifies nearly every settled assisted beat as ok', () => {
  const ok = opt.filter((b) => b.beatClass === 'ok').length;
  expect(ok / opt.length).toBeGreaterThanOrEqual(0.9);
});

// Validation target 3: D/S against pressure (Suresh, Clin Cardiol 1998; Li et al., BioMed Eng OnLine 2019;18:91).
const PRESSURES = [0, 100, 150, 200, 225, 250, 275];
const dsByPressure = PRESSURES.map((p) => {
  if (p === 0) return medianDs(opt.map((b) => ({ dsPeakRatio: b.reference.dsPeakRatio })));
  return medianDs(assistedAt(p).beats);
});

test('D/S rises monotonically with cuff pressure from 0 to 275 mmHg (Suresh 1998; Li et al. 2019)', () => {
  for (let i = 1; i < dsByPressure.length; i++) {
    expect(dsByPressure[i]!).toBeGreaterThan(dsByPressure[i - 1]!);
  }
});

test('D/S flattens above ~200 mmHg: its slope over 200-275 mmHg is under half that over 100-200 (Li et al. 2019)', () => {
  const at = (p: number): number => dsByPressure[PRESSURES.indexOf(p)]!;
  const slopeBelow = (at(200) - at(100)) / 100;
  const slopeAbove = (at(275) - at(200)) / 75;
  expect(slopeAbove).toBeLessThan(slopeBelow / 2);
});

// Validation target 4: longer pressurisation (earlier inflation to the same deflation) raises mean pressure.
test('longer pressurisation within diastole raises mean pressure (sim/README target 4)', () => {
  const ideal = idealAt(70);
  const shortHold = assistedAt(260, ideal.inflateDelayMs + 150, ideal.deflateDelayMs).beats;
  const longHold = opt;
  expect(mean(longHold.map((b) => b.meanMmHg))).toBeGreaterThan(mean(shortHold.map((b) => b.meanMmHg)) + 1);
}, 60_000);
