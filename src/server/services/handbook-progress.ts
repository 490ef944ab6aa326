/**
 * A member's study: chapters marked read, self-check quizzes graded on the server, simulator exercises
 * (self-declared for now: the simulator's assessment is not yet wired to modules) and module completion,
 * which credits the module's CPD credits to the member's CPD log.
 */
import { and, desc, eq } from 'drizzle-orm';
import type { Db } from '#db/client.ts';
import {
  cpdActivities,
  handbookDocuments,
  moduleCompletions,
  quizAttempts,
  readingProgress,
  simulatorExerciseRecords,
} from '#db/schema/index.ts';
import { newId } from '../ids.ts';
import { type DbOrTx, getPublished, listPublishedModules, type PublishedDocument } from './handbook.ts';
import type { ModuleFrontMatter } from './handbook-content.ts';

export type MarkReadResult = { ok: true; completedModules: string[] } | { ok: false; reason: 'not-found' };

/** Records that the member has read a published chapter (idempotent), then completes any module now done. */
export async function markChapterRead(db: Db, userId: string, slug: string, now = Date.now()): Promise<MarkReadResult> {
  const chapter = await getPublished(db, 'chapter', slug);
  if (!chapter) return { ok: false, reason: 'not-found' };
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

export interface QuestionResult {
  id: string;
  correct: boolean;
  chosen: string[];
  correctOptions: string[];
  explanation: string;
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
  | { ok: false; reason: 'not-found' | 'no-quiz' }
  | { ok: false; reason: 'unknown-question'; questionId: string }
  | { ok: false; reason: 'unknown-option'; questionId: string; optionId: string }
  | { ok: false; reason: 'too-many-answers'; questionId: string };

/**
 * Grades answers to a module's published quiz. An answer naming a question or option that does not exist
 * is refused (nothing recorded); an unanswered question counts as wrong. A question is right when the
 * chosen options are exactly the correct ones.
 */
export async function gradeQuiz(
  db: Db,
  userId: string,
  input: { module: string; answers: Record<string, string[]> },
  now = Date.now(),
): Promise<GradeQuizResult> {
  const mod = await getPublished(db, 'module', input.module);
  if (!mod) return { ok: false, reason: 'not-found' };
  const quiz = mod.frontMatter.quiz;
  if (quiz.length === 0) return { ok: false, reason: 'no-quiz' };
  for (const [questionId, chosen] of Object.entries(input.answers)) {
    const question = quiz.find((q) => q.id === questionId);
    if (!question) return { ok: false, reason: 'unknown-question', questionId };
    for (const optionId of chosen) {
      if (!question.options.some((o) => o.id === optionId))
        return { ok: false, reason: 'unknown-option', questionId, optionId };
    }
    if (question.kind === 'single' && new Set(chosen).size > 1)
      return { ok: false, reason: 'too-many-answers', questionId };
  }
  const questions: QuestionResult[] = quiz.map((q) => {
    const chosen = [...new Set(input.answers[q.id] ?? [])].sort();
    const correctOptions = [...q.correct].sort();
    const correct = chosen.length === correctOptions.length && chosen.every((c, i) => c === correctOptions[i]);
    return { id: q.id, correct, chosen, correctOptions, explanation: q.explanation };
  });
  const correctCount = questions.filter((q) => q.correct).length;
  const score = correctCount / quiz.length;
  // A small tolerance so that 4/5 passes a pass mark of 0.8 despite binary floating point.
  const passed = score + 1e-9 >= mod.frontMatter.passMark;
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

export type DeclareExerciseResult =
  | { ok: true; moduleCompleted: boolean }
  | { ok: false; reason: 'not-found' | 'no-exercise' };

/** The member declares the module's simulator exercise done (self-declared until the simulator reports it). */
export async function declareExerciseDone(
  db: Db,
  userId: string,
  moduleSlug: string,
  now = Date.now(),
): Promise<DeclareExerciseResult> {
  const mod = await getPublished(db, 'module', moduleSlug);
  if (!mod) return { ok: false, reason: 'not-found' };
  if (!mod.frontMatter.simulatorExercise) return { ok: false, reason: 'no-exercise' };
  await db
    .insert(simulatorExerciseRecords)
    .values({ userId, documentId: mod.documentId, source: 'self-declared', recordedAt: now })
    .onConflictDoNothing();
  return { ok: true, moduleCompleted: await completeIfDone(db, userId, mod, now) };
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
  completedAt: number | null;
}

async function progressOf(
  db: DbOrTx,
  userId: string,
  mod: PublishedDocument<ModuleFrontMatter>,
  read: Set<string>,
): Promise<ModuleProgress> {
  const attempts = await db
    .select({ correct: quizAttempts.correctCount, total: quizAttempts.questionCount, passed: quizAttempts.passed })
    .from(quizAttempts)
    .where(and(eq(quizAttempts.userId, userId), eq(quizAttempts.documentId, mod.documentId)))
    .orderBy(desc(quizAttempts.createdAt));
  const exercise = await db
    .select({ at: simulatorExerciseRecords.recordedAt })
    .from(simulatorExerciseRecords)
    .where(and(eq(simulatorExerciseRecords.userId, userId), eq(simulatorExerciseRecords.documentId, mod.documentId)));
  const completion = await db
    .select({ at: moduleCompletions.completedAt })
    .from(moduleCompletions)
    .where(and(eq(moduleCompletions.userId, userId), eq(moduleCompletions.documentId, mod.documentId)));
  const reading = mod.frontMatter.reading.map((r) => ({
    chapter: r.chapter,
    section: r.section ?? null,
    done: read.has(r.chapter),
  }));
  const best = attempts.reduce<number | null>(
    (max, a) => Math.max(max ?? 0, Math.round((a.correct / a.total) * 100)),
    null,
  );
  return {
    slug: mod.slug,
    title: mod.frontMatter.title,
    level: mod.frontMatter.level,
    order: mod.frontMatter.order,
    cpdCredits: mod.frontMatter.cpdCredits,
    reading,
    readingDone: reading.every((r) => r.done),
    quizPassed: mod.frontMatter.quiz.length === 0 || attempts.some((a) => a.passed),
    bestScorePercent: best,
    exerciseRequired: Boolean(mod.frontMatter.simulatorExercise),
    exerciseDone: !mod.frontMatter.simulatorExercise || exercise.length > 0,
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

export async function getModuleProgress(db: Db, userId: string, moduleSlug: string): Promise<ModuleProgress | null> {
  const mod = await getPublished(db, 'module', moduleSlug);
  if (!mod) return null;
  return progressOf(db, userId, mod, await chaptersRead(db, userId));
}

export interface LevelProgress {
  level: number;
  modules: ModuleProgress[];
  completedCount: number;
  percent: number;
  complete: boolean;
}

/** Every module of a level with the member's progress, and the share completed. */
export async function getLevelProgress(db: Db, userId: string, level: number): Promise<LevelProgress> {
  const read = await chaptersRead(db, userId);
  const modules: ModuleProgress[] = [];
  for (const mod of await listPublishedModules(db)) {
    if (mod.frontMatter.level === level) modules.push(await progressOf(db, userId, mod, read));
  }
  const completedCount = modules.filter((m) => m.completedAt !== null).length;
  const percent = modules.length === 0 ? 0 : Math.round((completedCount / modules.length) * 100);
  return { level, modules, completedCount, percent, complete: modules.length > 0 && completedCount === modules.length };
}
