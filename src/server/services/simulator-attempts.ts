/**
 * Candidates' side of simulator assessments: open assessments, starting an attempt (the server draws the seed
 * and fixes the deadline), submitting the control log (validated, replayed and scored here: the only score
 * that counts), and reading results. Examiners list, export and annotate attempts.
 */
import { and, asc, count, desc, eq, inArray, isNotNull, isNull, like, lte, or, sql } from 'drizzle-orm';
import type { Db } from '#db/client.ts';
import {
  simulatorAssessments,
  simulatorAssessmentVersions,
  simulatorAttemptAnnotations,
  simulatorAttempts,
  users,
} from '#db/schema/index.ts';
import {
  type ControlEntry,
  type EvidenceRow,
  outrightFailureRules,
  type ScenarioEvent,
  type SettingsPatch,
  validateControlLog,
} from '#sim/index.ts';
import { formatUtcDateTime } from '#src/lib/dates.ts';
import { drawStartSettings, getScenario } from '#src/lib/scenario-presets.ts';
import { writeAudit } from '../audit.ts';
import { csvDocument } from '../csv.ts';
import { newId } from '../ids.ts';
import { type Refusal, refuse } from '../refusal.ts';
import type { RequestMeta } from './deps.ts';
import { pageWindow } from './paging.ts';
import { parseEvents, parseStoredRubric } from './simulator-assessments.ts';
import { type AttemptBreakdown, breakdownOf, replayAndScore, withScriptedEvents } from './simulator-replay.ts';
import { type ListAttemptsInput, SIMULATOR_LIMITS } from './simulator-schemas.ts';

/** Time between starting an attempt and pressing Start on the console (reading the instructions). */
export const START_WITHIN_MS = 4 * 60_000;
/** Time after the run's end in which a submission is still accepted (network, a slow machine). */
export const SUBMIT_GRACE_MS = 60_000;

/** The last moment a submission of an attempt started at `startedAt` is accepted. */
export function attemptDeadline(startedAt: number, durationMs: number): number {
  return startedAt + START_WITHIN_MS + durationMs + SUBMIT_GRACE_MS;
}
/**
 * Integrity (issue 14, finding 1). A score exists only for a run that took place in real time under the
 * server's eyes:
 * - The scored seed stays on the server until the attempt is scored. The console runs the engine with a
 *   display seed: another realisation of the same scenario (same patient, rhythm, rate, scripted events;
 *   in sim/ the seed draws only the beat-to-beat variation, ectopic timing, artefacts and fibrillatory
 *   waves). The skill under test, cuff timing and pressure set against the rate and the patient, carries
 *   over from one realisation to another, so the candidate can operate on what they see; but a log tuned
 *   offline against the display seed gains nothing it would not gain on any seed, and the scored
 *   realisation cannot be searched before it is revealed. (Streaming the server's own ECG to the browser
 *   would also hide the seed, but costs a server-side simulation per running candidate.)
 * - The console reports the control log as it is applied (checkpoints, at least every
 *   CHECKPOINT_MAX_GAP_MS, acknowledged). The first checkpoint starts the run's clock on the server and
 *   the console runs only after its acknowledgement, so the simulated time a checkpoint reports can never
 *   exceed the server's elapsed time; a report ahead of it is refused.
 * - Entries are append-only: a checkpoint's entries lie at or after the previous checkpoint's time, and the
 *   submitted log must begin with exactly the reported entries. A silence longer than
 *   CHECKPOINT_MAX_GAP_MS voids the attempt.
 * - A submission before the run's start + duration is refused, as is any second submission: the attempt is
 *   claimed in one conditional UPDATE before the replay runs (in the worker pool).
 */
/** The console reports this often (ms); see SimulatorConsole. */
export const CHECKPOINT_EVERY_MS = 2_000;
/** Longest silence between two checkpoints (or the last one and the submission) before the attempt is void. */
export const CHECKPOINT_MAX_GAP_MS = 10_000;
/** Slack for the console's clock against the server's (the run's last tick rounds up to a whole ms). */
export const CLOCK_TOLERANCE_MS = 250;

