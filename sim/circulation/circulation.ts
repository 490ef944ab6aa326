/**
 * Closed-loop circulation: time-varying-elastance LV, diode valves, arterial tree with three cuffed leg
 * segments (arterial and venous), Starling right heart and a pulmonary/left-atrial reservoir.
 *
 * Integration: explicit Euler on compartment volumes with a fixed step, semi-implicit (backward Euler)
 * update of the aortic-valve inductor. Every flow leaves one compartment and enters another, so total
 * volume is conserved to rounding. Explicit Euler on an R-C network is stable and monotone when, for every
 * compartment, dt * (sum of conductances to it) / C <= 1 (the update matrix is then non-negative and
 * diagonally dominant); `stabilityIndex` evaluates that bound for the worst case (collapsed compliance,
 * uncollapsed resistance). It is 0.90 for the default patient at the 0.5 ms engine step; stiffer patients
 * are integrated in substeps that keep it <= 1 (see `step`).
 */

import type { Patient } from '../model/patient.ts';
import { ACTIVATION_END_U, activationAt, electromechanicalDelayMs, systolicTimeScaleS } from './activation.ts';
import {
  A1,
  A2,
  A3,
  AO,
  BASE_COMPLIANCE_ML_PER_MMHG,
  BASE_RESISTANCES,
  BASE_UNSTRESSED_VOLUME_ML,
  COLLAPSED_COMPLIANCE_FRACTION,
  COMPARTMENTS,
  CUFF_OF_COMPARTMENT,
  DA,
  INTRAMYOCARDIAL_PRESSURE_FRACTION,
  LV,
  type NetworkConductances,
  type NetworkResistances,
  PU,
  Q_AV,
  RIGHT_HEART_GAIN_ML_PER_S_PER_MMHG,
  RIGHT_HEART_THRESHOLD_MMHG,
  START_PRESSURE_MMHG,
  STATE_SIZE,
  SV,
  UB,
  V1,
  V2,
  V3,
} from './network.ts';

/** Lowest internal pressure of a collapsed segment, mmHg below atmospheric (see computePressures). */
export const COLLAPSED_MIN_PRESSURE_MMHG = 5;
/** Lowest volume fraction of V0 used in the collapse resistance law, to keep R finite. */
const MIN_COLLAPSE_VOLUME_FRACTION = 0.02;

export interface CirculationFlows {
  /** Aortic valve flow, mL/s. */
  aorticValve: number;
  mitralValve: number;
  coronary: number;
  /** Descending aorta -> legs (iliac); negative when the cuffs push blood back toward the heart. */
  iliac: number;
  rightHeart: number;
}

function arterialScaled(i: number): boolean {
  return i === AO || i === UB || i === DA || i === A1 || i === A2 || i === A3;
}

/** 1/R for every resistance, as an object literal so that V8 keeps one fast shape. */
function conductances(r: NetworkResistances): NetworkConductances {
  return {
    aorticValve: 1 / r.aorticValve,
    characteristicImpedance: 1 / r.characteristicImpedance,
    aorticInertance: 1 / r.aorticInertance,
    mitralValve: 1 / r.mitralValve,
    aortaToUpperBody: 1 / r.aortaToUpperBody,
    upperBodyBed: 1 / r.upperBodyBed,
    aortaToDescending: 1 / r.aortaToDescending,
    visceralBed: 1 / r.visceralBed,
    iliac: 1 / r.iliac,
    femoralUpperToLower: 1 / r.femoralUpperToLower,
    popliteal: 1 / r.popliteal,
    legBedUpper: 1 / r.legBedUpper,
    legBedLower: 1 / r.legBedLower,
    legBedCalf: 1 / r.legBedCalf,
    venousValve: 1 / r.venousValve,
    coronary: 1 / r.coronary,
  };
}

