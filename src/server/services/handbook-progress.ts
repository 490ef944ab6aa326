/**
 * A member's study: chapters marked read, self-check quizzes graded on the server, simulator exercises
 * (done when a practice session the server replayed and scored reaches the exercise's targets) and module
 * completion, which credits the module's CPD credits to the member's CPD log.
 */
import { randomInt } from 'node:crypto';
import { and, asc, count, desc, eq, gte, isNull, sql } from 'drizzle-orm';
import type { Db, DbOrTx } from '#db/client.ts';
import {
  cpdActivities,
  handbookDocuments,
  moduleCompletions,
  quizAttempts,
  quizDraws,
  readingProgress,
  simulatorPracticeSessions,
} from '#db/schema/index.ts';
import { judgeTitration, type TitrationRecord } from '#sim/index.ts';
import { newId } from '../ids.ts';
import { type Refusal, refuse } from '../refusal.ts';
import { getPublished, listPublishedModules, type PublishedDocument } from './handbook.ts';
import { DEFAULT_EXERCISE_MIN_SCORE, type ModuleFrontMatter, type SimulatorExercise } from './handbook-content.ts';
import type { HoldBeat, StoredPracticeSummary } from './simulator-practice.ts';

export type MarkReadResult = { ok: true; completedModules: string[] } | Refusal;

const NO_SUCH_MODULE = refuse('NOT_FOUND', 'That module does not exist or is not published.');
const NO_QUIZ = refuse('BAD_REQUEST', 'This module has no quiz.');
const DRAW_USED = refuse('CONFLICT', 'These questions have already been submitted. Reload the module for a new set.');

/** Records that the member has read a published chapter (idempotent), then completes any module now done. */
export async function markChapterRead(db: Db, userId: string, slug: string, now = Date.now()): Promise<MarkReadResult> {
  const chapter = await getPublished(db, 'chapter', slug);
  if (!chapter) return refuse('NOT_FOUND', 'That chapter does not exist or is not published.');
  await db
    .insert(readingProgress)
    .values({ userId, documentId: chapter.documentId, completedAt: now })
    .onConflictDoNothing();
  const completedModules: string[] = [];
  for (const mod of await listPublishedModules(db)) {
    if (mod.frontMatter.reading.some((r) => r.chapter === slug) && (await completeIfDone(db, userId, mod, now))) {
      completedModules.push(mod.slug);
    }
  }
  return { ok: true, completedModules };
}

/** Slugs of the chapters the member has marked read. */
export async function chaptersRead(db: DbOrTx, userId: string): Promise<Set<string>> {
  const rows = await db
    .select({ slug: handbookDocuments.slug })
    .from(readingProgress)
    .innerJoin(handbookDocuments, eq(handbookDocuments.id, readingProgress.documentId))
    .where(eq(readingProgress.userId, userId));
  return new Set(rows.map((r) => r.slug));
}

/** Questions drawn per attempt, when the module's pool holds that many. */
export const QUIZ_DRAW_SIZE = 10;

/**
 * Why the pass mark is what it is, shown with the quiz. The quiz is a self-check taken as often as wanted,
 * so the mark guards against passing by guessing rather than grading finely: the chance of reaching it by
 * guessing every question of a draw is the binomial tail P(X >= k), X ~ Bin(n, 1/options), computed here
 * for the module's own draw size and pass mark.
 */
export function passMarkReason(passMark: number, drawSize: number, optionsPerQuestion = 4): string {
  const percent = Math.round(passMark * 100);
  if (drawSize === 0) return `The pass mark is ${percent} %.`;
  const needed = Math.ceil(passMark * drawSize - 1e-9);
  const p = 1 / optionsPerQuestion;
  let chance = 0;
  let binom = 1;
  for (let k = 0; k <= drawSize; k++) {
    if (k > 0) binom = (binom * (drawSize - k + 1)) / k;
    if (k >= needed) chance += binom * p ** k * (1 - p) ** (drawSize - k);
  }
  const oneIn = Math.round(1 / chance);
  return `You need ${percent} %, that is ${needed} of the ${drawSize} questions drawn for you. Guessing every answer reaches that about once in ${oneIn.toLocaleString('en-GB')} attempts, while ${drawSize - needed === 1 ? 'one slip is' : `${drawSize - needed} slips are`} allowed. The quiz is a self-check: take it as often as you like; each attempt draws its questions afresh from the pool.`;
}

