/**
 * The server's replay of a simulator run: the only score that counts (SIM-SPEC "Assessment"). The candidate's
 * browser sends nothing but its control log; the scenario, seed, events, duration and rubric come from the
 * database and the content presets.
 */
import {
  type Assessment,
  type ControlEntry,
  idealTiming,
  type Rubric,
  type RunSummary,
  type Scenario,
  type ScenarioEvent,
  scoreAssessment,
  simulate,
} from '#sim/index.ts';

/** The scenario with the assessment's scripted events merged into its timeline, in time order. */
export function withScriptedEvents(scenario: Scenario, events: readonly ScenarioEvent[]): Scenario {
  // A stable sort keeps the preset's own event first when both fall on the same millisecond.
  const timeline = [...scenario.timeline, ...events].sort((a, b) => a.atMs - b.atMs);
  return { ...scenario, timeline };
}

export interface ReplayInput {
  scenario: Scenario;
  seed: number;
  durationMs: number;
  controls: readonly ControlEntry[];
  rubric: Rubric;
}

export interface ReplayOutcome {
  assessment: Assessment;
  summary: RunSummary;
}

/** Re-runs the engine with the given log and scores it. Deterministic for the same inputs. */
export function replayAndScore(input: ReplayInput): ReplayOutcome {
  const result = simulate({
    scenario: input.scenario,
    seed: input.seed,
    durationMs: input.durationMs,
    controls: input.controls,
  });
  return { assessment: scoreAssessment(result, input.rubric), summary: result.summary };
}

/** Seconds after a rate change at which the preview's ideal operator re-times the cuffs. */
const PREVIEW_RETIME_AFTER_MS = 5000;
/** Treatment pressure the preview aims for (the common 260 mmHg of trials; Eftekhari & May 2013). */
const PREVIEW_PRESSURE_MMHG = 260;

function heartRateChanges(scenario: Scenario): { atMs: number; heartRateBpm: number }[] {
  const changes = [{ atMs: 0, heartRateBpm: scenario.ecg.rhythm.heartRateBpm }];
  for (const e of scenario.timeline) {
    const rate = e.type === 'heart-rate' ? e.heartRateBpm : e.type === 'rhythm' ? e.rhythm.heartRateBpm : undefined;
    if (rate !== undefined) changes.push({ atMs: e.atMs, heartRateBpm: rate });
  }
  return changes;
}

/**
 * The control log of a model operator: ideal timing for the starting rate and a pressure inside the rubric's
 * range at the start, and re-timed shortly after each scripted rate change. Examiners see what such a run
 * scores before they publish (a rubric that this log fails is probably wrong).
 */
export function idealControlLog(scenario: Scenario, rubric: Rubric, durationMs: number): ControlEntry[] {
  const range = rubric.pressureRangeMmHg;
  const pressureMmHg = Math.min(range.max, Math.max(range.min, PREVIEW_PRESSURE_MMHG));
  const log: ControlEntry[] = [];
  for (const change of heartRateChanges(scenario)) {
    const atMs = change.atMs === 0 ? 0 : change.atMs + PREVIEW_RETIME_AFTER_MS;
    if (atMs > durationMs) continue;
    const ideal = idealTiming({ heartRateBpm: change.heartRateBpm, patient: scenario.patient, pressureMmHg });
    const patch = {
      inflateDelayMs: Math.round(ideal.inflateDelayMs),
      deflateDelayMs: Math.round(ideal.deflateDelayMs),
      ...(atMs === 0 ? { pressureMmHg } : {}),
    };
    log.push({ atMs, patch });
  }
  return log;
}
