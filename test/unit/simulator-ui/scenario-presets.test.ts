import { expect, test } from 'vitest';
import { getScenario, listScenarioInfo, loadScenarioFiles } from '#src/lib/scenario-presets.ts';

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