export interface QuestionResult {
  id: string;
  correct: boolean;
  /** The options the member chose (their own input, echoed). */
  chosen: string[];
  /** Where the key is explained: the chapter and section to read again. Never the key itself. */
  read: { chapter: string; section: string | null };
}

export interface DrawnQuestion {
  id: string;
  prompt: string;
  kind: 'single' | 'multiple';
  options: { id: string; text: string }[];
  /** An engine-drawn figure shown with the question: its URL and the question's own alt text. */
  figure: { src: string; alt: string } | null;
}

export type DrawQuizResult =
  | { ok: true; drawId: string; revision: number; questions: DrawnQuestion[]; poolSize: number }
  | Refusal;

/**
 * The member's open draw for the module's current revision, or a new one: up to QUIZ_DRAW_SIZE questions
 * taken at random (Fisher-Yates with crypto.randomInt) from the pool and stored, so that the submission is
 * scored against exactly these. Reloading the page gives the same draw until it is submitted.
 */
export async function drawQuiz(db: Db, userId: string, moduleSlug: string, now = Date.now()): Promise<DrawQuizResult> {
  const mod = await getPublished(db, 'module', moduleSlug);
  if (!mod) return NO_SUCH_MODULE;
  const pool = mod.frontMatter.quiz;
  if (pool.length === 0) return NO_QUIZ;
  const [open] = await db
    .select()
    .from(quizDraws)
    .where(
      and(
        eq(quizDraws.userId, userId),
        eq(quizDraws.documentId, mod.documentId),
        eq(quizDraws.revision, mod.revision),
        isNull(quizDraws.submittedAt),
      ),
    )
    .orderBy(desc(quizDraws.createdAt))
    .limit(1);
  let ids: string[];
  let drawId: string;
  if (open) {
    ids = JSON.parse(open.questionIds) as string[];
    drawId = open.id;
  } else {
    const order = pool.map((q) => q.id);
    for (let i = order.length - 1; i > 0; i--) {
      const j = randomInt(i + 1);
      [order[i], order[j]] = [order[j] as string, order[i] as string];
    }
    ids = order.slice(0, QUIZ_DRAW_SIZE);
    drawId = newId();
    await db.insert(quizDraws).values({
      id: drawId,
      userId,
      documentId: mod.documentId,
      revision: mod.revision,
      questionIds: JSON.stringify(ids),
      createdAt: now,
    });
  }
  const byId = new Map(pool.map((q) => [q.id, q]));
  const questions = ids.flatMap((id) => {
    const q = byId.get(id);
    if (!q) return [];
    const figure = q.figure ? { src: `/handbook/figures/${q.figure.name}.svg`, alt: q.figure.alt } : null;
    return [{ id: q.id, prompt: q.prompt, kind: q.kind, options: q.options.map((o) => ({ ...o })), figure }];
  });
  return { ok: true, drawId, revision: mod.revision, questions, poolSize: pool.length };
}

export interface QuizAttemptSummary {
  at: number;
  revision: number;
  correctCount: number;
  questionCount: number;
  scorePercent: number;
  passed: boolean;
}

/** How many of a member's attempts at one quiz the history shows (newest first). */
export const QUIZ_HISTORY_SHOWN = 100;

/** The member's latest attempts at a module's quiz, newest first: scores only, never answers or keys. */
export async function quizHistory(
  db: DbOrTx,
  userId: string,
  moduleSlug: string,
): Promise<QuizAttemptSummary[] | null> {
  const mod = await getPublished(db, 'module', moduleSlug);
  if (!mod) return null;
  const rows = await db
    .select()
    .from(quizAttempts)
    .where(and(eq(quizAttempts.userId, userId), eq(quizAttempts.documentId, mod.documentId)))
    .orderBy(desc(quizAttempts.createdAt))
    .limit(QUIZ_HISTORY_SHOWN);
  return rows.map((r) => ({
    at: r.createdAt,
    revision: r.revision,
    correctCount: r.correctCount,
    questionCount: r.questionCount,
    scorePercent: Math.round((r.correctCount / r.questionCount) * 100),
    passed: r.passed,
  }));
}

