/**
 * The yearly knowledge check of a credential's maintenance (issue 16, after ARRT's structured
 * self-assessment): a short practice-style exam — the form its maintenance rule names, with
 * `purpose: knowledge-check` (content/exams/level-1-knowledge-check.json: 10 items across the blueprint's
 * categories) — drawn by the exam engine from the live bank with a fresh server seed (exam-attempts.ts
 * drawAttempt), taken on the exam pages (keys never sent), graded by the engine. Once per credential year;
 * it cannot be failed (its pass mark is 0): completing it counts for that year's maintenance
 * (credentials.ts evaluateMaintenance), and its result prescribes the handbook chapters the items of weak
 * categories cite.
 */
import { and, desc, eq, inArray, isNull } from 'drizzle-orm';
import type { Db } from '#db/client.ts';
import { credentials, examAttempts, examItemVersions, exams } from '#db/schema/index.ts';
import { cycleYears, WEAK_CATEGORY_SHARE } from '#src/lib/credential-rules.ts';
import { formatLongDate } from '#src/lib/dates.ts';
import { writeAudit } from '../audit.ts';
import { type Refusal, refuse } from '../refusal.ts';
import { getCredential, getDefinitionVersion } from './credentials.ts';
import type { RequestMeta } from './deps.ts';
import { drawAttempt, getResult } from './exam-attempts.ts';
import { parseBody } from './exam-items.ts';
import { chapterForReference } from './handbook.ts';

type CredentialRow = typeof credentials.$inferSelect;

/** Where a holder stands with this credential year's check (the maintenance step on /credentials). */
export type KnowledgeCheckState =
  | { kind: 'none' }
  | { kind: 'unavailable'; reason: string }
  /** An earlier definition version named an ordinary practice exam: a submitted attempt there counts. */
  | { kind: 'practice-exam'; title: string; year: { from: number; to: number } | null; done: boolean }
  | { kind: 'not-yet'; opensAt: number }
  | { kind: 'due'; year: { from: number; to: number } }
  | { kind: 'open'; year: { from: number; to: number }; attemptId: string }
  | { kind: 'done'; year: { from: number; to: number }; attemptId: string; completedAt: number };

const NOT_YOURS = (): Refusal => refuse('NOT_FOUND', 'No such credential.');

/** The credential year [from, to) containing `now`, or null outside the period. */
function yearAt(row: CredentialRow, now: number): { from: number; to: number } | null {
  if (row.periodStartsAt === null || row.expiresAt === null) return null;
  return cycleYears(row.periodStartsAt, row.expiresAt).find((y) => y.from <= now && now < y.to) ?? null;
}

/** The holder's attempts (not voided) at the check's form within a credential year, newest first. */
async function attemptsInYear(db: Db, userId: string, examId: string, year: { from: number; to: number }) {
  const rows = await db
    .select({ id: examAttempts.id, startedAt: examAttempts.startedAt, submittedAt: examAttempts.submittedAt })
    .from(examAttempts)
    .where(and(eq(examAttempts.candidateId, userId), eq(examAttempts.examId, examId), isNull(examAttempts.voidedAt)))
    .orderBy(desc(examAttempts.startedAt));
  return rows.filter((a) => a.startedAt >= year.from && a.startedAt < year.to);
}

async function checkExam(db: Db, slug: string) {
  const [exam] = await db.select().from(exams).where(eq(exams.slug, slug));
  return exam?.purpose === 'knowledge-check' && exam.status === 'published' ? exam : null;
}

