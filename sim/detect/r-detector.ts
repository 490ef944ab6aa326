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
 * previous QRS, and search-back with THRESHOLD2 when no QRS has been found for 1.66 x RR AVERAGE2 (the mean
 * of the recent RR intervals within 92-116 % of it).
 *
 * Peak decision: the MWI rises monotonically while QRS energy enters its window. Instead of waiting for it to
 * fall to half (Hamilton & Tompkins: ~170 ms after the R peak), a peak is confirmed once the MWI has stopped
 * growing (by less than `peakGrowthFraction` over `peakHoldMs`): ~50 ms after the R peak. A later creep of
 * the same hump forms a new peak whose R lies inside the refractory period: it is not a new beat, but if it is
 * larger it replaces the first part in SPK and in the T-wave slope reference (a wide QRS at a slow rate can
 * deliver its energy in two parts; learning from the first part alone would let P and T waves through).
 *
 * Provisional peaks (P-wave and noise rejection): a peak above THRESHOLD1 that is small (MWI under
 * NPK + 0.5 (SPK - NPK)), shallow (maximal slope under half the mean QRS slope), premature (under 0.8 of the
 * mean RR), followed by a displaced, settled ECG (a possible baseline step), or found while the noise estimate
 * exceeds 0.1 SPK (a noisy stretch), is not a QRS at once.
 * It becomes one `provisionalMs` after its R, if it clears NPK + 0.4 (SPK - NPK), unless a steeper peak with
 * at least half its energy arrives first, in which case it was a P wave (tall P waves reach 0.25-0.8 SPK at a
 * PR interval of 150-250 ms) and feeds the noise estimate. A provisional peak too close to the noise level is
 * left as a search-back candidate: if the rhythm shows a beat missing there, search-back takes it. While
 * a hump is still rising at the deadline, the decision waits for it. QRS complexes of normal size and timing
 * keep their ~50 ms decision latency; only the doubtful ones wait (Hamilton & Tompkins 1986 likewise trade
 * decision delay for accuracy).
 *
 * Two beats, not a P wave: a provisional peak as steep as a QRS, followed a conducted RR later (>= 240 ms) by
 * a peak of the same slope and energy, is decided at once and the second waits in its place: in fast atrial
 * fibrillation the next QRS otherwise displaced the provisional one as a P wave, or was taken for its T wave.
 *
 * Re-learning: Pan & Tompkins' thresholds adapt only on detections, so an ECG that shrinks (an electrode moved,
 * the lead changed) would stay under them for good. After 2.5 mean RR without a QRS, a smaller peak that shows
 * twice among the peaks since the last QRS, well above their median, moves SPK towards itself.
 *
 * P-wave correction: a peak larger and steeper than the last QRS, beyond the width of one hump but within
 * `pWaveWindowMs` of it, shows that the last one was a P wave taken for a QRS (tall P waves, or a QRS that
 * is small in this lead). It is reported as the beat and takes the last one's place in SPK, the mean slope
 * and the RR history, so the learnt QRS stays the QRS. The P detection has been reported already; the
 * correction stops it from repeating.
 *
 * Artefacts: pacemaker pulses are blanked before filtering (pace-blanker.ts); a provisional peak after which
 * the ECG stays displaced and settled is a baseline step, not a QRS (baseline-step.ts).
 *
 * The reported R peak is back-dated to the largest excursion of the baseline-free ECG within the integration
 * window that fed the MWI peak (not of the band-passed signal, whose largest lobe may follow the R).
 */
import { isBaselineStep, type StepTest } from './baseline-step.ts';
import { applyBiquad, type BiquadCoefficients, designButterworthHighPass, designButterworthLowPass } from './biquad.ts';
import { R_DETECTOR_DEFAULTS, type RDetector, type RDetectorDef } from './config.ts';
import { PaceBlanker } from './pace-blanker.ts';
import { RrHistory } from './rr-history.ts';

export type { RDetector, RDetectorDef } from './config.ts';
export { R_DETECTOR_DEFAULTS } from './config.ts';

/**
 * A peak following a provisional one displaces it (shows it was a P wave) when steeper and larger than this
 * fraction of it: a P wave is slower than a QRS (P 80-110 ms wide, QRS 60-100 ms with far steeper flanks), so
 * slope tells them apart; a broad tall P wave may carry more 5-15 Hz energy than a small QRS.
 */