export type GradeQuizResult =
  | {
      ok: true;
      correctCount: number;
      questionCount: number;
      scorePercent: number;
      passed: boolean;
      questions: QuestionResult[];
      moduleCompleted: boolean;
    }
  | Refusal;

/**
 * Grades answers to the questions of one draw (see drawQuiz), once. An answer naming a question outside the
 * draw or an option that does not exist is refused (nothing recorded); an unanswered question counts as
 * wrong. A question is right when the chosen options are exactly the correct ones. The result says which
 * questions were wrong and where to read, never the correct options or the explanation.
 */
export async function gradeQuiz(
  db: Db,
  userId: string,
  input: { module: string; drawId: string; answers: Record<string, string[]> },
  now = Date.now(),
): Promise<GradeQuizResult> {
  const mod = await getPublished(db, 'module', input.module);
  if (!mod) return NO_SUCH_MODULE;
  if (mod.frontMatter.quiz.length === 0) return NO_QUIZ;
  const [draw] = await db
    .select()
    .from(quizDraws)
    .where(and(eq(quizDraws.id, input.drawId), eq(quizDraws.userId, userId), eq(quizDraws.documentId, mod.documentId)));
  if (!draw)
    return refuse(
      'BAD_REQUEST',
      'These answers are not for a quiz drawn for you. Reload the module to get your questions.',
    );
  if (draw.submittedAt !== null) return DRAW_USED;
  if (draw.revision !== mod.revision)
    return refuse(
      'CONFLICT',
      'The module was revised since these questions were drawn. Reload it for questions from the new text.',
    );
  const drawn = new Set(JSON.parse(draw.questionIds) as string[]);
  const quiz = mod.frontMatter.quiz.filter((q) => drawn.has(q.id));
  for (const [questionId, chosen] of Object.entries(input.answers)) {
    const question = quiz.find((q) => q.id === questionId);
    if (!question)
      return refuse(
        'BAD_REQUEST',
        `The quiz has no question "${questionId}". Reload the module and answer its questions.`,
      );
    for (const optionId of chosen) {
      if (!question.options.some((o) => o.id === optionId))
        return refuse(
          'BAD_REQUEST',
          `Question "${questionId}" has no option "${optionId}". Reload the module and try again.`,
        );
    }
    if (question.kind === 'single' && new Set(chosen).size > 1)
      return refuse('BAD_REQUEST', `Question "${questionId}" takes one answer.`);
  }
  const firstReading = mod.frontMatter.reading[0];
  const questions: QuestionResult[] = quiz.map((q) => {
    const chosen = [...new Set(input.answers[q.id] ?? [])].sort();
    const correctOptions = [...q.correct].sort();
    const correct = chosen.length === correctOptions.length && chosen.every((c, i) => c === correctOptions[i]);
    const read = q.read ?? firstReading ?? { chapter: '', section: undefined };
    return { id: q.id, correct, chosen, read: { chapter: read.chapter, section: read.section ?? null } };
  });
  const correctCount = questions.filter((q) => q.correct).length;
  const score = correctCount / quiz.length;
  // A small tolerance so that 4/5 passes a pass mark of 0.8 despite binary floating point.
  const passed = score + 1e-9 >= mod.frontMatter.passMark;
  const used = await db
    .update(quizDraws)
    .set({ submittedAt: now })
    .where(and(eq(quizDraws.id, draw.id), isNull(quizDraws.submittedAt)))
    .returning({ id: quizDraws.id });
  // Two submissions of one draw racing: only the first is graded.
  if (used.length === 0) return DRAW_USED;
  await db.insert(quizAttempts).values({
    id: newId(),
    userId,
    documentId: mod.documentId,
    revision: mod.revision,
    answers: JSON.stringify(input.answers),
    correctCount,
    questionCount: quiz.length,
    passed,
    createdAt: now,
  });
  const moduleCompleted = passed ? await completeIfDone(db, userId, mod, now) : false;
  return {
    ok: true,
    correctCount,
    questionCount: quiz.length,
    scorePercent: Math.round(score * 100),
    passed,
    questions,
    moduleCompleted,
  };
}

