/**
 * Candidates' attempts: start (server seed and draw), save each answer as it is given, submit, the
 * deadline, grading on the server, results, and examiners' void.
 *
 * Integrity: nothing a candidate receives before the attempt is graded carries a key or a rationale
 * (item-body.ts publicItem). Every answer is one row per attempt item, written in its own transaction before
 * the save is acknowledged, so what was acknowledged survives a reload or a restart.
 */
import { randomInt } from 'node:crypto';
import { and, asc, count, desc, eq, gte, inArray, isNull, lte, max } from 'drizzle-orm';
import type { Db, DbOrTx } from '#db/client.ts';
import {
  examAccommodations,
  examAnswers,
  examAttempts,
  examItemVersions,
  exams,
  userRoles,
  users,
} from '#db/schema/index.ts';
import { categoryLabel } from '#src/lib/credential-rules.ts';
import { writeAudit } from '../audit.ts';
import { csvDocument } from '../csv.ts';
import { drawItems } from '../exams/draw.ts';
import { type Answer, answerError, choosesNothing, scoreAnswer } from '../exams/grading.ts';
import { type PublicItem, publicItem } from '../exams/item-body.ts';
import { newId } from '../ids.ts';
import { type Refusal, refuse } from '../refusal.ts';
import type { RequestMeta } from './deps.ts';
import { blueprintOf, DEADLINE_GRACE_MS, livePool, setExamStatus } from './exam-forms.ts';
import { parseBody } from './exam-items.ts';
import { chapterForReference, moduleTitleForCategory } from './handbook.ts';

export { DEADLINE_GRACE_MS };

type AttemptRow = typeof examAttempts.$inferSelect;

const NOT_YOURS = 'That attempt does not exist or is not yours.';

type ExamRow = typeof exams.$inferSelect;

/** Whether the candidate holds the examiner role (examiners sit no certifying exam: see examClosedTo). */
async function isExaminer(db: DbOrTx, userId: string): Promise<boolean> {
  const [row] = await db
    .select({ role: userRoles.role })
    .from(userRoles)
    .where(and(eq(userRoles.userId, userId), eq(userRoles.role, 'examiner')));
  return row !== undefined;
}

/** Why a published exam cannot be started by this candidate at all now (null: it can). */
function examClosedTo(exam: ExamRow, examiner: boolean, now: number): Refusal | null {
  if (exam.purpose === 'knowledge-check')
    return refuse('FORBIDDEN', 'A knowledge check is started from your credentials page, once each credential year.');
  if (exam.opensAt > now || (exam.closesAt !== null && exam.closesAt <= now))
    return refuse('FORBIDDEN', 'This exam is not open now.');
  if (exam.passPercent === null) return refuse('FORBIDDEN', 'This exam has no pass mark yet; it cannot be taken.');
  // Examiners read every bank with its keys: a certifying exam sat by one certifies nothing.
  if (!exam.practice && examiner)
    return refuse(
      'FORBIDDEN',
      'Examiners can read the item banks and their keys, so they cannot sit a certifying exam. Practice exams stay open to you.',
    );
  return null;
}

/** Why the candidate's previous attempts (newest first) allow no new one now: the limit or the wait. */
function attemptsRefusal(exam: ExamRow, previous: AttemptRow[], now: number): Refusal | null {
  const counted = previous.filter((a) => a.voidedAt === null);
  if (exam.attemptsAllowed !== null && counted.length >= exam.attemptsAllowed) {
    return refuse('FORBIDDEN', `You have used all ${exam.attemptsAllowed} attempts at this exam.`);
  }
  const last = counted[0];
  if (last && exam.cooldownMs > 0) {
    const readyAt = (last.submittedAt ?? last.deadlineAt) + exam.cooldownMs;
    if (now < readyAt)
      return refuse('FORBIDDEN', `You can start another attempt from ${new Date(readyAt).toISOString().slice(0, 10)}.`);
  }
  return null;
}

/** The candidate's attempts at one exam, newest first. */
function attemptsAt(db: DbOrTx, examId: string, candidateId: string): Promise<AttemptRow[]> {
  return db
    .select()
    .from(examAttempts)
    .where(and(eq(examAttempts.examId, examId), eq(examAttempts.candidateId, candidateId)))
    .orderBy(desc(examAttempts.startedAt));
}

