/** Parameters of the R-wave detector (r-detector.ts) with their defaults and sources, and its interface. */

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
  /** A MWI hump is confirmed once it grew by less than `peakGrowthFraction` over this time, ms. Default 15. */
  peakHoldMs?: number;
  /** See `peakHoldMs`; also the rise that starts a new hump. Default 0.05. */
  peakGrowthFraction?: number;
  /**
   * A peak above THRESHOLD1 is provisional when its MWI peak is under NPK + this fraction of (SPK - NPK), the
   * form of THRESHOLD1 (Pan & Tompkins 1985) with a higher fraction. Default 0.5 (tall P waves reach
   * 0.25-0.6 of the QRS's band-passed energy on MIT-BIH record 108).
   */
  weakPeakFraction?: number;
  /**
   * While the noise estimate NPK exceeds this fraction of SPK, every peak is provisional. Default 0.1: on
   * clean ECG NPK stays within a few per cent of SPK (T waves, P waves); muscle and motion artefact raise
   * it, and then noise peaks reach the size of small QRS complexes (Friesen et al., "A comparison of the
   * noise sensitivity of nine QRS detection algorithms", IEEE TBME 1990;37:85: muscle and motion noise cause
   * most false detections of amplitude- and slope-based detectors).
   */
  noisyFraction?: number;
  /**
   * A provisional peak becomes a QRS at its deadline only when above NPK + this fraction of (SPK - NPK);
   * below, it is noise unless search-back later takes it. Default 0.4: a doubtful peak needs more than
   * THRESHOLD1's 0.25 (Hamilton & Tompkins 1986 place the threshold between the noise and QRS peak levels
   * with a coefficient of this form and study its value; a doubtful peak is held to a higher one).
   */
  provisionalThresholdFraction?: number;
  /** ... or when its maximal slope is under this fraction of the mean QRS slope. Default 0.5. */
  weakSlopeRatio?: number;
  /**
   * A provisional peak at least this steep, as a fraction of the mean QRS slope, is QRS-like: a peak of the
   * same shape a conducted RR after it is the next beat (fast atrial fibrillation), not the QRS whose P wave
   * it was. Default 0.8: P waves are slow (P 80-110 ms wide against 60-100 ms of far steeper QRS flanks); the
   * tall P waves of MIT-BIH record 108 that the detector holds reach 0.70 of the mean QRS slope at the
   * median and 0.81 at the 90th percentile, and they also differ from their QRS in slope and energy.
   */
  qrsLikeSlopeRatio?: number;
  /**
   * A provisional peak becomes a QRS this long after its R, ms, unless a larger and steeper peak comes
   * first (the QRS that follows a P wave). Default 240: within the engine's LATE_DETECTION_MS (250), so a
   * weak QRS still triggers assistance.
   */
  provisionalMs?: number;
  /**
   * A peak earlier than this fraction of the mean RR is also provisional. Default 0.8: a P wave comes a PR
   * interval before its QRS; a premature beat this early is not assisted by the device anyway (its RR
   * differs from the median by more than 20 %), so deciding it later costs nothing.
   */
  prematureRrFraction?: number;
  /**
   * A peak after which the ECG stays displaced by more than this fraction of its own excursion is a
   * baseline step (electrode pop, lead switching, the cut-off beat at the end of a record), not a QRS,
   * which returns to baseline. Default 0.7.
   */
  stepFraction?: number;
  /**
   * A peak larger and steeper than the last QRS, within this time after it (beyond the refractory period),
   * shows that the last one was a P wave: it is reported as the beat and replaces the last one in SPK, the
   * mean slope and the RR history, so a tall P wave cannot become the learnt QRS. Default 300 (P peak to R
   * peak is about the PR interval, 120-200 ms, longer in first-degree block).
   */
  pWaveWindowMs?: number;
  /**
   * Pacemaker pulse: the ECG changes faster than this, mV/s. Default 500: pacemaker pulses last 0.1-2 ms
   * (IEC 60601-2-27 test pulses), while the steepest QRS upstrokes of MIT-BIH records 100, 105 and 108 reach
   * 210-230 mV/s sample to sample at 360 Hz.
   */
  paceSlewMvPerS?: number;
  /** The detector holds its input for this long after a pacemaker pulse's last steep sample, ms. Default 10. */
  paceBlankMs?: number;
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
  peakHoldMs: 15,
  peakGrowthFraction: 0.05,
  weakPeakFraction: 0.5,
  noisyFraction: 0.1,
  provisionalThresholdFraction: 0.4,
  weakSlopeRatio: 0.5,
  qrsLikeSlopeRatio: 0.8,
  provisionalMs: 240,
  prematureRrFraction: 0.8,
  stepFraction: 0.7,
  pWaveWindowMs: 300,
  paceSlewMvPerS: 500,
  paceBlankMs: 10,
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