const DISPLACE_VALUE_FRACTION = 0.5;
/**
 * Two peaks are the same QRS shape when their maximal slopes differ by less than this factor and their MWI
 * peaks by less than the next: successive QRS complexes of one rhythm differ little in both (atrial
 * fibrillation changes the RR, not the ventricular conduction; at RR 250 ms the QRS lands on the last T wave,
 * which moves its slope by up to ~15 %), while a tall P wave and the QRS after it differ by 1.29 (median
 * slope) and 1.5 (median energy) on MIT-BIH record 108.
 */
const SAME_QRS_SLOPE_RATIO = 1.2;
const SAME_QRS_VALUE_RATIO = 1.3;
/**
 * Two QRS-like peaks at least this far apart can be two conducted beats, ms. The AV node's refractory period
 * keeps the ventricular rate of atrial fibrillation under about 240 bpm (RR 250 ms, the engine's AF floor);
 * the P-wave peak of MIT-BIH record 108 precedes its R peak by up to 270 ms (first-degree block), so below
 * this distance a QRS-like peak and a larger one after it are still read as P wave and QRS.
 */
const SHORTEST_CONDUCTED_RR_MS = 240;

/** True when `ratio` lies within a factor `limit` of 1, either way. */
function sameMorphology(ratio: number, limit: number): boolean {
  return ratio < limit && ratio > 1 / limit;
}

/**
 * No QRS for this many mean RR intervals, and no search-back candidate either: the ECG may have become smaller
 * (an electrode moved, the lead changed, the patient turned), leaving every QRS under thresholds learnt from
 * the larger one. Pan & Tompkins' thresholds only adapt on detections, so without re-learning the detector
 * would stay blind for as long as the ECG stays small. 2.5 RR: after search-back (1.66 RR) has had its chance,
 * and before the device's 3 s lost-ECG alarm at most rates.
 */
const RELEARN_RR_FACTOR = 2.5;
/** Peaks since the last QRS kept for re-learning (the largest ones matter; a few seconds of peaks fit). */
const RELEARN_MAX_PEAKS = 64;
/**
 * Re-learning needs the QRS at its new size to show twice: two peaks at least a refractory period apart, each
 * at least this many times the median peak since the last QRS (P and T waves, noise), and within a factor 2
 * of each other. A pause in the rhythm (one T wave, then nothing) and a lead that is off (no peaks, or
 * noise without a dominant repeated peak) do not qualify.
 */
const RELEARN_DOMINANCE = 4;

/** Mean RR assumed before two beats have been detected, ms. */
const INITIAL_RR_MS = 1000;
/** Ring buffers keep this much history, s (back-dating and slope search look back < 0.5 s). */
const HISTORY_S = 1;

/** Baseline step test: levels are means over this long, ms, ending this long before the R (pre) or now. */
const STEP_LEVEL_MS = 40;
const STEP_PRE_LEVEL_MS = 70;
/** A displaced ECG has settled when it moved by less than this fraction of the excursion over STEP_LEVEL_MS. */
const STEP_QUIET_FRACTION = 0.2;

const PEAK_RISING = 0;
const PEAK_VALLEY = 1;

/**
 * High-pass corner that removes baseline wander before locating the R peak, Hz: 0.67 Hz (40 bpm), the
 * monitoring corner allowed by the AHA recommendations (Bailey et al., Circulation 1990;81:730).
 */
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

/** Numeric state of the detector. Class fields (not closure variables) so V8 updates doubles in place. */
class PanTompkinsDetector implements RDetector {
  sampleIndex = -1;
  lastPeakIndex = -1;
  lastWasSearchBack = false;

  private readonly def: Required<RDetectorDef>;
  private readonly hp: BiquadCoefficients;
  private readonly lp: BiquadCoefficients;
  private readonly dw: BiquadCoefficients;
  private readonly dewanderDelaySamples: number;
  private readonly windowSamples: number;
  private readonly refractorySamples: number;
  private readonly tWaveSamples: number;
  private readonly learningSamples: number;
  private readonly holdSamples: number;
  private readonly initialRrSamples: number;
  private readonly provisionalSamples: number;
  private readonly pacing: PaceBlanker;
  private readonly pWaveSamples: number;
  /** SHORTEST_CONDUCTED_RR_MS in samples. */
  private readonly shortestRrSamples: number;
  /** Whether the last QRS added an RR interval (not the first beat). */
  private lastQrsHasRr = false;
  private readonly stepTest: StepTest;
  /** Peaks whose R lies this close are parts of one hump (half the integration window). */
  private readonly fragmentSamples: number;
  private readonly derivativeScale: number;
  private readonly historyMask: number;
  private readonly baselineFree: Float64Array;
  /** The ECG as received (the baseline step test needs levels the de-wander filter would decay). */
  private readonly raw: Float64Array;
  private readonly slope: Float64Array;
  private readonly squared: Float64Array;
  private readonly integrated: Float64Array;
  private readonly rr: RrHistory;