export interface ExerciseSession {
  score: number;
  medianDsPeakRatio: number | null;
  savedAt: number;
  /** The session's simulated length, ms. */
  durationMs: number;
  /** Its beats as recorded at the save (see StoredPracticeSummary.beats); null for sessions saved before. */
  beats: readonly HoldBeat[] | null;
  /** Its pressure titration as recorded at the save; null for sessions saved before it was recorded. */
  titration: TitrationRecord | null;
  /** The rules of the practice rubric the run broke, each failing it whatever its score (scoreAssessment). */
  failures: readonly string[];
}

/**
 * The longest time a session held a ratio, ms: from the R of the first beat of a run of consecutive beats
 * with a peak D/S of at least `minDsRatio` and correct timing, to the R of the beat that broke the run (or
 * the end of the session). 0 when no beat qualified or the beats were not recorded.
 */
export function longestHoldMs(session: Pick<ExerciseSession, 'beats' | 'durationMs'>, minDsRatio: number): number {
  if (!session.beats) return 0;
  let longest = 0;
  let runStart: number | null = null;
  for (const [rTimeMs, ds, timingOk] of session.beats) {
    const holds = ds >= minDsRatio && timingOk === 1;
    if (holds && runStart === null) runStart = rTimeMs;
    if (!holds && runStart !== null) {
      longest = Math.max(longest, rTimeMs - runStart);
      runStart = null;
    }
  }
  if (runStart !== null) longest = Math.max(longest, session.durationMs - runStart);
  return longest;
}

/** A module's simulator exercise and how far the member's saved practice sessions on its scenario got. */
export interface ExerciseProgress {
  scenario: string;
  minScore: number;
  minDsRatio: number;
  /** How long the ratio must be held, seconds; null when the exercise asks for no hold. */
  holdSeconds: number | null;
  /**
   * The member's best session (highest score, then highest D/S ratio) among their latest
   * EXERCISE_SESSIONS_READ on the scenario, or null.
   */
  best: ExerciseSessionView | null;
  /** The longest the member has held the ratio in those sessions, ms. */
  longestHoldMs: number;
  /**
   * When the first session that met the exercise was saved (among those and the earliest sessions whose
   * score, ratio and rubric outcome meet it), or null.
   */
  doneAt: number | null;
  /** Why the member's latest session on the scenario did not count (empty when it did, or there is none). */
  latestShortfalls: string[];
}

/** The score target of an exercise: the one its front matter names, else the default rubric's pass mark. */
export function exerciseMinScore(exercise: SimulatorExercise): number {
  return exercise.minScore ?? DEFAULT_EXERCISE_MIN_SCORE;
}

/** A saved session as the module page shows it (without its beats). */
export type ExerciseSessionView = Omit<ExerciseSession, 'beats' | 'titration' | 'failures'>;

function sessionView({
  beats: _beats,
  titration: _titration,
  failures: _failures,
  ...view
}: ExerciseSession): ExerciseSessionView {
  return view;
}

/**
 * The targets of an exercise a session missed, one sentence each (empty: the session meets the exercise):
 * no rule of the practice rubric broken (a run with repeated late deflation, over-pressure or timing wrong
 * on nearly every beat is not practice to count, whatever it scored), the score, the median peak D/S of its
 * assisted beats, the hold when the exercise asks for one, and the pressure titration when it names one
 * (checked as written; fields it leaves out are not checked).
 */
