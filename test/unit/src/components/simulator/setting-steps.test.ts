import { expect, test } from 'vitest';
import { SETTINGS_LIMITS } from '#sim/index.ts';
import {
  clampSetting,
  keyAction,
  SETTING_STEPS,
  settingKeys,
  sliderKeyDelta,
  stepSetting,
} from '#src/components/simulator/setting-steps.ts';

test('steps a setting and clamps it to the device limits', () => {
  expect(stepSetting(SETTINGS_LIMITS, 'inflateDelayMs', 267, 5)).toBe(272);
  expect(stepSetting(SETTINGS_LIMITS, 'pressureMmHg', 290, 25)).toBe(300);
  expect(stepSetting(SETTINGS_LIMITS, 'stageDelayMs', 10, -20)).toBe(0);
  expect(clampSetting(SETTINGS_LIMITS, 'deflateDelayMs', Number.NaN)).toBe(0);
});

test('maps Q/A, W/S and E/D to inflation, deflation and pressure, fine by default and coarse with Shift', () => {
  expect(keyAction('q', false)).toEqual({ kind: 'step', setting: 'inflateDelayMs', delta: 5 });
  expect(keyAction('A', true)).toEqual({ kind: 'step', setting: 'inflateDelayMs', delta: -20 });
  expect(keyAction('w', false)).toEqual({ kind: 'step', setting: 'deflateDelayMs', delta: 5 });
  expect(keyAction('S', true)).toEqual({ kind: 'step', setting: 'deflateDelayMs', delta: -20 });
  expect(keyAction('E', true)).toEqual({ kind: 'step', setting: 'pressureMmHg', delta: 25 });
  expect(keyAction('d', false)).toEqual({ kind: 'step', setting: 'pressureMmHg', delta: -5 });
});

test('maps F to freeze and comma/period to the previous/next beat; other keys do nothing', () => {
  expect(keyAction('f', false)).toEqual({ kind: 'freeze' });
  expect(keyAction(',', false)).toEqual({ kind: 'beat', delta: -1 });
  expect(keyAction('>', true)).toEqual({ kind: 'beat', delta: 1 });
  expect(keyAction('Tab', false)).toBeNull();
  expect(keyAction(' ', false)).toBeNull();
});

test('slider arrows step fine and Page Up/Down coarse; Home, End and Tab stay with the browser', () => {
  expect(sliderKeyDelta('ArrowRight', 5, 20)).toBe(5);
  expect(sliderKeyDelta('ArrowDown', 5, 20)).toBe(-5);
  expect(sliderKeyDelta('PageUp', 5, 20)).toBe(20);
  expect(sliderKeyDelta('PageDown', 5, 25)).toBe(-25);
  expect(sliderKeyDelta('Home', 5, 20)).toBeNull();
  expect(sliderKeyDelta('Tab', 5, 20)).toBeNull();
});

test('the keys printed on each control are the ones that raise and lower it; stage delay has none', () => {
  expect(settingKeys('inflateDelayMs')).toEqual({ up: 'Q', down: 'A' });
  expect(settingKeys('deflateDelayMs')).toEqual({ up: 'W', down: 'S' });
  expect(settingKeys('pressureMmHg')).toEqual({ up: 'E', down: 'D' });
  expect(settingKeys('stageDelayMs')).toBeUndefined();
  for (const setting of ['inflateDelayMs', 'deflateDelayMs', 'pressureMmHg'] as const) {
    const keys = settingKeys(setting);
    const { fine, coarse } = SETTING_STEPS[setting];
    expect(keyAction(keys?.up ?? '', false)).toEqual({ kind: 'step', setting, delta: fine });
    expect(keyAction(keys?.down ?? '', true)).toEqual({ kind: 'step', setting, delta: -coarse });
  }
  // Adaptive timing: the deflation pair steps the lead before the next R, so "deflate later" (W) shortens it.
  expect(settingKeys('deflateLeadMs')).toEqual({ up: 'S', down: 'W' });
});
