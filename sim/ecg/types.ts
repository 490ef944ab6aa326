/** Electrical origin of a beat: sinus, premature atrial (PAC), premature ventricular (PVC), or conducted AF. */
export type BeatKind = 'sinus' | 'pac' | 'pvc' | 'af';

/** Rhythm of the simulated heart. Defaults live in `RHYTHM_DEFAULTS` (rhythm.ts). */
export interface RhythmDef {
  /** Mean ventricular rate, beats/min. No default: every scenario states it. Clamped to 30-200; NaN throws. */
  heartRateBpm: number;
  /**
   * Amplitude (ms, zero to peak) of the 0.1 Hz (LF, Mayer wave) sinusoidal RR modulation. Default 25 ms; with
   * the HF default the SDNN is ~23 ms, below the ~30-50 ms short-term SDNN of healthy resting adults (Task
   * Force of the ESC/NASPE, Circulation 1996;93:1043) as suits older patients with coronary disease.
   */
  hrvLfAmplitudeMs?: number;
  /** Amplitude (ms) of the 0.25 Hz (HF, respiratory sinus arrhythmia) RR modulation. Default 20 ms (same source). */
  hrvHfAmplitudeMs?: number;
  /** Premature atrial beats per minute (Poisson). Default 0. */
  pacPerMinute?: number;
  /** Premature ventricular beats per minute (Poisson). Default 0. */
  pvcPerMinute?: number;
  /** Atrial fibrillation: irregular RR, no P waves, fibrillatory baseline. Default false. */
  atrialFibrillation?: boolean;
  /**
   * Coefficient of variation of RR in AF (dimensionless). Default 0.2; resting AF RR CV is typically
   * 0.15-0.30 (Tateno & Glass, Med Biol Eng Comput 2001;39:664).
   */
  afRrCoefficientOfVariation?: number;
  /**
   * Typical peak-to-peak amplitude of the AF f waves, mV (it waxes and wanes by +/-40 %). Default 0.08 mV;
   * f waves under 0.05 mV count as fine AF, larger as coarse.
   */
  afFibrillatoryWaveMv?: number;
}

/** Measurement artefacts added to the ECG. All amplitudes default to 0 (a clean signal). */
export interface ArtefactDef {
  /** Amplitude (mV) of respiratory baseline wander (~0.15-0.3 Hz). Default 0. */
  baselineWanderMv?: number;
  /** RMS (mV) of band-limited (20-100 Hz) Gaussian electromyographic noise. Default 0. */
  muscleNoiseMv?: number;
  /** Amplitude (mV) of power-line interference. Default 0. */
  mainsHumMv?: number;
  /** Power-line frequency, Hz. Default 50. */
  mainsHz?: 50 | 60;
  /** Electrode-motion transients per minute (Poisson). Default 0. */
  electrodeMotionPerMinute?: number;
  /** Typical amplitude (mV) of one electrode-motion transient. Default 0.6 mV. */
  electrodeMotionMv?: number;
}

export interface EcgDef {
  rhythm: RhythmDef;
  artefacts?: ArtefactDef;
  /** Height of a sinus R wave above baseline, mV. Default 1.0 mV (typical lead II). */
  rAmplitudeMv?: number;
}

/** One true electrical beat. */
export interface ElectricalBeat {
  /** Time of the R peak (centre of the R wave), ms from the start of the signal. */
  rTimeMs: number;
  kind: BeatKind;
  /** Interval from the previous R peak, ms. */
  rrMs: number;
}

export interface EcgGenerator {
  readonly sampleRateHz: number;
  /** Time of the last produced sample, ms (sample i is at i / fs; -1/fs before the first sample). */
  readonly timeMs: number;
  /** Produce the next sample in mV; time advances by 1/fs. */
  nextSample(): number;
  /**
   * True beats whose R time <= timeMs + aheadMs (default 0) not yet taken, oldest first; null when none.
   * A beat is known from the onset of its drawn waves, so aheadMs up to the QRS lead (~40 ms) is always
   * available; the engine uses it to start the contraction from the QRS onset.
   */
  takeBeat(aheadMs?: number): ElectricalBeat | null;
  /**
   * Scripted rate change: applies from the next beat whose waves (P onset) have not started yet; a beat
   * already under way keeps its timing.
   */
  setHeartRate(bpm: number): void;
  setRhythm(patch: Partial<RhythmDef>): void;
  setArtefacts(patch: Partial<ArtefactDef>): void;
  /** Lead-off: the trace settles to a flat line near 0; true beats continue (takeBeat). */
  setLeadOff(on: boolean): void;
}
