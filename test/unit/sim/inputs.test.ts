import { describe, expect, test } from 'vitest';
import { createSimulation, parseScenario, simulate, validateControlLog } from '#sim/index.ts';
import { loadPreset, PRESET_IDS, readPresetJson } from '#test/helpers/sim-fixtures.ts';

describe('scenario presets', () => {
  for (const id of PRESET_IDS) {
    test(`${id}.json parses, has the id of its file name and a timeline`, () => {
      const r = parseScenario(readPresetJson(id));
      expect(r.ok).toBe(true);
      if (r.ok) {
        expect(r.value.id).toBe(id);
        expect(r.value.description.length).toBeGreaterThan(80);
        expect(r.value.timeline.length).toBeGreaterThan(0);
      }
    });
  }
});

const valid = { id: 'x', title: 'T', description: 'D', ecg: { rhythm: { heartRateBpm: 70 } } };

test('a scenario missing its ECG rhythm is rejected naming ecg.rhythm', () => {
  const r = parseScenario({ ...valid, ecg: {} });
  expect(r.ok).toBe(false);
  if (!r.ok) expect(r.errors.join('\n')).toMatch(/^ecg\.rhythm: /m);
});

test('a scenario with an out-of-range heart rate is rejected naming the field and the limit', () => {
  const r = parseScenario({ ...valid, ecg: { rhythm: { heartRateBpm: 260 } } });
  expect(r.ok).toBe(false);
  if (!r.ok) expect(r.errors.join('\n')).toMatch(/ecg\.rhythm\.heartRateBpm: .*200/);
});

test('a scenario with an out-of-range patient parameter or unknown field is rejected naming it', () => {
  const r = parseScenario({ ...valid, patient: { cuffTransmission: 1.5, bogus: 1 } });
  expect(r.ok).toBe(false);
  if (!r.ok) {
    const text = r.errors.join('\n');
    expect(text).toMatch(/patient\.cuffTransmission: /);
    expect(text).toMatch(/patient.*bogus/);
  }
});

test('a scenario whose timeline goes back in time is rejected naming timeline', () => {
  const r = parseScenario({
    ...valid,
    timeline: [
      { atMs: 5000, type: 'lead-off', on: true },
      { atMs: 1000, type: 'lead-off', on: false },
    ],
  });
  expect(r.ok).toBe(false);
  if (!r.ok) expect(r.errors.join('\n')).toMatch(/^timeline: .*time order/m);
});

test('simulate refuses an invalid scenario before running, with the field in the message', () => {
  expect(() => simulate({ scenario: { ...valid, title: '' }, seed: 1, durationMs: 1000 })).toThrow(/title/);
});