export class Circulation {
  /** State: compartment volumes (mL) then aortic valve flow (mL/s). */
  readonly state = new Float64Array(STATE_SIZE);
  /** Compartment pressures, mmHg, as of the last step (LV pressure at index LV). */
  readonly pressureMmHg = new Float64Array(COMPARTMENTS);
  /** External (cuff-transmitted) pressure on each cuff's segments, mmHg; set by the engine. */
  readonly cuffExternalMmHg = new Float64Array(3);
  readonly flows: CirculationFlows = { aorticValve: 0, mitralValve: 0, coronary: 0, iliac: 0, rightHeart: 0 };
  /** LV elastance, mmHg/mL, as of the last step. */
  elastanceMmHgPerMl = 0;
  timeS = 0;

  private readonly compliance = new Float64Array(COMPARTMENTS);
  private readonly collapsedCompliance = new Float64Array(COMPARTMENTS);
  private readonly unstressed = new Float64Array(COMPARTMENTS);
  private readonly elastance = new Float64Array(COMPARTMENTS);
  private readonly collapsedElastance = new Float64Array(COMPARTMENTS);
  /** Per compartment: 1 when open, (V/V0)^2 when collapsed (the inverse of R/R0). */
  private readonly collapseConductance = new Float64Array(COMPARTMENTS);
  private readonly r: NetworkResistances;
  /** Conductances 1/R, mL/s/mmHg (multiplications in the step instead of divisions). */
  private readonly g: NetworkConductances;
  private readonly zc: number;
  private readonly invInertance: number;
  private readonly valveDamping: number;
  private readonly emax: number;
  private readonly emin: number;
  private readonly lvV0: number;
  /** Patient's QRS onset -> activation delay at 70 bpm, ms. */
  private readonly emd70Ms: number;
  private substepFor = Number.NaN;
  private substeps = 1;
  private onsetS = -1e9;
  private scaleS = 0.857;
  private prevOnsetS = -1e9;
  private prevScaleS = 0.857;

  constructor(patient: Patient) {
    this.emax = patient.emaxMmHgPerMl;
    this.emin = patient.eminMmHgPerMl;
    this.lvV0 = patient.lvUnstressedVolumeMl;
    this.emd70Ms = patient.electromechanicalDelayMs;
    const cScale = patient.arterialComplianceScale;
    const rScale = patient.peripheralResistanceScale;
    this.r = {
      ...BASE_RESISTANCES,
      characteristicImpedance: BASE_RESISTANCES.characteristicImpedance / Math.sqrt(cScale),
      upperBodyBed: BASE_RESISTANCES.upperBodyBed * rScale,
      visceralBed: BASE_RESISTANCES.visceralBed * rScale,
      legBedUpper: BASE_RESISTANCES.legBedUpper * rScale,
      legBedLower: BASE_RESISTANCES.legBedLower * rScale,
      legBedCalf: BASE_RESISTANCES.legBedCalf * rScale,
      coronary: BASE_RESISTANCES.coronary * rScale,
    };
    this.g = conductances(this.r);
    this.zc = this.r.characteristicImpedance;
    this.invInertance = 1 / this.r.aorticInertance;
    this.valveDamping = (this.r.aorticValve + this.r.characteristicImpedance) / this.r.aorticInertance;
    for (let i = 1; i < COMPARTMENTS; i++) {
      const c = (BASE_COMPLIANCE_ML_PER_MMHG[i] ?? 1) * (arterialScaled(i) ? cScale : 1);
      this.compliance[i] = c;
      this.collapsedCompliance[i] = c * COLLAPSED_COMPLIANCE_FRACTION;
      this.elastance[i] = 1 / c;
      this.collapsedElastance[i] = 1 / (c * COLLAPSED_COMPLIANCE_FRACTION);
      this.unstressed[i] = BASE_UNSTRESSED_VOLUME_ML[i] ?? 0;
    }
    this.unstressed[LV] = this.lvV0;
    // Start volumes from nominal pressures; the systemic veins take whatever volume is left.
    let sum = 0;
    for (let i = 0; i < COMPARTMENTS; i++) {
      if (i === SV) continue;
      const p = START_PRESSURE_MMHG[i] ?? 0;
      const v = i === LV ? this.lvV0 + p / this.emin : this.unstressed[i]! + this.compliance[i]! * p;
      this.state[i] = v;
      sum += v;
    }
    this.state[SV] = patient.totalBloodVolumeMl - sum;
    this.unstressed[SV] = patient.totalBloodVolumeMl - sum - this.compliance[SV]! * (START_PRESSURE_MMHG[SV] ?? 0);
    this.state[Q_AV] = 0;
    this.collapseConductance.fill(1);
    this.computePressures();
  }

