/**
 * Causal R-wave detector of the Pan-Tompkins family (Pan & Tompkins, "A real-time QRS detection algorithm",
 * IEEE TBME 1985;32:230; Hamilton & Tompkins, "Quantitative investigation of QRS detection rules using the
 * MIT/BIH arrhythmia database", IEEE TBME 1986;33:1157).
 *
 * Chain: 5-15 Hz band-pass (Butterworth high-pass + low-pass biquads designed for the sample rate),
 * five-point derivative, squaring, 150 ms moving-window integration (MWI). Peaks of the MWI are
 * classified against adaptive thresholds: THRESHOLD1 = NPK + 0.25 (SPK - NPK), THRESHOLD2 = THRESHOLD1 / 2,
 * SPK/NPK running estimates of signal and noise peaks (weights 1/8; 1/4 after search-back), a 200 ms
 * refractory period, T-wave rejection within 360 ms when the peak's maximal slope is under half that of the
 * previous QRS, and search-back with THRESHOLD2 when no QRS has been found for 1.66 x the mean RR.
 *
 * Peak decision: the MWI rises monotonically while QRS energy enters its window. Instead of waiting for it to
 * fall to half (Hamilton & Tompkins), a peak is confirmed once the MWI has stopped growing (by less than
 * `peakGrowthFraction` over `peakHoldMs`); this cuts about 100 ms of decision latency. A later creep of the
 * same hump forms a new peak whose R lies inside the refractory period, so it is discarded.
 */
import { applyBiquad, type BiquadCoefficients, designButterworthHighPass, designButterworthLowPass } from './biquad.ts';

export interface RDetectorDef {
  /** Band-pass lower corner, Hz. Default 5 (Pan & Tompkins 1985: most QRS energy lies in 5-15 Hz). */
  lowCutHz?: number;
  /** Band-pass upper corner, Hz. Default 15 (same). */
  highCutHz?: number;
  /** Moving-window integration width, ms. Default 150 (about the widest QRS; Pan & Tompkins 1985). */
  integrationWindowMs?: number;
  /** No second QRS within this time of one, ms. Default 200 (physiological refractory period; same). */
  refractoryMs?: number;
  /** Peaks within this time of a QRS face the T-wave slope test, ms. Default 360 (same). */
  tWaveWindowMs?: number;
  /** A peak in the T window is a T wave if its maximal slope < this x the previous QRS's. Default 0.5. */
  tWaveSlopeRatio?: number;
  /** Search back when no QRS for this multiple of the mean RR. Default 1.66 (same). */
  searchBackRrFactor?: number;
  /** Initial learning period, ms: thresholds are estimated, nothing is detected. Default 2000 (same). */
  learningMs?: number;
  /** A MWI hump is confirmed once it grew by less than `peakGrowthFraction` over this time, ms. Default 20. */
  peakHoldMs?: number;
  /** See `peakHoldMs`; also the rise that starts a new hump. Default 0.05. */
  peakGrowthFraction?: number;
}

export const R_DETECTOR_DEFAULTS: Required<RDetectorDef> = {
  lowCutHz: 5,
  highCutHz: 15,
  integrationWindowMs: 150,
  refractoryMs: 200,
  tWaveWindowMs: 360,
  tWaveSlopeRatio: 0.5,
  searchBackRrFactor: 1.66,
  learningMs: 2000,
  peakHoldMs: 20,
  peakGrowthFraction: 0.05,
};

export interface RDetector {
  /** Feed one sample (mV); true when an R wave is detected now (decision time). */
  push(sampleMv: number): boolean;
  /** Index of the last pushed sample (first sample is 0; -1 before any). */
  readonly sampleIndex: number;
  /** Sample index of the last detected R peak (back-dated), -1 before any. */
  readonly lastPeakIndex: number;
  /** Whether the last detection came from search-back (decided late, up to 1.66 RR after the beat). */
  readonly lastWasSearchBack: boolean;
  reset(): void;
}

/** RR history length for the mean RR (Pan & Tompkins' RR AVERAGE uses the eight most recent beats). */
const RR_HISTORY = 8;
/** Mean RR assumed before two beats have been detected, ms. */
const INITIAL_RR_MS = 1000;
/** Ring buffers keep this much history, s (back-dating and slope search look back < 0.5 s). */
const HISTORY_S = 1;

