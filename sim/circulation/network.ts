/**
 * The lumped-parameter network: compartment indices and base constants of the default adult.
 * The two legs are modelled as ONE pair with both legs' compliances and conductances added (identical
 * cuffs on both legs, sim/README.md allows it), so leg flows are for both legs together.
 *
 * Values are in mL, mmHg and s. Where a single source does not give a value, the number was calibrated
 * against the targets of sim/README.md (120/75 mmHg, 5 L/min, ejection 280-320 ms) within physiological ranges
 * from: Ursino, Am J Physiol 1998;275:H1733 (compartment compliances and unstressed volumes);
 * Stergiopulos et al., Am J Physiol 1999;276:H81 (total arterial compliance 1-2 mL/mmHg, Zc ~ 5-7 % of
 * peripheral resistance); Guyton, Textbook of Medical Physiology (flow distribution: brain+arms ~25 %,
 * splanchnic+renal ~50 %, legs ~15-20 %, coronary ~5 % of cardiac output).
 */

// Volume compartments (state indices). The aortic valve flow (an inductor) follows them.
export const LV = 0;
/** Proximal aorta (root, arch, thoracic). */
export const AO = 1;
/** Upper-body arteries (head, arms): feeds the finger pleth. */
export const UB = 2;
/** Descending (abdominal) aorta. */
export const DA = 3;
/** Leg arteries under the upper-thigh/buttock, lower-thigh and calf cuffs. */
export const A1 = 4;
export const A2 = 5;
export const A3 = 6;
/** Leg veins under the same three cuffs. */
export const V1 = 7;
export const V2 = 8;
export const V3 = 9;
/** Systemic veins (abdominal, thoracic, right atrium). */
export const SV = 10;
/** Pulmonary circulation and left atrium, lumped. */
export const PU = 11;
export const COMPARTMENTS = 12;
/** State index of the aortic valve flow, mL/s. */
export const Q_AV = 12;
export const STATE_SIZE = 13;

/** Cuff index of each compartment (0 calf, 1 lower thigh, 2 upper thigh), -1 = not under a cuff. */
export const CUFF_OF_COMPARTMENT: readonly number[] = [-1, -1, -1, -1, 2, 1, 0, 2, 1, 0, -1, -1];

/** Compliance, mL/mmHg (LV and its elastance handled separately; index LV unused). */
export const BASE_COMPLIANCE_ML_PER_MMHG: readonly number[] = [
  0, // LV
  0.3, // AO: proximal aorta, ~ 20-25 % of total arterial compliance
  0.3, // UB
  0.25, // DA
  0.35, // A1 both legs, upper thigh/buttock; legs ~ 45 % of arterial compliance with their muscle beds (calibrated to D/S)
  0.25, // A2 lower thigh
  0.15, // A3 calf
  2, // V1 leg veins (both legs), total legs 5 mL/mmHg: calf venous compliance ~0.04 mL/(100 mL tissue
  1.5, // V2    * mmHg) (Halliwill et al., J Appl Physiol 1999;87:1555) times ~6 L of leg tissue per side
  1.5, // V3
  95, // SV: systemic veins; total venous ~ 110 mL/mmHg (the spec: 100-130)
  20, // PU: pulmonary + left atrium (Ursino 1998: ~ 20 mL/mmHg lumped)
];

/** Unstressed volume, mL (SV's is derived from the total blood volume at start). */
export const BASE_UNSTRESSED_VOLUME_ML: readonly number[] = [
  0, // LV: patient.lvUnstressedVolumeMl
  60, // AO
  150, // UB
  150, // DA
  40, // A1
  25, // A2
  20, // A3
  100, // V1
  70, // V2
  70, // V3
  2900, // SV (nominal; actual = total - everything else at start)
  330, // PU
];

/** Initial pressures, mmHg, from which the start volumes are computed (the warm-up then settles them). */
export const START_PRESSURE_MMHG: readonly number[] = [5, 95, 93, 92, 90, 88, 86, 9, 9.5, 10, 3.2, 9];

/**
 * Collapse law (sim/README): below zero transmural pressure compliance drops to C * COLLAPSED_COMPLIANCE_FRACTION
 * and a collapsible segment's resistance rises as R0 (V0/V)^2.
 */
export const COLLAPSED_COMPLIANCE_FRACTION = 0.1;

export interface NetworkResistances {
  /** Aortic valve, open, mmHg*s/mL. */
  aorticValve: number;
  /** Characteristic impedance of the proximal aorta, mmHg*s/mL (Stergiopulos 1999: 0.03-0.06). */
  characteristicImpedance: number;
  /** Inertance of blood in the aortic root, mmHg*s^2/mL (Stergiopulos 1999: ~0.0005-0.001). */
  aorticInertance: number;
  mitralValve: number;
  aortaToUpperBody: number;
  upperBodyBed: number;
  aortaToDescending: number;
  visceralBed: number;
  /** Iliac-femoral conduit (both legs) from descending aorta to the upper-thigh segment. */
  iliac: number;
  femoralUpperToLower: number;
  popliteal: number;
  legBedUpper: number;
  legBedLower: number;
  legBedCalf: number;
  /** Venous valve (open), between consecutive leg venous segments and into the systemic veins. */
  venousValve: number;
  /** Coronary bed resistance (aortic -> veins), with intramyocardial squeeze. */
  coronary: number;
}

/** The same branches as conductances 1/R (mL/s/mmHg; for the inertance, its inverse). */
export type NetworkConductances = { readonly [K in keyof NetworkResistances]: number };

export const BASE_RESISTANCES: Readonly<NetworkResistances> = Object.freeze({
  aorticValve: 0.003,
  characteristicImpedance: 0.1,
  aorticInertance: 0.0006,
  mitralValve: 0.006,
  aortaToUpperBody: 0.05,
  upperBodyBed: 3.2,
  aortaToDescending: 0.03,
  visceralBed: 2.0,
  iliac: 0.03,
  femoralUpperToLower: 0.04,
  popliteal: 0.05,
  legBedUpper: 15,
  legBedLower: 22,
  legBedCalf: 22,
  venousValve: 0.05,
  coronary: 14,
});

/**
 * Fraction of LV pressure acting on the coronary bed in systole (intramyocardial pressure). Subendocardial
 * tissue pressure approaches LV pressure; the transmural average is ~ 0.5-0.8 of it (Spaan, Circ Res
 * 1985;56:293), so most coronary flow is diastolic.
 */
export const INTRAMYOCARDIAL_PRESSURE_FRACTION = 0.75;

/**
 * Right heart as a Frank-Starling pump from the systemic veins into the pulmonary reservoir:
 * flow = gain * max(0, Psv - intercept). Guyton's cardiac function curve reaches zero output at a right
 * atrial pressure of about -3 to -4 mmHg (Guyton, Physiol Rev 1955;35:123). The slope, 12 mL/s/mmHg
 * (0.7 L/min per mmHg), is calibrated: it is the effective slope with reflexes buffering preload (no
 * baroreflex is modelled), chosen so that ECP raises cardiac output by ~20 % rather than without limit.
 */
export const RIGHT_HEART_GAIN_ML_PER_S_PER_MMHG = 12;
export const RIGHT_HEART_THRESHOLD_MMHG = -3;