  /**
   * Start an LV contraction for an electrical beat whose QRS begins at qrsOnsetS (activation begins after
   * the rate-dependent EM delay). May be called ahead of time; activation is 0 until its origin.
   */
  beginBeat(qrsOnsetS: number, heartRateBpm: number): void {
    this.prevOnsetS = this.onsetS;
    this.prevScaleS = this.scaleS;
    this.onsetS = qrsOnsetS + electromechanicalDelayMs(this.emd70Ms, heartRateBpm) / 1000;
    this.scaleS = systolicTimeScaleS(heartRateBpm);
  }

  totalVolumeMl(): number {
    let v = 0;
    for (let i = 0; i < COMPARTMENTS; i++) v += this.state[i]!;
    return v;
  }

  /** Pressure at the aortic root (proximal aorta plus the drop across Zc), mmHg. */
  aorticRootPressureMmHg(): number {
    return this.pressureMmHg[AO]! + this.r.characteristicImpedance * this.state[Q_AV]!;
  }

  private computePressures(): void {
    const s = this.state;
    const p = this.pressureMmHg;
    const t = this.timeS;
    const a1 = activationAt((t - this.onsetS) / this.scaleS);
    const a0 =
      t - this.prevOnsetS < this.prevScaleS * ACTIVATION_END_U
        ? activationAt((t - this.prevOnsetS) / this.prevScaleS)
        : 0;
    const e = this.emin + (this.emax - this.emin) * (a1 > a0 ? a1 : a0);
    this.elastanceMmHgPerMl = e;
    p[LV] = e * (s[LV]! - this.lvV0);
    const el = this.elastance;
    const v0 = this.unstressed;
    // Compartments outside the cuffs see no external pressure.
    p[AO] = (s[AO]! - v0[AO]!) * el[AO]!;
    p[UB] = (s[UB]! - v0[UB]!) * el[UB]!;
    p[DA] = (s[DA]! - v0[DA]!) * el[DA]!;
    p[SV] = (s[SV]! - v0[SV]!) * el[SV]!;
    p[PU] = (s[PU]! - v0[PU]!) * el[PU]!;
    const ext = this.cuffExternalMmHg;
    const e2 = ext[2]!;
    const e1 = ext[1]!;
    const e0 = ext[0]!;
    this.cuffed(A1, e2);
    this.cuffed(A2, e1);
    this.cuffed(A3, e0);
    this.cuffed(V1, e2);
    this.cuffed(V2, e1);
    this.cuffed(V3, e0);
  }

  /** Pressure and collapse state of a segment under a cuff (the compartment and collapse law of sim/README.md). */
  private cuffed(i: number, pext: number): void {
    const v = this.state[i]!;
    const v0 = this.unstressed[i]!;
    const dv = v - v0;
    if (dv >= 0) {
      this.pressureMmHg[i] = pext + dv * this.elastance[i]!;
      this.collapseConductance[i] = 1;
    } else {
      // A collapsed vessel cannot hold its lumen open by suction: the internal pressure is floored at
      // -COLLAPSED_MIN_PRESSURE_MMHG (the buckled wall has almost no stiffness, Shapiro, J Biomech Eng
      // 1977;99:126). Without it, a vein emptied under 180 mmHg would read -180 mmHg once released.
      const ptm = dv * this.collapsedElastance[i]!;
      const floor = -pext - COLLAPSED_MIN_PRESSURE_MMHG;
      this.pressureMmHg[i] = pext + (ptm > floor ? ptm : floor);
      // Conductance factor 1 / (R/R0) = (V/V0)^2, with V floored to keep it above zero.
      const ratio = v > MIN_COLLAPSE_VOLUME_FRACTION * v0 ? v / v0 : MIN_COLLAPSE_VOLUME_FRACTION;
      this.collapseConductance[i] = ratio * ratio;
    }
  }