function drawSeed(): number {
  const v = new Uint32Array(1);
  crypto.getRandomValues(v);
  return (v[0] ?? 0) & SIMULATOR_LIMITS.seedMax;
}

/** A uniform number in [0, 1) from the system's CSPRNG (the starting settings are drawn per attempt). */
function cryptoRandom(): number {
  const v = new Uint32Array(1);
  crypto.getRandomValues(v);
  return (v[0] ?? 0) / 2 ** 32;
}

function parseStartSettings(json: string | null): SettingsPatch | null {
  return json === null ? null : (JSON.parse(json) as SettingsPatch);
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
  /** The score (0-100) a run needs to pass, from the assessment's rubric. */
  passMark: number;
  /** What fails a run whatever its score, in words (outrightFailureRules). */
  failsOutrightOn: string[];
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
      voidedAt: simulatorAttempts.voidedAt,
    })
    .from(simulatorAttempts)
    .where(and(eq(simulatorAttempts.assessmentId, assessment.id), eq(simulatorAttempts.candidateId, candidateId)))
    .orderBy(desc(simulatorAttempts.startedAt));
  const running = attempts.find((a) => a.submittedAt === null && a.voidedAt === null && now <= a.deadlineAt) ?? null;
  const last = attempts[0];
  // The cooldown runs from the end of the last attempt: its submission or voiding, else its deadline.
  const lastEnd = last ? (last.submittedAt ?? last.voidedAt ?? last.deadlineAt) : null;
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
    const rubric = parseStoredRubric(a.rubricJson);
    out.push({
      id: a.id,
      title: a.title,
      scenarioId: a.scenarioId,
      scenarioTitle: getScenario(a.scenarioId)?.title ?? a.scenarioId,
      durationMs: a.durationMs,
      closesAt: a.closesAt,
      passMark: rubric.passMark,
      failsOutrightOn: outrightFailureRules(rubric),
      attemptsAllowed: a.attemptsAllowed,
      attemptsUsed: h.used,
      nextStartAt: h.running ? null : h.nextStartAt,
      runningAttemptId: h.running?.id ?? null,
    });
  }
  return out;
}

/** An assessment that is not open now: published for a later date, or closed (in the last CLOSED_SHOWN_MS). */
export interface ScheduledAssessment {
  id: string;
  title: string;
  scenarioTitle: string;
  durationMs: number;
  opensAt: number;
  closesAt: number | null;
  passMark: number;
  attemptsAllowed: number;
  attemptsUsed: number;
}

/** Closed assessments stay on the candidate's list this long after closing (a term's worth). */
export const CLOSED_SHOWN_MS = 180 * 24 * 60 * 60 * 1000;

/**
 * What else a candidate should know of (issue 13): published assessments that open later, with their dates
 * and pass marks, and those that closed in the last CLOSED_SHOWN_MS with the attempts the candidate used.
 */
