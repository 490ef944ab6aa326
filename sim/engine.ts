/**
 * The engine core: one fixed step advances the ECG (500 Hz), the R detector, the trigger controller, the
 * cuff pneumatics, the circulation (and its unassisted twin, the reference) and the measurements.
 *
 * Step: 0.5 ms. It resolves the fastest dynamics that matter (cuff time constants 30-50 ms, the aortic
 * valve inductor L/R ~ 6 ms, collapsed leg segments' R*C >= 0.7 ms) and keeps the explicit-Euler
 * stability index below 1 (Circulation.stabilityIndex); halving it changes the beat measurements by well
 * under 1 % (test/unit/sim/circulation/step-size.test.ts). The ECG is sampled every 4th step (500 Hz).
 */
import { Circulation } from './circulation/circulation.ts';
import { UB } from './circulation/network.ts';
import { createRDetector, R_DETECTOR_DEFAULTS, type RDetector } from './detect/index.ts';
import {
  AlarmLog,
  HARMFUL_TIMING_BEATS,
  HEART_RATE_ALARM_HIGH_BPM,
  HEART_RATE_ALARM_LOW_BPM,
  LOST_ECG_MS,
  LOW_DS_BEATS,
  LOW_DS_RATIO,
  OVER_PRESSURE_MARGIN_MMHG,
} from './device/alarms.ts';
import { type DetectionRecord, TriggerController } from './device/controller.ts';
import { Pneumatics, RELIEF_PRESSURE_MMHG } from './device/pneumatics.ts';
import { createEcgGenerator, type EcgGenerator, MAX_QRS_ONSET_BEFORE_R_MS, qrsOnsetBeforeRMs } from './ecg/index.ts';
import { DEFAULT_TIMING_WINDOWS, type TimingWindows } from './metrics/classify.ts';
import { SignalHistory } from './metrics/history.ts';
import { measureBeat } from './metrics/measure-beat.ts';
import type { BeatMetrics } from './model/beat.ts';
import { type Patient, resolvePatient } from './model/patient.ts';
import { applySettingsPatch, DEFAULT_SETTINGS, type DeviceSettings, type SettingsPatch } from './model/settings.ts';
import { createRng } from './rng.ts';
import type { Scenario, ScenarioEvent } from './scenarios.ts';
import { TraceRecorder } from './traces.ts';
import { assertSeed, assertSettingsPatch, assertTraceRate } from './validate.ts';

export const STEP_MS = 0.5;
/**
 * The measurement history keeps every 2nd step (1 ms): beat timing is reported to the millisecond and
 * flow integrals change by < 0.1 %, at half the bookkeeping cost. The unassisted twin circulation also
 * steps at 1 ms: without cuffs its stability index is 0.2 and its pressures and stroke volume differ from
 * a 0.25 ms integration by < 0.05 %.
 */
export const HISTORY_EVERY_STEPS = 2;
export const HISTORY_DT_MS = STEP_MS * HISTORY_EVERY_STEPS;
export const ECG_SAMPLE_RATE_HZ = 500;
const STEPS_PER_ECG_SAMPLE = 4;
/** Circulation warm-up before t = 0 so that every run starts from the periodic steady state. */
export const WARM_UP_MS = 20000;
/**
 * Low-pass time constant of the finger pleth, ms: photoplethysmograph front ends filter below ~5-10 Hz
 * (Allen, Physiol Meas 2007;28:R1); 10 ms (16 Hz corner) keeps the dicrotic notch visible.
 */
export const PLETH_LOWPASS_TAU_MS = 10;
/** Pleth display scaling: arbitrary units = (P - offset) * gain, a baseline as a device shows it. */
export const PLETH_OFFSET_MMHG = 40;
export const PLETH_GAIN_AU_PER_MMHG = 0.02;
/** A beat is measured this long after the next R (covers the next valve opening and the cuffs emptying). */
const MEASURE_AFTER_NEXT_R_MS = 400;
/**
 * Detections decided later than this after their peak (search-back, or a provisional peak held while a QRS
 * was still arriving) are not used to time assistance.
 */
export const LATE_DETECTION_MS = 250;
/** Match window between detections and true beats (ANSI/AAMI EC57). */
export const MATCH_WINDOW_MS = 150;