export async function startAttempt(
  db: Db,
  candidateId: string,
  examId: string,
  meta: RequestMeta,
  now = Date.now(),
): Promise<{ ok: true; attemptId: string } | Refusal> {
  return db.transaction(async (tx) => {
    const [exam] = await tx.select().from(exams).where(eq(exams.id, examId));
    if (exam?.status !== 'published') return refuse('NOT_FOUND', 'That exam does not exist or is not open.');
    const closed = examClosedTo(exam, await isExaminer(tx, candidateId), now);
    if (closed) return closed;
    const previous = await attemptsAt(tx, examId, candidateId);
    const open = previous.find((a) => a.submittedAt === null && a.voidedAt === null);
    if (open) {
      if (now <= open.deadlineAt + DEADLINE_GRACE_MS) return { ok: true as const, attemptId: open.id };
      await gradeAttempt(tx, open, 'deadline', now);
    }
    const limited = attemptsRefusal(exam, previous, now);
    if (limited) return limited;
    return drawAttempt(tx, exam, candidateId, previous.length + 1, meta, now);
  });
}

/** A published exam as a candidate sees it on /exams: whether they may start, resume, or why not. */
export interface CandidateExam {
  id: string;
  slug: string;
  title: string;
  practice: boolean;
  timeLimitMs: number;
  attemptsAllowed: number | null;
  passPercent: number | null;
  /** Attempts that count (not voided). */
  attemptsUsed: number;
  /** The attempt running now, to resume. */
  inProgressAttemptId: string | null;
  /** Why no attempt can be started now (null: one can, or one is in progress). */
  startRefusal: string | null;
}

/** The published exams (not knowledge checks) with what this candidate may do at each now. */
export async function listExamsForCandidate(db: Db, candidateId: string, now = Date.now()): Promise<CandidateExam[]> {
  const published = await db
    .select()
    .from(exams)
    .where(and(eq(exams.status, 'published'), eq(exams.purpose, 'exam')))
    .orderBy(asc(exams.title));
  const examiner = await isExaminer(db, candidateId);
  // All the candidate's attempts in one read, newest first, then by exam.
  const mine = await db
    .select()
    .from(examAttempts)
    .where(eq(examAttempts.candidateId, candidateId))
    .orderBy(desc(examAttempts.startedAt));
  const result: CandidateExam[] = [];
  for (const exam of published) {
    const previous = mine.filter((a) => a.examId === exam.id);
    // An attempt still running is offered to continue even if the exam closed meanwhile (it runs to its deadline).
    const running = previous.find(
      (a) => a.submittedAt === null && a.voidedAt === null && now <= a.deadlineAt + DEADLINE_GRACE_MS,
    );
    const refusal = running ? null : (examClosedTo(exam, examiner, now) ?? attemptsRefusal(exam, previous, now));
    result.push({
      id: exam.id,
      slug: exam.slug,
      title: exam.title,
      practice: exam.practice,
      timeLimitMs: exam.timeLimitMs,
      attemptsAllowed: exam.attemptsAllowed,
      passPercent: exam.passPercent,
      attemptsUsed: previous.filter((a) => a.voidedAt === null).length,
      inProgressAttemptId: running?.id ?? null,
      startRefusal: refusal?.message ?? null,
    });
  }
  return result;
}

/**
 * The engine's start of an attempt, after the caller's policy has allowed it (inside its transaction): a
 * fresh server seed, the draw from the bank's live items by the form's blueprint (draw.ts), stored with the
 * attempt, the drawn versions frozen, audited. Exams (startAttempt) and credentials' knowledge checks
 * (credential-knowledge-check.ts) both start attempts here.
 */
export async function drawAttempt(
  tx: DbOrTx,
  exam: typeof exams.$inferSelect,
  candidateId: string,
  attemptNumber: number,
  meta: RequestMeta,
  now: number,
): Promise<{ ok: true; attemptId: string } | Refusal> {
  const seed = randomInt(0, 2 ** 31 - 1);
  const draw = drawItems(await livePool(tx, exam.bank), blueprintOf(exam), seed);
  if (!draw.ok)
    return refuse(
      'CONFLICT',
      'This exam cannot be drawn from its question bank as it stands. Try again later, or tell the association through the contact page.',
    );
  const [accommodation] = await tx
    .select({ extraTimeMs: examAccommodations.extraTimeMs })
    .from(examAccommodations)
    .where(and(eq(examAccommodations.examId, exam.id), eq(examAccommodations.candidateId, candidateId)));
  const extraTimeMs = accommodation?.extraTimeMs ?? 0;
  const attemptId = newId();
  await tx.insert(examAttempts).values({
    id: attemptId,
    examId: exam.id,
    candidateId,
    attemptNumber,
    seed,
    itemVersionIdsJson: JSON.stringify(draw.itemIds),
    startedAt: now,
    deadlineAt: now + exam.timeLimitMs + extraTimeMs,
    extraTimeMs,
  });
  // Delivered versions are frozen from now on (the migration's trigger): later edits make new versions.
  await tx
    .update(examItemVersions)
    .set({ deliveredAt: now })
    .where(and(inArray(examItemVersions.id, draw.itemIds), isNull(examItemVersions.deliveredAt)));
  await writeAudit(
    tx,
    {
      actorId: candidateId,
      action: 'exam.attempt-started',
      subjectId: attemptId,
      ipAddress: meta.ipAddress,
      details: { examId: exam.id },
    },
    now,
  );
  return { ok: true as const, attemptId };
}