export function exerciseShortfalls(session: ExerciseSession, exercise: SimulatorExercise): string[] {
  const out: string[] = session.failures.map((failure) => `The run failed the rubric: ${failure}`);
  const minScore = exerciseMinScore(exercise);
  if (session.score < minScore)
    out.push(`The score was ${Math.round(session.score)}, below the target of ${minScore}.`);
  if (session.medianDsPeakRatio === null) out.push('No beat was assisted, so there is no D/S ratio.');
  else if (session.medianDsPeakRatio < exercise.minDsRatio) {
    out.push(
      `The median D/S ratio was ${session.medianDsPeakRatio.toFixed(2)}, below ${exercise.minDsRatio.toFixed(1)}.`,
    );
  }
  if (exercise.holdSeconds !== undefined) {
    const held = longestHoldMs(session, exercise.minDsRatio);
    if (held < exercise.holdSeconds * 1000) {
      out.push(
        `The D/S ratio of ${exercise.minDsRatio.toFixed(1)} with correct timing was held ${Math.floor(held / 1000)} s, short of ${exercise.holdSeconds} s.`,
      );
    }
  }
  const p = exercise.pressure;
  if (p) {
    if (!session.titration) out.push('This session was saved before pressure steps were recorded: practise it again.');
    else {
      const judged = judgeTitration(session.titration, {
        startMaxMmHg: p.startMaxMmHg ?? 300,
        maxStepMmHg: p.maxStepMmHg ?? 300,
        minHoldMs: 0,
        checkedBeatsBeforeStep: p.checkedBeatsBeforeStep ?? 0,
        targetMmHg: p.targetMmHg ?? 0,
      });
      out.push(...judged.breaches);
    }
  }
  return out;
}

/** Whether a session meets every target of an exercise (see exerciseShortfalls). */
export function meetsExercise(session: ExerciseSession, exercise: SimulatorExercise): boolean {
  return exerciseShortfalls(session, exercise).length === 0;
}

/**
 * Sessions on the exercise's scenario a module page reads, newest first: enough for the best session, the
 * longest hold and the latest shortfalls, and bounded (a member may save 30 sessions an hour, each summary
 * about 5 KB with its beats: parsing every one ever saved would grow without limit on every page view).
 */
export const EXERCISE_SESSIONS_READ = 200;
/**
 * Besides those, the earliest sessions whose stored score, median D/S and rubric outcome already meet the
 * exercise are read (this many, oldest first), so that an exercise done long ago stays done.
 */
const EARLIEST_QUALIFYING_READ = 20;

function toExerciseSession(r: {
  score: number;
  summaryJson: string;
  savedAt: number;
  durationMs: number;
}): ExerciseSession {
  const summary = JSON.parse(r.summaryJson) as Partial<StoredPracticeSummary>;
  const ds = summary.medianDsPeakRatio;
  return {
    score: r.score,
    medianDsPeakRatio: typeof ds === 'number' ? ds : null,
    savedAt: r.savedAt,
    durationMs: r.durationMs,
    beats: Array.isArray(summary.beats) ? summary.beats : null,
    titration: summary.titration ?? null,
    failures: Array.isArray(summary.failures) ? summary.failures.filter((f) => typeof f === 'string') : [],
  };
}