export async function listScheduledAssessments(
  db: Db,
  candidateId: string,
  now = Date.now(),
): Promise<{ upcoming: ScheduledAssessment[]; closed: ScheduledAssessment[] }> {
  const rows = await db
    .select()
    .from(simulatorAssessments)
    .where(inArray(simulatorAssessments.status, ['published', 'closed']))
    .orderBy(asc(simulatorAssessments.opensAt));
  const upcoming: ScheduledAssessment[] = [];
  const closed: ScheduledAssessment[] = [];
  for (const a of rows) {
    const endedAt = a.status === 'closed' ? Math.min(a.updatedAt, a.closesAt ?? a.updatedAt) : a.closesAt;
    const isUpcoming = a.status === 'published' && a.opensAt > now;
    const isClosed = endedAt !== null && endedAt <= now && endedAt > now - CLOSED_SHOWN_MS && a.opensAt <= now;
    if (!isUpcoming && !isClosed) continue;
    const used = (await candidateHistory(db, a, candidateId, now)).used;
    // An assessment an examiner closed early is news only to those who took it.
    if (isClosed && a.status === 'closed' && used === 0) continue;
    const entry: ScheduledAssessment = {
      id: a.id,
      title: a.title,
      scenarioTitle: getScenario(a.scenarioId)?.title ?? a.scenarioId,
      durationMs: a.durationMs,
      opensAt: a.opensAt,
      closesAt: endedAt,
      passMark: parseStoredRubric(a.rubricJson).passMark,
      attemptsAllowed: a.attemptsAllowed,
      attemptsUsed: used,
    };
    (isUpcoming ? upcoming : closed).push(entry);
  }
  closed.reverse();
  return { upcoming, closed };
}

export interface StartedAttempt {
  attemptId: string;
  /** The seed the console shows; the scored seed is not given out before scoring. */
  displaySeed: number;
  /** Server time of the run's first checkpoint: set once the run started (it cannot be restarted). */
  runStartedAt: number | null;
  /** The device settings the console starts from (drawn for this attempt; null: the scenario's). */
  startSettings: SettingsPatch | null;
  scenarioId: string;
  durationMs: number;
  startedAt: number;
  deadline: number;
  resumed: boolean;
}

export type StartAttemptResult = { ok: true; attempt: StartedAttempt } | Refusal;

const NO_SUCH_ATTEMPT = refuse('NOT_FOUND', 'That attempt does not exist or is not yours.');
const ALREADY_SUBMITTED = refuse('CONFLICT', 'This attempt was already submitted and scored.');
/** How many of the engine's messages a refused log shows; the rest are counted. */
const LOG_ERRORS_SHOWN = 5;

/** A control log the engine's validation refused, with its first messages (on the form's log field too). */
export function refusedLog(errors: string[]): Refusal {
  const shown = errors.slice(0, LOG_ERRORS_SHOWN).join('; ');
  const more = errors.length > LOG_ERRORS_SHOWN ? ` (and ${errors.length - LOG_ERRORS_SHOWN} more)` : '';
  return refuse('BAD_REQUEST', `The control log was refused and nothing was stored: ${shown}${more}.`, {
    controlLog: `${shown}${more}`,
  });
}

function voidRefusal(message: string): Refusal {
  return refuse('BAD_REQUEST', message);
}

/** A checkpoint report the server does not accept (nothing of it is stored). */
function reportRefused(message: string): Refusal {
  return refuse('BAD_REQUEST', `The report was refused: ${message}`);
}

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
    if (!a || a.status === 'draft') return refuse('NOT_FOUND', 'That assessment does not exist.');
    if (!isOpen(a, now)) return refuse('BAD_REQUEST', 'This assessment is not open for attempts now.');
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
            displaySeed: r.displaySeed,
            runStartedAt: r.runStartedAt,
            startSettings: parseStartSettings(r.startSettingsJson),
            scenarioId: v.scenarioId,
            durationMs: v.durationMs,
            startedAt: r.startedAt,
            deadline: r.deadlineAt,
            resumed: true,
          },
        } as const;
      }
    }
    if (h.used >= a.attemptsAllowed)
      return refuse('BAD_REQUEST', 'You have used all the attempts this assessment allows.');
    if (h.nextStartAt !== null)
      return refuse('BAD_REQUEST', `You can start your next attempt at ${formatUtcDateTime(h.nextStartAt)} (UTC).`);
    const [v] = await tx
      .select()
      .from(simulatorAssessmentVersions)
      .where(
        and(eq(simulatorAssessmentVersions.assessmentId, a.id), eq(simulatorAssessmentVersions.version, a.version)),
      );
    if (!v) throw new Error(`assessment ${a.id} has no version ${a.version}`);
    const id = newId();
    const seed = v.seedPolicy === 'fixed' && v.fixedSeed !== null ? v.fixedSeed : drawSeed();
    let displaySeed = drawSeed();
    while (displaySeed === seed) displaySeed = drawSeed();
    const preset = getScenario(v.scenarioId);
    if (!preset) throw new Error(`assessment ${a.id}: scenario ${v.scenarioId} is missing`);
    const startSettings = drawStartSettings(preset, v.startMistimingMs, cryptoRandom);
    const deadline = attemptDeadline(now, v.durationMs);
    await tx.insert(simulatorAttempts).values({
      id,
      assessmentId: a.id,
      versionId: v.id,
      candidateId,
      seed,
      displaySeed,
      startSettingsJson: JSON.stringify(startSettings),
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
        displaySeed,
        runStartedAt: null,
        startSettings,
        scenarioId: v.scenarioId,
        durationMs: v.durationMs,
        startedAt: now,
        deadline,
        resumed: false,
      },
    } as const;
  });
}

