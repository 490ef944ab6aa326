/**
 * Pressure titration, read from a run's control log: where the pressure started, each step up, how long the
 * previous pressure was held and how many correctly timed assisted beats were seen there before the step.
 * The handbook teaches it (Patient preparation, "Starting the session"; Reading the pleth, "Pressure
 * titration"): start at about 150 mmHg, raise in steps of a few tens of mmHg, recheck timing at each step,
 * continue to the working pressure. Lin W et al., J Clin Neurosci 2014, stepped 150, 187.5, 225, 262.5 mmHg.
 *
 * The record holds facts only; judgeTitration holds them against a protocol, so a stored record can be
 * judged again when an exercise's or a rubric's targets change.
 */
import { z } from 'zod';
import type { ControlEntry } from './control-log.ts';

/**
 * Pressure changes closer together than this are one adjustment: a dragged slider or a held key logs a
 * change every 100 ms (MIN_CONTROL_SPACING_MS), and the step is from where the drag began to where it ended.
 */
export const STEP_MERGE_MS = 1000;

export const titrationProtocolSchema = z
  .object({
    /** The first pressure applied (out of standby) may not exceed this, mmHg. */
    startMaxMmHg: z.number().min(1).max(300),
    /** The largest single step up, mmHg (handbook: steps of a few tens of mmHg). */
    maxStepMmHg: z.number().min(1).max(300),
    /** Each pressure must be held at least this long before the next step up, ms. */
    minHoldMs: z.number().min(0).max(600000),
    /** Correctly timed assisted beats at a pressure needed before the next step up (timing rechecked). */
    checkedBeatsBeforeStep: z.number().int().min(0).max(100),
    /** The setpoint must reach at least this, mmHg. */
    targetMmHg: z.number().min(0).max(300),
  })
  .strict()
  .refine((p) => p.targetMmHg === 0 || p.startMaxMmHg <= p.targetMmHg, {
    message: 'the start pressure must not exceed the target',
    path: ['startMaxMmHg'],
  });

export type TitrationProtocol = z.infer<typeof titrationProtocolSchema>;

/** Start at 150, steps of up to 40 mmHg (37.5 in Lin 2014), 15 s and 10 well-timed beats per step, 260. */
export const DEFAULT_TITRATION: Readonly<TitrationProtocol> = Object.freeze({
  startMaxMmHg: 150,
  maxStepMmHg: 40,
  minHoldMs: 15000,
  checkedBeatsBeforeStep: 10,
  targetMmHg: 260,
});

export interface PressureStep {
  /** When the step began, ms. */
  atMs: number;
  fromMmHg: number;
  toMmHg: number;
  /** How long `fromMmHg` had been held when the step began, ms. */
  heldMs: number;
  /** Assisted beats at `fromMmHg` with inflation and deflation both in their windows. */
  checkedBeats: number;
}

export interface TitrationRecord {
  /** The first pressure above 0 (null: never left standby) and when it was applied. */
  startMmHg: number | null;
  startAtMs: number | null;
  /** Steps up after the start, in time order. */
  steps: PressureStep[];
  /** The highest setpoint of the run, mmHg. */
  maxMmHg: number;
}

/** A beat as the record needs it: its R time and whether its timing was right. */
export interface TimedBeat {
  rTimeMs: number;
  timingOk: boolean;
}

/**
 * The titration facts of a run that started at `startPressureMmHg` and applied `controls`. `beats` are the
 * run's beats in time order, `timingOk` true only for assisted beats timed within the windows.
 */
