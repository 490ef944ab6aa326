import { expect, test } from 'vitest';
import { Circulation } from '#sim/circulation/circulation.ts';
import { DEFAULT_PATIENT } from '#sim/model/patient.ts';

/**
 * Justifies the 0.5 ms step: halving it (0.25 ms) changes systolic and diastolic pressure and stroke
 * volume by less than 1 %, with cuffs cycling (the stiffest case: collapsed leg segments).
 */
function run(dtMs: number): { sys: number; dia: number; svMl: number } {
  const c = new Circulation({ ...DEFAULT_PATIENT });
  const rrMs = 857;
  const steps = Math.round(30000 / dtMs);
  let sys = -Infinity;
  let dia = Infinity;
  let svMl = 0;
  let nextBeat = 0;
  for (let i = 0; i < steps; i++) {
    const t = i * dtMs;
    if (t >= nextBeat) {
      c.beginBeat(t / 1000, 70);
      nextBeat += rrMs;
    }
    const phase = t % rrMs;
    const ext = phase > 420 && phase < 780 ? 0.7 * 260 : 0;
    c.cuffExternalMmHg.fill(ext);
    c.step(dtMs / 1000);
    if (t > 30000 - rrMs) {
      const p = c.aorticRootPressureMmHg();
      sys = Math.max(sys, p);
      dia = Math.min(dia, p);
      svMl += c.flows.aorticValve * (dtMs / 1000);
    }
  }
  return { sys, dia, svMl };
}

test('halving the 0.5 ms step changes pressures and stroke volume by less than 1 %', () => {
  const a = run(0.5);
  const b = run(0.25);
  expect(Math.abs(a.sys - b.sys) / b.sys).toBeLessThan(0.01);
  expect(Math.abs(a.dia - b.dia) / b.dia).toBeLessThan(0.01);
  expect(Math.abs(a.svMl - b.svMl) / b.svMl).toBeLessThan(0.01);
}, 60_000);