const PEAK_RISING = 0;
const PEAK_VALLEY = 1;

/** High-pass corner that removes baseline wander before locating the R peak, Hz (AHA: 0.67 Hz). */
const DEWANDER_CUTOFF_HZ = 0.67;
/** Width (sd) of the Gaussian R wave used to calibrate the back-dating delay, ms (ECGSYN R at ~70 bpm). */
const CALIBRATION_R_SIGMA_MS = 15;

/**
 * Delay from an R peak to the largest excursion it causes after `filter`, in samples, measured on a
 * Gaussian R wave.
 */
function pulseDelaySamples(filter: BiquadCoefficients, sampleRateHz: number): number {
  const length = Math.round(sampleRateHz);
  const centre = Math.round(sampleRateHz / 4);
  const sigma = (CALIBRATION_R_SIGMA_MS * sampleRateHz) / 1000;
  const pulse = new Float64Array(length);
  for (let i = 0; i < length; i++) pulse[i] = Math.exp(-0.5 * ((i - centre) / sigma) ** 2);
  const out = applyBiquad(filter, pulse);
  let best = centre;
  for (let i = 0; i < length; i++) if (Math.abs(out[i] as number) > Math.abs(out[best] as number)) best = i;
  return best - centre;
}

function nextPowerOfTwo(n: number): number {
  let p = 1;
  while (p < n) p *= 2;
  return p;
}