  /**
   * Advance by dtS seconds. Stiff patients (small compliances) whose stability index at dtS exceeds 1 are
   * integrated in as many equal substeps as bring it to <= 1, so every patient the scenario schema allows
   * is stable; the default patient needs one.
   */
  step(dtS: number): void {
    if (dtS !== this.substepFor) {
      this.substepFor = dtS;
      this.substeps = Math.max(1, Math.ceil(this.stabilityIndex(dtS) - 1e-9));
    }
    if (this.substeps === 1) {
      this.eulerStep(dtS);
      return;
    }
    const h = dtS / this.substeps;
    for (let i = 0; i < this.substeps; i++) this.eulerStep(h);
  }

  /** Substeps used at the last step size (1 for the default patient at 0.5 ms). */
  get substepCount(): number {
    return this.substeps;
  }

  private eulerStep(dtS: number): void {
    this.computePressures();
    const s = this.state;
    const p = this.pressureMmHg;
    const g = this.g;
    const cf = this.collapseConductance;
    const pLv = p[LV]!;
    const pAo = p[AO]!;
    const pUb = p[UB]!;
    const pDa = p[DA]!;
    const pA1 = p[A1]!;
    const pA2 = p[A2]!;
    const pA3 = p[A3]!;
    const pV1 = p[V1]!;
    const pV2 = p[V2]!;
    const pV3 = p[V3]!;
    const pSv = p[SV]!;
    const pPu = p[PU]!;

    const qMv = pPu > pLv ? (pPu - pLv) * g.mitralValve : 0;
    // Aortic valve: inductor L dQ/dt = Plv - Pao - (Rav + Zc) Q, backward Euler in Q; the valve is a diode.
    let qAv = s[Q_AV]!;
    const drive = pLv - pAo;
    if (qAv <= 0 && drive <= 0) {
      qAv = 0;
    } else {
      qAv = (qAv + dtS * this.invInertance * drive) / (1 + dtS * this.valveDamping);
      if (qAv < 0) qAv = 0;
    }
    // The head and arm vessels leave the arch next to the root, so they see the root pressure (with Zc).
    const qUb = (pAo + this.zc * qAv - pUb) * g.aortaToUpperBody;
    const qUbBed = (pUb - pSv) * g.upperBodyBed;
    const corDrive = pAo - INTRAMYOCARDIAL_PRESSURE_FRACTION * (pLv > 0 ? pLv : 0) - pSv;
    const qCor = corDrive > 0 ? corDrive * g.coronary : 0;
    const qDa = (pAo - pDa) * g.aortaToDescending;
    const qVisc = (pDa - pSv) * g.visceralBed;
    const c1 = cf[A1]!;
    const c2 = cf[A2]!;
    const c3 = cf[A3]!;
    const qIl = (pDa - pA1) * g.iliac * c1;
    const q12 = (pA1 - pA2) * g.femoralUpperToLower * (c1 < c2 ? c1 : c2);
    const q23 = (pA2 - pA3) * g.popliteal * (c2 < c3 ? c2 : c3);
    const qB1 = (pA1 - pV1) * g.legBedUpper;
    const qB2 = (pA2 - pV2) * g.legBedLower;
    const qB3 = (pA3 - pV3) * g.legBedCalf;
    const k1 = cf[V1]!;
    const k2 = cf[V2]!;
    const k3 = cf[V3]!;
    // Venous valves: one-way toward the heart.
    const gv = g.venousValve;
    const q32 = pV3 > pV2 ? (pV3 - pV2) * gv * (k3 < k2 ? k3 : k2) : 0;
    const q21 = pV2 > pV1 ? (pV2 - pV1) * gv * (k2 < k1 ? k2 : k1) : 0;
    const q1s = pV1 > pSv ? (pV1 - pSv) * gv * k1 : 0;
    const rhDrive = pSv - RIGHT_HEART_THRESHOLD_MMHG;
    const qRh = rhDrive > 0 ? RIGHT_HEART_GAIN_ML_PER_S_PER_MMHG * rhDrive : 0;

    s[LV] = s[LV]! + dtS * (qMv - qAv);
    s[AO] = s[AO]! + dtS * (qAv - qUb - qCor - qDa);
    s[UB] = s[UB]! + dtS * (qUb - qUbBed);
    s[DA] = s[DA]! + dtS * (qDa - qVisc - qIl);
    s[A1] = s[A1]! + dtS * (qIl - q12 - qB1);
    s[A2] = s[A2]! + dtS * (q12 - q23 - qB2);
    s[A3] = s[A3]! + dtS * (q23 - qB3);
    s[V3] = s[V3]! + dtS * (qB3 - q32);
    s[V2] = s[V2]! + dtS * (qB2 + q32 - q21);
    s[V1] = s[V1]! + dtS * (qB1 + q21 - q1s);
    s[SV] = s[SV]! + dtS * (qUbBed + qCor + qVisc + q1s - qRh);
    s[PU] = s[PU]! + dtS * (qRh - qMv);
    s[Q_AV] = qAv;

    const fl = this.flows;
    fl.aorticValve = qAv;
    fl.mitralValve = qMv;
    fl.coronary = qCor;
    fl.iliac = qIl;
    fl.rightHeart = qRh;
    this.timeS += dtS;
  }