  // Filter state (direct form I): high-pass, low-pass, de-wander high-pass; band-passed history.
  private hpX1 = 0;
  private hpX2 = 0;
  private hpY1 = 0;
  private hpY2 = 0;
  private lpX1 = 0;
  private lpX2 = 0;
  private lpY1 = 0;
  private lpY2 = 0;
  private dwX1 = 0;
  private dwX2 = 0;
  private dwY1 = 0;
  private dwY2 = 0;
  private bp1 = 0;
  private bp2 = 0;
  private bp3 = 0;
  private bp4 = 0;
  private integral = 0;
  /** Latest moving-window integral. */
  private mwi = 0;

  private learningMax = 0;
  private learningSum = 0;
  /** SPKI, NPKI and THRESHOLD I1 of Pan & Tompkins, on the MWI. */
  private signalPeak = 0;
  private noisePeak = 0;
  private threshold1 = 0;

  private peakState = PEAK_VALLEY;
  private valley = 0;
  private humpMax = 0;
  private humpMaxIndex = -1;
  private riseStartIndex = -1;

  private lastQrsIndex = -1;
  private lastQrsSlope = 0;
  /** MWI peak of the last QRS and the weight it entered SPK with. */
  private lastQrsValue = 0;
  private lastQrsWeight = 0;

  private candidateValue = 0;
  private candidateIndex = -1;
  private candidateSlope = 0;
  /**
   * The last peak taken for noise (R index, MWI value, slope, NPK before it learnt from it); index -1 when
   * none. A wide QRS (a PVC, a bundle-branch block) can bring its energy in two humps: the next one within
   * fragmentSamples is the same complex, scored by its larger part.
   */
  private noiseFragmentIndex = -1;
  private noiseFragmentValue = 0;
  private noiseFragmentSlope = 0;
  private noiseFragmentNpk = 0;
  /** Running mean of the accepted QRS complexes' maximal slopes (weight 1/8, as SPK). */
  private meanQrsSlope = 0;
  /** MWI peaks (value, peak index) since the last QRS, for re-learning after a drop in amplitude. */
  private readonly recentPeakValues = new Float64Array(RELEARN_MAX_PEAKS);
  private readonly recentPeakIndices = new Float64Array(RELEARN_MAX_PEAKS);
  private recentPeakCount = 0;
  /** Sample of the last re-learning check that found no QRS to learn from (-1: none since the last QRS). */
  private relearnCheckedAt = -1;
  /** Provisional peak waiting for its decision (R index, MWI value, slope); index -1 when none. */
  private provisionalIndex = -1;
  /** Sample at which the provisional peak is decided (later while more energy may be coming). */
  private provisionalDeadline = -1;
  private provisionalValue = 0;
  private provisionalSlope = 0;

  constructor(sampleRateHz: number, rDetectorDef: RDetectorDef) {
    const def: Required<RDetectorDef> = { ...R_DETECTOR_DEFAULTS, ...rDetectorDef };
    this.def = def;
    const msToSamples = (ms: number): number => Math.max(1, Math.round((ms * sampleRateHz) / 1000));
    this.hp = designButterworthHighPass(def.lowCutHz, sampleRateHz);
    this.lp = designButterworthLowPass(def.highCutHz, sampleRateHz);
    // The R peak is located on the ECG with only the baseline removed (the 5-15 Hz band-pass turns an R
    // wave into a wavelet whose largest lobe may be the negative one after the peak).
    this.dw = designButterworthHighPass(DEWANDER_CUTOFF_HZ, sampleRateHz);
    this.dewanderDelaySamples = pulseDelaySamples(this.dw, sampleRateHz);
    this.windowSamples = msToSamples(def.integrationWindowMs);
    this.refractorySamples = msToSamples(def.refractoryMs);
    this.tWaveSamples = msToSamples(def.tWaveWindowMs);
    this.learningSamples = msToSamples(def.learningMs);
    this.holdSamples = msToSamples(def.peakHoldMs);
    this.initialRrSamples = msToSamples(INITIAL_RR_MS);
    this.provisionalSamples = msToSamples(def.provisionalMs);
    this.pacing = new PaceBlanker(def.paceSlewMvPerS, sampleRateHz, msToSamples(def.paceBlankMs));
    this.pWaveSamples = msToSamples(def.pWaveWindowMs);
    this.shortestRrSamples = msToSamples(SHORTEST_CONDUCTED_RR_MS);
    this.fragmentSamples = Math.round(this.windowSamples / 2);
    this.rr = new RrHistory(this.initialRrSamples);
    // Five-point derivative (Pan & Tompkins 1985) in mV/s at any rate: (2x0 + x1 - x3 - 2x4) fs / 8.
    this.derivativeScale = sampleRateHz / 8;
    const historySize = nextPowerOfTwo(Math.max(msToSamples(HISTORY_S * 1000), 2 * this.windowSamples + 8));
    this.historyMask = historySize - 1;
    this.baselineFree = new Float64Array(historySize);
    this.raw = new Float64Array(historySize);
    this.stepTest = {
      raw: this.raw,
      mask: this.historyMask,
      levelSamples: msToSamples(STEP_LEVEL_MS),
      searchSamples: this.fragmentSamples,
      preOffsetSamples: msToSamples(STEP_PRE_LEVEL_MS),
      displacedFraction: def.stepFraction,
      quietFraction: STEP_QUIET_FRACTION,
    };
    this.slope = new Float64Array(historySize);
    this.squared = new Float64Array(historySize);
    this.integrated = new Float64Array(historySize);
  }