export interface AttemptItemView {
  itemVersionId: string;
  number: number;
  item: PublicItem;
  answer: Answer | null;
  flagged: boolean;
  savedAt: number | null;
}

export interface AttemptView {
  id: string;
  examId: string;
  examTitle: string;
  practice: boolean;
  status: 'open' | 'submitted' | 'voided';
  startedAt: number;
  deadlineAt: number;
  submittedAt: number | null;
  lastSavedAt: number | null;
  items: AttemptItemView[];
}

/** The candidate's own attempt, without keys. An attempt past its deadline is submitted first. */
export async function getAttemptForCandidate(
  db: Db,
  candidateId: string,
  attemptId: string,
  now = Date.now(),
): Promise<{ ok: true; attempt: AttemptView } | Refusal> {
  let [attempt] = await db.select().from(examAttempts).where(eq(examAttempts.id, attemptId));
  if (!attempt || attempt.candidateId !== candidateId) return refuse('NOT_FOUND', NOT_YOURS);
  if (attempt.submittedAt === null && attempt.voidedAt === null && now > attempt.deadlineAt + DEADLINE_GRACE_MS) {
    await submitAttempt(db, candidateId, attemptId, now, 'deadline');
    [attempt] = await db.select().from(examAttempts).where(eq(examAttempts.id, attemptId));
    if (!attempt) return refuse('NOT_FOUND', NOT_YOURS);
  }
  const [exam] = await db
    .select({ title: exams.title, practice: exams.practice })
    .from(exams)
    .where(eq(exams.id, attempt.examId));
  const versionIds = JSON.parse(attempt.itemVersionIdsJson) as string[];
  const versions = await db
    .select({ id: examItemVersions.id, bodyJson: examItemVersions.bodyJson })
    .from(examItemVersions)
    .where(inArray(examItemVersions.id, versionIds));
  const bodies = new Map(versions.map((v) => [v.id, parseBody(v.bodyJson)]));
  const answers = await db.select().from(examAnswers).where(eq(examAnswers.attemptId, attemptId));
  const byVersion = new Map(answers.map((a) => [a.itemVersionId, a]));
  let lastSavedAt: number | null = null;
  for (const a of answers) lastSavedAt = Math.max(lastSavedAt ?? 0, a.savedAt);
  return {
    ok: true,
    attempt: {
      id: attempt.id,
      examId: attempt.examId,
      examTitle: exam?.title ?? '',
      practice: exam?.practice ?? false,
      status: attempt.voidedAt !== null ? 'voided' : attempt.submittedAt !== null ? 'submitted' : 'open',
      startedAt: attempt.startedAt,
      deadlineAt: attempt.deadlineAt,
      submittedAt: attempt.submittedAt,
      lastSavedAt,
      items: versionIds.map((id, n) => {
        const saved = byVersion.get(id);
        return {
          itemVersionId: id,
          number: n + 1,
          item: publicItem(bodies.get(id) ?? failMissing(id)),
          answer: saved?.answerJson ? (JSON.parse(saved.answerJson) as Answer) : null,
          flagged: saved?.flagged ?? false,
          savedAt: saved?.savedAt ?? null,
        };
      }),
    },
  };
}

function failMissing(id: string): never {
  throw new Error(`Drawn item version ${id} is missing`);
}

/** Why an attempt takes no more answers now, or null when it does. */
function closedReason(attempt: AttemptRow, now: number): Refusal | null {
  if (attempt.voidedAt !== null)
    return refuse('CONFLICT', 'This attempt was voided by an examiner; it takes no more answers.');
  if (attempt.submittedAt !== null)
    return refuse('CONFLICT', 'This attempt has been submitted; it takes no more answers.');
  if (now > attempt.deadlineAt + DEADLINE_GRACE_MS)
    return refuse('CONFLICT', 'The time for this attempt is over; answers are no longer accepted.');
  return null;
}

