/**
 * Assessment scoring (sim/README "Assessment"): the same function scores live practice and the server's
 * replay. Beats inside the grace windows (start, and after each scripted event) are not scored; beats the
 * device rightly declined to assist (arrhythmia, learning, not detected) are not held against the
 * candidate. Safety rules fail the attempt whatever the score.
 */
import { z } from 'zod';
import type { BeatMetrics } from '../model/beat.ts';
import type { ControlEntry } from './control-log.ts';
import type { RunSummary } from './summary.ts';
import { judgeTitration, recordTitration, type TitrationRecord, titrationProtocolSchema } from './titration.ts';

/**
 * The default least share of well-timed beats (%): far above a persistent error's 0 %, far below what an
 * operator who times to the rhythm reaches even in atrial fibrillation, where no fixed deflation suits every
 * beat (the model operator of each content preset: deflation 40-50 % of beats in AF, 89-100 % elsewhere).
 */
const MIN_TIMING_SCORE_DEFAULT = 25;

const window = z
  .object({ minMs: z.number(), maxMs: z.number() })
  .strict()
  .refine((w) => w.minMs < w.maxMs, 'minMs must be below maxMs');

export const rubricSchema = z
  .object({
    graceStartMs: z.number().min(0).max(600000),
    graceAfterEventMs: z.number().min(0).max(600000),
    /** Augmentation arrival minus valve closure. */
    inflationWindow: window,
    /** Cuffs empty minus next ejection onset. */
    deflationWindow: window,
    /** D/S peak ratio a beat must reach (Front Physiol 2021;12:656224: >= 1.2). */
    dsTarget: z.number().min(0).max(5),
    pressureRangeMmHg: z
      .object({ min: z.number().min(0).max(300), max: z.number().min(0).max(300) })
      .strict()
      .refine((r) => r.min <= r.max, 'min must not exceed max'),
    /** Consecutive late-deflation beats that fail the attempt outright. */
    maxConsecutiveLateDeflations: z.number().int().min(1).max(1000),
    /**
     * Share of scored beats (%) that each timing criterion with a weight must reach, or the attempt fails
     * whatever its score: without it, inflation or deflation outside its window on every beat still passed
     * at the default weights (the other criteria's 70 points meet the pass mark). Absent from rubrics
     * stored before it existed: the default applies.
     */
    minTimingScore: z.number().min(0).max(100).default(MIN_TIMING_SCORE_DEFAULT),
    weights: z
      .object({
        inflationTiming: z.number().min(0),
        deflationTiming: z.number().min(0),
        augmentation: z.number().min(0),
        pressure: z.number().min(0),
        /** Counts only when the rubric has a titration protocol. */
        titration: z.number().min(0).optional(),
      })
      .strict()
      .refine(
        (w) => w.inflationTiming + w.deflationTiming + w.augmentation + w.pressure + (w.titration ?? 0) > 0,
        'weights sum to 0',
      ),
    passMark: z.number().min(0).max(100),
    /**
     * When set, the run's pressure titration (from its control log) is a criterion, and a breach of the
     * protocol fails the attempt. Absent: not assessed.
     */
    titration: titrationProtocolSchema.optional(),
  })
  .strict();

export type Rubric = z.infer<typeof rubricSchema>;

export const DEFAULT_RUBRIC: Readonly<Rubric> = Object.freeze({
  graceStartMs: 20000,
  graceAfterEventMs: 10000,
  inflationWindow: { minMs: -40, maxMs: 60 },
  deflationWindow: { minMs: -150, maxMs: 0 },
  dsTarget: 1.2,
  pressureRangeMmHg: { min: 200, max: 300 },
  maxConsecutiveLateDeflations: 5,
  minTimingScore: MIN_TIMING_SCORE_DEFAULT,
  weights: { inflationTiming: 30, deflationTiming: 30, augmentation: 25, pressure: 15 },
  passMark: 70,
});

export interface CriterionResult {
  id: 'inflation-timing' | 'deflation-timing' | 'augmentation' | 'pressure' | 'titration';
  label: string;
  weight: number;
  /** 0-100. */
  score: number;
  detail: string;
}

export interface EvidenceRow {
  index: number;
  rTimeMs: number;
  scored: boolean;
  excludedBecause: 'grace' | 'device-declined' | null;
  /** The device rightly declined to assist this beat (arrhythmia, learning, not detected), grace or not. */
  deviceDeclined: boolean;
  beatClass: BeatMetrics['beatClass'];
  inflationErrorMs: number | null;
  deflationErrorMs: number | null;
  dsPeakRatio: number;
  pressureSetpointMmHg: number;
  inflationOk: boolean;
  deflationOk: boolean;
  augmentationOk: boolean;
  pressureOk: boolean;
}