  reset(): void {
    this.hpX1 = this.hpX2 = this.hpY1 = this.hpY2 = 0;
    this.lpX1 = this.lpX2 = this.lpY1 = this.lpY2 = 0;
    this.dwX1 = this.dwX2 = this.dwY1 = this.dwY2 = 0;
    this.bp1 = this.bp2 = this.bp3 = this.bp4 = 0;
    this.integral = 0;
    this.baselineFree.fill(0);
    this.raw.fill(0);
    this.slope.fill(0);
    this.squared.fill(0);
    this.integrated.fill(0);
    this.rr.reset();
    this.sampleIndex = -1;
    this.learningMax = this.learningSum = 0;
    this.signalPeak = this.noisePeak = this.threshold1 = 0;
    this.peakState = PEAK_VALLEY;
    this.valley = this.humpMax = 0;
    this.humpMaxIndex = this.riseStartIndex = -1;
    this.lastQrsIndex = -1;
    this.lastQrsSlope = this.lastQrsValue = this.lastQrsWeight = 0;
    this.lastPeakIndex = -1;
    this.lastWasSearchBack = false;
    this.candidateValue = this.candidateSlope = 0;
    this.candidateIndex = -1;
    this.noiseFragmentIndex = -1;
    this.noiseFragmentValue = this.noiseFragmentSlope = this.noiseFragmentNpk = 0;
    this.meanQrsSlope = 0;
    this.pacing.reset();
    this.lastQrsHasRr = false;
    this.provisionalIndex = -1;
    this.provisionalValue = this.provisionalSlope = 0;
    this.recentPeakCount = 0;
    this.relearnCheckedAt = -1;
  }

  push(sampleMv: number): boolean {
    const n = ++this.sampleIndex;
    const x = this.pacing.push(sampleMv);
    if (n === 0) {
      // Start the high-passes in steady state for a constant input, so the first sample is not a step.
      this.hpX1 = this.hpX2 = this.dwX1 = this.dwX2 = x;
    }
    const dw = this.dw;
    const w = dw.b0 * x + dw.b1 * this.dwX1 + dw.b2 * this.dwX2 - dw.a1 * this.dwY1 - dw.a2 * this.dwY2;
    this.dwX2 = this.dwX1;
    this.dwX1 = x;
    this.dwY2 = this.dwY1;
    this.dwY1 = w;
    const hp = this.hp;
    const h = hp.b0 * x + hp.b1 * this.hpX1 + hp.b2 * this.hpX2 - hp.a1 * this.hpY1 - hp.a2 * this.hpY2;
    this.hpX2 = this.hpX1;
    this.hpX1 = x;
    this.hpY2 = this.hpY1;
    this.hpY1 = h;
    const lp = this.lp;
    const b = lp.b0 * h + lp.b1 * this.lpX1 + lp.b2 * this.lpX2 - lp.a1 * this.lpY1 - lp.a2 * this.lpY2;
    this.lpX2 = this.lpX1;
    this.lpX1 = h;
    this.lpY2 = this.lpY1;
    this.lpY1 = b;
    const d = (2 * b + this.bp1 - this.bp3 - 2 * this.bp4) * this.derivativeScale;
    this.bp4 = this.bp3;
    this.bp3 = this.bp2;
    this.bp2 = this.bp1;
    this.bp1 = b;
    const sq = d * d;
    const mask = this.historyMask;
    const slot = n & mask;
    let integral = this.integral + sq - (this.squared[(n - this.windowSamples) & mask] as number);
    if (integral < 0) integral = 0;
    this.integral = integral;
    this.squared[slot] = sq;
    this.baselineFree[slot] = w;
    this.raw[slot] = x;
    this.slope[slot] = Math.abs(d);
    const m = integral / this.windowSamples;
    this.integrated[slot] = m;
    this.mwi = m;

    const peakIndex = this.trackPeak(n);
    if (n < this.learningSamples) {
      this.learn(n);
      return false;
    }
    if (peakIndex >= 0 && this.classifyPeak(this.humpMax, peakIndex)) return true;
    if (
      this.provisionalIndex >= 0 &&
      n >= this.provisionalDeadline &&
      // A hump still entering the window (the QRS after a long PR interval, whose energy may come in
      // parts) is awaited, up to `provisionalMs` more.
      (n - this.provisionalIndex >= 2 * this.provisionalSamples ||
        (this.peakState !== PEAK_RISING &&
          this.mwi <= (this.integrated[(n - this.holdSamples) & this.historyMask] as number)))
    ) {
      return this.decideProvisional(n) || this.searchBack(n);
    }
    if (this.searchBack(n)) return true;
    this.relearnAfterAmplitudeDrop(n);
    return false;
  }