/**
 * Saves one answer (and/or the flag) for one drawn item, replacing the previous one. Refused, with nothing
 * written, for another's attempt, an item not in the draw, a closed attempt, or an answer that does not fit.
 * `answer` undefined keeps the saved answer (a flag change); null, or one that chooses nothing, clears it.
 */
export async function saveAnswer(
  db: Db,
  candidateId: string,
  input: {
    attemptId: string;
    itemVersionId: string;
    answer?: Answer | null | undefined;
    flagged?: boolean | undefined;
  },
  now = Date.now(),
): Promise<{ ok: true; savedAt: number } | Refusal> {
  const answer = input.answer && choosesNothing(input.answer) ? null : input.answer;
  return db.transaction(async (tx) => {
    const [attempt] = await tx.select().from(examAttempts).where(eq(examAttempts.id, input.attemptId));
    if (!attempt || attempt.candidateId !== candidateId) return refuse('NOT_FOUND', NOT_YOURS);
    const closed = closedReason(attempt, now);
    if (closed) return closed;
    if (!(JSON.parse(attempt.itemVersionIdsJson) as string[]).includes(input.itemVersionId)) {
      return refuse('BAD_REQUEST', 'That question is not part of this attempt.');
    }
    if (answer) {
      const [version] = await tx
        .select({ bodyJson: examItemVersions.bodyJson })
        .from(examItemVersions)
        .where(eq(examItemVersions.id, input.itemVersionId));
      const problem = answerError(parseBody(version?.bodyJson ?? failMissing(input.itemVersionId)), answer);
      if (problem) return refuse('BAD_REQUEST', problem, { answer: problem });
    }
    const set: Partial<typeof examAnswers.$inferInsert> = { savedAt: now };
    if (answer !== undefined) set.answerJson = answer === null ? null : JSON.stringify(answer);
    if (input.flagged !== undefined) set.flagged = input.flagged;
    await tx
      .insert(examAnswers)
      .values({
        attemptId: input.attemptId,
        itemVersionId: input.itemVersionId,
        answerJson: answer ? JSON.stringify(answer) : null,
        flagged: input.flagged ?? false,
        savedAt: now,
      })
      .onConflictDoUpdate({ target: [examAnswers.attemptId, examAnswers.itemVersionId], set });
    return { ok: true as const, savedAt: now };
  });
}

/**
 * Grades an open attempt inside the caller's transaction, only if it is still open: the conditional update
 * claims it, so of two concurrent submits exactly one grades. False when it was already closed.
 */
async function gradeAttempt(
  tx: DbOrTx,
  attempt: AttemptRow,
  by: 'candidate' | 'deadline',
  now: number,
): Promise<boolean> {
  const submittedAt = by === 'deadline' ? Math.min(now, attempt.deadlineAt) : now;
  const claimed = await tx
    .update(examAttempts)
    .set({ submittedAt, submittedBy: by })
    .where(and(eq(examAttempts.id, attempt.id), isNull(examAttempts.submittedAt), isNull(examAttempts.voidedAt)))
    .returning({ id: examAttempts.id });
  if (claimed.length !== 1) return false;
  const [exam] = await tx.select({ passPercent: exams.passPercent }).from(exams).where(eq(exams.id, attempt.examId));
  const versionIds = JSON.parse(attempt.itemVersionIdsJson) as string[];
  const versions = await tx
    .select({ id: examItemVersions.id, bodyJson: examItemVersions.bodyJson, category: examItemVersions.category })
    .from(examItemVersions)
    .where(inArray(examItemVersions.id, versionIds));
  const answers = await tx.select().from(examAnswers).where(eq(examAnswers.attemptId, attempt.id));
  const byVersion = new Map(answers.map((a) => [a.itemVersionId, a]));
  const subscores = new Map<string, { score: number; max: number }>();
  let total = 0;
  for (const v of versions) {
    const saved = byVersion.get(v.id);
    const answer = saved?.answerJson ? (JSON.parse(saved.answerJson) as Answer) : null;
    const score = scoreAnswer(parseBody(v.bodyJson), answer);
    total += score;
    const sub = subscores.get(v.category) ?? { score: 0, max: 0 };
    sub.score += score;
    sub.max += 1;
    subscores.set(v.category, sub);
    await tx
      .insert(examAnswers)
      .values({ attemptId: attempt.id, itemVersionId: v.id, answerJson: null, flagged: false, savedAt: now, score })
      .onConflictDoUpdate({ target: [examAnswers.attemptId, examAnswers.itemVersionId], set: { score } });
  }
  const percent = versionIds.length === 0 ? 0 : (total / versionIds.length) * 100;
  const passPercent = exam?.passPercent ?? 100;
  await tx
    .update(examAttempts)
    .set({
      score: total,
      maxScore: versionIds.length,
      percent,
      passPercent,
      passed: percent + 1e-9 >= passPercent,
      subscoresJson: JSON.stringify([...subscores.entries()].sort().map(([category, s]) => ({ category, ...s }))),
    })
    .where(eq(examAttempts.id, attempt.id));
  return true;
}