export type SubmitAttemptResult = { ok: true; score: number; passed: boolean; flags: string[] } | Refusal;

/** Integrity notes for the examiner: a run that took much longer than its duration was paused. */
function integrityFlags(runMs: number, durationMs: number): string[] {
  const pausedMs = runMs - durationMs;
  return pausedMs > CHECKPOINT_MAX_GAP_MS
    ? [
        `The run took ${Math.round(runMs / 1000)} s for ${Math.round(durationMs / 1000)} s of simulated time: the console was paused for about ${Math.round(pausedMs / 1000)} s.`,
      ]
    : [];
}

type AttemptRow = typeof simulatorAttempts.$inferSelect;

function sameEntries(a: readonly ControlEntry[], b: readonly ControlEntry[]): boolean {
  return a.length === b.length && a.every((e, i) => JSON.stringify(e) === JSON.stringify(b[i]));
}

function gapMessage(gapMs: number): string {
  return `The console sent no report to the server for ${Math.round(gapMs / 1000)} s (at most ${CHECKPOINT_MAX_GAP_MS / 1000} s are allowed while a run goes on), so this attempt is void and will not be scored. It counts as used.`;
}

/** Marks an attempt void (first reason wins) and audits it. */
async function voidAttempt(db: Db, attempt: AttemptRow, message: string, meta: RequestMeta, now: number) {
  await db.transaction(async (tx) => {
    const updated = await tx
      .update(simulatorAttempts)
      .set({ voidedAt: now, voidReason: message })
      .where(
        and(
          eq(simulatorAttempts.id, attempt.id),
          isNull(simulatorAttempts.voidedAt),
          isNull(simulatorAttempts.submittedAt),
        ),
      )
      .returning({ id: simulatorAttempts.id });
    if (updated.length === 0) return;
    await writeAudit(
      tx,
      {
        actorId: attempt.candidateId,
        action: 'simulator.attempt-voided',
        subjectId: attempt.id,
        ipAddress: meta.ipAddress,
        details: { assessmentId: attempt.assessmentId, reason: message },
      },
      now,
    );
  });
}

async function loadOwnAttempt(db: Db, candidateId: string, attemptId: string) {
  const [attempt] = await db
    .select()
    .from(simulatorAttempts)
    .where(and(eq(simulatorAttempts.id, attemptId), eq(simulatorAttempts.candidateId, candidateId)));
  if (!attempt) return null;
  const [version] = await db
    .select()
    .from(simulatorAssessmentVersions)
    .where(eq(simulatorAssessmentVersions.id, attempt.versionId));
  if (!version) throw new Error(`attempt ${attempt.id}: its version is missing`);
  return { attempt, version };
}

export interface CheckpointInput {
  attemptId: string;
  /** How many entries of the log the server had acknowledged when the console sent this report. */
  from: number;
  /** The log's entries from index `from` on. */
  entries: unknown[];
  /** Simulated time (ms) the report covers: every change before it is in the log. */
  throughMs: number;
}

