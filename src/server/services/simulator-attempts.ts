/**
 * Candidates' side of simulator assessments: open assessments, starting an attempt (the server draws the seed
 * and fixes the deadline), submitting the control log (validated, replayed and scored here: the only score
 * that counts), and reading results. Examiners list, export and annotate attempts.
 */
import { and, asc, count, desc, eq, isNotNull, isNull, like, lte, or, sql } from 'drizzle-orm';
import type { Db } from '#db/client.ts';
import {
  simulatorAssessments,
  simulatorAssessmentVersions,
  simulatorAttemptAnnotations,
  simulatorAttempts,
  users,
} from '#db/schema/index.ts';
import {
  type BeatClass,
  type ControlEntry,
  type CriterionResult,
  type EvidenceRow,
  type RunSummary,
  type ScenarioEvent,
  validateControlLog,
} from '#sim/index.ts';
import { getScenario } from '#src/lib/scenario-presets.ts';
import { writeAudit } from '../audit.ts';
import { csvDocument } from '../csv.ts';
import { newId } from '../ids.ts';
import type { RequestMeta } from './deps.ts';
import { pageWindow } from './paging.ts';
import { parseEvents, parseStoredRubric } from './simulator-assessments.ts';
import { replayAndScore, withScriptedEvents } from './simulator-replay.ts';
import { type ListAttemptsInput, SIMULATOR_LIMITS } from './simulator-schemas.ts';

/** Time between starting an attempt and pressing Start on the console (reading the instructions). */
export const START_WITHIN_MS = 4 * 60_000;
/** Time after the run's end in which a submission is still accepted (network, a slow machine). */
export const SUBMIT_GRACE_MS = 60_000;

/** The last moment a submission of an attempt started at `startedAt` is accepted. */
export function attemptDeadline(startedAt: number, durationMs: number): number {
  return startedAt + START_WITHIN_MS + durationMs + SUBMIT_GRACE_MS;
}
/** A submission this much earlier than the run could have finished in real time is flagged. */
export const EARLY_SUBMISSION_TOLERANCE_MS = 2_000;

function drawSeed(): number {
  const v = new Uint32Array(1);
  crypto.getRandomValues(v);
  return (v[0] ?? 0) & SIMULATOR_LIMITS.seedMax;
}

function isOpen(a: { status: string; opensAt: number; closesAt: number | null }, now: number): boolean {
  return a.status === 'published' && a.opensAt <= now && (a.closesAt === null || now < a.closesAt);
}

// ---------------------------------------------------------------- candidates

export interface OpenAssessment {
  id: string;
  title: string;
  scenarioId: string;
  scenarioTitle: string;
  durationMs: number;
  closesAt: number | null;
  attemptsAllowed: number;
  attemptsUsed: number;
  /** When the cooldown after the last attempt ends; null when nothing holds the candidate back. */
  nextStartAt: number | null;
  /** An attempt started and still running (resume it rather than start another). */
  runningAttemptId: string | null;
}

interface CandidateHistory {
  used: number;
  running: { id: string } | null;
  nextStartAt: number | null;
}

async function candidateHistory(
  db: Pick<Db, 'select'>,
  assessment: { id: string; cooldownMs: number },
  candidateId: string,
  now: number,
): Promise<CandidateHistory> {
  const attempts = await db
    .select({
      id: simulatorAttempts.id,
      startedAt: simulatorAttempts.startedAt,
      deadlineAt: simulatorAttempts.deadlineAt,
      submittedAt: simulatorAttempts.submittedAt,
    })
    .from(simulatorAttempts)
    .where(and(eq(simulatorAttempts.assessmentId, assessment.id), eq(simulatorAttempts.candidateId, candidateId)))
    .orderBy(desc(simulatorAttempts.startedAt));
  const running = attempts.find((a) => a.submittedAt === null && now <= a.deadlineAt) ?? null;
  const last = attempts[0];
  // The cooldown runs from the end of the last attempt: its submission, or its deadline if never submitted.
  const lastEnd = last ? (last.submittedAt ?? last.deadlineAt) : null;
  const nextStartAt =
    lastEnd !== null && lastEnd + assessment.cooldownMs > now ? lastEnd + assessment.cooldownMs : null;
  return { used: attempts.length, running: running ? { id: running.id } : null, nextStartAt };
}

