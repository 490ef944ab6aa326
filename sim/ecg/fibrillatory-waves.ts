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
/** New frequency/amplitude targets are drawn this often, ms; values glide toward them in between. */
const RETARGET_MS = 100;

export interface FibrillatoryWaves {
  sampleMv(amplitudeMv: number): number;
}

/** f-wave state as class fields, so V8 updates the doubles in place (no allocation per sample). */
class QuasiSinusoid implements FibrillatoryWaves {
  private readonly rng: Rng;
  private readonly dtS: number;
  private readonly retargetSamples: number;
  private readonly glide: number;
  private phase: number;
  private frequencyHz = F_WAVE_CENTRE_HZ;
  private targetHz = F_WAVE_CENTRE_HZ;
  private gain = 1;
  private targetGain = 1;
  private countdown = 0;

  constructor(rng: Rng, sampleRateHz: number) {
    this.rng = rng;
    this.dtS = 1 / sampleRateHz;
    this.retargetSamples = Math.max(1, Math.round((RETARGET_MS / 1000) * sampleRateHz));
    this.glide = 1 / this.retargetSamples;
    this.phase = 2 * Math.PI * rng.next();
  }

  sampleMv(amplitudeMv: number): number {
    if (this.countdown <= 0) {
      this.countdown = this.retargetSamples;
      this.targetHz = F_WAVE_CENTRE_HZ + F_WAVE_SPREAD_HZ * (2 * this.rng.next() - 1);
      this.targetGain = 0.6 + 0.8 * this.rng.next();
    }
    this.countdown--;
    this.frequencyHz += (this.targetHz - this.frequencyHz) * this.glide;
    this.gain += (this.targetGain - this.gain) * this.glide;
    this.phase += 2 * Math.PI * this.frequencyHz * this.dtS;
    if (this.phase > 2 * Math.PI) this.phase -= 2 * Math.PI;
    return 0.5 * amplitudeMv * this.gain * Math.sin(this.phase);
  }
}

export function createFibrillatoryWaves(rng: Rng, sampleRateHz: number): FibrillatoryWaves {
  return new QuasiSinusoid(rng, sampleRateHz);
}