export type CheckpointResult =
  | { ok: true; acknowledged: number; throughMs: number; runStartedAt: number; nextDueBy: number }
  | Refusal;

/**
 * Records a checkpoint of a running attempt's control log. The first one starts the run's clock (the
 * console waits for its acknowledgement before running). Refusals store nothing, except that a late report
 * (after a silence longer than CHECKPOINT_MAX_GAP_MS, or a run started too late) voids the attempt.
 */
export async function checkpointAttempt(
  db: Db,
  candidateId: string,
  input: CheckpointInput,
  meta: RequestMeta,
  now = Date.now(),
): Promise<CheckpointResult> {
  const loaded = await loadOwnAttempt(db, candidateId, input.attemptId);
  if (!loaded) return NO_SUCH_ATTEMPT;
  const { attempt, version } = loaded;
  if (attempt.submittedAt !== null) return ALREADY_SUBMITTED;
  if (attempt.voidedAt !== null) return voidRefusal(attempt.voidReason ?? 'Void.');
  if (now > attempt.deadlineAt)
    return refuse('BAD_REQUEST', `The time for this attempt ended at ${formatUtcDateTime(attempt.deadlineAt)} (UTC).`);
  const first = attempt.runStartedAt === null;
  if (first && now > attempt.startedAt + START_WITHIN_MS) {
    const message = `The run was not started within ${START_WITHIN_MS / 60_000} minutes of starting the attempt, so this attempt is void. It counts as used.`;
    await voidAttempt(db, attempt, message, meta, now);
    return voidRefusal(message);
  }
  if (!first && attempt.checkpointAt !== null && now - attempt.checkpointAt > CHECKPOINT_MAX_GAP_MS) {
    const message = gapMessage(now - attempt.checkpointAt);
    await voidAttempt(db, attempt, message, meta, now);
    return voidRefusal(message);
  }
  const runStartedAt = attempt.runStartedAt ?? now;
  const previousThrough = attempt.checkpointThroughMs ?? 0;
  const stored = JSON.parse(attempt.checkpointLogJson) as ControlEntry[];
  if (!Number.isFinite(input.throughMs) || input.throughMs < previousThrough) {
    return reportRefused(
      `The report goes back in time (${Math.round(input.throughMs)} ms after ${Math.round(previousThrough)} ms). A run cannot be restarted.`,
    );
  }
  if (input.throughMs > version.durationMs + CLOCK_TOLERANCE_MS) {
    return reportRefused('The report lies beyond the end of the run.');
  }
  if (input.throughMs > now - runStartedAt + CLOCK_TOLERANCE_MS) {
    return reportRefused(
      `The report is at ${Math.round(input.throughMs / 1000)} s of the run, but only ${Math.round((now - runStartedAt) / 1000)} s have passed since it started: the console cannot run faster than real time.`,
    );
  }
  if (!Number.isInteger(input.from) || input.from < 0 || input.from > stored.length) {
    return reportRefused(`The report starts at entry ${input.from}, but the server has acknowledged ${stored.length}.`);
  }
  const merged = [...stored.slice(0, input.from), ...input.entries];
  const checked = validateControlLog(merged, { durationMs: version.durationMs });
  if (!checked.ok) return refusedLog(checked.errors);
  // A resent report may repeat entries already acknowledged; they must be the same ones.
  if (checked.value.length < stored.length || !sameEntries(checked.value.slice(0, stored.length), stored)) {
    return reportRefused(
      'The report changes control entries the server already acknowledged; a reported log cannot be rewritten.',
    );
  }
  const late = checked.value.slice(stored.length).find((e) => e.atMs < previousThrough || e.atMs > input.throughMs);
  if (late) {
    return reportRefused(
      `A control change at ${Math.round(late.atMs)} ms lies outside this report (${Math.round(previousThrough)}–${Math.round(input.throughMs)} ms): changes must be reported in the first report after they are made.`,
    );
  }
  const updated = await db
    .update(simulatorAttempts)
    .set({
      runStartedAt,
      checkpointAt: now,
      checkpointThroughMs: input.throughMs,
      checkpointLogJson: JSON.stringify(checked.value),
    })
    .where(
      and(
        eq(simulatorAttempts.id, attempt.id),
        isNull(simulatorAttempts.submittedAt),
        isNull(simulatorAttempts.voidedAt),
        // Optimistic: two reports at once cannot both extend the same state.
        attempt.checkpointAt === null
          ? isNull(simulatorAttempts.checkpointAt)
          : eq(simulatorAttempts.checkpointAt, attempt.checkpointAt),
      ),
    )
    .returning({ id: simulatorAttempts.id });
  if (updated.length === 0) {
    return reportRefused('Another report of this attempt arrived at the same time; send it again.');
  }
  if (first) {
    await writeAudit(
      db,
      {
        actorId: candidateId,
        action: 'simulator.run-started',
        subjectId: attempt.id,
        ipAddress: meta.ipAddress,
        details: { assessmentId: attempt.assessmentId },
      },
      now,
    );
  }
  return {
    ok: true,
    acknowledged: checked.value.length,
    throughMs: input.throughMs,
    runStartedAt,
    nextDueBy: now + CHECKPOINT_MAX_GAP_MS,
  };
}