/** This year's knowledge check of one credential, as the holder's page shows it. */
export async function knowledgeCheckState(db: Db, row: CredentialRow, now = Date.now()): Promise<KnowledgeCheckState> {
  const version = await getDefinitionVersion(db, row.versionId);
  const slug = version?.maintenance.knowledgeCheckExamSlug ?? null;
  if (slug === null) return { kind: 'none' };
  if (row.status === 'inactive') return { kind: 'unavailable', reason: 'Return your credential to active first.' };
  if (row.status !== 'certified' && row.status !== 'maintenance-due')
    return { kind: 'unavailable', reason: 'Only a current credential is maintained.' };
  const exam = await checkExam(db, slug);
  if (!exam) {
    const [practice] = await db.select().from(exams).where(eq(exams.slug, slug));
    if (practice?.purpose === 'exam' && practice.status === 'published') {
      const year = yearAt(row, now);
      const attempts = year ? await attemptsInYear(db, row.userId, practice.id, year) : [];
      return { kind: 'practice-exam', title: practice.title, year, done: attempts.some((a) => a.submittedAt !== null) };
    }
    return { kind: 'unavailable', reason: 'The knowledge check is not available at the moment; try again later.' };
  }
  if (row.periodStartsAt !== null && row.periodStartsAt > now) return { kind: 'not-yet', opensAt: row.periodStartsAt };
  const year = yearAt(row, now);
  if (!year) return { kind: 'unavailable', reason: 'The credential period is over.' };
  const [latest] = await attemptsInYear(db, row.userId, exam.id, year);
  if (!latest) return { kind: 'due', year };
  if (latest.submittedAt === null) return { kind: 'open', year, attemptId: latest.id };
  return { kind: 'done', year, attemptId: latest.id, completedAt: latest.submittedAt };
}

/**
 * Starts this credential year's check (or resumes the open one). Refused, with nothing written, for
 * someone else's or an unknown credential, a credential that is not current, a check already completed this
 * credential year, a next period that has not begun, or a definition without a check.
 */
export async function startKnowledgeCheck(
  db: Db,
  holderId: string,
  credentialId: string,
  meta: RequestMeta,
  now = Date.now(),
): Promise<{ ok: true; attemptId: string; resumed: boolean } | Refusal> {
  const row = await getCredential(db, credentialId);
  if (!row || row.userId !== holderId) return NOT_YOURS();
  const state = await knowledgeCheckState(db, row, now);
  switch (state.kind) {
    case 'none':
      return refuse('CONFLICT', 'This credential has no yearly knowledge check.');
    case 'unavailable':
      return refuse('CONFLICT', state.reason);
    case 'practice-exam':
      return refuse(
        'CONFLICT',
        `The version of the credential you hold counts an attempt at the ${state.title} each year: take it at /exams.`,
      );
    case 'not-yet':
      return refuse(
        'CONFLICT',
        `You have met this period's maintenance; the next period's first knowledge check opens on ${formatLongDate(state.opensAt)}.`,
      );
    case 'done':
      return refuse(
        'CONFLICT',
        `You completed this credential year's knowledge check on ${formatLongDate(state.completedAt)}; the next one opens on ${formatLongDate(state.year.to)}.`,
      );
    case 'open':
      return { ok: true, attemptId: state.attemptId, resumed: true };
  }
  const version = await getDefinitionVersion(db, row.versionId);
  const exam = await checkExam(db, version?.maintenance.knowledgeCheckExamSlug ?? '');
  if (!exam) return refuse('CONFLICT', 'The knowledge check is not available at the moment; try again later.');
  const year = state.year;
  return db.transaction(async (tx) => {
    // Read again inside the write transaction: two starts at once make one attempt.
    const inYear = (
      await tx
        .select({ id: examAttempts.id, startedAt: examAttempts.startedAt })
        .from(examAttempts)
        .where(
          and(eq(examAttempts.candidateId, holderId), eq(examAttempts.examId, exam.id), isNull(examAttempts.voidedAt)),
        )
    ).filter((a) => a.startedAt >= year.from && a.startedAt < year.to);
    if (inYear[0]) return { ok: true as const, attemptId: inYear[0].id, resumed: true };
    const previous = await tx
      .select({ id: examAttempts.id })
      .from(examAttempts)
      .where(and(eq(examAttempts.candidateId, holderId), eq(examAttempts.examId, exam.id)));
    const started = await drawAttempt(tx, exam, holderId, previous.length + 1, meta, now);
    if (!started.ok) return started;
    await writeAudit(
      tx,
      {
        actorId: holderId,
        action: 'credential.knowledge-check-started',
        subjectId: holderId,
        ipAddress: meta.ipAddress,
        details: { credentialId: row.id, attemptId: started.attemptId, yearFrom: year.from },
      },
      now,
    );
    return { ok: true as const, attemptId: started.attemptId, resumed: false };
  });
}

