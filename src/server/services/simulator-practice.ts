/**
 * Saved practice sessions. The browser's own summary is not trusted either: the server replays the log
 * with the default rubric, as for an assessment, and stores what it measured.
 */
import { desc, eq } from 'drizzle-orm';
import type { Db } from '#db/client.ts';
import { simulatorPracticeSessions } from '#db/schema/index.ts';
import {
  type BeatClass,
  DEFAULT_RUBRIC,
  type EvidenceRow,
  recordTitration,
  type TitrationRecord,
  validateControlLog,
} from '#sim/index.ts';
import { getScenario, neutralStartSettings } from '#src/lib/scenario-presets.ts';
import { consumeRateLimit, type RateLimitRule } from '../auth/rate-limit.ts';
import { newId } from '../ids.ts';
import { type Refusal, refuse } from '../refusal.ts';
import { refusedLog } from './simulator-attempts.ts';
import { replayAndScore } from './simulator-replay.ts';
import { SIMULATOR_LIMITS } from './simulator-schemas.ts';

/** How many of a member's saved sessions the list shows (newest first). */
export const PRACTICE_SESSIONS_KEPT = 200;

/**
 * Each save replays up to 15 simulated minutes (seconds of server CPU), so a member may save at most this
 * many sessions an hour: far more than anyone practises, far fewer than a script could send.
 */
export const PRACTICE_SAVE_LIMIT: RateLimitRule = { limit: 30, windowMs: 60 * 60 * 1000 };

export function practiceRateKey(userId: string): string {
  return `simulator-practice:${userId}`;
}

export interface PracticeSummary {
  beatCount: number;
  assistedBeatCount: number;
  classCounts: Record<BeatClass, number>;
  meanHeartRateBpm: number;
  medianDsPeakRatio: number | null;
  meanInflationErrorMs: number | null;
  meanDeflationErrorMs: number | null;
  passed: boolean;
  failures: string[];
}

/** What a session's summary_json holds: the summary, and the beats a curriculum exercise reads. */
export interface StoredPracticeSummary extends PracticeSummary {
  /**
   * The beats that count towards holding a ratio (holdBeats), as [R time in ms, peak D/S ratio, 1 when
   * inflation and deflation were both timed correctly else 0]: what a curriculum exercise needs to tell how
   * long a ratio was held (handbook-progress.ts longestHoldMs). Absent from sessions saved before it was
   * recorded.
   */
  beats?: HoldBeat[];
  /**
   * The pressure titration the server read from the replayed control log: what an exercise's pressure
   * targets are checked against. Absent from sessions saved before it was recorded.
   */
  titration?: TitrationRecord;
}

/** [R time (ms), peak D/S ratio, timing correct (1) or not (0)]. */
export type HoldBeat = [number, number, 0 | 1];

/**
 * The beats of a replay's evidence that count towards holding a ratio (see StoredPracticeSummary.beats).
 * Passed over: beats the device rightly declined (premature, learning, not detected), and the beat a
 * premature beat interrupts (the early R cuts its deflation short: the device's doing, not a timing error).
 */
export function holdBeats(evidence: readonly EvidenceRow[]): HoldBeat[] {
  return evidence.flatMap((e, i): HoldBeat[] =>
    e.deviceDeclined || evidence[i + 1]?.deviceDeclined
      ? []
      : [[Math.round(e.rTimeMs), Math.round(e.dsPeakRatio * 1000) / 1000, e.inflationOk && e.deflationOk ? 1 : 0]],
  );
}

function drawPracticeSeed(): number {
  const v = new Uint32Array(1);
  crypto.getRandomValues(v);
  return (v[0] ?? 0) & SIMULATOR_LIMITS.seedMax;
}

export type SavePracticeResult = { ok: true; id: string; score: number; summary: PracticeSummary } | Refusal;