/** Submits and grades the candidate's attempt. A second submit (or one after the deadline job) is a no-op. */
export async function submitAttempt(
  db: Db,
  candidateId: string,
  attemptId: string,
  now = Date.now(),
  by: 'candidate' | 'deadline' = 'candidate',
): Promise<{ ok: true; graded: boolean } | Refusal> {
  return db.transaction(async (tx) => {
    const [attempt] = await tx.select().from(examAttempts).where(eq(examAttempts.id, attemptId));
    if (!attempt || attempt.candidateId !== candidateId) return refuse('NOT_FOUND', NOT_YOURS);
    if (attempt.voidedAt !== null) return refuse('CONFLICT', 'This attempt was voided by an examiner.');
    if (attempt.submittedAt !== null) return { ok: true as const, graded: false };
    const late = now > attempt.deadlineAt + DEADLINE_GRACE_MS;
    const graded = await gradeAttempt(tx, attempt, late ? 'deadline' : by, now);
    if (graded)
      await writeAudit(
        tx,
        {
          actorId: candidateId,
          action: 'exam.attempt-submitted',
          subjectId: attemptId,
          details: { by: late ? 'deadline' : by },
        },
        now,
      );
    return { ok: true as const, graded };
  });
}

/** Submits every open attempt past its deadline and grace (the scheduled job). Returns how many. */
export async function submitExpiredAttempts(db: Db, now = Date.now()): Promise<number> {
  const expired = await db
    .select()
    .from(examAttempts)
    .where(
      and(
        isNull(examAttempts.submittedAt),
        isNull(examAttempts.voidedAt),
        lte(examAttempts.deadlineAt, now - DEADLINE_GRACE_MS - 1),
      ),
    );
  let n = 0;
  for (const attempt of expired) {
    const graded = await db.transaction((tx) => gradeAttempt(tx, attempt, 'deadline', now));
    if (graded) n++;
  }
  return n;
}

export interface AttemptResult {
  attemptId: string;
  examTitle: string;
  practice: boolean;
  /** A credential's yearly knowledge check: its result page is /credentials/knowledge-check/<id>. */
  knowledgeCheck: boolean;
  /** Whether the candidate may read the result: until an examiner releases it, score and outcome are null. */
  released: boolean;
  score: number | null;
  maxScore: number;
  percent: number | null;
  passPercent: number;
  passed: boolean | null;
  /** By blueprint category (a Level 1 module), with the module's title as `label`. */
  subscores: { category: string; label: string; score: number; max: number }[];
  /** Practice exams only: the items answered wrongly, with their rationale and the chapters they cite. */
  feedback: {
    number: number;
    stem: string;
    score: number;
    rationale: string;
    /** Each cited chapter: its handbook slug and title (slug null when no published chapter matches). */
    references: { slug: string | null; title: string }[];
  }[];
}

