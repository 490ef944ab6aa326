import { expect, test } from 'vitest';
import { MIN_CONTROL_SPACING_MS, maxControlEntries, validateControlLog } from '#sim/index.ts';
import { ControlThrottle, mergePatches } from '#src/components/simulator/control-throttle.ts';

test('a change after a quiet spell applies at once', () => {
  const throttle = new ControlThrottle();
  expect(throttle.offer({ inflateDelayMs: 240 }, 5000)).toEqual({ inflateDelayMs: 240 });
  expect(throttle.offer({ inflateDelayMs: 250 }, 5000 + MIN_CONTROL_SPACING_MS)).toEqual({ inflateDelayMs: 250 });
});

test('changes within the spacing wait and apply merged, the latest value of each setting winning', () => {
  const throttle = new ControlThrottle();
  throttle.offer({ inflateDelayMs: 240 }, 1000);
  expect(throttle.offer({ inflateDelayMs: 245 }, 1033)).toBeNull();
  expect(throttle.offer({ cuffs: { calf: false } }, 1050)).toBeNull();
  expect(throttle.offer({ inflateDelayMs: 250, cuffs: { upperThigh: false } }, 1066)).toBeNull();
  expect(throttle.due(1099)).toBeNull();
  expect(throttle.due(1100)).toEqual({ inflateDelayMs: 250, cuffs: { calf: false, upperThigh: false } });
  expect(throttle.due(1300)).toBeNull();
});

test('the end of a run flushes what still waits, and nothing twice', () => {
  const throttle = new ControlThrottle();
  throttle.offer({ pressureMmHg: 200 }, 0);
  throttle.offer({ pressureMmHg: 220 }, 20);
  expect(throttle.flush(40)).toEqual({ pressureMmHg: 220 });
  expect(throttle.flush(41)).toBeNull();
});

test('merging keeps settings from both patches', () => {
  expect(mergePatches({ adaptive: true, cuffs: { calf: false } }, { deflateLeadMs: 80 })).toEqual({
    adaptive: true,
    deflateLeadMs: 80,
    cuffs: { calf: false },
  });
  expect(mergePatches({ pressureMmHg: 100 }, { pressureMmHg: 120 })).toEqual({ pressureMmHg: 120 });
});

test('a key held for a whole ten-minute assessment stays within the log limit the server applies', () => {
  const durationMs = 600_000;
  const throttle = new ControlThrottle();
  const log: { atMs: number; patch: object }[] = [];
  let value = 0;
  // Key repeats every 33 ms; the worker ticks every 16 ms and applies what is due.
  for (let t = 0; t <= durationMs; t += 1) {
    if (t % 33 === 0) {
      value = (value + 1) % 1500;
      const now = throttle.offer({ inflateDelayMs: value }, t);
      if (now) log.push({ atMs: t, patch: now });
    }
    if (t % 16 === 0) {
      const due = throttle.due(t);
      if (due) log.push({ atMs: t, patch: due });
    }
  }
  const last = throttle.flush(durationMs);
  if (last) log.push({ atMs: durationMs, patch: last });
  expect(log.length).toBeGreaterThan(5000);
  expect(log.length).toBeLessThanOrEqual(maxControlEntries(durationMs));
  expect(validateControlLog(log, { durationMs }).ok).toBe(true);
  // Without the spacing the same key would have logged every repeat: refused.
  const unspaced = Array.from({ length: Math.floor(durationMs / 33) }, (_, i) => ({
    atMs: i * 33,
    patch: { inflateDelayMs: i % 1500 },
  }));
  expect(validateControlLog(unspaced, { durationMs }).ok).toBe(false);
});

test('the log limit grows with the duration but is never below 2000 entries', () => {
  expect(maxControlEntries(30_000)).toBe(2000);
  expect(maxControlEntries(600_000)).toBe(6002);
  expect(maxControlEntries(900_000)).toBe(9002);
});
