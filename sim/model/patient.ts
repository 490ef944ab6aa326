/**
 * The simulated patient: the parameters a scenario may set. Every field is optional in a scenario and
 * merged over DEFAULT_PATIENT. Units are in the names. Values are starting points calibrated so that the
 * default adult at 70 bpm, unassisted, has about 120/75 mmHg at the aortic root and a cardiac output of
 * 5 L/min (sim/README "Circulation"); each doc comment names its source or says that it is calibrated.
 */
export interface Patient {
  /**
   * End-systolic (maximal) LV elastance, mmHg/mL. Default 2.3: sim/README 2.0-2.5; Suga & Sagawa, Circ Res
   * 1974;35:117 (human Ees about 2); Stergiopulos et al., Am J Physiol 1996;270:H2050.
   */
  emaxMmHgPerMl: number;
  /** Diastolic (minimal) LV elastance, mmHg/mL. Default 0.06 (sim/README about 0.05; Stergiopulos 1996). */
  eminMmHgPerMl: number;
  /** LV unstressed volume, mL. Default 10 (Stergiopulos 1996 used 15 mL; calibrated). */
  lvUnstressedVolumeMl: number;
  /**
   * QRS onset -> origin of the LV activation function at 70 bpm, ms; it shortens with rate
   * (circulation/activation.ts electromechanicalDelayMs). Default 43: calibrated so that the pre-ejection
   * period (QRS onset to aortic valve opening, which includes isovolumic contraction) follows Weissler's
   * PEP = 131 - 0.4 HR ms (Weissler, Harris, Schoenfeld, Circulation 1968;37:149): 103 ms at 70 bpm.
   */
  electromechanicalDelayMs: number;
  /** Total blood volume, mL. Default 5000 (sim/README; 70 mL/kg for 70 kg). */
  totalBloodVolumeMl: number;
  /**
   * Multiplier on every arterial compliance (1 = healthy adult; about 0.5 for stiff elderly arteries:
   * total arterial compliance falls roughly by half from 30 to 70 years, Mitchell et al., Hypertension
   * 2004;43:1239). Characteristic impedance scales as 1/sqrt of it (Bramwell-Hill: c ~ 1/sqrt(distensibility)).
   */
  arterialComplianceScale: number;
  /** Multiplier on every peripheral (bed) resistance (1 = default, total about 1.05 mmHg*s/mL). */
  peripheralResistanceScale: number;
  /**
   * Fraction of cuff pressure transmitted through soft tissue to the vessels (Pext = k * Pcuff).
   * Default 0.7 (sim/README; cuff-to-tissue transmission of 0.6-0.8 in thigh cuffs, calibrated).
   */
  cuffTransmission: number;
  /**
   * Pure delay from upper-body arterial pressure to the finger pleth, ms. Default 170, which with the
   * contraction starting from the QRS onset (~68 ms before R) and a pre-ejection period of ~103 ms puts
   * the pleth foot ~200 ms after the R wave (pulse arrival time 150-250 ms, sim/README; Smith et al., Eur
   * Respir J 1999;13:725).
   */
  plethDelayMs: number;
}

export const DEFAULT_PATIENT: Readonly<Patient> = Object.freeze({
  emaxMmHgPerMl: 2.3,
  eminMmHgPerMl: 0.06,
  lvUnstressedVolumeMl: 10,
  electromechanicalDelayMs: 43,
  totalBloodVolumeMl: 5000,
  arterialComplianceScale: 1,
  peripheralResistanceScale: 1,
  cuffTransmission: 0.7,
  plethDelayMs: 170,
});

export function resolvePatient(def: Partial<Patient> | undefined): Patient {
  return { ...DEFAULT_PATIENT, ...(def ?? {}) };
}