async function exerciseProgressOf(db: DbOrTx, userId: string, exercise: SimulatorExercise): Promise<ExerciseProgress> {
  const columns = {
    score: simulatorPracticeSessions.score,
    summaryJson: simulatorPracticeSessions.summaryJson,
    savedAt: simulatorPracticeSessions.createdAt,
    durationMs: simulatorPracticeSessions.durationMs,
  };
  const onScenario = and(
    eq(simulatorPracticeSessions.userId, userId),
    eq(simulatorPracticeSessions.scenarioId, exercise.scenario),
  );
  const recent = await db
    .select(columns)
    .from(simulatorPracticeSessions)
    .where(onScenario)
    .orderBy(desc(simulatorPracticeSessions.createdAt))
    .limit(EXERCISE_SESSIONS_READ);
  // The hold and the titration need the beats, read in JavaScript; the rest is checked where the rows are.
  const earliest = await db
    .select(columns)
    .from(simulatorPracticeSessions)
    .where(
      and(
        onScenario,
        gte(simulatorPracticeSessions.score, exerciseMinScore(exercise)),
        sql`json_extract(${simulatorPracticeSessions.summaryJson}, '$.medianDsPeakRatio') >= ${exercise.minDsRatio}`,
        sql`coalesce(json_array_length(${simulatorPracticeSessions.summaryJson}, '$.failures'), 0) = 0`,
      ),
    )
    .orderBy(asc(simulatorPracticeSessions.createdAt))
    .limit(EARLIEST_QUALIFYING_READ);
  const sessions = recent.map(toExerciseSession);
  const firstMet = earliest.map(toExerciseSession).find((s) => meetsExercise(s, exercise));
  const latest = sessions.reduce<ExerciseSession | null>(
    (top, s) => (!top || s.savedAt >= top.savedAt ? s : top),
    null,
  );
  const best = sessions.reduce<ExerciseSession | null>(
    (top, s) =>
      !top ||
      s.score > top.score ||
      (s.score === top.score && (s.medianDsPeakRatio ?? -1) > (top.medianDsPeakRatio ?? -1))
        ? s
        : top,
    null,
  );
  const done = sessions.filter((s) => meetsExercise(s, exercise)).map((s) => s.savedAt);
  if (firstMet) done.push(firstMet.savedAt);
  return {
    scenario: exercise.scenario,
    minScore: exerciseMinScore(exercise),
    minDsRatio: exercise.minDsRatio,
    holdSeconds: exercise.holdSeconds ?? null,
    best: best && sessionView(best),
    longestHoldMs: Math.max(0, ...sessions.map((s) => longestHoldMs(s, exercise.minDsRatio))),
    doneAt: done.length > 0 ? Math.min(...done) : null,
    latestShortfalls: latest ? exerciseShortfalls(latest, exercise) : [],
  };
}

export interface ModuleProgress {
  slug: string;
  title: string;
  level: number;
  order: number;
  cpdCredits: number;
  reading: { chapter: string; section: string | null; done: boolean }[];
  readingDone: boolean;
  quizPassed: boolean;
  bestScorePercent: number | null;
  exerciseRequired: boolean;
  exerciseDone: boolean;
  /** Null when the module has no simulator exercise. */
  exercise: ExerciseProgress | null;
  completedAt: number | null;
}

async function progressOf(
  db: DbOrTx,
  userId: string,
  mod: PublishedDocument<ModuleFrontMatter>,
  read: Set<string>,
): Promise<ModuleProgress> {
  // One row whatever the number of attempts: the best score (rounded per attempt, as the history shows it)
  // and whether any passed.
  const [attempts] = await db
    .select({
      count: count(),
      bestPercent: sql<number | null>`max(round(${quizAttempts.correctCount} * 100.0 / ${quizAttempts.questionCount}))`,
      anyPassed: sql<number | null>`max(${quizAttempts.passed})`,
    })
    .from(quizAttempts)
    .where(and(eq(quizAttempts.userId, userId), eq(quizAttempts.documentId, mod.documentId)));
  const exerciseSpec = mod.frontMatter.simulatorExercise;
  const exercise = exerciseSpec ? await exerciseProgressOf(db, userId, exerciseSpec) : null;
  const completion = await db
    .select({ at: moduleCompletions.completedAt })
    .from(moduleCompletions)
    .where(and(eq(moduleCompletions.userId, userId), eq(moduleCompletions.documentId, mod.documentId)));
  const reading = mod.frontMatter.reading.map((r) => ({
    chapter: r.chapter,
    section: r.section ?? null,
    done: read.has(r.chapter),
  }));
  const best = attempts && attempts.count > 0 ? Number(attempts.bestPercent) : null;
  return {
    slug: mod.slug,
    title: mod.frontMatter.title,
    level: mod.frontMatter.level,
    order: mod.frontMatter.order,
    cpdCredits: mod.frontMatter.cpdCredits,
    reading,
    readingDone: reading.every((r) => r.done),
    quizPassed: mod.frontMatter.quiz.length === 0 || Number(attempts?.anyPassed ?? 0) === 1,
    bestScorePercent: best,
    exerciseRequired: exercise !== null,
    exerciseDone: exercise === null || exercise.doneAt !== null,
    exercise,
    completedAt: completion[0]?.at ?? null,
  };
}