export function recordTitration(
  controls: readonly ControlEntry[],
  startPressureMmHg: number,
  beats: readonly TimedBeat[],
): TitrationRecord {
  // Adjustments: runs of pressure changes less than STEP_MERGE_MS apart, as [start ms, end ms, final mmHg].
  const adjustments: { atMs: number; endMs: number; toMmHg: number }[] = [];
  for (const c of controls) {
    const p = c.patch.pressureMmHg;
    if (p === undefined) continue;
    const last = adjustments[adjustments.length - 1];
    if (last && c.atMs - last.endMs < STEP_MERGE_MS) {
      last.endMs = c.atMs;
      last.toMmHg = p;
    } else adjustments.push({ atMs: c.atMs, endMs: c.atMs, toMmHg: p });
  }
  let level = startPressureMmHg;
  let levelSinceMs = 0;
  let startMmHg: number | null = level > 0 ? level : null;
  let startAtMs: number | null = level > 0 ? 0 : null;
  let maxMmHg = level;
  const steps: PressureStep[] = [];
  let b = 0;
  for (const a of adjustments) {
    if (a.toMmHg === level) continue;
    if (startMmHg === null) {
      if (a.toMmHg > 0) {
        startMmHg = a.toMmHg;
        startAtMs = a.atMs;
      }
    } else if (a.toMmHg > level && level > 0) {
      while (b < beats.length && beats[b]!.rTimeMs < levelSinceMs) b++;
      let checkedBeats = 0;
      for (let i = b; i < beats.length && beats[i]!.rTimeMs < a.atMs; i++) if (beats[i]!.timingOk) checkedBeats++;
      steps.push({ atMs: a.atMs, fromMmHg: level, toMmHg: a.toMmHg, heldMs: a.atMs - levelSinceMs, checkedBeats });
    } else if (a.toMmHg > level) {
      // Back from standby (0) mid-run: a restart, judged like the start.
      steps.push({ atMs: a.atMs, fromMmHg: 0, toMmHg: a.toMmHg, heldMs: a.atMs - levelSinceMs, checkedBeats: 0 });
    }
    level = a.toMmHg;
    // The new pressure counts as held once the adjustment is over.
    levelSinceMs = a.endMs;
    maxMmHg = Math.max(maxMmHg, level);
  }
  return { startMmHg, startAtMs, steps, maxMmHg };
}

export interface TitrationJudgement {
  /** True when every check was met. */
  met: boolean;
  /** 0-100: the share of checks met (the start, each step, the target). */
  score: number;
  /** One sentence per breach, naming the time and the pressures. */
  breaches: string[];
  /** One line for the result page. */
  detail: string;
}

function seconds(ms: number): string {
  return `${Math.round(ms / 100) / 10} s`;
}

/** Holds a record against a protocol. */
export function judgeTitration(record: TitrationRecord, protocol: TitrationProtocol): TitrationJudgement {
  const breaches: string[] = [];
  let checks = 0;
  let met = 0;
  const check = (ok: boolean, breach: string): void => {
    checks++;
    if (ok) met++;
    else breaches.push(breach);
  };
  if (record.startMmHg === null) check(false, 'Counterpulsation was never started (pressure stayed at 0).');
  else {
    check(
      record.startMmHg <= protocol.startMaxMmHg,
      `Started at ${record.startMmHg} mmHg, above the start pressure of ${protocol.startMaxMmHg} mmHg.`,
    );
  }
  for (const s of record.steps) {
    const at = seconds(s.atMs);
    const problems: string[] = [];
    if (s.fromMmHg === 0) {
      if (s.toMmHg > protocol.startMaxMmHg)
        problems.push(`restarted at ${s.toMmHg} mmHg, above ${protocol.startMaxMmHg} mmHg`);
    } else {
      const rise = s.toMmHg - s.fromMmHg;
      if (rise > protocol.maxStepMmHg) problems.push(`a step of ${rise} mmHg, above ${protocol.maxStepMmHg} mmHg`);
      if (s.heldMs < protocol.minHoldMs) {
        problems.push(`${s.fromMmHg} mmHg held ${seconds(s.heldMs)}, less than ${seconds(protocol.minHoldMs)}`);
      }
      if (s.checkedBeats < protocol.checkedBeatsBeforeStep) {
        problems.push(
          `${s.checkedBeats} correctly timed beats at ${s.fromMmHg} mmHg, fewer than ${protocol.checkedBeatsBeforeStep}`,
        );
      }
    }
    check(problems.length === 0, `At ${at}, ${s.fromMmHg} to ${s.toMmHg} mmHg: ${problems.join('; ')}.`);
  }
  check(
    record.maxMmHg >= protocol.targetMmHg,
    `The pressure reached ${record.maxMmHg} mmHg, short of the target of ${protocol.targetMmHg} mmHg.`,
  );
  const goodSteps = record.steps.length - breaches.filter((b) => b.startsWith('At ')).length;
  const start = record.startMmHg === null ? 'never started' : `started at ${record.startMmHg} mmHg`;
  return {
    met: met === checks,
    score: Math.round((1000 * met) / checks) / 10,
    breaches,
    detail: `${start[0]!.toUpperCase()}${start.slice(1)} (at most ${protocol.startMaxMmHg}); ${goodSteps} of ${record.steps.length} steps up by the protocol (at most ${protocol.maxStepMmHg} mmHg after ${seconds(protocol.minHoldMs)} and ${protocol.checkedBeatsBeforeStep} correctly timed beats); reached ${record.maxMmHg} mmHg (target ${protocol.targetMmHg})`,
  };
}