/** The candidate's result once graded; the per-item feedback only for a practice exam. */
export async function getResult(
  db: Db,
  candidateId: string,
  attemptId: string,
  now = Date.now(),
): Promise<{ ok: true; result: AttemptResult } | Refusal> {
  const view = await getAttemptForCandidate(db, candidateId, attemptId, now);
  if (!view.ok) return view;
  const [attempt] = await db.select().from(examAttempts).where(eq(examAttempts.id, attemptId));
  if (!attempt || attempt.score === null)
    return refuse(
      'CONFLICT',
      attempt?.voidedAt ? 'This attempt was voided; it has no result.' : 'This attempt has not been submitted yet.',
    );
  const [exam] = await db.select().from(exams).where(eq(exams.id, attempt.examId));
  const released = exam?.release === 'immediate' || attempt.releasedAt !== null;
  const feedback: AttemptResult['feedback'] = [];
  if (exam?.practice && released) {
    const versionIds = JSON.parse(attempt.itemVersionIdsJson) as string[];
    const answers = await db.select().from(examAnswers).where(eq(examAnswers.attemptId, attemptId));
    const scoreOf = new Map(answers.map((a) => [a.itemVersionId, a.score ?? 0]));
    const versions = await db
      .select({ id: examItemVersions.id, bodyJson: examItemVersions.bodyJson })
      .from(examItemVersions)
      .where(inArray(examItemVersions.id, versionIds));
    const bodies = new Map(versions.map((v) => [v.id, parseBody(v.bodyJson)]));
    for (const [n, id] of versionIds.entries()) {
      const score = scoreOf.get(id) ?? 0;
      const body = bodies.get(id);
      if (!body || score >= 1) continue;
      const references = [];
      for (const ref of body.references) {
        references.push((await chapterForReference(db, ref)) ?? { slug: null, title: categoryLabel(ref) });
      }
      feedback.push({ number: n + 1, stem: body.stem, score, rationale: body.rationale, references });
    }
  }
  const subscores: AttemptResult['subscores'] = [];
  if (released) {
    for (const s of JSON.parse(attempt.subscoresJson ?? '[]') as Omit<AttemptResult['subscores'][number], 'label'>[]) {
      subscores.push({ ...s, label: (await moduleTitleForCategory(db, s.category)) ?? categoryLabel(s.category) });
    }
  }
  return {
    ok: true,
    result: {
      attemptId,
      examTitle: exam?.title ?? '',
      practice: exam?.practice ?? false,
      knowledgeCheck: exam?.purpose === 'knowledge-check',
      released,
      score: released ? attempt.score : null,
      maxScore: attempt.maxScore ?? 0,
      percent: released ? (attempt.percent ?? 0) : null,
      passPercent: attempt.passPercent ?? 0,
      passed: released ? (attempt.passed ?? false) : null,
      subscores,
      feedback,
    },
  };
}

export async function listMyAttempts(
  db: Db,
  candidateId: string,
): Promise<
  {
    id: string;
    examId: string;
    examTitle: string;
    /** A credential's knowledge check: its result is at /credentials/knowledge-check/<id>. */
    knowledgeCheck: boolean;
    startedAt: number;
    submittedAt: number | null;
    voided: boolean;
    /** Graded, and waiting for an examiner to release the result: percent and passed stay null. */
    awaitingRelease: boolean;
    percent: number | null;
    passed: boolean | null;
  }[]
> {
  const rows = await db
    .select({ attempt: examAttempts, title: exams.title, purpose: exams.purpose, release: exams.release })
    .from(examAttempts)
    .innerJoin(exams, eq(exams.id, examAttempts.examId))
    .where(eq(examAttempts.candidateId, candidateId))
    .orderBy(desc(examAttempts.startedAt));
  return rows.map(({ attempt: r, title, purpose, release }) => {
    const released = release === 'immediate' || r.releasedAt !== null;
    return {
      id: r.id,
      examId: r.examId,
      examTitle: title,
      knowledgeCheck: purpose === 'knowledge-check',
      startedAt: r.startedAt,
      submittedAt: r.submittedAt,
      voided: r.voidedAt !== null,
      awaitingRelease: r.score !== null && r.voidedAt === null && !released,
      percent: released ? r.percent : null,
      passed: released ? r.passed : null,
    };
  });
}

export const ATTEMPT_OUTCOMES = ['any', 'open', 'passed', 'failed', 'voided', 'awaiting-release'] as const;
export type AttemptOutcome = (typeof ATTEMPT_OUTCOMES)[number];

/** The examiners' filters on an exam's attempts: the outcome, and part of the candidate's name or email. */
export interface AttemptFilters {
  outcome: AttemptOutcome;
  candidate: string;
}

export type ExaminerAttemptRow = Omit<AttemptRow, 'itemVersionIdsJson' | 'seed'> & {
  candidateName: string;
  candidateEmail: string;
  /** Whether the candidate can read the result now (released at once by the exam's policy, or by an examiner). */
  released: boolean;
};

function outcomeOf(
  a: Pick<AttemptRow, 'voidedAt' | 'submittedAt' | 'passed'>,
): Exclude<AttemptOutcome, 'any' | 'awaiting-release'> {
  if (a.voidedAt !== null) return 'voided';
  if (a.submittedAt === null || a.passed === null) return 'open';
  return a.passed ? 'passed' : 'failed';
}

