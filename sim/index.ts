/**
 * Public API of the counterpulsation engine (SIM-SPEC "Public API"). Nothing else in sim/ is imported
 * from outside it.
 */
export { createSimulation, simulate, DEFAULT_TRACE_RATE_HZ } from './simulate.ts';
export type { Simulation, SimulationOptions, SimulateOptions, SimulationResult } from './simulate.ts';
export { scoreAssessment, rubricSchema, parseRubric, DEFAULT_RUBRIC } from './metrics/score.ts';
export type { Assessment, CriterionResult, EvidenceRow, Rubric } from './metrics/score.ts';
export { validateControlLog, DEFAULT_MAX_CONTROL_ENTRIES } from './metrics/control-log.ts';
export type { ControlEntry, ControlLogLimits } from './metrics/control-log.ts';
export { idealTiming } from './ideal-timing.ts';
export type { IdealTiming } from './ideal-timing.ts';
export {
  parseScenario,
  assertScenario,
  scenarioSchema,
  settingsPatchSchema,
  patientSchema,
  scenarioEventSchema,
} from './scenarios.ts';
export type { Scenario, ScenarioEvent, ParseResult } from './scenarios.ts';
export { DEFAULT_SETTINGS, SETTINGS_LIMITS } from './model/settings.ts';
export type { DeviceSettings, SettingsPatch, CuffEnable } from './model/settings.ts';
export { DEFAULT_PATIENT } from './model/patient.ts';
export type { Patient } from './model/patient.ts';
export { BEAT_CLASSES } from './model/beat.ts';
export type { BeatClass, BeatMetrics, ReferenceBeat } from './model/beat.ts';
export type { RunSummary, BeatMeans, DetectionStats } from './metrics/summary.ts';
export { DEFAULT_TIMING_WINDOWS } from './metrics/classify.ts';
export type { TimingWindows } from './metrics/classify.ts';
export type { Alarm, AlarmCode } from './device/alarms.ts';
export type { Traces } from './traces.ts';
export { STEP_MS, ECG_SAMPLE_RATE_HZ } from './engine.ts';
