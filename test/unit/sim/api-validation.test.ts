import fc from 'fast-check';
import { describe, expect, test } from 'vitest';
import { createSimulation, SEED_MAX, SETTINGS_LIMITS, type SettingsPatch, simulate, type Traces } from '#sim/index.ts';
import { loadPreset } from '#test/helpers/sim-fixtures.ts';

const scenario = loadPreset('default-stable-angina');

/** Values no numeric setting may take: not finite, negative, above every limit. */
const BAD_NUMBERS = [Number.NaN, Number.POSITIVE_INFINITY, Number.NEGATIVE_INFINITY, -1, -0.001, 1e9];
const NUMERIC_FIELDS = Object.keys(SETTINGS_LIMITS) as (keyof typeof SETTINGS_LIMITS)[];

describe('simulate, createSimulation and setSettings refuse invalid settings, naming the field', () => {
  for (const field of NUMERIC_FIELDS) {
    test(`${field}: NaN, Infinity, negative and too large are refused`, () => {
      for (const bad of BAD_NUMBERS) {
        const settings = { [field]: bad } as SettingsPatch;
        const name = new RegExp(`Invalid settings: ${field}: `);
        expect(() => simulate({ scenario, seed: 1, durationMs: 100, settings })).toThrow(name);
        expect(() => createSimulation({ scenario, seed: 1, settings })).toThrow(name);
      }
    });
  }

  test('a pressure above the device maximum (350 > 300 mmHg) is refused, not lowered to 300', () => {
    expect(() => simulate({ scenario, seed: 1, durationMs: 100, settings: { pressureMmHg: 350 } })).toThrow(
      /pressureMmHg: .*300/,
    );
    const sim = createSimulation({ scenario, seed: 1, settings: { pressureMmHg: 200 } });
    expect(() => sim.setSettings({ pressureMmHg: 350 })).toThrow(RangeError);
    expect(sim.settings.pressureMmHg).toBe(200);
    // The limits themselves are valid.
    sim.setSettings({ pressureMmHg: 300, inflateDelayMs: 0 });
    expect(sim.settings.pressureMmHg).toBe(300);
  });

  test('setSettings refuses a bad patch and leaves the settings and the control log unchanged', () => {
    const sim = createSimulation({ scenario, seed: 2 });
    const before = structuredClone(sim.settings);
    for (const patch of [
      { inflateDelayMs: Number.NaN },
      { deflateDelayMs: -5 },
      { stageDelayMs: Number.POSITIVE_INFINITY },
      { cuffs: { calf: 'yes' } },
      { turbo: true },
      { pressureMmHg: 250, deflateLeadMs: 9999 },
    ]) {
      expect(() => sim.setSettings(patch as SettingsPatch)).toThrow(RangeError);
    }
    expect(sim.settings).toEqual(before);
    expect(sim.controlLog()).toEqual([]);
  });

  test('simulate refuses a control log with a bad value or time before running', () => {
    expect(() =>
      simulate({ scenario, seed: 1, durationMs: 1000, controls: [{ atMs: 10, patch: { pressureMmHg: 301 } }] }),
    ).toThrow(/controls\[0\]\.patch\.pressureMmHg/);
    expect(() =>
      simulate({ scenario, seed: 1, durationMs: 1000, controls: [{ atMs: Number.NaN, patch: {} }] }),
    ).toThrow(/controls\[0\]\.atMs/);
  });

  test('simulate ignores control entries after the end of the run (a beat replay runs a prefix)', () => {
    const r = simulate({
      scenario,
      seed: 1,
      durationMs: 1000,
      controls: [
        { atMs: 500, patch: { pressureMmHg: 200 } },
        { atMs: 5000, patch: { pressureMmHg: 250 } },
      ],
    });
    expect(r.summary.durationMs).toBe(1000);
  });

  test('durationMs and advance(ms) must be finite and not negative', () => {
    for (const bad of [0, -1, Number.NaN, Number.POSITIVE_INFINITY]) {
      expect(() => simulate({ scenario, seed: 1, durationMs: bad })).toThrow(/durationMs: /);
    }
    const sim = createSimulation({ scenario, seed: 1 });
    for (const bad of [-1, Number.NaN, Number.POSITIVE_INFINITY]) {
      expect(() => sim.advance(bad)).toThrow(/advance\(ms\): /);
    }
    expect(sim.timeMs).toBe(0);
  });

  test('the trace rate must be a number in (0, 2000] Hz', () => {
    for (const bad of [0, -250, Number.NaN, Number.POSITIVE_INFINITY, 4000]) {
      expect(() => createSimulation({ scenario, seed: 1, traces: { rateHz: bad } })).toThrow(/traces\.rateHz: /);
    }
  });
});

describe('seeds are unsigned 32-bit integers', () => {
  test('2^32, negative, fractional and non-finite seeds are refused (they would alias other seeds)', () => {
    for (const bad of [2 ** 32, -1, 0.4, 1.5, Number.NaN, Number.POSITIVE_INFINITY]) {
      expect(() => simulate({ scenario, seed: bad, durationMs: 100 })).toThrow(/seed: .* integer between 0 and/);
      expect(() => createSimulation({ scenario, seed: bad })).toThrow(RangeError);
    }
  });

  test('0 and 2^32 - 1 are accepted and give different runs', () => {
    const a = simulate({ scenario, seed: 0, durationMs: 4000 });
    const b = simulate({ scenario, seed: SEED_MAX, durationMs: 4000 });
    expect(a.rWaves.trueMs).not.toEqual(b.rWaves.trueMs);
  }, 60_000);
});

