/**
 * Beat-to-beat rhythm: draws the time and kind of each next beat.
 *
 * Sinus: a sinus-node clock whose interval is the mean RR modulated by two sinusoids (LF 0.1 Hz,
 * HF 0.25 Hz; the two HRV peaks of the Task Force of the ESC/NASPE, Circulation 1996;93:1043).
 * PAC: early beat that resets the sinus node, so the pause after it is not compensatory.
 * PVC: early beat that does not reach the sinus node; the next sinus discharge is blocked and the
 * following one conducts, so pre + post interval = 2 sinus intervals (a full compensatory pause).
 * AF: RR drawn independently from a log-normal distribution (no sinus clock).
 */
import type { Rng } from '../rng.ts';
import type { BeatKind, RhythmDef } from './types.ts';

type RequiredRhythm = Required<RhythmDef>;

export const RHYTHM_DEFAULTS: Omit<RequiredRhythm, 'heartRateBpm'> = {
  hrvLfAmplitudeMs: 25,
  hrvHfAmplitudeMs: 20,
  pacPerMinute: 0,
  pvcPerMinute: 0,
  atrialFibrillation: false,
  afRrCoefficientOfVariation: 0.2,
  afFibrillatoryWaveMv: 0.08,
};

/** Limits of the simulated ventricular rate, beats/min (outside this range the device alarms anyway). */
export const MIN_HEART_RATE_BPM = 30;
export const MAX_HEART_RATE_BPM = 200;

/** LF (Mayer wave) and HF (respiratory) modulation frequencies, Hz (Task Force 1996). */
const LF_HZ = 0.1;
const HF_HZ = 0.25;

/**
 * Coupling interval of a PAC as a fraction of the sinus RR. PACs typically arrive at 60-80 % of the cycle
 * (Surawicz & Knilans, Chou's Electrocardiography in Clinical Practice, 6th ed., 2008).
 */
const PAC_COUPLING_MIN = 0.6;
const PAC_COUPLING_MAX = 0.8;
/** Coupling interval of a PVC as a fraction of the sinus RR (typically 50-70 %; same source). */
const PVC_COUPLING_MIN = 0.55;
const PVC_COUPLING_MAX = 0.7;
/**
 * Shortest RR the AV node and ventricles allow, ms (effective refractory period of the AV node ~250 ms;
 * Zipes & Jalife, Cardiac Electrophysiology). Applied to ectopic coupling and AF intervals.
 */
const MIN_RR_MS = 250;

export interface DrawnBeat {
  rTimeMs: number;
  kind: BeatKind;
  rrMs: number;
}

export interface Rhythm {
  /** Draw the next beat after the last one drawn. */
  drawNextBeat(): DrawnBeat;
  /** Forget the last drawn beat and draw it again under the current definition (after a rhythm change). */
  redrawLastBeat(): DrawnBeat;
  /** Undo `redrawLastBeat`: the originally drawn beat stands (used when the redrawn one would be too early). */
  revertRedraw(): void;
  setRhythm(patch: Partial<RhythmDef>): void;
  readonly def: Readonly<RequiredRhythm>;
}

function clampRate(bpm: number): number {
  if (!Number.isFinite(bpm)) throw new RangeError(`heartRateBpm must be a finite number, got ${bpm}`);
  return Math.min(MAX_HEART_RATE_BPM, Math.max(MIN_HEART_RATE_BPM, bpm));
}

