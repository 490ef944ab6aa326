/**
 * Public API of the counterpulsation engine (sim/README.md, "Public API"). Nothing else in sim/ is imported
 * from outside it.
 */

export type { Alarm, AlarmCode } from './device/alarms.ts';
export { ECG_SAMPLE_RATE_HZ, STEP_MS } from './engine.ts';
export type { IdealTiming } from './ideal-timing.ts';
export { idealTiming } from './ideal-timing.ts';
export type { TimingWindows } from './metrics/classify.ts';
export { DEFAULT_TIMING_WINDOWS } from './metrics/classify.ts';
export type { ControlEntry, ControlLogLimits } from './metrics/control-log.ts';
export {
  DEFAULT_MAX_CONTROL_ENTRIES,
  MIN_CONTROL_SPACING_MS,
  maxControlEntries,
  validateControlLog,
} from './metrics/control-log.ts';
export type { Assessment, CriterionResult, EvidenceRow, Rubric, RunControls } from './metrics/score.ts';
export { DEFAULT_RUBRIC, outrightFailureRules, parseRubric, rubricSchema, scoreAssessment } from './metrics/score.ts';
export type { BeatMeans, DetectionStats, ReferenceMeans, RunSummary } from './metrics/summary.ts';
export type {
  PressureStep,
  TimedBeat,
  TitrationJudgement,
  TitrationProtocol,
  TitrationRecord,
} from './metrics/titration.ts';
export {
  DEFAULT_TITRATION,
  judgeTitration,
  recordTitration,
  STEP_MERGE_MS,
  titrationProtocolSchema,
} from './metrics/titration.ts';
export type { BeatClass, BeatMetrics, ReferenceBeat } from './model/beat.ts';
export { BEAT_CLASSES } from './model/beat.ts';
export type { Patient } from './model/patient.ts';
export { DEFAULT_PATIENT } from './model/patient.ts';
export type { CuffEnable, DeviceSettings, SettingsPatch } from './model/settings.ts';
export { DEFAULT_SETTINGS, SETTINGS_LIMITS } from './model/settings.ts';
export type { ParseResult, Scenario, ScenarioEvent, ScenarioPresetId } from './scenarios.ts';
export {
  assertScenario,
  parseScenario,
  patientSchema,
  SCENARIO_PRESET_IDS,
  scenarioEventSchema,
  scenarioSchema,
  settingsPatchSchema,
} from './scenarios.ts';
export type { SimulateOptions, Simulation, SimulationOptions, SimulationResult } from './simulate.ts';
export { createSimulation, DEFAULT_TRACE_RATE_HZ, simulate } from './simulate.ts';
export type { TimingCase, TimingReadouts } from './timing-study.ts';
export {
  BORDERLINE_LATE_DEFLATION_SHIFT_RR,
  LATE_DEFLATION_AFTER_EJECTION_MS,
  runTimingCase,
  STUDY_RATES_BPM,
  steadyStudyScenario,
  TIMING_CASE_SHIFT_RR,
  TIMING_CASES,
  timingTableMarkdown,
} from './timing-study.ts';
export type { Traces } from './traces.ts';
export { MAX_DURATION_MS, SEED_MAX, seedError, settingsPatchErrors } from './validate.ts';
