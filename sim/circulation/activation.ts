/**
 * LV activation: the double-Hill function of Stergiopulos et al. (Am J Physiol 1996;270:H2050), as used
 * by the Pulse Physiology Engine:
 *   f(t) = [(t/(a1 T))^n1 / (1 + (t/(a1 T))^n1)] * [1 / (1 + (t/(a2 T))^n2)],  E = (Emax-Emin) f/fmax + Emin
 * with a1 = 0.303, n1 = 1.32, a2 = 0.508, n2 = 21.9. f depends on t only through u = t/T, so it is
 * tabulated once over u and read by linear interpolation (no Math.pow in the per-step path).
 */
const A1 = 0.303;
const N1 = 1.32;
const A2 = 0.508;
const N2 = 21.9;

/** Table resolution in u = t/T. 1/4000 of T keeps interpolation error below 1e-5 of fmax. */
const TABLE_STEPS_PER_UNIT = 4000;
/** Beyond u = 1.2 the second Hill term is < 1e-3 of its peak value: activation is over. */
export const ACTIVATION_END_U = 1.2;

function doubleHill(u: number): number {
  const g1 = (u / A1) ** N1;
  return (g1 / (1 + g1)) * (1 / (1 + (u / A2) ** N2));
}

function buildTable(): Float64Array {
  const n = Math.ceil(ACTIVATION_END_U * TABLE_STEPS_PER_UNIT) + 2;
  const table = new Float64Array(n);
  let max = 0;
  for (let i = 0; i < n; i++) {
    const v = doubleHill(i / TABLE_STEPS_PER_UNIT);
    table[i] = v;
    if (v > max) max = v;
  }
  for (let i = 0; i < n; i++) table[i] = (table[i] ?? 0) / max;
  return table;
}

const TABLE = buildTable();
const LAST = TABLE.length - 2;

/** Normalised activation f/fmax in [0, 1] at u = t/T (0 outside 0 < u < ACTIVATION_END_U). */
export function activationAt(u: number): number {
  if (u <= 0 || u >= ACTIVATION_END_U) return 0;
  const x = u * TABLE_STEPS_PER_UNIT;
  let i = x | 0;
  if (i > LAST) i = LAST;
  const frac = x - i;
  const a = TABLE[i] ?? 0;
  const b = TABLE[i + 1] ?? 0;
  return a + (b - a) * frac;
}

/** Exact (untabulated) normalised activation, for tests of the table. */
export function activationExact(u: number): number {
  if (u <= 0) return 0;
  let max = 0;
  for (let i = 1; i < 20000; i++) {
    const v = doubleHill(i / 10000);
    if (v > max) max = v;
  }
  return doubleHill(u) / max;
}

/**
 * Systolic time scale T at 70 bpm, s. The Pulse engine uses T = cardiac period (0.857 s at 70 bpm); 0.80 s
 * was calibrated so that ejection lasts ~300 ms at 70 bpm (Weissler LVET = 413 - 1.7 HR = 294 ms).
 */
export const SYSTOLIC_TIME_SCALE_AT_70_S = 0.8;

/**
 * Systolic time scale T, s, at a heart rate: SYSTOLIC_TIME_SCALE_AT_70_S scaled by Weissler's total electromechanical systole
 * QS2 = 541 - 2.2 HR ms (Weissler et al., Circulation 1968;37:149) so that systole shortens with rate as
 * in man rather than in proportion to RR.
 */
export function systolicTimeScaleS(heartRateBpm: number): number {
  const hr = Math.min(Math.max(heartRateBpm, 30), 200);
  return SYSTOLIC_TIME_SCALE_AT_70_S * ((541 - 2.2 * hr) / (541 - 2.2 * 70));
}