export function createRDetector(sampleRateHz: number, rDetectorDef: RDetectorDef = {}): RDetector {
  const def: Required<RDetectorDef> = { ...R_DETECTOR_DEFAULTS, ...rDetectorDef };
  const msToSamples = (ms: number): number => Math.max(1, Math.round((ms * sampleRateHz) / 1000));
  const hp: BiquadCoefficients = designButterworthHighPass(def.lowCutHz, sampleRateHz);
  const lp: BiquadCoefficients = designButterworthLowPass(def.highCutHz, sampleRateHz);
  // The R peak is located on the ECG with only the baseline removed (the 5-15 Hz band-pass turns an R wave
  // into a wavelet whose largest lobe may be the negative one after the peak).
  const dw: BiquadCoefficients = designButterworthHighPass(DEWANDER_CUTOFF_HZ, sampleRateHz);
  const dewanderDelaySamples = pulseDelaySamples(dw, sampleRateHz);
  const windowSamples = msToSamples(def.integrationWindowMs);
  const refractorySamples = msToSamples(def.refractoryMs);
  const tWaveSamples = msToSamples(def.tWaveWindowMs);
  const learningSamples = msToSamples(def.learningMs);
  const holdSamples = msToSamples(def.peakHoldMs);
  // Five-point derivative (Pan & Tompkins 1985), scaled to mV/s at any rate: (2x0 + x1 - x3 - 2x4) fs / 8.
  const derivativeScale = sampleRateHz / 8;

  const historySize = nextPowerOfTwo(Math.max(msToSamples(HISTORY_S * 1000), 2 * windowSamples + 8));
  const historyMask = historySize - 1;
  const baselineFree = new Float64Array(historySize);
  const slope = new Float64Array(historySize);
  const squared = new Float64Array(historySize);
  const integrated = new Float64Array(historySize);
  const rrHistory = new Float64Array(RR_HISTORY);

  // Filter state (direct form I).
  let hpX1 = 0;
  let hpX2 = 0;
  let hpY1 = 0;
  let hpY2 = 0;
  let lpX1 = 0;
  let lpX2 = 0;
  let lpY1 = 0;
  let lpY2 = 0;
  let dwX1 = 0;
  let dwX2 = 0;
  let dwY1 = 0;
  let dwY2 = 0;
  let bp1 = 0;
  let bp2 = 0;
  let bp3 = 0;
  let bp4 = 0;
  let integral = 0;

  let n = -1;
  let learningMax = 0;
  let learningSum = 0;
  let signalPeak = 0;
  let noisePeak = 0;
  let threshold1 = 0;

  let peakState = PEAK_VALLEY;
  let valley = 0;
  let humpMax = 0;
  let humpMaxIndex = -1;
  let riseStartIndex = -1;

  let lastQrsIndex = -1;
  let lastQrsSlope = 0;
  let lastPeakIndex = -1;
  let lastWasSearchBack = false;
  let rrCount = 0;
  let rrNext = 0;
  let meanRrSamples = msToSamples(INITIAL_RR_MS);

  let candidateValue = 0;
  let candidateIndex = -1;
  let candidateSlope = 0;

  function reset(): void {
    hpX1 = hpX2 = hpY1 = hpY2 = lpX1 = lpX2 = lpY1 = lpY2 = 0;
    dwX1 = dwX2 = dwY1 = dwY2 = 0;
    bp1 = bp2 = bp3 = bp4 = 0;
    integral = 0;
    baselineFree.fill(0);
    slope.fill(0);
    squared.fill(0);
    integrated.fill(0);
    rrHistory.fill(0);
    n = -1;
    learningMax = learningSum = 0;
    signalPeak = noisePeak = threshold1 = 0;
    peakState = PEAK_VALLEY;
    valley = humpMax = 0;
    humpMaxIndex = riseStartIndex = -1;
    lastQrsIndex = -1;
    lastQrsSlope = 0;
    lastPeakIndex = -1;
    lastWasSearchBack = false;
    rrCount = rrNext = 0;
    meanRrSamples = msToSamples(INITIAL_RR_MS);
    candidateValue = 0;
    candidateIndex = -1;
  }

  function updateThreshold(): void {
    threshold1 = noisePeak + 0.25 * (signalPeak - noisePeak);
  }

  /** Back-dated R index: largest excursion of the baseline-free ECG in the window that fed the peak. */
  function locateR(peakIndex: number): number {
    let best = -1;
    let bestIndex = peakIndex;
    const from = Math.max(0, peakIndex - windowSamples);
    for (let i = from; i <= peakIndex; i++) {
      const v = Math.abs(baselineFree[i & historyMask] as number);
      if (v > best) {
        best = v;
        bestIndex = i;
      }
    }
    return bestIndex - dewanderDelaySamples;
  }

  function maxSlope(peakIndex: number): number {
    let best = 0;
    const from = Math.max(0, peakIndex - windowSamples);
    for (let i = from; i <= peakIndex; i++) {
      const v = slope[i & historyMask] as number;
      if (v > best) best = v;
    }
    return best;
  }

  function acceptQrs(rIndex: number, peakSlope: number, searchBack: boolean): void {
    if (lastQrsIndex >= 0) {
      rrHistory[rrNext] = rIndex - lastQrsIndex;
      rrNext = (rrNext + 1) % RR_HISTORY;
      if (rrCount < RR_HISTORY) rrCount++;
      let sum = 0;
      for (let i = 0; i < rrCount; i++) sum += rrHistory[i] as number;
      meanRrSamples = sum / rrCount;
    }
    lastQrsIndex = rIndex;
    lastQrsSlope = peakSlope;
    lastPeakIndex = rIndex;
    lastWasSearchBack = searchBack;
    candidateValue = 0;
    candidateIndex = -1;
  }

  /** Classify a confirmed MWI peak; true when it is a QRS. */
  function classifyPeak(value: number, peakIndex: number): boolean {
    if (value <= 0.5 * threshold1) {
      // Too small to be a QRS or a search-back candidate: only the noise estimate learns from it.
      noisePeak = 0.125 * value + 0.875 * noisePeak;
      updateThreshold();
      return false;
    }
    const rIndex = locateR(peakIndex);
    if (lastQrsIndex >= 0 && rIndex - lastQrsIndex < refractorySamples) return false;
    const peakSlope = maxSlope(peakIndex);
    const isTWave =
      lastQrsIndex >= 0 && rIndex - lastQrsIndex < tWaveSamples && peakSlope < def.tWaveSlopeRatio * lastQrsSlope;
    if (value > threshold1 && !isTWave) {
      signalPeak = 0.125 * value + 0.875 * signalPeak;
      updateThreshold();
      acceptQrs(rIndex, peakSlope, false);
      return true;
    }
    noisePeak = 0.125 * value + 0.875 * noisePeak;
    updateThreshold();
    if (!isTWave && value > candidateValue) {
      candidateValue = value;
      candidateIndex = rIndex;
      candidateSlope = peakSlope;
    }
    return false;
  }

  /** Advance the MWI peak tracker; returns the index of a newly confirmed peak's maximum, or -1. */
  function trackPeak(m: number): number {
    if (peakState === PEAK_VALLEY) {
      if (m < valley) valley = m;
      else if (m > valley * (1 + def.peakGrowthFraction) && m > 0) {
        peakState = PEAK_RISING;
        humpMax = m;
        humpMaxIndex = riseStartIndex = n;
      }
      return -1;
    }
    if (m > humpMax) {
      humpMax = m;
      humpMaxIndex = n;
    }
    const grownBy = m - (integrated[(n - holdSamples) & historyMask] as number);
    if (n - riseStartIndex >= holdSamples && grownBy < def.peakGrowthFraction * m) {
      // Stalled: the QRS energy is inside the window. Any later creep is a new hump that the refractory
      // period will discard.
      peakState = PEAK_VALLEY;
      valley = m;
      return humpMaxIndex;
    }
    return -1;
  }

  function push(sampleMv: number): boolean {
    n++;
    const x = sampleMv;
    if (n === 0) {
      // Start the high-passes in steady state for a constant input, so the first sample is not a step.
      hpX1 = hpX2 = dwX1 = dwX2 = x;
    }
    const w = dw.b0 * x + dw.b1 * dwX1 + dw.b2 * dwX2 - dw.a1 * dwY1 - dw.a2 * dwY2;
    dwX2 = dwX1;
    dwX1 = x;
    dwY2 = dwY1;
    dwY1 = w;
    const h = hp.b0 * x + hp.b1 * hpX1 + hp.b2 * hpX2 - hp.a1 * hpY1 - hp.a2 * hpY2;
    hpX2 = hpX1;
    hpX1 = x;
    hpY2 = hpY1;
    hpY1 = h;
    const b = lp.b0 * h + lp.b1 * lpX1 + lp.b2 * lpX2 - lp.a1 * lpY1 - lp.a2 * lpY2;
    lpX2 = lpX1;
    lpX1 = h;
    lpY2 = lpY1;
    lpY1 = b;
    const d = (2 * b + bp1 - bp3 - 2 * bp4) * derivativeScale;
    bp4 = bp3;
    bp3 = bp2;
    bp2 = bp1;
    bp1 = b;
    const sq = d * d;
    const slot = n & historyMask;
    integral += sq - (squared[(n - windowSamples) & historyMask] as number);
    if (integral < 0) integral = 0;
    squared[slot] = sq;
    baselineFree[slot] = w;
    slope[slot] = Math.abs(d);
    const m = integral / windowSamples;
    integrated[slot] = m;

    const peakIndex = trackPeak(m);
    if (n < learningSamples) {
      if (m > learningMax) learningMax = m;
      learningSum += m;
      if (n === learningSamples - 1) {
        // Conservative starting estimates; they converge within a few beats.
        signalPeak = learningMax / 3;
        noisePeak = learningSum / learningSamples / 2;
        updateThreshold();
      }
      return false;
    }
    if (peakIndex >= 0 && classifyPeak(humpMax, peakIndex)) return true;

    if (
      lastQrsIndex >= 0 &&
      candidateIndex >= 0 &&
      n - lastQrsIndex > def.searchBackRrFactor * meanRrSamples &&
      candidateValue > 0.5 * threshold1
    ) {
      signalPeak = 0.25 * candidateValue + 0.75 * signalPeak;
      updateThreshold();
      acceptQrs(candidateIndex, candidateSlope, true);
      return true;
    }
    return false;
  }

  return {
    push,
    get sampleIndex(): number {
      return n;
    },
    get lastPeakIndex(): number {
      return lastPeakIndex;
    },
    get lastWasSearchBack(): boolean {
      return lastWasSearchBack;
    },
    reset,
  };
}
