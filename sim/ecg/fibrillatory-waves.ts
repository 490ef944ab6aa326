/**
 * Fibrillatory (f) waves of atrial fibrillation: a quasi-sinusoid whose frequency wanders around the
 * dominant atrial frequency and whose amplitude waxes and wanes. The surface dominant atrial frequency in
 * persistent AF is typically 5-8 Hz (Bollmann et al., "Analysis of surface electrocardiograms in atrial
 * fibrillation", Europace 2006;8:911); Stridh & Sornmo model f waves the same way (IEEE TBME 2001;48:105).
 */
import type { Rng } from '../rng.ts';

/** Centre and spread of the dominant atrial frequency, Hz (Bollmann 2006). */
const F_WAVE_CENTRE_HZ = 6;
const F_WAVE_SPREAD_HZ = 1;
/** A new frequency and amplitude target is drawn this often, ms; the amplitude glides toward its target. */
const RETARGET_MS = 100;

export interface FibrillatoryWaves {
  /** Advance one sample; the value goes to `value` (a double returned from a call could allocate). */
  advance(): void;
  /** f wave of unit typical peak-to-peak size; multiply by the amplitude in mV. */
  readonly value: number;
  /** `advance` and return `value` * amplitudeMv. */
  sampleMv(amplitudeMv: number): number;
}

/**
 * f-wave state as class fields, so V8 updates the doubles in place (no allocation per sample). The phase
 * advances by rotating a phasor; the frequency changes only at each retarget, so no trigonometry per sample.
 */
class QuasiSinusoid implements FibrillatoryWaves {
  private readonly rng: Rng;
  private readonly sampleRateHz: number;
  private readonly retargetSamples: number;
  private readonly glide: number;
  // Initialised here, not only in the constructor: a field declared without a value starts as undefined,
  // and V8 would then keep it as a tagged field and allocate a HeapNumber on every write.
  private c = 1;
  private s = 0;
  private cosStep = 1;
  private sinStep = 0;
  private gain = 1;
  private targetGain = 1;
  private countdown = 0;

  constructor(rng: Rng, sampleRateHz: number) {
    this.rng = rng;
    this.sampleRateHz = sampleRateHz;
    this.retargetSamples = Math.max(1, Math.round((RETARGET_MS / 1000) * sampleRateHz));
    this.glide = 1 / this.retargetSamples;
    const phase = 2 * Math.PI * rng.next();
    this.c = Math.cos(phase);
    this.s = Math.sin(phase);
  }

  private retarget(): void {
    this.countdown = this.retargetSamples;
    const frequencyHz = F_WAVE_CENTRE_HZ + F_WAVE_SPREAD_HZ * (2 * this.rng.next() - 1);
    const step = (2 * Math.PI * frequencyHz) / this.sampleRateHz;
    this.cosStep = Math.cos(step);
    this.sinStep = Math.sin(step);
    this.targetGain = 0.6 + 0.8 * this.rng.next();
    // Keep the phasor on the unit circle (first-order correction of the rounding drift).
    const norm = 1.5 - 0.5 * (this.c * this.c + this.s * this.s);
    this.c *= norm;
    this.s *= norm;
  }

  value = 0;

  sampleMv(amplitudeMv: number): number {
    this.advance();
    return amplitudeMv * this.value;
  }

  advance(): void {
    if (this.countdown <= 0) this.retarget();
    this.countdown--;
    this.gain += (this.targetGain - this.gain) * this.glide;
    const c = this.c * this.cosStep - this.s * this.sinStep;
    this.s = this.s * this.cosStep + this.c * this.sinStep;
    this.c = c;
    this.value = 0.5 * this.gain * this.s;
  }
}

export function createFibrillatoryWaves(rng: Rng, sampleRateHz: number): FibrillatoryWaves {
  return new QuasiSinusoid(rng, sampleRateHz);
}