export interface Assessment {
  score0to100: number;
  passed: boolean;
  criteria: CriterionResult[];
  failures: string[];
  evidence: EvidenceRow[];
  /** The run's titration facts; null when the rubric does not assess titration. */
  titration: TitrationRecord | null;
}

/** What the titration criterion reads besides the beats: the control log and the pressure the run began at. */
export interface RunControls {
  controls: readonly ControlEntry[];
  startPressureMmHg: number;
}

const DEVICE_DECLINED = new Set(['learning', 'arrhythmia', 'not-detected']);

function inWindow(v: number | null, w: { minMs: number; maxMs: number }): boolean {
  return v !== null && v >= w.minMs && v <= w.maxMs;
}

/**
 * Scores a run. `run` (the control log and start pressure) is required when the rubric has a titration
 * protocol: the server passes the log it replayed, never a client's account of it.
 */
export function scoreAssessment(
  result: { beats: readonly BeatMetrics[]; summary: RunSummary },
  rubric: Rubric = DEFAULT_RUBRIC,
  run?: RunControls,
): Assessment {
  const events = result.summary.eventTimesMs;
  const inGrace = (t: number): boolean =>
    t < rubric.graceStartMs || events.some((e) => t >= e && t < e + rubric.graceAfterEventMs);
  const evidence: EvidenceRow[] = result.beats.map((b) => {
    const grace = inGrace(b.rTimeMs);
    const declined = !b.assisted && DEVICE_DECLINED.has(b.notAssistedReason ?? '');
    const scored = !grace && !declined;
    return {
      index: b.index,
      rTimeMs: b.rTimeMs,
      scored,
      excludedBecause: grace ? 'grace' : declined ? 'device-declined' : null,
      deviceDeclined: declined,
      beatClass: b.beatClass,
      inflationErrorMs: b.inflationErrorMs,
      deflationErrorMs: b.deflationErrorMs,
      dsPeakRatio: b.dsPeakRatio,
      pressureSetpointMmHg: b.pressureSetpointMmHg,
      inflationOk: b.assisted && inWindow(b.inflationErrorMs, rubric.inflationWindow),
      deflationOk: b.assisted && inWindow(b.deflationErrorMs, rubric.deflationWindow),
      augmentationOk: b.assisted && b.dsPeakRatio >= rubric.dsTarget,
      pressureOk:
        b.pressureSetpointMmHg >= rubric.pressureRangeMmHg.min &&
        b.pressureSetpointMmHg <= rubric.pressureRangeMmHg.max,
    };
  });
  const scored = evidence.filter((e) => e.scored);
  const n = scored.length;
  const frac = (f: (e: EvidenceRow) => boolean): number => (n === 0 ? 0 : scored.filter(f).length / n);
  const pct = (x: number): number => Math.round(x * 1000) / 10;
  const w = rubric.weights;
  const inflation = frac((e) => e.inflationOk);
  const deflation = frac((e) => e.deflationOk);
  const augmentation = frac((e) => e.augmentationOk);
  const pressure = frac((e) => e.pressureOk);
  const criteria: CriterionResult[] = [
    {
      id: 'inflation-timing',
      label: 'Inflation at the dicrotic notch',
      weight: w.inflationTiming,
      score: pct(inflation),
      detail: `${Math.round(inflation * n)} of ${n} scored beats with augmentation arriving ${rubric.inflationWindow.minMs} to +${rubric.inflationWindow.maxMs} ms from valve closure`,
    },
    {
      id: 'deflation-timing',
      label: 'Deflation before ejection',
      weight: w.deflationTiming,
      score: pct(deflation),
      detail: `${Math.round(deflation * n)} of ${n} scored beats with cuffs empty ${-rubric.deflationWindow.maxMs} to ${-rubric.deflationWindow.minMs} ms before ejection`,
    },
    {
      id: 'augmentation',
      label: `Diastolic augmentation (D/S >= ${rubric.dsTarget})`,
      weight: w.augmentation,
      score: pct(augmentation),
      detail: `${Math.round(augmentation * n)} of ${n} scored beats reached D/S ${rubric.dsTarget}`,
    },
    {
      id: 'pressure',
      label: `Treatment pressure ${rubric.pressureRangeMmHg.min}-${rubric.pressureRangeMmHg.max} mmHg`,
      weight: w.pressure,
      score: pct(pressure),
      detail: `${Math.round(pressure * n)} of ${n} scored beats with the setpoint in range`,
    },
  ];
  const failures: string[] = [];
  let titration: TitrationRecord | null = null;
  if (rubric.titration) {
    if (!run) throw new Error("scoreAssessment: a titration rubric needs the run's control log");
    titration = recordTitration(
      run.controls,
      run.startPressureMmHg,
      evidence.map((e) => ({ rTimeMs: e.rTimeMs, timingOk: e.inflationOk && e.deflationOk })),
    );
    const judged = judgeTitration(titration, rubric.titration);
    criteria.push({
      id: 'titration',
      label: `Pressure titration (start at most ${rubric.titration.startMaxMmHg}, reach ${rubric.titration.targetMmHg} mmHg)`,
      weight: w.titration ?? 0,
      score: judged.score,
      detail: judged.detail,
    });
    failures.push(...judged.breaches.map((b) => `Titration protocol: ${b}`));
  }
  const totalWeight = criteria.reduce((s, c) => s + c.weight, 0);
  const score = totalWeight === 0 ? 0 : criteria.reduce((s, c) => s + c.weight * c.score, 0) / totalWeight;

  if (n === 0) failures.push('No beat could be scored: the run is shorter than the grace windows.');
  // Timing is the skill assessed: a run that mistimes inflation or deflation on nearly every beat fails,
  // whatever the other criteria add up to.
  for (const criterion of criteria) {
    const timing = criterion.id === 'inflation-timing' || criterion.id === 'deflation-timing';
    if (n > 0 && timing && criterion.weight > 0 && criterion.score < rubric.minTimingScore) {
      failures.push(
        `${criterion.label}: ${criterion.score} % of scored beats within the window, below the ${rubric.minTimingScore} % required.`,
      );
    }
  }
  const maxSet = Math.max(0, ...result.beats.map((b) => b.pressureSetpointMmHg));
  if (
    maxSet > rubric.pressureRangeMmHg.max ||
    result.summary.maxCuffPressureMmHg > rubric.pressureRangeMmHg.max + 0.5
  ) {
    failures.push(
      `Over-pressure: cuff pressure reached ${Math.round(Math.max(maxSet, result.summary.maxCuffPressureMmHg))} mmHg, above the permitted ${rubric.pressureRangeMmHg.max} mmHg.`,
    );
  }
  if (result.summary.alarms.some((a) => a.code === 'over-pressure')) {
    failures.push('Over-pressure alarm raised by the device.');
  }
  // Beats in a grace window neither count towards nor extend a run of late deflations: the rubric gives the
  // candidate that time to re-time, and a safety rule that counted it would take the grace back.
  let lateRun = 0;
  let worst = 0;
  let earlyRun = 0;
  let worstEarly = 0;
  for (const [i, b] of result.beats.entries()) {
    const inGrace = evidence[i]!.excludedBecause === 'grace';
    lateRun = b.beatClass === 'late-deflation' && !inGrace ? lateRun + 1 : 0;
    worst = Math.max(worst, lateRun);
    earlyRun = b.beatClass === 'early-inflation' && !inGrace ? earlyRun + 1 : 0;
    worstEarly = Math.max(worstEarly, earlyRun);
  }
  if (worst >= rubric.maxConsecutiveLateDeflations) {
    failures.push(
      `Repeated late deflation: ${worst} consecutive beats with cuffs still pressurised at ejection (limit ${rubric.maxConsecutiveLateDeflations}).`,
    );
  }
  // Early inflation raises afterload as late deflation does (sim/device/alarms.ts HARMFUL_TIMING_BEATS):
  // held to the same limit, so that a persistent afterload-raising error never passes on its other criteria.
  if (worstEarly >= rubric.maxConsecutiveLateDeflations) {
    failures.push(
      `Repeated early inflation: ${worstEarly} consecutive beats with the augmentation reaching the root during ejection (limit ${rubric.maxConsecutiveLateDeflations}).`,
    );
  }
  const score0to100 = Math.round(score * 10) / 10;
  return {
    score0to100,
    passed: failures.length === 0 && score0to100 >= rubric.passMark,
    criteria,
    failures,
    evidence,
    titration,
  };
}

/**
 * The rules that fail a run whatever its score (scoreAssessment's `failures`), in words for the candidate
 * before they start: one short phrase each.
 */
export function outrightFailureRules(rubric: Rubric): string[] {
  const rules = [
    `cuff pressure above ${rubric.pressureRangeMmHg.max} mmHg`,
    `${rubric.maxConsecutiveLateDeflations} late deflations or early inflations in a row`,
  ];
  const timed = [
    rubric.weights.inflationTiming > 0 ? 'inflation' : null,
    rubric.weights.deflationTiming > 0 ? 'deflation' : null,
  ].filter((t) => t !== null);
  if (timed.length > 0 && rubric.minTimingScore > 0) {
    rules.push(`${timed.join(' or ')} within its window on fewer than ${rubric.minTimingScore} % of the scored beats`);
  }
  if (rubric.titration) rules.push('a breach of the pressure titration protocol');
  return rules;
}

export function parseRubric(json: unknown): { ok: true; value: Rubric } | { ok: false; errors: string[] } {
  const r = rubricSchema.safeParse(json);
  if (r.success) return { ok: true, value: r.data };
  return {
    ok: false,
    errors: r.error.issues.map((i) => `${i.path.join('.') || '(root)'}: ${i.message}`),
  };
}