export interface EngineOptions {
  scenario: Scenario;
  seed: number;
  settings?: SettingsPatch;
  /** Trace output rate, Hz (decimated from the 2000 Hz step); omit for no traces. */
  traceRateHz?: number;
  /** Live mode keeps at most this many unread trace samples (older ones are dropped). */
  traceCapacity?: number;
  timingWindows?: TimingWindows;
}

interface PendingBeat {
  index: number;
  rStep: number;
  rTimeMs: number;
  rrMs: number;
  kind: BeatMetrics['kind'];
}

export class Engine {
  readonly patient: Patient;
  readonly circulation: Circulation;
  /** Unassisted twin: same patient, same beats, cuffs always off (the reference pass of sim/README.md). */
  readonly referenceCirculation: Circulation;
  readonly pneumatics: Pneumatics;
  readonly controller: TriggerController;
  readonly alarms = new AlarmLog();
  readonly history = new SignalHistory();
  readonly beats: BeatMetrics[] = [];
  readonly trueBeats: PendingBeat[] = [];
  readonly detectedPeaksMs: number[] = [];
  readonly traces: TraceRecorder | null;
  readonly controlLog: { atMs: number; patch: SettingsPatch }[] = [];
  step = 0;
  minVolumeErrorMl = 0;
  maxCuffMmHg = -Infinity;
  minCuffMmHg = Infinity;

  private readonly ecg: EcgGenerator;
  private readonly detector: RDetector;
  private readonly events: ScenarioEvent[];
  private nextEvent = 0;
  private nominalHeartRateBpm: number;
  private lastEcgMv = 0;
  /** The lost-ECG timer starts when the detector has finished learning. */
  private lastDetectionMs = R_DETECTOR_DEFAULTS.learningMs;
  private measured = 0;
  private nextMeasureStep = 0;
  private plethIndex = 0;
  private recordCursor = 0;
  private readonly plethDelay: Float64Array;
  private plethFiltered: number;
  private referencePlethFiltered: number;
  private readonly plethAlpha: number;
  private readonly referencePlethDelay: Float64Array;
  private referencePlethDelayedMmHg: number;
  private referencePlethIndex = 0;
  private readonly referencePlethAlpha: number;
  private readonly transmission: number;
  private readonly windows: TimingWindows;
  private readonly initialVolumeMl: number;

  constructor(options: EngineOptions) {
    const { scenario } = options;
    // Inputs are checked before anything is built (sim/validate.ts; the scenario by its schema).
    assertSeed(options.seed);
    const initialPatch = assertSettingsPatch(options.settings);
    if (options.traceRateHz !== undefined) assertTraceRate(options.traceRateHz);
    this.patient = resolvePatient(scenario.patient);
    this.windows = options.timingWindows ?? DEFAULT_TIMING_WINDOWS;
    this.events = scenario.timeline.slice();
    const rng = createRng(options.seed);
    this.ecg = createEcgGenerator(scenario.ecg, rng.fork(), ECG_SAMPLE_RATE_HZ);
    this.detector = createRDetector(ECG_SAMPLE_RATE_HZ);
    this.nominalHeartRateBpm = scenario.ecg.rhythm.heartRateBpm;
    this.pneumatics = new Pneumatics(STEP_MS);
    const settings: DeviceSettings = applySettingsPatch(
      applySettingsPatch(DEFAULT_SETTINGS, scenario.suggestedSettings),
      initialPatch,
    );
    this.controller = new TriggerController(this.pneumatics, settings);
    this.traces = options.traceRateHz
      ? new TraceRecorder(options.traceRateHz, STEP_MS, options.traceCapacity ?? 0)
      : null;
    if (this.traces) {
      const t = this.traces;
      this.controller.onCommand = (timeMs, kind) => t.mark(kind, timeMs);
    }
    this.transmission = this.patient.cuffTransmission;
    this.circulation = new Circulation(this.patient);
    this.referenceCirculation = new Circulation(this.patient);
    this.warmUp(this.circulation);
    this.warmUp(this.referenceCirculation);
    this.plethDelay = new Float64Array(Math.max(1, Math.round(this.patient.plethDelayMs / STEP_MS)));
    this.plethFiltered = this.circulation.pressureMmHg[UB]!;
    this.referencePlethFiltered = this.plethFiltered;
    this.referencePlethDelay = new Float64Array(Math.max(1, Math.round(this.patient.plethDelayMs / HISTORY_DT_MS)));
    this.referencePlethDelay.fill(this.plethFiltered);
    this.referencePlethDelayedMmHg = this.plethFiltered;
    this.plethDelay.fill(this.plethFiltered);
    this.plethAlpha = 1 - Math.exp(-STEP_MS / PLETH_LOWPASS_TAU_MS);
    this.referencePlethAlpha = 1 - Math.exp(-HISTORY_DT_MS / PLETH_LOWPASS_TAU_MS);
    this.initialVolumeMl = this.circulation.totalVolumeMl();
  }