  /**
   * After RELEARN_RR_FACTOR mean RR intervals without a QRS, learns the QRS again from the peaks seen since
   * the last one, when a smaller QRS shows there twice (RELEARN_DOMINANCE): SPK moves towards it, so the next
   * beats clear THRESHOLD1 (SPK and NPK then learn from them as usual). Nothing is detected by it; it only
   * sets the threshold. Checked once per interval of that length.
   */
  private relearnAfterAmplitudeDrop(n: number): void {
    if (this.provisionalIndex >= 0 || this.lastQrsIndex < 0) return;
    const interval = RELEARN_RR_FACTOR * this.rr.regularMean;
    const since = this.relearnCheckedAt >= 0 ? this.relearnCheckedAt : this.lastQrsIndex;
    if (n - since <= interval) return;
    this.relearnCheckedAt = n;
    const count = Math.min(this.recentPeakCount, RELEARN_MAX_PEAKS);
    // Peaks within the refractory period are the last QRS's own (its energy may come in parts).
    const after = this.lastQrsIndex + this.refractorySamples;
    const values: number[] = [];
    let first = -1;
    for (let i = 0; i < count; i++) {
      if ((this.recentPeakIndices[i] as number) < after) continue;
      values.push(this.recentPeakValues[i] as number);
      if (first < 0 || (this.recentPeakValues[i] as number) > (this.recentPeakValues[first] as number)) first = i;
    }
    if (values.length < 3 || first < 0) return;
    values.sort((a, b) => a - b);
    const median = values[values.length >> 1] as number;
    const firstIndex = this.recentPeakIndices[first] as number;
    let second = -1;
    for (let i = 0; i < count; i++) {
      const index = this.recentPeakIndices[i] as number;
      if (index < after || Math.abs(index - firstIndex) < this.refractorySamples) continue;
      if (second < 0 || (this.recentPeakValues[i] as number) > (this.recentPeakValues[second] as number)) second = i;
    }
    if (second < 0) return;
    const larger = this.recentPeakValues[first] as number;
    const smaller = this.recentPeakValues[second] as number;
    if (smaller < RELEARN_DOMINANCE * median || larger > 2 * smaller || smaller >= this.signalPeak) return;
    // Half-way (geometrically) to the smaller QRS, and again at the next check if that is not enough: a single
    // step to it let tall P waves of record 108 through for several seconds after a real drop in amplitude.
    this.signalPeak = Math.sqrt(this.signalPeak * smaller);
    this.updateThreshold();
    this.recentPeakCount = 0;
  }

  /**
   * Decides the provisional peak now: a QRS (true) when it clears the provisional threshold and is no baseline
   * step, else noise, kept as a search-back candidate when it may yet prove a beat.
   */
  private decideProvisional(n: number): boolean {
    if (isBaselineStep(this.stepTest, this.provisionalIndex, n)) {
      this.learnNoise(this.provisionalValue);
      this.provisionalIndex = -1;
      return false;
    }
    if (this.provisionalValue < this.aboveNoise(this.def.provisionalThresholdFraction)) {
      // Too close to the noise level for a doubtful peak: noise, unless the rhythm later shows a beat missing
      // here, when search-back (Pan & Tompkins 1985) takes it.
      this.learnNoise(this.provisionalValue);
      if (this.provisionalValue > this.candidateValue) {
        this.candidateValue = this.provisionalValue;
        this.candidateIndex = this.provisionalIndex;
        this.candidateSlope = this.provisionalSlope;
      }
      this.provisionalIndex = -1;
      return false;
    }
    // Nothing displaced it: the provisional peak was a small or early QRS (a change of axis, a low-voltage beat,
    // a premature beat).
    this.acceptStrong(this.provisionalIndex, this.provisionalValue, this.provisionalSlope);
    return true;
  }