describe('control log validation', () => {
  const limits = { durationMs: 60000 };

  test('accepts an ordered log within the duration and ranges', () => {
    const r = validateControlLog(
      [
        { atMs: 0, patch: { pressureMmHg: 150 } },
        { atMs: 20000, patch: { pressureMmHg: 260, inflateDelayMs: 300 } },
        { atMs: 20000, patch: { cuffs: { calf: false } } },
      ],
      limits,
    );
    expect(r.ok).toBe(true);
  });

  test('rejects an entry going backwards in time, naming its index and atMs', () => {
    const r = validateControlLog(
      [
        { atMs: 5000, patch: { pressureMmHg: 150 } },
        { atMs: 4000, patch: { pressureMmHg: 200 } },
      ],
      limits,
    );
    expect(r.ok).toBe(false);
    if (!r.ok) expect(r.errors.join('\n')).toMatch(/controls\[1\]\.atMs: .*back in time/);
  });

  test('rejects an entry beyond the duration, naming its index', () => {
    const r = validateControlLog([{ atMs: 60001, patch: { pressureMmHg: 150 } }], limits);
    expect(r.ok).toBe(false);
    if (!r.ok) expect(r.errors.join('\n')).toMatch(/controls\[0\]\.atMs: .*beyond the duration/);
  });

  test('rejects out-of-range values and unknown settings, naming index and field', () => {
    const r = validateControlLog(
      [
        { atMs: 0, patch: { pressureMmHg: 320 } },
        { atMs: 1, patch: { stageDelayMs: -5 } },
        { atMs: 2, patch: { turbo: true } },
      ],
      limits,
    );
    expect(r.ok).toBe(false);
    if (!r.ok) {
      const text = r.errors.join('\n');
      expect(text).toMatch(/controls\[0\]\.patch\.pressureMmHg: /);
      expect(text).toMatch(/controls\[1\]\.patch\.stageDelayMs: /);
      expect(text).toMatch(/controls\[2\]\.patch.*turbo/);
    }
  });

  test('rejects more entries than allowed (2000, or 10 a second of a longer run) before looking at them', () => {
    const log = Array.from({ length: 2001 }, (_, i) => ({ atMs: i, patch: { pressureMmHg: 100 } }));
    const r = validateControlLog(log, { durationMs: 60_000 });
    expect(r.ok).toBe(false);
    if (!r.ok) expect(r.errors[0]).toMatch(/2001 entries, at most 2000/);
    expect(validateControlLog(log, { durationMs: 600_000 }).ok).toBe(true);
    const long = Array.from({ length: 6003 }, (_, i) => ({ atMs: i * 99, patch: { pressureMmHg: 100 } }));
    const refused = validateControlLog(long, { durationMs: 600_000 });
    expect(refused.ok).toBe(false);
    if (!refused.ok) expect(refused.errors[0]).toMatch(/6003 entries, at most 6002/);
    expect(validateControlLog(log.slice(0, 10), { durationMs: 10_000_000, maxEntries: 5 }).ok).toBe(false);
  });

  test('rejects something that is not an array', () => {
    const r = validateControlLog({ atMs: 0 }, limits);
    expect(r.ok).toBe(false);
  });
});

describe('live simulation API', () => {
  test('advance, setSettings (logged with its time, effective from the next beat) and readTraces', () => {
    const sim = createSimulation({ scenario: loadPreset('default-stable-angina'), seed: 4 });
    sim.advance(5000);
    sim.setSettings({ pressureMmHg: 240, inflateDelayMs: 320, deflateDelayMs: 760 });
    expect(sim.controlLog()).toEqual([
      { atMs: 5000, patch: { pressureMmHg: 240, inflateDelayMs: 320, deflateDelayMs: 760 } },
    ]);
    const first = sim.readTraces();
    expect(first.timeMs.length).toBe(1250); // 5 s at 250 Hz
    expect(first.ecgMv).toBeInstanceOf(Float32Array);
    sim.advance(10000);
    const second = sim.readTraces();
    expect(second.timeMs[0]).toBeGreaterThan(first.timeMs[first.timeMs.length - 1]!);
    expect(second.inflateMarksMs.length).toBeGreaterThan(5);
    expect(second.deflateMarksMs.length).toBeGreaterThan(5);
    expect(second.detectedRMarksMs.length).toBeGreaterThan(8);
    expect(Math.max(...second.cuffCalfMmHg)).toBeGreaterThan(200);
    // The assisted pleth rises above the unassisted reference pleth (diastolic augmentation).
    expect(Math.max(...second.plethAu)).toBeGreaterThan(Math.max(...second.referencePlethAu));
    expect(second.referencePlethAu.length).toBe(second.timeMs.length);
    expect(sim.timeMs).toBe(15000);
    expect(sim.beats().some((b) => b.assisted)).toBe(true);
    expect(sim.alarms()).toEqual([]);
  }, 60_000);

  test('advance rejects a negative or non-finite duration', () => {
    const sim = createSimulation({ scenario: loadPreset('default-stable-angina'), seed: 4 });
    expect(() => sim.advance(-1)).toThrow(RangeError);
    expect(() => sim.advance(Number.NaN)).toThrow(RangeError);
  }, 60_000);
});