export async function listOpenAssessments(db: Db, candidateId: string, now = Date.now()): Promise<OpenAssessment[]> {
  const rows = await db
    .select()
    .from(simulatorAssessments)
    .where(
      and(
        eq(simulatorAssessments.status, 'published'),
        lte(simulatorAssessments.opensAt, now),
        or(isNull(simulatorAssessments.closesAt), sql`${simulatorAssessments.closesAt} > ${now}`),
      ),
    )
    .orderBy(asc(simulatorAssessments.title));
  const out: OpenAssessment[] = [];
  for (const a of rows) {
    const h = await candidateHistory(db, a, candidateId, now);
    out.push({
      id: a.id,
      title: a.title,
      scenarioId: a.scenarioId,
      scenarioTitle: getScenario(a.scenarioId)?.title ?? a.scenarioId,
      durationMs: a.durationMs,
      closesAt: a.closesAt,
      attemptsAllowed: a.attemptsAllowed,
      attemptsUsed: h.used,
      nextStartAt: h.running ? null : h.nextStartAt,
      runningAttemptId: h.running?.id ?? null,
    });
  }
  return out;
}

export interface StartedAttempt {
  attemptId: string;
  seed: number;
  scenarioId: string;
  durationMs: number;
  startedAt: number;
  deadline: number;
  resumed: boolean;
}

export type StartAttemptResult =
  | { ok: true; attempt: StartedAttempt }
  | { ok: false; reason: 'not-found' | 'not-open' | 'no-attempts-left' }
  | { ok: false; reason: 'cooldown'; nextStartAt: number };

/**
 * Starts an attempt on the current version: the server records the start, draws (or fixes) the seed and
 * sets the deadline. A candidate with an attempt still running gets that one back instead of a new one.
 */
export async function startAttempt(
  db: Db,
  candidateId: string,
  assessmentId: string,
  meta: RequestMeta,
  now = Date.now(),
): Promise<StartAttemptResult> {
  return db.transaction(async (tx) => {
    const [a] = await tx.select().from(simulatorAssessments).where(eq(simulatorAssessments.id, assessmentId));
    if (!a || a.status === 'draft') return { ok: false, reason: 'not-found' } as const;
    if (!isOpen(a, now)) return { ok: false, reason: 'not-open' } as const;
    const h = await candidateHistory(tx, a, candidateId, now);
    if (h.running) {
      const [r] = await tx.select().from(simulatorAttempts).where(eq(simulatorAttempts.id, h.running.id));
      const [v] = r
        ? await tx.select().from(simulatorAssessmentVersions).where(eq(simulatorAssessmentVersions.id, r.versionId))
        : [];
      if (r && v) {
        return {
          ok: true,
          attempt: {
            attemptId: r.id,
            seed: r.seed,
            scenarioId: v.scenarioId,
            durationMs: v.durationMs,
            startedAt: r.startedAt,
            deadline: r.deadlineAt,
            resumed: true,
          },
        } as const;
      }
    }
    if (h.used >= a.attemptsAllowed) return { ok: false, reason: 'no-attempts-left' } as const;
    if (h.nextStartAt !== null) return { ok: false, reason: 'cooldown', nextStartAt: h.nextStartAt } as const;
    const [v] = await tx
      .select()
      .from(simulatorAssessmentVersions)
      .where(
        and(eq(simulatorAssessmentVersions.assessmentId, a.id), eq(simulatorAssessmentVersions.version, a.version)),
      );
    if (!v) throw new Error(`assessment ${a.id} has no version ${a.version}`);
    const id = newId();
    const seed = v.seedPolicy === 'fixed' && v.fixedSeed !== null ? v.fixedSeed : drawSeed();
    const deadline = attemptDeadline(now, v.durationMs);
    await tx.insert(simulatorAttempts).values({
      id,
      assessmentId: a.id,
      versionId: v.id,
      candidateId,
      seed,
      startedAt: now,
      deadlineAt: deadline,
      flagsJson: '[]',
    });
    await writeAudit(
      tx,
      {
        actorId: candidateId,
        action: 'simulator.attempt-started',
        subjectId: id,
        ipAddress: meta.ipAddress,
        details: { assessmentId: a.id, version: v.version },
      },
      now,
    );
    return {
      ok: true,
      attempt: {
        attemptId: id,
        seed,
        scenarioId: v.scenarioId,
        durationMs: v.durationMs,
        startedAt: now,
        deadline,
        resumed: false,
      },
    } as const;
  });
}