  get timeMs(): number {
    return this.step * STEP_MS;
  }

  private warmUp(c: Circulation): void {
    const rrMs = 60000 / this.nominalHeartRateBpm;
    c.timeS = -WARM_UP_MS / 1000;
    let nextBeatMs = -WARM_UP_MS;
    const steps = Math.round(WARM_UP_MS / STEP_MS);
    for (let i = 0; i < steps; i++) {
      const tMs = -WARM_UP_MS + i * STEP_MS;
      const onsetMs = nextBeatMs - qrsOnsetBeforeRMs('sinus', rrMs);
      if (tMs >= onsetMs && nextBeatMs <= -rrMs) {
        c.beginBeat(onsetMs / 1000, this.nominalHeartRateBpm);
        nextBeatMs += rrMs;
      }
      c.step(STEP_MS / 1000);
    }
    c.timeS = 0;
  }

  /** Throws a RangeError naming the field for an invalid patch; the settings are then unchanged. */
  setSettings(patch: SettingsPatch): void {
    assertSettingsPatch(patch);
    this.controlLog.push({ atMs: this.timeMs, patch });
    this.controller.setSettings(patch);
  }

  get settings(): DeviceSettings {
    return this.controller.settings;
  }

  private applyEvent(e: ScenarioEvent): void {
    switch (e.type) {
      case 'heart-rate':
        this.ecg.setHeartRate(e.heartRateBpm);
        this.nominalHeartRateBpm = e.heartRateBpm;
        break;
      case 'rhythm':
        this.ecg.setRhythm(e.rhythm);
        if (e.rhythm.heartRateBpm !== undefined) this.nominalHeartRateBpm = e.rhythm.heartRateBpm;
        break;
      case 'artefacts':
        this.ecg.setArtefacts(e.artefacts);
        break;
      case 'lead-off':
        this.ecg.setLeadOff(e.on);
        break;
    }
  }

  /** Advance to an absolute time, ms (whole steps). */
  advanceTo(endMs: number): void {
    const endStep = Math.round(endMs / STEP_MS);
    while (this.step < endStep) this.tick();
  }

  private tick(): void {
    const step = this.step;
    const tMs = step * STEP_MS;
    while (this.nextEvent < this.events.length && this.events[this.nextEvent]!.atMs <= tMs) {
      this.applyEvent(this.events[this.nextEvent]!);
      this.nextEvent++;
    }
    if ((step & (STEPS_PER_ECG_SAMPLE - 1)) === 0) this.ecgSample(tMs);
    this.controller.step(tMs);
    const pn = this.pneumatics;
    pn.step();
    const c = this.circulation;
    const k = this.transmission;
    const cp = pn.pressureMmHg;
    for (let i = 0; i < 3; i++) {
      const p = cp[i]!;
      c.cuffExternalMmHg[i] = p > 0 ? k * p : 0;
      if (p > this.maxCuffMmHg) this.maxCuffMmHg = p;
      if (p < this.minCuffMmHg) this.minCuffMmHg = p;
    }
    c.step(STEP_MS / 1000);
    // Pleth: low-pass, then a pure delay (ring buffer) to the finger.
    this.plethFiltered += (c.pressureMmHg[UB]! - this.plethFiltered) * this.plethAlpha;
    const dl = this.plethDelay;
    const di = this.plethIndex;
    const plethDelayedMmHg = dl[di]!;
    dl[di] = this.plethFiltered;
    this.plethIndex = di + 1 === dl.length ? 0 : di + 1;

    // Every 2nd step (end time a whole ms): advance the unassisted twin by 1 ms and record the history.
    if ((step & 1) === 1) {
      const rc = this.referenceCirculation;
      rc.step(HISTORY_DT_MS / 1000);
      this.referencePlethFiltered += (rc.pressureMmHg[UB]! - this.referencePlethFiltered) * this.referencePlethAlpha;
      // The reference pleth reaches the finger after the same pulse-arrival delay as the assisted one.
      const rd = this.referencePlethDelay;
      const ri = this.referencePlethIndex;
      this.referencePlethDelayedMmHg = rd[ri]!;
      rd[ri] = this.referencePlethFiltered;
      this.referencePlethIndex = ri + 1 === rd.length ? 0 : ri + 1;
      this.record((step + 1) >> 1, c, rc);
    }

    const tr = this.traces;
    if (tr !== null && tr.due(step)) {
      tr.push(
        tMs,
        this.lastEcgMv,
        cp[0]!,
        cp[1]!,
        cp[2]!,
        c.aorticRootPressureMmHg(),
        (plethDelayedMmHg - PLETH_OFFSET_MMHG) * PLETH_GAIN_AU_PER_MMHG,
        (this.referencePlethDelayedMmHg - PLETH_OFFSET_MMHG) * PLETH_GAIN_AU_PER_MMHG,
      );
    }
    this.step = step + 1;
    if (this.step >= this.nextMeasureStep) this.measureCompleteBeats();
  }