/**
 * Checks the candidate's final control log against the checkpoints, claims the attempt (so a second or
 * concurrent submission is refused before any replay), replays the run with the attempt's secret seed in
 * the worker pool, scores it and stores the result. Refusals store nothing (a late one voids the attempt).
 * The client sends no score; only this one counts.
 */
export async function submitAttempt(
  db: Db,
  candidateId: string,
  input: { attemptId: string; controlLog: unknown[] },
  meta: RequestMeta,
  now = Date.now(),
): Promise<SubmitAttemptResult> {
  const loaded = await loadOwnAttempt(db, candidateId, input.attemptId);
  if (!loaded) return NO_SUCH_ATTEMPT;
  const { attempt, version } = loaded;
  if (attempt.submittedAt !== null) return ALREADY_SUBMITTED;
  if (attempt.voidedAt !== null) return voidRefusal(attempt.voidReason ?? 'Void.');
  if (now > attempt.deadlineAt)
    return refuse(
      'BAD_REQUEST',
      `The time for this attempt ended at ${formatUtcDateTime(attempt.deadlineAt)} (UTC); late submissions are not scored.`,
    );
  if (attempt.runStartedAt === null || attempt.checkpointAt === null)
    return refuse(
      'BAD_REQUEST',
      'The server received no report of a run of this attempt: only a run the console reported while it went on is scored.',
    );
  const earliest = attempt.runStartedAt + version.durationMs;
  if (now < earliest)
    return refuse(
      'BAD_REQUEST',
      `The run cannot have finished yet: submissions are accepted from ${formatUtcDateTime(earliest)} (UTC), when the run's time is up. Nothing was stored.`,
    );
  if (now - attempt.checkpointAt > CHECKPOINT_MAX_GAP_MS) {
    const message = gapMessage(now - attempt.checkpointAt);
    await voidAttempt(db, attempt, message, meta, now);
    return voidRefusal(message);
  }
  const preset = getScenario(version.scenarioId);
  if (!preset) throw new Error(`attempt ${attempt.id}: its scenario is missing`);

  const checked = validateControlLog(input.controlLog, { durationMs: version.durationMs });
  if (!checked.ok) return refusedLog(checked.errors);
  const reported = JSON.parse(attempt.checkpointLogJson) as ControlEntry[];
  const through = attempt.checkpointThroughMs ?? 0;
  if (!sameEntries(checked.value.slice(0, reported.length), reported)) {
    return refusedLog([
      `the log does not begin with the ${reported.length} control changes the console reported during the run`,
    ]);
  }
  const unreported = checked.value.slice(reported.length).find((e) => e.atMs < through);
  if (unreported) {
    return refusedLog([
      `the change at ${Math.round(unreported.atMs)} ms was not reported by the checkpoint that covered the run up to ${Math.round(through)} ms`,
    ]);
  }

  // Claim the attempt before replaying: of two submissions only one gets past this UPDATE.
  const claimed = await db
    .update(simulatorAttempts)
    .set({ submittedAt: now, controlLogJson: JSON.stringify(checked.value) })
    .where(
      and(
        eq(simulatorAttempts.id, attempt.id),
        isNull(simulatorAttempts.submittedAt),
        isNull(simulatorAttempts.voidedAt),
      ),
    )
    .returning({ id: simulatorAttempts.id });
  if (claimed.length === 0) return ALREADY_SUBMITTED;

  const rubric = parseStoredRubric(version.rubricJson);
  let outcome: Awaited<ReturnType<typeof replayAndScore>>;
  try {
    outcome = await replayAndScore({
      scenario: withScriptedEvents(preset, parseEvents(version.eventsJson)),
      seed: attempt.seed,
      durationMs: version.durationMs,
      controls: checked.value,
      rubric,
      startSettings: parseStartSettings(attempt.startSettingsJson) ?? undefined,
    });
  } catch (error) {
    // The replay failed (not the candidate's doing): release the claim so the submission can be sent again.
    await db
      .update(simulatorAttempts)
      .set({ submittedAt: null, controlLogJson: null })
      .where(eq(simulatorAttempts.id, attempt.id));
    throw error;
  }
  const { assessment, summary } = outcome;
  const flags = integrityFlags(now - attempt.runStartedAt, version.durationMs);
  const breakdown = breakdownOf(summary, assessment.criteria, assessment.failures, assessment.evidence);

  return db.transaction(async (tx) => {
    await tx
      .update(simulatorAttempts)
      .set({
        score: assessment.score0to100,
        passed: assessment.passed,
        breakdownJson: JSON.stringify(breakdown),
        evidenceJson: JSON.stringify(assessment.evidence),
        flagsJson: JSON.stringify(flags),
      })
      .where(eq(simulatorAttempts.id, attempt.id));
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
  /** The scored seed, null until the attempt is scored (it must not be known during the run). */
  seed: number | null;
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

type AttemptListRow = { flagsJson: string; seed: number } & Omit<AttemptListItem, 'flagCount' | 'seed'>;

function toListItem({ flagsJson, seed, ...r }: AttemptListRow): AttemptListItem {
  return {
    ...r,
    seed: r.submittedAt === null ? null : seed,
    flagCount: (JSON.parse(flagsJson) as unknown[]).length,
  };
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
  /** The seed the console shows (not the scored one). */
  displaySeed: number;
  /** Server time of the run's first checkpoint; null before the run started. */
  runStartedAt: number | null;
  /** Why the attempt was voided; null when it was not. */
  voidReason: string | null;
  /** The settings the run started from; null for attempts made before they were recorded. */
  startSettings: SettingsPatch | null;
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
      displaySeed: simulatorAttempts.displaySeed,
      runStartedAt: simulatorAttempts.runStartedAt,
      voidReason: simulatorAttempts.voidReason,
      startSettingsJson: simulatorAttempts.startSettingsJson,
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
  const {
    rubricJson,
    eventsJson,
    controlLogJson,
    breakdownJson,
    evidenceJson,
    displaySeed,
    runStartedAt,
    voidReason,
    startSettingsJson,
    ...rest
  } = row;
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
    displaySeed,
    runStartedAt,
    voidReason,
    startSettings: parseStartSettings(startSettingsJson),
  };
}

export type AnnotateResult = { ok: true; id: string } | Refusal;

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
    if (!a) return refuse('NOT_FOUND', 'That attempt does not exist.');
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
