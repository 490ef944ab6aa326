/**
 * Saved practice sessions. The browser's own summary is not trusted either: the server replays the log
 * with the default rubric, as for an assessment, and stores what it measured.
 */
import { desc, eq } from 'drizzle-orm';
import type { Db } from '#db/client.ts';
import { simulatorPracticeSessions } from '#db/schema/index.ts';
import { type BeatClass, DEFAULT_RUBRIC, validateControlLog } from '#sim/index.ts';
import { getScenario } from '#src/lib/scenario-presets.ts';
import { consumeRateLimit, type RateLimitRule } from '../auth/rate-limit.ts';
import { newId } from '../ids.ts';
import { replayAndScore } from './simulator-replay.ts';

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

export type SavePracticeResult =
  | { ok: true; id: string; score: number; summary: PracticeSummary }
  | { ok: false; reason: 'invalid-log'; errors: string[] }
  | { ok: false; reason: 'no-such-scenario' | 'rate-limited' };

export async function savePractice(
  db: Db,
  userId: string,
  input: { scenarioId: string; seed: number; durationMs: number; controlLog: unknown[] },
  now = Date.now(),
): Promise<SavePracticeResult> {
  const scenario = getScenario(input.scenarioId);
  if (!scenario) return { ok: false, reason: 'no-such-scenario' };
  const checked = validateControlLog(input.controlLog, { durationMs: input.durationMs });
  if (!checked.ok) return { ok: false, reason: 'invalid-log', errors: checked.errors };
  if (!(await consumeRateLimit(db, practiceRateKey(userId), PRACTICE_SAVE_LIMIT, now))) {
    return { ok: false, reason: 'rate-limited' };
  }
  const { assessment, summary } = await replayAndScore({
    scenario,
    seed: input.seed,
    durationMs: input.durationMs,
    controls: checked.value,
    rubric: DEFAULT_RUBRIC,
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
    seed: input.seed,
    durationMs: input.durationMs,
    controlLogJson: JSON.stringify(checked.value),
    summaryJson: JSON.stringify(stored),
    score: assessment.score0to100,
    createdAt: now,
  });
  return { ok: true, id, score: assessment.score0to100, summary: stored };
}

export interface PracticeListItem {
  id: string;
  scenarioId: string;
  scenarioTitle: string;
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
    seed: r.seed,
    durationMs: r.durationMs,
    score: r.score,
    summary: JSON.parse(r.summaryJson) as PracticeSummary,
    createdAt: r.createdAt,
  }));
}