export interface AttemptBreakdown {
  criteria: CriterionResult[];
  failures: string[];
  summary: {
    beatCount: number;
    assistedBeatCount: number;
    scoredBeatCount: number;
    classCounts: Record<BeatClass, number>;
    meanHeartRateBpm: number;
    medianDsPeakRatio: number | null;
    maxCuffPressureMmHg: number;
  };
}

export type SubmitAttemptResult =
  | { ok: true; score: number; passed: boolean; flags: string[] }
  | { ok: false; reason: 'not-found' | 'already-submitted' }
  | { ok: false; reason: 'deadline-passed'; deadline: number }
  | { ok: false; reason: 'invalid-log'; errors: string[] };

function breakdownOf(
  summary: RunSummary,
  criteria: CriterionResult[],
  failures: string[],
  evidence: EvidenceRow[],
): AttemptBreakdown {
  return {
    criteria,
    failures,
    summary: {
      beatCount: summary.beatCount,
      assistedBeatCount: summary.assistedBeatCount,
      scoredBeatCount: evidence.filter((e) => e.scored).length,
      classCounts: summary.classCounts,
      meanHeartRateBpm: summary.meanHeartRateBpm,
      medianDsPeakRatio: summary.assisted?.medianDsPeakRatio ?? summary.all?.medianDsPeakRatio ?? null,
      maxCuffPressureMmHg: summary.maxCuffPressureMmHg,
    },
  };
}

/** Integrity notes for the examiner: the console runs in real time, so a log cannot outrun the clock. */
function integrityFlags(controls: readonly ControlEntry[], elapsedMs: number, durationMs: number): string[] {
  const flags: string[] = [];
  if (elapsedMs < durationMs - EARLY_SUBMISSION_TOLERANCE_MS) {
    flags.push(
      `Submitted ${Math.round(elapsedMs / 1000)} s after the start, before the ${Math.round(durationMs / 1000)} s run could have finished; the settings were held to the end.`,
    );
  }
  const ahead = controls.find((c) => c.atMs > elapsedMs + EARLY_SUBMISSION_TOLERANCE_MS);
  if (ahead) {
    flags.push(
      `The control log has a change at ${Math.round(ahead.atMs)} ms, later than the time elapsed since the start.`,
    );
  }
  return flags;
}

/**
 * Validates the candidate's control log, replays the run with the attempt's seed and version, scores it
 * and stores the result. Refusals store nothing. The client sends no score; only this one counts.
 */