export interface KnowledgeCheckResult {
  attemptId: string;
  examTitle: string;
  completedAt: number;
  score: number;
  maxScore: number;
  categories: {
    category: string;
    label: string;
    score: number;
    max: number;
    weak: boolean;
    /** Handbook chapters the category's items cite: what to read (weak categories only). */
    reading: { slug: string; title: string }[];
  }[];
  /** The credential and credential year the check counts for (null: no current credential names it). */
  countsFor: { number: string; from: number; to: number } | null;
}

/** The result of the holder's own completed check: by category, with reading prescribed for weak ones. */
export async function knowledgeCheckResult(
  db: Db,
  holderId: string,
  attemptId: string,
  now = Date.now(),
): Promise<{ ok: true; result: KnowledgeCheckResult } | Refusal> {
  const graded = await getResult(db, holderId, attemptId, now);
  if (!graded.ok) return graded;
  const score = graded.result.score;
  if (score === null) return refuse('CONFLICT', "This check's result is released after an examiner's review.");
  const [attempt] = await db
    .select({
      startedAt: examAttempts.startedAt,
      submittedAt: examAttempts.submittedAt,
      itemVersionIdsJson: examAttempts.itemVersionIdsJson,
      purpose: exams.purpose,
      slug: exams.slug,
    })
    .from(examAttempts)
    .innerJoin(exams, eq(exams.id, examAttempts.examId))
    .where(eq(examAttempts.id, attemptId));
  if (attempt?.purpose !== 'knowledge-check') return refuse('NOT_FOUND', 'That is not a knowledge check of yours.');
  const versionIds = JSON.parse(attempt.itemVersionIdsJson) as string[];
  const versions = await db
    .select({ category: examItemVersions.category, bodyJson: examItemVersions.bodyJson })
    .from(examItemVersions)
    .where(inArray(examItemVersions.id, versionIds));
  const cited = new Map<string, Set<string>>();
  for (const v of versions) {
    const refs = cited.get(v.category) ?? new Set<string>();
    for (const ref of parseBody(v.bodyJson).references) refs.add(ref);
    cited.set(v.category, refs);
  }
  const categories: KnowledgeCheckResult['categories'] = [];
  for (const s of graded.result.subscores) {
    const weak = s.max > 0 && s.score / s.max < WEAK_CATEGORY_SHARE;
    const reading = [];
    if (weak)
      for (const ref of [...(cited.get(s.category) ?? [])].sort()) {
        const chapter = await chapterForReference(db, ref);
        if (chapter) reading.push(chapter);
      }
    categories.push({
      category: s.category,
      label: s.label,
      score: s.score,
      max: s.max,
      weak,
      reading,
    });
  }
  const countsFor = await creditedYear(db, holderId, attempt.slug, attempt.startedAt);
  return {
    ok: true,
    result: {
      attemptId,
      examTitle: graded.result.examTitle,
      completedAt: attempt.submittedAt ?? attempt.startedAt,
      score,
      maxScore: graded.result.maxScore,
      categories,
      countsFor,
    },
  };
}

/** The holder's credential whose maintenance names this check, and the credential year the start falls in. */
async function creditedYear(
  db: Db,
  holderId: string,
  slug: string,
  startedAt: number,
): Promise<KnowledgeCheckResult['countsFor']> {
  const rows = await db.select().from(credentials).where(eq(credentials.userId, holderId));
  for (const row of rows) {
    const version = await getDefinitionVersion(db, row.versionId);
    if (version?.maintenance.knowledgeCheckExamSlug !== slug) continue;
    const year = yearAt(row, startedAt);
    if (year) return { number: row.number, ...year };
  }
  return null;
}