/** @param firstRTimeMs time of the first R peak; a virtual previous beat sits one RR before it. */
export function createRhythm(rhythmDef: RhythmDef, rng: Rng, firstRTimeMs: number): Rhythm {
  const def: RequiredRhythm = { ...RHYTHM_DEFAULTS, ...rhythmDef };
  def.heartRateBpm = clampRate(def.heartRateBpm);
  const lfPhase = 2 * Math.PI * rng.next();
  const hfPhase = 2 * Math.PI * rng.next();

  function sinusRrMs(atTimeMs: number): number {
    const tS = atTimeMs / 1000;
    const modulation =
      def.hrvLfAmplitudeMs * Math.sin(2 * Math.PI * LF_HZ * tS + lfPhase) +
      def.hrvHfAmplitudeMs * Math.sin(2 * Math.PI * HF_HZ * tS + hfPhase);
    return Math.max(MIN_RR_MS, 60000 / def.heartRateBpm + modulation);
  }

  function afRrMs(): number {
    // Log-normal with the requested mean and coefficient of variation.
    const cv = Math.max(0, def.afRrCoefficientOfVariation);
    const sigma = Math.sqrt(Math.log(1 + cv * cv));
    const rr = (60000 / def.heartRateBpm) * Math.exp(sigma * rng.normal() - (sigma * sigma) / 2);
    return Math.max(MIN_RR_MS, rr);
  }

  let lastRTimeMs = firstRTimeMs - sinusRrMs(firstRTimeMs);
  let lastSinusTimeMs = lastRTimeMs;
  let lastWasEctopic = false;
  // State before and after the last draw, so that beat can be drawn again after a rhythm change.
  let beforeRTimeMs = lastRTimeMs;
  let beforeSinusTimeMs = lastSinusTimeMs;
  let beforeWasEctopic = false;
  let afterRTimeMs = lastRTimeMs;
  let afterSinusTimeMs = lastSinusTimeMs;
  let afterWasEctopic = false;

  function drawNextBeat(): DrawnBeat {
    beforeRTimeMs = lastRTimeMs;
    beforeSinusTimeMs = lastSinusTimeMs;
    beforeWasEctopic = lastWasEctopic;
    const meanRrMs = 60000 / def.heartRateBpm;
    const pPvc = (def.pvcPerMinute * meanRrMs) / 60000;
    const pPac = def.atrialFibrillation ? 0 : (def.pacPerMinute * meanRrMs) / 60000;
    // One uniform draw per beat keeps the stream layout independent of which branch is taken.
    const u = rng.next();
    const coupling = rng.next();
    const ectopicAllowed = !lastWasEctopic;

    let kind: BeatKind;
    let rTimeMs: number;
    if (def.atrialFibrillation) {
      if (ectopicAllowed && u < pPvc) {
        kind = 'pvc';
        const c = PVC_COUPLING_MIN + (PVC_COUPLING_MAX - PVC_COUPLING_MIN) * coupling;
        rTimeMs = lastRTimeMs + Math.max(MIN_RR_MS, c * meanRrMs);
      } else {
        kind = 'af';
        rTimeMs = lastRTimeMs + afRrMs();
      }
      lastSinusTimeMs = rTimeMs;
    } else {
      const sinusRr = sinusRrMs(lastSinusTimeMs);
      const nextSinusTimeMs = lastSinusTimeMs + sinusRr;
      if (ectopicAllowed && u < pPvc) {
        kind = 'pvc';
        const c = PVC_COUPLING_MIN + (PVC_COUPLING_MAX - PVC_COUPLING_MIN) * coupling;
        rTimeMs = lastRTimeMs + Math.max(MIN_RR_MS, c * (nextSinusTimeMs - lastRTimeMs));
        // The sinus discharge at nextSinusTimeMs meets refractory ventricles: it is blocked.
        lastSinusTimeMs = nextSinusTimeMs;
      } else if (ectopicAllowed && u < pPvc + pPac) {
        kind = 'pac';
        const c = PAC_COUPLING_MIN + (PAC_COUPLING_MAX - PAC_COUPLING_MIN) * coupling;
        rTimeMs = lastRTimeMs + Math.max(MIN_RR_MS, c * (nextSinusTimeMs - lastRTimeMs));
        // The PAC discharges and resets the sinus node.
        lastSinusTimeMs = rTimeMs;
      } else {
        kind = 'sinus';
        rTimeMs = nextSinusTimeMs;
        lastSinusTimeMs = rTimeMs;
      }
    }
    lastWasEctopic = kind === 'pvc' || kind === 'pac';
    const rrMs = rTimeMs - lastRTimeMs;
    lastRTimeMs = rTimeMs;
    return { rTimeMs, kind, rrMs };
  }

  function redrawLastBeat(): DrawnBeat {
    afterRTimeMs = lastRTimeMs;
    afterSinusTimeMs = lastSinusTimeMs;
    afterWasEctopic = lastWasEctopic;
    lastRTimeMs = beforeRTimeMs;
    lastSinusTimeMs = beforeSinusTimeMs;
    lastWasEctopic = beforeWasEctopic;
    return drawNextBeat();
  }

  function revertRedraw(): void {
    lastRTimeMs = afterRTimeMs;
    lastSinusTimeMs = afterSinusTimeMs;
    lastWasEctopic = afterWasEctopic;
  }

  function setRhythm(patch: Partial<RhythmDef>): void {
    if (patch.heartRateBpm !== undefined) clampRate(patch.heartRateBpm);
    for (const key of Object.keys(patch) as (keyof RhythmDef)[]) {
      const value = patch[key];
      if (value !== undefined) (def as Record<string, unknown>)[key] = value;
    }
    def.heartRateBpm = clampRate(def.heartRateBpm);
  }

  return { drawNextBeat, redrawLastBeat, revertRedraw, setRhythm, def };
}