export async function submitAttempt(
  db: Db,
  candidateId: string,
  input: { attemptId: string; controlLog: unknown[] },
  meta: RequestMeta,
  now = Date.now(),
): Promise<SubmitAttemptResult> {
  const [attempt] = await db
    .select()
    .from(simulatorAttempts)
    .where(and(eq(simulatorAttempts.id, input.attemptId), eq(simulatorAttempts.candidateId, candidateId)));
  if (!attempt) return { ok: false, reason: 'not-found' };
  if (attempt.submittedAt !== null) return { ok: false, reason: 'already-submitted' };
  if (now > attempt.deadlineAt) return { ok: false, reason: 'deadline-passed', deadline: attempt.deadlineAt };
  const [version] = await db
    .select()
    .from(simulatorAssessmentVersions)
    .where(eq(simulatorAssessmentVersions.id, attempt.versionId));
  const preset = version ? getScenario(version.scenarioId) : null;
  if (!version || !preset) throw new Error(`attempt ${attempt.id}: its version or scenario is missing`);

  const checked = validateControlLog(input.controlLog, { durationMs: version.durationMs });
  if (!checked.ok) return { ok: false, reason: 'invalid-log', errors: checked.errors };

  const rubric = parseStoredRubric(version.rubricJson);
  const { assessment, summary } = await replayAndScore({
    scenario: withScriptedEvents(preset, parseEvents(version.eventsJson)),
    seed: attempt.seed,
    durationMs: version.durationMs,
    controls: checked.value,
    rubric,
  });
  const flags = integrityFlags(checked.value, now - attempt.startedAt, version.durationMs);
  const breakdown = breakdownOf(summary, assessment.criteria, assessment.failures, assessment.evidence);

  return db.transaction(async (tx) => {
    const updated = await tx
      .update(simulatorAttempts)
      .set({
        submittedAt: now,
        controlLogJson: JSON.stringify(checked.value),
        score: assessment.score0to100,
        passed: assessment.passed,
        breakdownJson: JSON.stringify(breakdown),
        evidenceJson: JSON.stringify(assessment.evidence),
        flagsJson: JSON.stringify(flags),
      })
      .where(and(eq(simulatorAttempts.id, attempt.id), isNull(simulatorAttempts.submittedAt)))
      .returning({ id: simulatorAttempts.id });
    if (updated.length === 0) return { ok: false, reason: 'already-submitted' } as const;
    await writeAudit(
      tx,
      {
        actorId: candidateId,
        action: 'simulator.attempt-scored',
        subjectId: attempt.id,
        ipAddress: meta.ipAddress,
        details: {
          assessmentId: attempt.assessmentId,
          score: assessment.score0to100,
          passed: assessment.passed,
          flags: flags.length,
        },
      },
      now,
    );
    return { ok: true, score: assessment.score0to100, passed: assessment.passed, flags } as const;
  });
}

export interface AttemptListItem {
  id: string;
  assessmentId: string;
  assessmentTitle: string;
  version: number;
  candidateId: string;
  candidateName: string;
  candidateEmail: string;
  seed: number;
  startedAt: number;
  deadlineAt: number;
  submittedAt: number | null;
  score: number | null;
  passed: boolean | null;
  flagCount: number;
}

const attemptListColumns = {
  id: simulatorAttempts.id,
  assessmentId: simulatorAttempts.assessmentId,
  assessmentTitle: simulatorAssessmentVersions.title,
  version: simulatorAssessmentVersions.version,
  candidateId: simulatorAttempts.candidateId,
  candidateName: users.name,
  candidateEmail: users.email,
  seed: simulatorAttempts.seed,
  startedAt: simulatorAttempts.startedAt,
  deadlineAt: simulatorAttempts.deadlineAt,
  submittedAt: simulatorAttempts.submittedAt,
  score: simulatorAttempts.score,
  passed: simulatorAttempts.passed,
  flagsJson: simulatorAttempts.flagsJson,
};

type AttemptListRow = { flagsJson: string } & Omit<AttemptListItem, 'flagCount'>;

function toListItem({ flagsJson, ...r }: AttemptListRow): AttemptListItem {
  return { ...r, flagCount: (JSON.parse(flagsJson) as unknown[]).length };
}

/** The candidate's own attempts, newest first. */
export async function listMyAttempts(db: Db, candidateId: string): Promise<AttemptListItem[]> {
  const rows = await db
    .select(attemptListColumns)
    .from(simulatorAttempts)
    .innerJoin(simulatorAssessmentVersions, eq(simulatorAssessmentVersions.id, simulatorAttempts.versionId))
    .innerJoin(users, eq(users.id, simulatorAttempts.candidateId))
    .where(eq(simulatorAttempts.candidateId, candidateId))
    .orderBy(desc(simulatorAttempts.startedAt));
  return rows.map(toListItem);
}

export const ATTEMPTS_PAGE_SIZE = 25;

function escapeLike(text: string): string {
  return text.replace(/[\\%_]/g, (c) => `\\${c}`);
}