  private record(hStep: number, c: Circulation, rc: Circulation): void {
    const h = this.history;
    const i = h.at(hStep);
    const ha = h.assisted;
    ha.rootMmHg[i] = c.aorticRootPressureMmHg();
    ha.lvMmHg[i] = c.pressureMmHg[0]!;
    ha.aorticFlowMlPerS[i] = c.flows.aorticValve;
    ha.coronaryFlowMlPerS[i] = c.flows.coronary;
    ha.plethMmHg[i] = this.plethFiltered;
    const hr = h.reference;
    hr.rootMmHg[i] = rc.aorticRootPressureMmHg();
    hr.lvMmHg[i] = rc.pressureMmHg[0]!;
    hr.aorticFlowMlPerS[i] = rc.flows.aorticValve;
    hr.coronaryFlowMlPerS[i] = rc.flows.coronary;
    hr.plethMmHg[i] = this.referencePlethFiltered;
    h.iliacFlowMlPerS[i] = c.flows.iliac;
    const cp = this.pneumatics.pressureMmHg;
    h.cuff0MmHg[i] = cp[0]!;
    h.cuff1MmHg[i] = cp[1]!;
    h.cuff2MmHg[i] = cp[2]!;
    h.lastStep = hStep;
  }

  private ecgSample(tMs: number): void {
    const x = this.ecg.nextSample();
    this.lastEcgMv = x;
    // Beats are taken ahead of their R, so the contraction can start from the QRS onset.
    let beat = this.ecg.takeBeat(MAX_QRS_ONSET_BEFORE_R_MS);
    while (beat !== null) {
      const qrsOnsetS = (beat.rTimeMs - qrsOnsetBeforeRMs(beat.kind, beat.rrMs)) / 1000;
      this.circulation.beginBeat(qrsOnsetS, this.nominalHeartRateBpm);
      this.referenceCirculation.beginBeat(qrsOnsetS, this.nominalHeartRateBpm);
      this.trueBeats.push({
        index: this.trueBeats.length,
        rStep: Math.round(beat.rTimeMs / HISTORY_DT_MS),
        rTimeMs: beat.rTimeMs,
        rrMs: beat.rrMs,
        kind: beat.kind,
      });
      beat = this.ecg.takeBeat(MAX_QRS_ONSET_BEFORE_R_MS);
      this.nextMeasureStep = 0;
    }
    if (this.detector.push(x)) {
      const peakMs = (this.detector.lastPeakIndex * 1000) / ECG_SAMPLE_RATE_HZ;
      this.detectedPeaksMs.push(peakMs);
      this.lastDetectionMs = tMs;
      this.alarms.set('lost-ecg', false, tMs);
      const record = this.controller.onDetection(tMs, peakMs);
      if (tMs - peakMs > LATE_DETECTION_MS && record.assisted) {
        record.assisted = false;
        record.notAssistedReason = 'arrhythmia';
        record.inflateAtMs = [Number.NaN, Number.NaN, Number.NaN];
        record.deflateAtMs = Number.NaN;
      }
      this.traces?.mark('r', peakMs);
      const median = record.medianRrMs;
      if (Number.isFinite(median)) {
        const hr = 60000 / median;
        this.alarms.set('heart-rate', hr < HEART_RATE_ALARM_LOW_BPM || hr > HEART_RATE_ALARM_HIGH_BPM, tMs);
      }
    } else if (tMs - this.lastDetectionMs > LOST_ECG_MS && !this.alarms.isActive('lost-ecg')) {
      this.alarms.set('lost-ecg', true, tMs);
      this.controller.abort(tMs);
    }
    const cp = this.pneumatics.pressureMmHg;
    const sp = this.pneumatics.setpointMmHg;
    let over = false;
    for (let i = 0; i < 3; i++) {
      if (cp[i]! >= RELIEF_PRESSURE_MMHG || cp[i]! > sp[i]! + OVER_PRESSURE_MARGIN_MMHG) over = true;
    }
    this.alarms.set('over-pressure', over, tMs);
  }

