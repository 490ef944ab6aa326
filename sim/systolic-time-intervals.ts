/**
 * Systolic time intervals as a function of heart rate: the one place the engine takes them from.
 *
 * Weissler, Harris & Schoenfeld (Circulation 1968;37:149) measured total electromechanical systole (QS2,
 * QRS onset to the aortic component of the second sound), left ventricular ejection time (LVET, from the
 * carotid pulse) and the pre-ejection period (PEP = QS2 - LVET) in 121 normal adults and gave linear
 * regressions on heart rate (HR, beats/min), in ms, separately for the sexes:
 *
 *   men:   QS2 = 546 - 2.1 HR   LVET = 413 - 1.7 HR   PEP = 131 - 0.4 HR
 *   women: QS2 = 549 - 2.0 HR   LVET = 418 - 1.6 HR   PEP = 133 - 0.4 HR
 *
 * (also tabulated in Lewis et al., Circulation 1977;56:146). The engine's default patient is calibrated to
 * the men's equations (sim/README "Contraction from the QRS onset"; test/unit/sim/intervals.test.ts), so
 * those are the ones used everywhere: the device's adaptive inflation delay, `idealTiming`'s reference
 * QS2 and the ECG's QT placement checks. The engine used 541 - 2.2 HR in places until issue 12; that is
 * the QS2 of a 20-man subsample in Boudoulas et al. (Chest 1981;80:613), not Weissler's regression.
 */

export type WeisslerSex = 'male' | 'female';

interface Regression {
  intercept: number;
  slope: number;
}

const WEISSLER_1968: Readonly<Record<WeisslerSex, { qs2: Regression; lvet: Regression; pep: Regression }>> =
  Object.freeze({
    male: {
      qs2: { intercept: 546, slope: 2.1 },
      lvet: { intercept: 413, slope: 1.7 },
      pep: { intercept: 131, slope: 0.4 },
    },
    female: {
      qs2: { intercept: 549, slope: 2.0 },
      lvet: { intercept: 418, slope: 1.6 },
      pep: { intercept: 133, slope: 0.4 },
    },
  });

/** The sex whose regressions the engine's default patient follows. */
export const ENGINE_STI_SEX: WeisslerSex = 'male';

const at = (r: Regression, heartRateBpm: number): number => r.intercept - r.slope * heartRateBpm;

/** Total electromechanical systole (QRS onset to aortic valve closure), ms. */
export function weisslerQs2Ms(heartRateBpm: number, sex: WeisslerSex = ENGINE_STI_SEX): number {
  return at(WEISSLER_1968[sex].qs2, heartRateBpm);
}

/** Left ventricular ejection time, ms. */
export function weisslerLvetMs(heartRateBpm: number, sex: WeisslerSex = ENGINE_STI_SEX): number {
  return at(WEISSLER_1968[sex].lvet, heartRateBpm);
}

/** Pre-ejection period (QRS onset to aortic valve opening), ms. */
export function weisslerPepMs(heartRateBpm: number, sex: WeisslerSex = ENGINE_STI_SEX): number {
  return at(WEISSLER_1968[sex].pep, heartRateBpm);
}