function attemptFilters(input: ListAttemptsInput) {
  const conditions = [];
  if (input.assessmentId) conditions.push(eq(simulatorAttempts.assessmentId, input.assessmentId));
  if (input.candidate) {
    const pattern = `%${escapeLike(input.candidate.toLowerCase())}%`;
    conditions.push(
      or(
        like(sql`lower(${users.name})`, sql`${pattern} escape '\\'`),
        like(sql`lower(${users.email})`, sql`${pattern} escape '\\'`),
      ),
    );
  }
  if (input.outcome === 'passed') conditions.push(eq(simulatorAttempts.passed, true));
  if (input.outcome === 'failed')
    conditions.push(and(isNotNull(simulatorAttempts.submittedAt), eq(simulatorAttempts.passed, false)));
  if (input.outcome === 'not-submitted') conditions.push(isNull(simulatorAttempts.submittedAt));
  return conditions.length ? and(...conditions) : undefined;
}

/** Every attempt matching the filters (examiners), newest first, one page at a time. */
export async function listAttempts(
  db: Db,
  input: ListAttemptsInput,
): Promise<{ items: AttemptListItem[]; page: number; pageCount: number; total: number }> {
  const where = attemptFilters(input);
  const [totalRow] = await db
    .select({ n: count() })
    .from(simulatorAttempts)
    .innerJoin(users, eq(users.id, simulatorAttempts.candidateId))
    .where(where);
  const total = totalRow?.n ?? 0;
  const { page, pageCount, offset } = pageWindow(total, ATTEMPTS_PAGE_SIZE, input.page);
  const rows = await db
    .select(attemptListColumns)
    .from(simulatorAttempts)
    .innerJoin(simulatorAssessmentVersions, eq(simulatorAssessmentVersions.id, simulatorAttempts.versionId))
    .innerJoin(users, eq(users.id, simulatorAttempts.candidateId))
    .where(where)
    .orderBy(desc(simulatorAttempts.startedAt), simulatorAttempts.id)
    .limit(ATTEMPTS_PAGE_SIZE)
    .offset(offset);
  return { items: rows.map(toListItem), page, pageCount, total };
}

/** All attempts matching the filters as CSV (csvDocument). */
export async function exportAttemptsCsv(db: Db, input: Omit<ListAttemptsInput, 'page'>): Promise<string> {
  const rows = await db
    .select(attemptListColumns)
    .from(simulatorAttempts)
    .innerJoin(simulatorAssessmentVersions, eq(simulatorAssessmentVersions.id, simulatorAttempts.versionId))
    .innerJoin(users, eq(users.id, simulatorAttempts.candidateId))
    .where(attemptFilters({ ...input, page: 1 }))
    .orderBy(desc(simulatorAttempts.startedAt), simulatorAttempts.id);
  const header = [
    'attempt_id',
    'assessment',
    'version',
    'candidate_name',
    'candidate_email',
    'seed',
    'started_at',
    'submitted_at',
    'score',
    'passed',
    'flags',
  ];
  const iso = (ms: number | null): string | null => (ms === null ? null : new Date(ms).toISOString());
  // The same document as the members' export (csvDocument): byte-order mark, quoted cells, CRLF.
  return csvDocument(
    header,
    rows
      .map(toListItem)
      .map((r) => [
        r.id,
        r.assessmentTitle,
        r.version,
        r.candidateName,
        r.candidateEmail,
        r.seed,
        iso(r.startedAt),
        iso(r.submittedAt),
        r.score,
        r.passed === null ? null : r.passed ? 'yes' : 'no',
        r.flagCount,
      ]),
  );
}

export interface AttemptAnnotation {
  id: string;
  examinerName: string;
  beatIndex: number | null;
  text: string;
  createdAt: number;
}

export interface AttemptDetail extends AttemptListItem {
  scenarioId: string;
  scenarioTitle: string;
  /** The version's scripted events (the console replays them; they are no secret once running). */
  events: ScenarioEvent[];
  durationMs: number;
  rubricPassMark: number;
  controlLog: ControlEntry[] | null;
  breakdown: AttemptBreakdown | null;
  evidence: EvidenceRow[] | null;
  flags: string[];
  annotations: AttemptAnnotation[];
}