/** Completes the module (and credits its CPD) when reading, quiz and exercise are all done. */
async function completeIfDone(
  db: Db,
  userId: string,
  mod: PublishedDocument<ModuleFrontMatter>,
  now: number,
): Promise<boolean> {
  const progress = await progressOf(db, userId, mod, await chaptersRead(db, userId));
  if (progress.completedAt !== null || !progress.readingDone || !progress.quizPassed || !progress.exerciseDone)
    return false;
  return db.transaction(async (tx) => {
    const inserted = await tx
      .insert(moduleCompletions)
      .values({
        userId,
        documentId: mod.documentId,
        level: mod.frontMatter.level,
        cpdCredits: mod.frontMatter.cpdCredits,
        completedAt: now,
      })
      .onConflictDoNothing()
      .returning();
    if (inserted.length === 0) return false;
    await tx
      .insert(cpdActivities)
      .values({
        id: newId(),
        userId,
        source: 'module',
        documentId: mod.documentId,
        title: mod.frontMatter.title,
        activityDate: new Date(now).toISOString().slice(0, 10),
        credits: mod.frontMatter.cpdCredits,
        status: 'approved',
        createdAt: now,
      })
      .onConflictDoNothing();
    return true;
  });
}

function readyToComplete(progress: ModuleProgress): boolean {
  return progress.completedAt === null && progress.readingDone && progress.quizPassed && progress.exerciseDone;
}

/**
 * A module's progress for the member. A module whose last step was a simulator practice session (saved by
 * the simulator, which does not call this service) is completed here, when the member next looks at it,
 * unless the simulator already called completeModulesAfterPractice.
 */
export async function getModuleProgress(
  db: Db,
  userId: string,
  moduleSlug: string,
  now = Date.now(),
): Promise<ModuleProgress | null> {
  const mod = await getPublished(db, 'module', moduleSlug);
  if (!mod) return null;
  const progress = await progressOf(db, userId, mod, await chaptersRead(db, userId));
  if (readyToComplete(progress) && (await completeIfDone(db, userId, mod, now)))
    return { ...progress, completedAt: now };
  return progress;
}

/**
 * Completes the modules whose simulator exercise uses `scenarioId` and are now done (call after saving a
 * practice session). Returns the slugs of the modules completed now.
 */
export async function completeModulesAfterPractice(
  db: Db,
  userId: string,
  scenarioId: string,
  now = Date.now(),
): Promise<string[]> {
  const completed: string[] = [];
  for (const mod of await listPublishedModules(db)) {
    if (mod.frontMatter.simulatorExercise?.scenario !== scenarioId) continue;
    if (await completeIfDone(db, userId, mod, now)) completed.push(mod.slug);
  }
  return completed;
}

export interface LevelProgress {
  level: number;
  modules: ModuleProgress[];
  completedCount: number;
  percent: number;
  complete: boolean;
}

/** Every module of a level with the member's progress, and the share completed (completing any now done). */
export async function getLevelProgress(
  db: Db,
  userId: string,
  level: number,
  now = Date.now(),
): Promise<LevelProgress> {
  const read = await chaptersRead(db, userId);
  const modules: ModuleProgress[] = [];
  for (const mod of await listPublishedModules(db)) {
    if (mod.frontMatter.level !== level) continue;
    const progress = await progressOf(db, userId, mod, read);
    // As in getModuleProgress: a practice session may have been the last step.
    const completedNow = readyToComplete(progress) && (await completeIfDone(db, userId, mod, now));
    modules.push(completedNow ? { ...progress, completedAt: now } : progress);
  }
  const completedCount = modules.filter((m) => m.completedAt !== null).length;
  const percent = modules.length === 0 ? 0 : Math.round((completedCount / modules.length) * 100);
  return { level, modules, completedCount, percent, complete: modules.length > 0 && completedCount === modules.length };
}