/** An exam's attempts, oldest first, with the candidate, filtered (without the draw and the seed). */
export async function listAttempts(
  db: Db,
  examId: string,
  filters: Partial<AttemptFilters> = {},
): Promise<ExaminerAttemptRow[]> {
  const [exam] = await db.select({ release: exams.release }).from(exams).where(eq(exams.id, examId));
  const atOnce = exam?.release === 'immediate';
  const rows = await db
    .select({ a: examAttempts, name: users.name, email: users.email })
    .from(examAttempts)
    .innerJoin(users, eq(users.id, examAttempts.candidateId))
    .where(eq(examAttempts.examId, examId))
    .orderBy(asc(examAttempts.startedAt));
  const outcome = filters.outcome ?? 'any';
  const needle = (filters.candidate ?? '').trim().toLowerCase();
  return rows
    .map(({ a, name, email }) => {
      const { itemVersionIdsJson: _draw, seed: _seed, ...rest } = a;
      const graded = a.voidedAt === null && a.score !== null;
      return {
        ...rest,
        candidateName: name,
        candidateEmail: email,
        released: graded && (atOnce || a.releasedAt !== null),
      };
    })
    .filter((row) => {
      if (needle && !`${row.candidateName} ${row.candidateEmail}`.toLowerCase().includes(needle)) return false;
      if (outcome === 'any') return true;
      if (outcome === 'awaiting-release') return row.voidedAt === null && row.score !== null && !row.released;
      return outcomeOf(row) === outcome;
    });
}

export async function countAttempts(db: Db, examId: string): Promise<number> {
  const [row] = await db.select({ n: count() }).from(examAttempts).where(eq(examAttempts.examId, examId));
  return row?.n ?? 0;
}

/** Voids an attempt with a reason (audited): it then has no result and is left out of the statistics. */
export async function voidAttempt(
  db: Db,
  examinerId: string,
  attemptId: string,
  reason: string,
  meta: RequestMeta,
  now = Date.now(),
): Promise<{ ok: true } | Refusal> {
  const trimmed = reason.trim();
  if (trimmed.length < 5)
    return refuse('BAD_REQUEST', 'Give the reason for voiding this attempt.', {
      reason: 'Give a reason (at least 5 characters).',
    });
  return db.transaction(async (tx) => {
    const voided = await tx
      .update(examAttempts)
      .set({ voidedAt: now, voidReason: trimmed })
      .where(and(eq(examAttempts.id, attemptId), isNull(examAttempts.voidedAt)))
      .returning({ id: examAttempts.id });
    if (voided.length !== 1) {
      const [exists] = await tx
        .select({ id: examAttempts.id })
        .from(examAttempts)
        .where(eq(examAttempts.id, attemptId));
      return exists
        ? refuse('CONFLICT', 'This attempt is already voided.')
        : refuse('NOT_FOUND', 'That attempt does not exist.');
    }
    await writeAudit(
      tx,
      {
        actorId: examinerId,
        action: 'exam.attempt-voided',
        subjectId: attemptId,
        ipAddress: meta.ipAddress,
        details: { reason: trimmed },
      },
      now,
    );
    return { ok: true as const };
  });
}

/**
 * An exam's attempts as CSV for examiners (csv.ts defuses formula-like cells), with the same filters as the
 * list: candidate, timing, score, outcome, release and void reason.
 */
export async function exportAttemptsCsv(
  db: Db,
  examId: string,
  filters: Partial<AttemptFilters> = {},
): Promise<string> {
  const rows = await listAttempts(db, examId, filters);
  const iso = (ms: number | null): string | null => (ms === null ? null : new Date(ms).toISOString());
  return csvDocument(
    [
      'Candidate',
      'Email',
      'Attempt',
      'Started (UTC)',
      'Submitted (UTC)',
      'Submitted by',
      'Score',
      'Of',
      'Percent',
      'Pass mark',
      'Result',
      'Released',
      'Void reason',
    ],
    rows.map((a) => [
      a.candidateName,
      a.candidateEmail,
      a.attemptNumber,
      iso(a.startedAt),
      iso(a.submittedAt),
      a.submittedBy,
      a.score === null ? null : Math.round(a.score * 100) / 100,
      a.maxScore,
      a.percent === null ? null : Math.round(a.percent * 10) / 10,
      a.passPercent,
      a.voidedAt !== null ? 'voided' : a.passed === null ? 'not submitted' : a.passed ? 'passed' : 'failed',
      a.released ? 'yes' : 'no',
      a.voidReason,
    ]),
  );
}