/**
 * One attempt with its result, for its candidate or for an examiner; null for anyone else (the same answer
 * as for an attempt that does not exist, so ids cannot be probed).
 */
export async function getAttempt(
  db: Db,
  viewer: { id: string; mayReadAll: boolean },
  attemptId: string,
): Promise<AttemptDetail | null> {
  const [row] = await db
    .select({
      ...attemptListColumns,
      scenarioId: simulatorAssessmentVersions.scenarioId,
      durationMs: simulatorAssessmentVersions.durationMs,
      eventsJson: simulatorAssessmentVersions.eventsJson,
      rubricJson: simulatorAssessmentVersions.rubricJson,
      controlLogJson: simulatorAttempts.controlLogJson,
      breakdownJson: simulatorAttempts.breakdownJson,
      evidenceJson: simulatorAttempts.evidenceJson,
    })
    .from(simulatorAttempts)
    .innerJoin(simulatorAssessmentVersions, eq(simulatorAssessmentVersions.id, simulatorAttempts.versionId))
    .innerJoin(users, eq(users.id, simulatorAttempts.candidateId))
    .where(eq(simulatorAttempts.id, attemptId));
  if (!row || (row.candidateId !== viewer.id && !viewer.mayReadAll)) return null;
  const annotations = await db
    .select({
      id: simulatorAttemptAnnotations.id,
      examinerName: users.name,
      beatIndex: simulatorAttemptAnnotations.beatIndex,
      text: simulatorAttemptAnnotations.text,
      createdAt: simulatorAttemptAnnotations.createdAt,
    })
    .from(simulatorAttemptAnnotations)
    .innerJoin(users, eq(users.id, simulatorAttemptAnnotations.examinerId))
    .where(eq(simulatorAttemptAnnotations.attemptId, attemptId))
    .orderBy(asc(simulatorAttemptAnnotations.createdAt), simulatorAttemptAnnotations.id);
  const { rubricJson, eventsJson, controlLogJson, breakdownJson, evidenceJson, ...rest } = row;
  return {
    ...toListItem(rest),
    scenarioId: row.scenarioId,
    scenarioTitle: getScenario(row.scenarioId)?.title ?? row.scenarioId,
    events: parseEvents(eventsJson),
    durationMs: row.durationMs,
    rubricPassMark: parseStoredRubric(rubricJson).passMark,
    controlLog: controlLogJson ? (JSON.parse(controlLogJson) as ControlEntry[]) : null,
    breakdown: breakdownJson ? (JSON.parse(breakdownJson) as AttemptBreakdown) : null,
    evidence: evidenceJson ? (JSON.parse(evidenceJson) as EvidenceRow[]) : null,
    flags: JSON.parse(row.flagsJson) as string[],
    annotations,
  };
}

export type AnnotateResult = { ok: true; id: string } | { ok: false; reason: 'not-found' };

export async function annotateAttempt(
  db: Db,
  examinerId: string,
  input: { attemptId: string; beatIndex: number | null; text: string },
  meta: RequestMeta,
  now = Date.now(),
): Promise<AnnotateResult> {
  return db.transaction(async (tx) => {
    const [a] = await tx
      .select({ id: simulatorAttempts.id })
      .from(simulatorAttempts)
      .where(eq(simulatorAttempts.id, input.attemptId));
    if (!a) return { ok: false, reason: 'not-found' } as const;
    const id = newId();
    await tx.insert(simulatorAttemptAnnotations).values({
      id,
      attemptId: a.id,
      examinerId,
      beatIndex: input.beatIndex,
      text: input.text,
      createdAt: now,
    });
    await writeAudit(
      tx,
      {
        actorId: examinerId,
        action: 'simulator.attempt-annotated',
        subjectId: a.id,
        ipAddress: meta.ipAddress,
        details: { beatIndex: input.beatIndex },
      },
      now,
    );
    return { ok: true, id } as const;
  });
}