  private learn(n: number): void {
    const m = this.mwi;
    if (m > this.learningMax) this.learningMax = m;
    this.learningSum += m;
    if (n === this.learningSamples - 1) {
      // Conservative starting estimates; they converge within a few beats.
      this.signalPeak = this.learningMax / 3;
      this.noisePeak = this.learningSum / this.learningSamples / 2;
      this.updateThreshold();
    }
  }

  private searchBack(n: number): boolean {
    if (
      // A provisional peak is decided first (it is larger than any candidate, which THRESHOLD1 rejected).
      this.provisionalIndex < 0 &&
      this.lastQrsIndex >= 0 &&
      this.candidateIndex >= 0 &&
      // RR MISSED LIMIT: 1.66 x RR AVERAGE2, the mean of the regular intervals (Pan & Tompkins 1985), which
      // extra detections in noise or on P waves do not shorten.
      n - this.lastQrsIndex > this.def.searchBackRrFactor * this.rr.regularMean &&
      this.candidateValue > 0.5 * this.threshold1
    ) {
      this.signalPeak = 0.25 * this.candidateValue + 0.75 * this.signalPeak;
      this.updateThreshold();
      this.acceptQrs(this.candidateIndex, this.candidateValue, 0.25, this.candidateSlope, true);
      return true;
    }
    return false;
  }

  private updateThreshold(): void {
    this.threshold1 = this.aboveNoise(0.25);
  }

  /** NPK + fraction x (SPK - NPK): the form of Pan & Tompkins' THRESHOLD1 (fraction 0.25). */
  private aboveNoise(fraction: number): number {
    return this.noisePeak + fraction * (this.signalPeak - this.noisePeak);
  }

  /** Back-dated R index: largest excursion of the baseline-free ECG in the window that fed the peak. */
  private locateR(peakIndex: number): number {
    let best = -1;
    let bestIndex = peakIndex;
    const from = Math.max(0, peakIndex - this.windowSamples);
    for (let i = from; i <= peakIndex; i++) {
      const v = Math.abs(this.baselineFree[i & this.historyMask] as number);
      if (v > best) {
        best = v;
        bestIndex = i;
      }
    }
    return bestIndex - this.dewanderDelaySamples;
  }

  private maxSlope(peakIndex: number): number {
    let best = 0;
    const from = Math.max(0, peakIndex - this.windowSamples);
    for (let i = from; i <= peakIndex; i++) {
      const v = this.slope[i & this.historyMask] as number;
      if (v > best) best = v;
    }
    return best;
  }

  private acceptQrs(rIndex: number, value: number, weight: number, peakSlope: number, searchBack: boolean): void {
    this.lastQrsHasRr = this.lastQrsIndex >= 0;
    if (this.lastQrsIndex >= 0) {
      this.rr.push(rIndex - this.lastQrsIndex);
    }
    this.lastQrsIndex = rIndex;
    this.lastQrsValue = value;
    this.lastQrsWeight = weight;
    this.lastQrsSlope = peakSlope;
    this.lastPeakIndex = rIndex;
    this.lastWasSearchBack = searchBack;
    this.recentPeakCount = 0;
    this.relearnCheckedAt = -1;
    this.candidateValue = 0;
    this.candidateIndex = -1;
    this.provisionalIndex = -1;
    this.meanQrsSlope = this.meanQrsSlope === 0 ? peakSlope : weight * peakSlope + (1 - weight) * this.meanQrsSlope;
  }

  /** The last QRS was a P wave: `rIndex` takes its place in SPK, the mean slope and the RR history. */
  private replaceLastQrs(rIndex: number, value: number, peakSlope: number): void {
    const w = this.lastQrsWeight;
    this.signalPeak += w * (value - this.lastQrsValue);
    this.updateThreshold();
    this.meanQrsSlope += w * (peakSlope - this.lastQrsSlope);
    if (this.lastQrsHasRr) this.rr.extendLast(rIndex - this.lastQrsIndex);
    this.lastQrsIndex = rIndex;
    this.lastQrsValue = value;
    this.lastQrsSlope = peakSlope;
    this.lastPeakIndex = rIndex;
    this.lastWasSearchBack = false;
    this.recentPeakCount = 0;
    this.relearnCheckedAt = -1;
    this.candidateValue = 0;
    this.candidateIndex = -1;
    this.provisionalIndex = -1;
  }