  private findRecord(rTimeMs: number): DetectionRecord | null {
    const recs = this.controller.records;
    while (this.recordCursor < recs.length && recs[this.recordCursor]!.peakMs < rTimeMs - MATCH_WINDOW_MS) {
      this.recordCursor++;
    }
    const r = recs[this.recordCursor];
    if (r && Math.abs(r.peakMs - rTimeMs) <= MATCH_WINDOW_MS) return r;
    return null;
  }

  private measureCompleteBeats(): void {
    const afterSteps = MEASURE_AFTER_NEXT_R_MS / HISTORY_DT_MS;
    const lastStep = this.history.lastStep;
    this.nextMeasureStep = Number.POSITIVE_INFINITY;
    while (this.measured + 1 < this.trueBeats.length) {
      const b = this.trueBeats[this.measured]!;
      const next = this.trueBeats[this.measured + 1]!;
      if (lastStep < next.rStep + afterSteps) {
        this.nextMeasureStep = (next.rStep + afterSteps + 1) * HISTORY_EVERY_STEPS;
        return;
      }
      this.beats.push(
        measureBeat(this.history, {
          index: b.index,
          rStep: b.rStep,
          nextRStep: next.rStep,
          rTimeMs: b.rTimeMs,
          rrMs: b.rrMs,
          kind: b.kind,
          endStep: lastStep,
          dtMs: HISTORY_DT_MS,
          record: this.findRecord(b.rTimeMs),
          windows: this.windows,
        }),
      );
      this.measured++;
      this.checkLowDs();
      this.checkHarmfulTiming();
    }
  }

  private checkLowDs(): void {
    let n = 0;
    let sum = 0;
    for (let i = this.beats.length - 1; i >= 0 && n < LOW_DS_BEATS; i--) {
      const b = this.beats[i]!;
      if (!b.assisted) continue;
      sum += b.dsPeakRatio;
      n++;
    }
    const on = n === LOW_DS_BEATS && sum / n < LOW_DS_RATIO && this.settings.pressureMmHg > 0;
    this.alarms.set('low-ds', on, this.timeMs);
  }

  /** The timing alarm (sim/device/alarms.ts HARMFUL_TIMING_BEATS): afterload-raising errors in a row. */
  private checkHarmfulTiming(): void {
    const last = this.beats[this.beats.length - 1]!;
    if (!last.assisted) return;
    const harmful = (b: BeatMetrics): boolean => b.beatClass === 'late-deflation' || b.beatClass === 'early-inflation';
    if (!harmful(last)) {
      this.alarms.set('timing', false, this.timeMs);
      return;
    }
    let n = 0;
    for (let i = this.beats.length - 1; i >= 0 && n < HARMFUL_TIMING_BEATS; i--) {
      const b = this.beats[i]!;
      if (!b.assisted) continue;
      if (!harmful(b)) break;
      n++;
    }
    if (n >= HARMFUL_TIMING_BEATS) this.alarms.set('timing', true, this.timeMs);
  }

  /** Relative change of total blood volume since t = 0. */
  volumeDrift(): number {
    return (this.circulation.totalVolumeMl() - this.initialVolumeMl) / this.initialVolumeMl;
  }
}
