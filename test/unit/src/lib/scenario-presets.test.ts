import { expect, test } from 'vitest';
import {
  drawStartSettings,
  getScenario,
  listScenarioInfo,
  loadScenarioFiles,
  neutralStartSettings,
} from '#src/lib/scenario-presets.ts';

const PRESET_IDS = [
  'default-stable-angina',
  'bradycardia',
  'tachycardia',
  'frequent-pvcs',
  'atrial-fibrillation',
  'elderly-stiff-arteries',
  'heart-failure-low-ef',
  'noisy-ecg-lead-off',
];

test('lists every preset scenario with the default first', () => {
  const info = listScenarioInfo();
  expect(info.map((s) => s.id).sort()).toEqual([...PRESET_IDS].sort());
  expect(info[0]?.id).toBe('default-stable-angina');
  for (const s of info) {
    expect(s.title.length).toBeGreaterThan(0);
    expect(s.description.length).toBeGreaterThan(0);
  }
});

test('getScenario returns the parsed preset, with defaults filled, or null for an unknown id', () => {
  const s = getScenario('atrial-fibrillation');
  expect(s?.id).toBe('atrial-fibrillation');
  expect(Array.isArray(s?.timeline)).toBe(true);
  expect(getScenario('no-such-scenario')).toBeNull();
});

test('a bad scenario file fails with the file, the field and the reason', () => {
  const bad = { id: 'x', title: 'X', description: 'X', ecg: { rhythm: { heartRateBpm: 500 } } };
  expect(() => loadScenarioFiles({ '../../content/scenarios/x.json': bad })).toThrow(
    /x\.json is invalid: ecg\.rhythm\.heartRateBpm: /,
  );
});

test('a scenario whose id differs from its file name is refused', () => {
  const ok = { id: 'other', title: 'X', description: 'X', ecg: { rhythm: { heartRateBpm: 70 } } };
  expect(() => loadScenarioFiles({ '/content/scenarios/x.json': ok })).toThrow(/id: "other" must match the file name/);
});

test('runs start from the neutral state: standby and factory timing, not the scenario ideal (issue 13)', () => {
  const neutral = neutralStartSettings();
  expect(neutral).toMatchObject({ pressureMmHg: 0, inflateDelayMs: 180, deflateDelayMs: 620 });
  const scenario = getScenario('default-stable-angina');
  if (!scenario) throw new Error('no default scenario');
  expect(scenario.suggestedSettings?.inflateDelayMs).toBe(259);
  // Factory timing is well off the ideal: starting there tests the timing skill.
  expect(259 - (neutral.inflateDelayMs ?? 0)).toBeGreaterThanOrEqual(60);
  expect((scenario.suggestedSettings?.deflateDelayMs ?? 0) - (neutral.deflateDelayMs ?? 0)).toBeGreaterThanOrEqual(60);
  expect(drawStartSettings(scenario, 0, Math.random)).toEqual(neutral);
});

test('draws a starting timing off the ideal by between half the range and the range, early or late', () => {
  const scenario = getScenario('default-stable-angina');
  if (!scenario) throw new Error('no default scenario');
  // random() < 0.5 picks early; the next number places the offset in [range/2, range].
  const early = drawStartSettings(
    scenario,
    100,
    (() => {
      const seq = [0.1, 0, 0.9, 0.999];
      return () => seq.shift() ?? 0;
    })(),
  );
  expect(early.inflateDelayMs).toBe(259 - 50);
  expect(early.deflateDelayMs).toBe(Math.round(704 + 50 + 0.999 * 50));
  expect(early.pressureMmHg).toBe(0);
  for (let i = 0; i < 200; i++) {
    const s = drawStartSettings(scenario, 120, Math.random);
    const inf = Math.abs((s.inflateDelayMs ?? 0) - 259);
    const def = Math.abs((s.deflateDelayMs ?? 0) - 704);
    expect(inf).toBeGreaterThanOrEqual(60);
    expect(inf).toBeLessThanOrEqual(120);
    expect(def).toBeGreaterThanOrEqual(60);
    expect(def).toBeLessThanOrEqual(120);
  }
});
