import fc from 'fast-check';
import { expect, test } from 'vitest';
import { Pneumatics, RELIEF_PRESSURE_MMHG, VACUUM_FLOOR_MMHG } from '#sim/device/pneumatics.ts';
import { Engine } from '#sim/engine.ts';
import { STEP_MS } from '#sim/index.ts';
import type { Scenario } from '#sim/scenarios.ts';

test('pneumatics: cuff pressure stays within [vacuum floor, 300 mmHg] for any command sequence and setpoint', () => {
  fc.assert(
    fc.property(
      fc.array(
        fc.record({
          cuff: fc.integer({ min: 0, max: 2 }),
          inflate: fc.boolean(),
          setpointMmHg: fc.double({ min: -1000, max: 5000, noNaN: true }),
          holdSteps: fc.integer({ min: 1, max: 2000 }),
        }),
        { maxLength: 40 },
      ),
      (commands) => {
        const pn = new Pneumatics(STEP_MS);
        for (const c of commands) {
          if (c.inflate) pn.openInflate(c.cuff, c.setpointMmHg);
          else pn.vent(c.cuff);
          for (let i = 0; i < c.holdSteps; i++) {
            pn.step();
            for (const p of pn.pressureMmHg) {
              if (p > RELIEF_PRESSURE_MMHG || p < VACUUM_FLOOR_MMHG) return false;
            }
          }
        }
        return true;
      },
    ),
    { numRuns: 200 },
  );
});

const ectopic: Scenario = {
  id: 'ectopic',
  title: 'Frequent ectopy',
  description: 'Sinus rhythm with very frequent PVCs and PACs, for property tests.',
  patient: {},
  ecg: { rhythm: { heartRateBpm: 80, pvcPerMinute: 12, pacPerMinute: 6 } },
  timeline: [],
};

const settingsArb = fc.record({
  pressureMmHg: fc.integer({ min: 0, max: 300 }),
  inflateDelayMs: fc.integer({ min: 0, max: 900 }),
  deflateDelayMs: fc.integer({ min: 0, max: 1600 }),
  stageDelayMs: fc.integer({ min: 0, max: 100 }),
  adaptive: fc.boolean(),
  deflateLeadMs: fc.integer({ min: 0, max: 300 }),
});

test('engine: under any settings and changes, cuffs never exceed 300 mmHg nor go below the vacuum floor, and are vented by every detected R', () => {
  fc.assert(
    fc.property(
      fc.integer({ min: 1, max: 1_000_000 }),
      settingsArb,
      fc.array(fc.tuple(fc.integer({ min: 1000, max: 14000 }), settingsArb), { maxLength: 4 }),
      (seed, settings, changes) => {
        const engine = new Engine({ scenario: ectopic, seed, settings });
        for (const [atMs, patch] of changes.sort((a, b) => a[0] - b[0])) {
          engine.advanceTo(atMs);
          engine.setSettings(patch);
        }
        engine.advanceTo(15000);
        expect(engine.maxCuffMmHg).toBeLessThanOrEqual(RELIEF_PRESSURE_MMHG);
        expect(engine.minCuffMmHg).toBeGreaterThanOrEqual(VACUUM_FLOOR_MMHG);
        const records = engine.controller.records;
        for (let i = 0; i + 1 < records.length; i++) {
          const r = records[i]!;
          const inflated = r.inflateCommandMs.some((t) => !Number.isNaN(t));
          if (!inflated) continue;
          // Deflation precedes, or coincides with, the next detected R however early it comes.
          expect(Number.isNaN(r.deflateCommandMs)).toBe(false);
          expect(r.deflateCommandMs).toBeLessThanOrEqual(records[i + 1]!.detectedAtMs);
        }
      },
    ),
    { numRuns: 10 },
  );
}, 120_000);

test('an R detected while the cuffs are inflated forces deflation at that instant', () => {
  // Deflation set beyond the next beat: every assisted beat must be cut short by the next R.
  const engine = new Engine({
    scenario: ectopic,
    seed: 8,
    settings: { pressureMmHg: 250, inflateDelayMs: 250, deflateDelayMs: 1500 },
  });
  engine.advanceTo(20000);
  const forced = engine.controller.records.filter((r) => r.forcedDeflation);
  expect(forced.length).toBeGreaterThan(5);
  const records = engine.controller.records;
  for (let i = 0; i + 1 < records.length; i++) {
    const r = records[i]!;
    if (r.forcedDeflation) expect(r.deflateCommandMs).toBe(records[i + 1]!.detectedAtMs);
  }
});