function spread(values: Float32Array): number {
  let lo = Number.POSITIVE_INFINITY;
  let hi = Number.NEGATIVE_INFINITY;
  for (const v of values) {
    lo = Math.min(lo, v);
    hi = Math.max(hi, v);
  }
  return hi - lo;
}

test('the reference pleth trace follows the unassisted pulse (it was a constant), delayed like the pleth', () => {
  const sim = createSimulation({ scenario, seed: 3, traces: { rateHz: 250 } });
  sim.advance(6000);
  const t: Traces = sim.readTraces();
  // Standby (pressure 0): the assisted and the reference circulation see the same beats, so the two pleths
  // have the same pulse; a constant reference (the old bug) has no spread at all.
  expect(spread(t.referencePlethAu)).toBeGreaterThan(0.5 * spread(t.plethAu));
  let maxDiff = 0;
  for (let i = Math.floor(t.timeMs.length / 2); i < t.timeMs.length; i++) {
    maxDiff = Math.max(maxDiff, Math.abs((t.plethAu[i] as number) - (t.referencePlethAu[i] as number)));
  }
  // Same delay, same low-pass: the unassisted twin steps at 1 ms instead of 0.5 ms, nothing else differs.
  expect(maxDiff).toBeLessThan(0.05 * spread(t.plethAu));
}, 60_000);

function allFinite(value: unknown, path: string, bad: string[]): void {
  if (typeof value === 'number') {
    // NaN is the engine's documented "not applicable" (an unassisted beat's cuff times): not a number
    // produced by arithmetic. Infinity is never valid.
    if (value === Number.POSITIVE_INFINITY || value === Number.NEGATIVE_INFINITY) bad.push(path);
  } else if (ArrayBuffer.isView(value)) {
    const arr = value as unknown as ArrayLike<number>;
    for (let i = 0; i < arr.length; i++) if (!Number.isFinite(arr[i])) bad.push(`${path}[${i}]`);
  } else if (Array.isArray(value)) {
    for (let i = 0; i < value.length; i++) allFinite(value[i], `${path}[${i}]`, bad);
  } else if (value !== null && typeof value === 'object') {
    for (const [k, v] of Object.entries(value)) allFinite(v, `${path}.${k}`, bad);
  }
}

const validSettings = fc.record(
  {
    inflateDelayMs: fc.double({ min: 0, max: SETTINGS_LIMITS.inflateDelayMs.max, noNaN: true }),
    deflateDelayMs: fc.double({ min: 0, max: SETTINGS_LIMITS.deflateDelayMs.max, noNaN: true }),
    pressureMmHg: fc.double({ min: 0, max: SETTINGS_LIMITS.pressureMmHg.max, noNaN: true }),
    stageDelayMs: fc.double({ min: 0, max: SETTINGS_LIMITS.stageDelayMs.max, noNaN: true }),
    adaptive: fc.boolean(),
    deflateLeadMs: fc.double({ min: 0, max: SETTINGS_LIMITS.deflateLeadMs.max, noNaN: true }),
    cuffs: fc.record({ calf: fc.boolean(), lowerThigh: fc.boolean(), upperThigh: fc.boolean() }, { requiredKeys: [] }),
  },
  { requiredKeys: [] },
);

test('property: any valid settings give traces without NaN or Infinity and beats without Infinity', () => {
  fc.assert(
    fc.property(fc.integer({ min: 0, max: SEED_MAX }), validSettings, (seed, settings) => {
      const r = simulate({ scenario, seed, durationMs: 10_000, settings, traces: { rateHz: 100 } });
      const bad: string[] = [];
      allFinite(r.traces, 'traces', bad);
      allFinite(r.beats, 'beats', bad);
      for (const b of r.beats) {
        for (const k of ['systolicPeakMmHg', 'meanMmHg', 'rrMs', 'rTimeMs'] as const) {
          if (!Number.isFinite(b[k])) bad.push(`beat ${b.index}.${k}`);
        }
      }
      expect(bad.slice(0, 5)).toEqual([]);
    }),
    { numRuns: 12 },
  );
}, 120_000);

const anyNumber = fc.oneof(
  fc.double(),
  fc.constantFrom(Number.NaN, Number.POSITIVE_INFINITY, Number.NEGATIVE_INFINITY, 2 ** 32, -1),
);

test('property: setSettings throws exactly when a value is outside its limits, and never changes settings then', () => {
  const sim = createSimulation({ scenario, seed: 9 });
  fc.assert(
    fc.property(fc.constantFrom(...NUMERIC_FIELDS), anyNumber, (field, value) => {
      const { min, max } = SETTINGS_LIMITS[field];
      const valid = Number.isFinite(value) && value >= min && value <= max;
      const before = sim.settings;
      let threw = false;
      try {
        sim.setSettings({ [field]: value } as SettingsPatch);
      } catch (e) {
        threw = e instanceof RangeError;
      }
      expect(threw).toBe(!valid);
      if (threw) expect(sim.settings).toEqual(before);
      // === (not Object.is): a -0 setting reads back as 0.
      else expect(sim.settings[field] === value).toBe(true);
    }),
    { numRuns: 500 },
  );
});

test('property: seeds are accepted exactly when they are integers in [0, 2^32 - 1]', () => {
  fc.assert(
    fc.property(fc.oneof(fc.double(), fc.integer({ min: -10, max: SEED_MAX }), fc.constant(2 ** 32)), (seed) => {
      const valid = Number.isInteger(seed) && seed >= 0 && seed <= SEED_MAX;
      let threw = false;
      try {
        simulate({ scenario, seed, durationMs: 1 });
      } catch (e) {
        threw = e instanceof RangeError;
      }
      expect(threw).toBe(!valid);
    }),
    { numRuns: 60 },
  );
}, 120_000);
