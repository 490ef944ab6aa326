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
 * Systolic time scale T at 70 bpm, s. The Pulse engine uses T = cardiac period (0.857 s at 70 bpm); this
 * value was calibrated so that ejection lasts as Weissler's LVET = 413 - 1.7 HR ms (294 ms at 70 bpm;
 * Weissler, Harris, Schoenfeld, Circulation 1968;37:149, men) for the default patient.
 */
export const SYSTOLIC_TIME_SCALE_AT_70_S = 0.76;
/**
 * Relative shortening of T per bpm. Weissler's LVET falls by 1.7 ms per bpm (0.58 %/bpm at 70 bpm), but
 * ejection also shortens with rate through loading (a smaller stroke volume against a higher diastolic
 * pressure), so T itself needs less: this slope was calibrated so that LVET, PEP and QS2 stay within
 * +/-15 ms of Weissler's regressions from 50 to 120 bpm (test/unit/sim/intervals.test.ts).
 */
export const SYSTOLIC_TIME_SCALE_SLOPE_PER_BPM = 0.0041;

/** Systolic time scale T, s, at a heart rate (30-200 bpm): linear in rate, as Weissler's LVET is. */
export function systolicTimeScaleS(heartRateBpm: number): number {
  const hr = Math.min(Math.max(heartRateBpm, 30), 200);
  return SYSTOLIC_TIME_SCALE_AT_70_S * (1 - SYSTOLIC_TIME_SCALE_SLOPE_PER_BPM * (hr - 70));
}

/**
 * Shortening of the electromechanical delay with rate, ms per bpm. Weissler's PEP = 131 - 0.4 HR ms
 * (men) shortens by 0.4 ms/bpm, but in this model the isovolumic contraction lengthens with rate (the LV
 * must reach a higher diastolic aortic pressure), so the delay from QRS onset to the activation's origin
 * shortens faster; calibrated with SYSTOLIC_TIME_SCALE_SLOPE_PER_BPM (same test). Faster conduction and
 * calcium handling at higher rates shorten the electromechanical delay in man as well (the
 * force-frequency relation; Bers, Nature 2002;415:198).
 */
export const ELECTROMECHANICAL_DELAY_SLOPE_MS_PER_BPM = 0.7;
/** The delay never falls below this, ms after the QRS onset. */
export const MIN_ELECTROMECHANICAL_DELAY_MS = 0;

/** QRS onset -> origin of the activation function, ms, at a heart rate, for a patient's delay at 70 bpm. */
export function electromechanicalDelayMs(delayAt70Ms: number, heartRateBpm: number): number {
  const hr = Math.min(Math.max(heartRateBpm, 30), 200);
  const d = delayAt70Ms - ELECTROMECHANICAL_DELAY_SLOPE_MS_PER_BPM * (hr - 70);
  return Math.max(d, MIN_ELECTROMECHANICAL_DELAY_MS);
}