/**
 * Releases graded results of an exam whose policy is "after review": the given attempts, or every graded
 * attempt not yet released. Audited; a voided or ungraded attempt is refused with nothing written.
 */
export async function releaseResults(
  db: Db,
  examinerId: string,
  examId: string,
  attemptIds: string[] | 'all',
  meta: RequestMeta,
  now = Date.now(),
): Promise<{ ok: true; released: number } | Refusal> {
  return db.transaction(async (tx) => {
    const [exam] = await tx.select({ release: exams.release }).from(exams).where(eq(exams.id, examId));
    if (!exam) return refuse('NOT_FOUND', 'That exam does not exist.');
    if (exam.release === 'immediate')
      return refuse('BAD_REQUEST', 'This exam releases results at once; there is nothing to release.');
    const rows = await tx
      .select({
        id: examAttempts.id,
        score: examAttempts.score,
        voidedAt: examAttempts.voidedAt,
        releasedAt: examAttempts.releasedAt,
      })
      .from(examAttempts)
      .where(eq(examAttempts.examId, examId));
    const byId = new Map(rows.map((r) => [r.id, r]));
    if (attemptIds !== 'all') {
      for (const id of attemptIds) {
        const row = byId.get(id);
        if (!row) return refuse('NOT_FOUND', 'That attempt is not an attempt at this exam.');
        if (row.voidedAt !== null) return refuse('CONFLICT', 'A voided attempt has no result to release.');
        if (row.score === null) return refuse('CONFLICT', 'This attempt is not graded yet; release it once submitted.');
      }
    }
    const chosen = (attemptIds === 'all' ? rows.map((r) => r.id) : attemptIds).filter((id) => {
      const row = byId.get(id);
      return row && row.voidedAt === null && row.score !== null && row.releasedAt === null;
    });
    if (chosen.length > 0) {
      await tx
        .update(examAttempts)
        .set({ releasedAt: now, releasedBy: examinerId })
        .where(and(inArray(examAttempts.id, chosen), isNull(examAttempts.releasedAt)));
      await writeAudit(
        tx,
        {
          actorId: examinerId,
          action: 'exam.results-released',
          subjectId: examId,
          ipAddress: meta.ipAddress,
          details: { attempts: chosen.length },
        },
        now,
      );
    }
    return { ok: true as const, released: chosen.length };
  });
}

/** Attempts at an exam still running now (not submitted, not voided, deadline and grace not passed). */
export interface AttemptsInProgress {
  count: number;
  /** The latest deadline among them: when the last of them is submitted at the latest. */
  lastDeadlineAt: number | null;
}

export async function attemptsInProgress(db: DbOrTx, examId: string, now = Date.now()): Promise<AttemptsInProgress> {
  const [row] = await db
    .select({ n: count(), last: max(examAttempts.deadlineAt) })
    .from(examAttempts)
    .where(
      and(
        eq(examAttempts.examId, examId),
        isNull(examAttempts.submittedAt),
        isNull(examAttempts.voidedAt),
        gte(examAttempts.deadlineAt, now - DEADLINE_GRACE_MS),
      ),
    );
  return { count: row?.n ?? 0, lastDeadlineAt: row?.last ?? null };
}

/**
 * Closes an exam early: no attempt can start from now on; attempts in progress go on until their own
 * deadline and are then submitted with what was saved, and graded as usual. `confirmedInProgress` is the
 * number of attempts in progress the examiner was shown when confirming: when it no longer holds, nothing
 * changes and they are asked again.
 */
export async function closeExam(
  db: Db,
  actorId: string,
  examId: string,
  confirmedInProgress: number | undefined,
  meta: RequestMeta,
  now = Date.now(),
): Promise<{ ok: true; inProgress: number } | Refusal> {
  const [exam] = await db.select({ status: exams.status }).from(exams).where(eq(exams.id, examId));
  if (!exam) return refuse('NOT_FOUND', 'That exam does not exist.');
  if (exam.status === 'closed') return refuse('CONFLICT', 'This exam is already closed.');
  const running = await attemptsInProgress(db, examId, now);
  if (confirmedInProgress !== undefined && confirmedInProgress !== running.count) {
    return refuse(
      'CONFLICT',
      `${running.count === 1 ? '1 attempt is' : `${running.count} attempts are`} in progress now, not ${confirmedInProgress}: nothing was closed. Read the confirmation again.`,
    );
  }
  const closed = await setExamStatus(db, actorId, examId, 'closed', meta, now);
  return closed.ok ? { ok: true, inProgress: running.count } : closed;
}
