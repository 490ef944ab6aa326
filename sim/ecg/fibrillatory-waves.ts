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

export function createFibrillatoryWaves(rng: Rng, sampleRateHz: number): FibrillatoryWaves {
  const dtS = 1 / sampleRateHz;
  const retargetSamples = Math.max(1, Math.round((RETARGET_MS / 1000) * sampleRateHz));
  const glide = 1 / retargetSamples;
  let phase = 2 * Math.PI * rng.next();
  let frequencyHz = F_WAVE_CENTRE_HZ;
  let targetHz = F_WAVE_CENTRE_HZ;
  let gain = 1;
  let targetGain = 1;
  let countdown = 0;

  function sampleMv(amplitudeMv: number): number {
    if (countdown <= 0) {
      countdown = retargetSamples;
      targetHz = F_WAVE_CENTRE_HZ + F_WAVE_SPREAD_HZ * (2 * rng.next() - 1);
      targetGain = 0.6 + 0.8 * rng.next();
    }
    countdown--;
    frequencyHz += (targetHz - frequencyHz) * glide;
    gain += (targetGain - gain) * glide;
    phase += 2 * Math.PI * frequencyHz * dtS;
    if (phase > 2 * Math.PI) phase -= 2 * Math.PI;
    return 0.5 * amplitudeMv * gain * Math.sin(phase);
  }

  return { sampleMv };
}