  /** Accept a QRS found above THRESHOLD1 (not by search-back): SPK learns from it with weight 1/8. */
  private acceptStrong(rIndex: number, value: number, peakSlope: number): void {
    this.signalPeak = 0.125 * value + 0.875 * this.signalPeak;
    this.updateThreshold();
    this.acceptQrs(rIndex, value, 0.125, peakSlope, false);
  }

  /** learnNoise for a peak that may prove the first part of a wide complex (see noiseFragmentIndex). */
  private learnNoiseFragment(rIndex: number, value: number, peakSlope: number): void {
    this.noiseFragmentIndex = rIndex;
    this.noiseFragmentValue = value;
    this.noiseFragmentSlope = peakSlope;
    this.noiseFragmentNpk = this.noisePeak;
    this.learnNoise(value);
  }

  private learnNoise(value: number): void {
    this.noisePeak = 0.125 * value + 0.875 * this.noisePeak;
    this.updateThreshold();
  }

  /** Classify a confirmed MWI peak; true when it is a QRS. */
  private classifyPeak(peakValue: number, peakIndex: number): boolean {
    let value = peakValue;
    // Ring of the latest peaks since the last QRS (MWI peak index: the distance test needs no R location).
    const slot = this.recentPeakCount++ % RELEARN_MAX_PEAKS;
    this.recentPeakValues[slot] = value;
    this.recentPeakIndices[slot] = peakIndex;
    let rIndex = this.locateR(peakIndex);
    let peakSlope = this.maxSlope(peakIndex);
    if (this.noiseFragmentIndex >= 0 && Math.abs(rIndex - this.noiseFragmentIndex) <= this.fragmentSamples) {
      // The second hump of the complex whose first one was taken for noise: undo that, and score the complex
      // by its larger part (the first hump's noise learning had raised THRESHOLD1 over the larger part).
      this.noisePeak = this.noiseFragmentNpk;
      this.updateThreshold();
      if (this.noiseFragmentValue > value) {
        value = this.noiseFragmentValue;
        rIndex = this.noiseFragmentIndex;
      }
      peakSlope = Math.max(peakSlope, this.noiseFragmentSlope);
    }
    this.noiseFragmentIndex = -1;
    if (value <= 0.5 * this.threshold1) {
      // Too small to be a QRS or a search-back candidate: only the noise estimate learns from it.
      this.learnNoiseFragment(rIndex, value, peakSlope);
      return false;
    }
    if (this.provisionalIndex >= 0) {
      if (Math.abs(rIndex - this.provisionalIndex) <= this.fragmentSamples) {
        // Another part of the same hump: the provisional peak is scored by its largest part, still provisional.
        if (value > this.provisionalValue) this.provisionalValue = value;
        if (peakSlope > this.provisionalSlope) this.provisionalSlope = peakSlope;
        return false;
      }
      if (
        rIndex - this.provisionalIndex >= this.shortestRrSamples &&
        value > this.threshold1 &&
        this.provisionalSlope >= this.def.qrsLikeSlopeRatio * this.meanQrsSlope &&
        sameMorphology(peakSlope / this.provisionalSlope, SAME_QRS_SLOPE_RATIO) &&
        sameMorphology(value / this.provisionalValue, SAME_QRS_VALUE_RATIO)
      ) {
        // Two beats, not a P wave and its QRS: the provisional peak is as steep as a QRS, and this one, of the
        // same steepness and energy (the same QRS again), comes a conducted RR later: fast atrial fibrillation,
        // RR down to 250 ms, where the later beat used to displace the earlier one as if it had been its P wave,
        // or be taken for its T wave. The provisional peak is decided now; this one waits as the next
        // provisional peak, premature as it is.
        const accepted = this.decideProvisional(this.sampleIndex);
        if (accepted) {
          this.provisionalIndex = rIndex;
          this.provisionalDeadline = rIndex + this.provisionalSamples;
          this.provisionalValue = value;
          this.provisionalSlope = peakSlope;
          return true;
        }
      }
      if (value <= DISPLACE_VALUE_FRACTION * this.provisionalValue || peakSlope <= this.provisionalSlope) {
        // Shallower or much smaller than the provisional peak it follows (a T wave after a small QRS, noise,
        // or the first part of a QRS whose energy comes in parts: the decision waits a little for the rest).
        // The QRS after a P wave is steeper than the P wave; its band-passed energy may be less than that of
        // a broad tall P wave when the QRS is small in this lead, but not by more than half.
        this.learnNoise(value);
        this.provisionalDeadline = Math.min(
          this.provisionalIndex + 2 * this.provisionalSamples,
          Math.max(this.provisionalDeadline, this.sampleIndex + 3 * this.holdSamples),
        );
        return false;
      }
      // A larger, steeper peak within the provisional period: the provisional one was a P wave (or noise).
      this.learnNoise(this.provisionalValue);
      this.provisionalIndex = -1;
    }
    if (
      this.lastQrsIndex >= 0 &&
      !this.lastWasSearchBack &&
      rIndex - this.lastQrsIndex > this.fragmentSamples &&
      rIndex - this.lastQrsIndex < this.pWaveSamples &&
      value > this.threshold1 &&
      value > this.lastQrsValue &&
      peakSlope > this.lastQrsSlope
    ) {
      this.replaceLastQrs(rIndex, value, peakSlope);
      return true;
    }
    if (this.lastQrsIndex >= 0 && rIndex - this.lastQrsIndex < this.refractorySamples) {
      // The same QRS, whose energy arrived in two parts (a wide QRS at a slow rate): score the QRS by its
      // larger part, so SPK and the T-wave slope reference are not learnt from a fragment.
      if (value > this.lastQrsValue) {
        this.signalPeak += this.lastQrsWeight * (value - this.lastQrsValue);
        this.lastQrsValue = value;
        this.updateThreshold();
      }
      if (peakSlope > this.lastQrsSlope) this.lastQrsSlope = peakSlope;
      return false;
    }
    const isTWave =
      this.lastQrsIndex >= 0 &&
      rIndex - this.lastQrsIndex < this.tWaveSamples &&
      peakSlope < this.def.tWaveSlopeRatio * this.lastQrsSlope;
    if (value > this.threshold1 && !isTWave) {
      const premature =
        this.lastQrsIndex >= 0 && rIndex - this.lastQrsIndex < this.def.prematureRrFraction * this.rr.mean;
      const weak =
        premature ||
        // In a noisy stretch, no peak is trusted at once (noise peaks then reach the size of small QRSs).
        this.noisePeak > this.def.noisyFraction * this.signalPeak ||
        isBaselineStep(this.stepTest, rIndex, this.sampleIndex) ||
        value < this.aboveNoise(this.def.weakPeakFraction) ||
        peakSlope < this.def.weakSlopeRatio * this.meanQrsSlope;
      if (!weak) {
        this.acceptStrong(rIndex, value, peakSlope);
        return true;
      }
      this.provisionalIndex = rIndex;
      this.provisionalDeadline = rIndex + this.provisionalSamples;
      this.provisionalValue = value;
      this.provisionalSlope = peakSlope;
      return false;
    }
    this.learnNoiseFragment(rIndex, value, peakSlope);
    if (!isTWave && value > this.candidateValue) {
      this.candidateValue = value;
      this.candidateIndex = rIndex;
      this.candidateSlope = peakSlope;
    }
    return false;
  }

  /** Advance the MWI peak tracker; returns the index of a newly confirmed peak's maximum, or -1. */
  private trackPeak(n: number): number {
    const m = this.mwi;
    const growth = this.def.peakGrowthFraction;
    if (this.peakState === PEAK_VALLEY) {
      if (m < this.valley) this.valley = m;
      else if (m > this.valley * (1 + growth) && m > 0) {
        this.peakState = PEAK_RISING;
        this.humpMax = m;
        this.humpMaxIndex = this.riseStartIndex = n;
      }
      return -1;
    }
    if (m > this.humpMax) {
      this.humpMax = m;
      this.humpMaxIndex = n;
    }
    const grownBy = m - (this.integrated[(n - this.holdSamples) & this.historyMask] as number);
    if (n - this.riseStartIndex >= this.holdSamples && grownBy < growth * m) {
      // Stalled: the QRS energy is inside the window. Any later creep is a new hump that the refractory
      // period will discard.
      this.peakState = PEAK_VALLEY;
      this.valley = m;
      return this.humpMaxIndex;
    }
    return -1;
  }
}

export function createRDetector(sampleRateHz: number, rDetectorDef: RDetectorDef = {}): RDetector {
  return new PanTompkinsDetector(sampleRateHz, rDetectorDef);
}