  /**
   * Worst-case explicit-Euler stability index max_i dt * sum(G_i) / C_i, with collapsed compliance and
   * base resistances (collapse only raises resistance, which lowers the index). <= 1 means stable and
   * monotone. The LV uses 1/Emax as its compliance in systole.
   */
  stabilityIndex(dtS: number): number {
    const r = this.r;
    const cc = new Float64Array(COMPARTMENTS);
    for (let i = 1; i < COMPARTMENTS; i++) {
      cc[i] = CUFF_OF_COMPARTMENT[i]! >= 0 ? this.collapsedCompliance[i]! : this.compliance[i]!;
    }
    const conductances: [number, number[]][] = [
      [1 / this.emax, [1 / r.mitralValve]],
      [cc[AO]!, [1 / r.aortaToUpperBody, 1 / r.aortaToDescending, 1 / r.coronary]],
      [cc[UB]!, [1 / r.aortaToUpperBody, 1 / r.upperBodyBed]],
      [cc[DA]!, [1 / r.aortaToDescending, 1 / r.visceralBed, 1 / r.iliac]],
      [cc[A1]!, [1 / r.iliac, 1 / r.femoralUpperToLower, 1 / r.legBedUpper]],
      [cc[A2]!, [1 / r.femoralUpperToLower, 1 / r.popliteal, 1 / r.legBedLower]],
      [cc[A3]!, [1 / r.popliteal, 1 / r.legBedCalf]],
      [cc[V1]!, [1 / r.venousValve, 1 / r.venousValve, 1 / r.legBedUpper]],
      [cc[V2]!, [1 / r.venousValve, 1 / r.venousValve, 1 / r.legBedLower]],
      [cc[V3]!, [1 / r.venousValve, 1 / r.legBedCalf]],
      [cc[SV]!, [1 / r.venousValve, 1 / r.upperBodyBed, 1 / r.visceralBed, RIGHT_HEART_GAIN_ML_PER_S_PER_MMHG]],
      [cc[PU]!, [1 / r.mitralValve, RIGHT_HEART_GAIN_ML_PER_S_PER_MMHG]],
    ];
    let worst = 0;
    for (const [c, gs] of conductances) {
      const sum = gs.reduce((a, b) => a + b, 0);
      const index = (dtS * sum) / c;
      if (index > worst) worst = index;
    }
    return worst;
  }
}