export async function savePractice(
  db: Db,
  userId: string,
  // `seed`: the one the console showed; kept to practise again, never scored with.
  input: { scenarioId: string; seed?: number; durationMs: number; controlLog: unknown[] },
  now = Date.now(),
): Promise<SavePracticeResult> {
  const scenario = getScenario(input.scenarioId);
  if (!scenario)
    return refuse('BAD_REQUEST', 'Choose one of the listed scenarios.', {
      scenarioId: 'Choose one of the listed scenarios.',
    });
  const checked = validateControlLog(input.controlLog, { durationMs: input.durationMs });
  if (!checked.ok) return refusedLog(checked.errors);
  if (!(await consumeRateLimit(db, practiceRateKey(userId), PRACTICE_SAVE_LIMIT, now))) {
    return refuse(
      'TOO_MANY_REQUESTS',
      'You have saved many practice sessions in the last hour. Keep practising; saving works again within the hour.',
    );
  }
  // The server draws the seed it scores with: a client-chosen one would let a log be tuned offline against
  // the very run that counts towards curriculum exercises (issue 14, finding 1). The console showed the
  // member another realisation of the same scenario; the timing skill carries over between them.
  const seed = drawPracticeSeed();
  // The console starts every practice run from the device's neutral state.
  const startSettings = neutralStartSettings();
  const { assessment, summary } = await replayAndScore({
    scenario,
    seed,
    durationMs: input.durationMs,
    controls: checked.value,
    rubric: DEFAULT_RUBRIC,
    startSettings,
  });
  const stored: PracticeSummary = {
    beatCount: summary.beatCount,
    assistedBeatCount: summary.assistedBeatCount,
    classCounts: summary.classCounts,
    meanHeartRateBpm: summary.meanHeartRateBpm,
    medianDsPeakRatio: summary.assisted?.medianDsPeakRatio ?? null,
    meanInflationErrorMs: summary.meanInflationErrorMs,
    meanDeflationErrorMs: summary.meanDeflationErrorMs,
    passed: assessment.passed,
    failures: assessment.failures,
  };
  const id = newId();
  await db.insert(simulatorPracticeSessions).values({
    id,
    userId,
    scenarioId: scenario.id,
    seed,
    displaySeed: input.seed ?? null,
    durationMs: input.durationMs,
    controlLogJson: JSON.stringify(checked.value),
    summaryJson: JSON.stringify({
      ...stored,
      beats: holdBeats(assessment.evidence),
      titration: recordTitration(
        checked.value,
        startSettings.pressureMmHg ?? 0,
        assessment.evidence.map((e) => ({ rTimeMs: e.rTimeMs, timingOk: e.inflationOk && e.deflationOk })),
      ),
    } satisfies StoredPracticeSummary),
    score: assessment.score0to100,
    createdAt: now,
  });
  return { ok: true, id, score: assessment.score0to100, summary: stored };
}

/** The summary as lists show it: the per-beat record stays in the database. */
function withoutBeats({ beats: _beats, ...summary }: StoredPracticeSummary): PracticeSummary {
  return summary;
}

export interface PracticeListItem {
  id: string;
  scenarioId: string;
  scenarioTitle: string;
  /** The seed the console showed (to practise the same run again); the scored one when it was not kept. */
  seed: number;
  durationMs: number;
  score: number;
  summary: PracticeSummary;
  createdAt: number;
}

export async function listMyPractice(db: Db, userId: string): Promise<PracticeListItem[]> {
  const rows = await db
    .select()
    .from(simulatorPracticeSessions)
    .where(eq(simulatorPracticeSessions.userId, userId))
    .orderBy(desc(simulatorPracticeSessions.createdAt), simulatorPracticeSessions.id)
    .limit(PRACTICE_SESSIONS_KEPT);
  return rows.map((r) => ({
    id: r.id,
    scenarioId: r.scenarioId,
    scenarioTitle: getScenario(r.scenarioId)?.title ?? r.scenarioId,
    seed: r.displaySeed ?? r.seed,
    durationMs: r.durationMs,
    score: r.score,
    summary: withoutBeats(JSON.parse(r.summaryJson) as StoredPracticeSummary),
    createdAt: r.createdAt,
  }));
}
