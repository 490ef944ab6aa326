/**
 * Exam forms: creation from the exam format (item-format.ts examFileSchema), publishing, the modified
 * Angoff panel, extra-time accommodations, and the item statistics with their review queue.
 */
import { and, asc, eq, gte, inArray, isNotNull, isNull } from 'drizzle-orm';
import type { Db, DbOrTx } from '#db/client.ts';
import {
  type ExamStatus,
  examAccommodations,
  examAngoffRatings,
  examAnswers,
  examAttempts,
  examItemFlags,
  examItems,
  examItemVersions,
  examStatistics,
  exams,
  users,
} from '#db/schema/index.ts';
import { DAY_MS } from '#src/lib/dates.ts';
import { writeAudit } from '../audit.ts';
import { type AngoffCut, angoffCut } from '../exams/angoff.ts';
import { type BlueprintRow, type DrawableItem, drawItems } from '../exams/draw.ts';
import { type Answer, chosenOptions } from '../exams/grading.ts';
import { type Difficulty, type ExamSource, examFileSchema } from '../exams/item-format.ts';
import { computeExamStatistics, type ExamStatistics, type ItemResponsesDef } from '../exams/statistics.ts';
import { newId } from '../ids.ts';
import { type Refusal, refuse } from '../refusal.ts';
import type { RequestMeta } from './deps.ts';
import { parseBody } from './exam-items.ts';

export type ExamRow = typeof exams.$inferSelect;

export function blueprintOf(exam: Pick<ExamRow, 'blueprintJson'>): BlueprintRow[] {
  return JSON.parse(exam.blueprintJson) as BlueprintRow[];
}

function columnsFrom(source: ExamSource) {
  return {
    title: source.title,
    bank: source.bank,
    practice: source.practice,
    purpose: source.purpose ?? 'exam',
    timeLimitMs: source.timeLimitMinutes * 60_000,
    attemptsAllowed: source.practice ? null : (source.attemptsAllowed ?? null),
    cooldownMs: (source.cooldownDays ?? 0) * DAY_MS,
    passMethod: source.passMark.method,
    release: source.release,
    blueprintJson: JSON.stringify(source.blueprint),
  };
}

/**
 * Creates the exam of `slug`. `publish` publishes a new exam at once (the shipped content). An existing
 * slug is refused unless `updateExisting` (the shipped content, synchronised from the repository at
 * start): then its settings are brought up to date (the pass mark of an Angoff exam stays as the panel set
 * it) and a change is audited. An examiner cannot rewrite a published exam by creating one of its slug.
 */
export async function upsertExam(
  db: DbOrTx,
  actorId: string | null,
  input: unknown,
  options: { publish: boolean; updateExisting?: boolean },
  now = Date.now(),
): Promise<{ ok: true; id: string; created: boolean } | Refusal> {
  const parsed = examFileSchema.safeParse(input);
  if (!parsed.success) {
    const fields: Record<string, string> = {};
    for (const issue of parsed.error.issues) fields[issue.path.map(String).join('.') || '_'] ??= issue.message;
    return refuse('BAD_REQUEST', 'Some fields need your attention.', fields);
  }
  const source = parsed.data;
  const columns = columnsFrom(source);
  const fixedPercent = source.passMark.method === 'fixed' ? source.passMark.percent : null;
  const [existing] = await db.select().from(exams).where(eq(exams.slug, source.slug));
  if (existing) {
    if (!options.updateExisting) {
      return refuse('CONFLICT', `An exam with the slug "${source.slug}" already exists: choose another slug.`, {
        slug: 'This slug is taken.',
      });
    }
    const next = { ...columns, passPercent: source.passMark.method === 'fixed' ? fixedPercent : existing.passPercent };
    const changed = Object.entries(next).filter(([key, value]) => existing[key as keyof ExamRow] !== value);
    if (changed.length === 0) return { ok: true, id: existing.id, created: false };
    await db
      .update(exams)
      .set({ ...next, updatedAt: now })
      .where(eq(exams.id, existing.id));
    await writeAudit(
      db,
      {
        actorId,
        action: 'exam.exam-updated',
        subjectId: existing.id,
        details: { slug: source.slug, fields: changed.map(([key]) => key) },
      },
      now,
    );
    return { ok: true, id: existing.id, created: false };
  }
  const id = newId();
  await db.insert(exams).values({
    id,
    slug: source.slug,
    ...columns,
    passPercent: fixedPercent,
    opensAt: now,
    closesAt: null,
    status: options.publish ? 'published' : 'draft',
    createdBy: actorId,
    createdAt: now,
    updatedAt: now,
  });
  await writeAudit(db, { actorId, action: 'exam.exam-created', subjectId: id, details: { slug: source.slug } }, now);
  return { ok: true, id, created: true };
}

export async function getExamBySlug(db: Db, slug: string): Promise<ExamRow | null> {
  const [row] = await db.select().from(exams).where(eq(exams.slug, slug));
  return row ?? null;
}

/** Every exam form, for examiners (candidates see listExamsForCandidate in exam-attempts.ts). */
export async function listExams(db: Db): Promise<ExamRow[]> {
  return db.select().from(exams).orderBy(asc(exams.title));
}

/** The live items of a bank as the draw sees them (draw.ts): the current version of each. */
export async function livePool(db: DbOrTx, bank: string): Promise<DrawableItem[]> {
  const rows = await db
    .select({
      id: examItemVersions.id,
      category: examItemVersions.category,
      difficulty: examItemVersions.difficulty,
    })
    .from(examItems)
    .innerJoin(examItemVersions, eq(examItemVersions.id, examItems.currentVersionId))
    .where(and(eq(examItems.bank, bank), eq(examItems.status, 'live')));
  return rows.map((r) => ({ ...r, difficulty: r.difficulty as Difficulty, status: 'live' as const }));
}

/** Why the bank cannot fill the exam's blueprint (null: it can), in words for the examiner. */
async function drawProblem(db: DbOrTx, exam: ExamRow): Promise<string | null> {
  const draw = drawItems(await livePool(db, exam.bank), blueprintOf(exam), 1);
  if (draw.ok) return null;
  const rows = draw.shortfalls.map(
    (s) => `${s.category}${s.difficulty ? ` (${s.difficulty})` : ''} needs ${s.needed}, has ${s.available}`,
  );
  return `The bank "${exam.bank}" has too few live items for this exam's blueprint: ${rows.join('; ')}. Approve more items, or change the blueprint.`;
}

export async function setExamStatus(
  db: Db,
  actorId: string,
  examId: string,
  status: ExamStatus,
  meta: RequestMeta,
  now = Date.now(),
): Promise<{ ok: true } | Refusal> {
  return db.transaction(async (tx) => {
    const [exam] = await tx.select().from(exams).where(eq(exams.id, examId));
    if (!exam) return refuse('NOT_FOUND', 'That exam does not exist.');
    if (status === 'published' && exam.passPercent === null) {
      return refuse('BAD_REQUEST', 'Set the pass mark first: the Angoff panel has not set a cut for this exam.');
    }
    if (status === 'published') {
      const problem = await drawProblem(tx, exam);
      if (problem) return refuse('CONFLICT', problem);
    }
    await tx.update(exams).set({ status, updatedAt: now }).where(eq(exams.id, examId));
    await writeAudit(tx, { actorId, action: `exam.exam-${status}`, subjectId: examId, ipAddress: meta.ipAddress }, now);
    return { ok: true as const };
  });
}

/**
 * When an exam is open for new attempts: from `opensAt`, until `closesAt` (null: no end). A close date in
 * the past is refused: closing now goes through closeExam, which states the attempts in progress.
 * Attempts already started are not touched (they run to their own deadline). Audited.
 */
export async function setExamWindow(
  db: Db,
  actorId: string,
  examId: string,
  window: { opensAt: number; closesAt: number | null },
  meta: RequestMeta,
  now = Date.now(),
): Promise<{ ok: true } | Refusal> {
  const { opensAt, closesAt } = window;
  if (closesAt !== null && closesAt <= opensAt)
    return refuse('BAD_REQUEST', 'The exam must open before it closes.', {
      closesAt: 'Give a close date after the open date, or none.',
    });
  if (closesAt !== null && closesAt <= now)
    return refuse('BAD_REQUEST', 'That close date has passed.', {
      closesAt: 'Give a close date in the future; to close the exam now, use "Close the exam".',
    });
  return db.transaction(async (tx) => {
    const [exam] = await tx.select({ id: exams.id }).from(exams).where(eq(exams.id, examId));
    if (!exam) return refuse('NOT_FOUND', 'That exam does not exist.');
    await tx.update(exams).set({ opensAt, closesAt, updatedAt: now }).where(eq(exams.id, examId));
    await writeAudit(
      tx,
      {
        actorId,
        action: 'exam.window-set',
        subjectId: examId,
        ipAddress: meta.ipAddress,
        details: {
          opensAt: new Date(opensAt).toISOString(),
          closesAt: closesAt === null ? null : new Date(closesAt).toISOString(),
        },
      },
      now,
    );
    return { ok: true as const };
  });
}

/** The live items of an exam's bank in its blueprint's categories: what the Angoff panel rates. */
async function ratableItemIds(db: DbOrTx, exam: ExamRow): Promise<string[]> {
  const categories = blueprintOf(exam).map((row) => row.category);
  const rows = await db
    .select({ id: examItems.id })
    .from(examItems)
    .innerJoin(examItemVersions, eq(examItemVersions.id, examItems.currentVersionId))
    .where(
      and(eq(examItems.bank, exam.bank), eq(examItems.status, 'live'), inArray(examItemVersions.category, categories)),
    )
    .orderBy(asc(examItems.id));
  return rows.map((r) => r.id);
}

/** One panellist's estimates (probability 0..1 that a minimally competent candidate answers right). */
export async function rateItems(
  db: Db,
  raterId: string,
  examId: string,
  ratings: { itemId: string; probability: number }[],
  now = Date.now(),
): Promise<{ ok: true; rated: number } | Refusal> {
  return db.transaction(async (tx) => {
    const [exam] = await tx.select().from(exams).where(eq(exams.id, examId));
    if (!exam) return refuse('NOT_FOUND', 'That exam does not exist.');
    if (exam.passMethod !== 'angoff')
      return refuse('BAD_REQUEST', 'This exam has a fixed pass mark; it has no Angoff panel.');
    const ratable = new Set(await ratableItemIds(tx, exam));
    const unknown = ratings.find((r) => !ratable.has(r.itemId));
    if (unknown) return refuse('BAD_REQUEST', `Item ${unknown.itemId} is not a live item of this exam's blueprint.`);
    for (const r of ratings) {
      await tx
        .insert(examAngoffRatings)
        .values({ examId, itemId: r.itemId, raterId, probability: r.probability, ratedAt: now })
        .onConflictDoUpdate({
          target: [examAngoffRatings.examId, examAngoffRatings.itemId, examAngoffRatings.raterId],
          set: { probability: r.probability, ratedAt: now },
        });
    }
    return { ok: true as const, rated: ratings.length };
  });
}

/** One examiner on an exam's Angoff panel, by name (examiners only: candidates never see the panel). */
export interface AngoffPanellist {
  raterId: string;
  name: string;
  /** Items of the blueprint this panellist has rated. */
  rated: number;
  /** Their own expected score of a minimally competent candidate over the items they rated, percent. */
  meanPercent: number;
}

export interface AngoffPanel {
  ratings: { itemId: string; raterId: string; probability: number }[];
  /** Every panellist who rated a live item of the blueprint, by name. */
  panellists: AngoffPanellist[];
  cut: AngoffCut | null;
  /** Why there is no cut yet. */
  pending: string | null;
  passPercent: number | null;
}

export async function getAngoffPanel(db: Db, examId: string): Promise<AngoffPanel | null> {
  const [exam] = await db.select().from(exams).where(eq(exams.id, examId));
  if (!exam) return null;
  const rows = await db
    .select({
      itemId: examAngoffRatings.itemId,
      raterId: examAngoffRatings.raterId,
      probability: examAngoffRatings.probability,
      name: users.name,
    })
    .from(examAngoffRatings)
    .innerJoin(users, eq(users.id, examAngoffRatings.raterId))
    .where(eq(examAngoffRatings.examId, examId));
  const itemIds = await ratableItemIds(db, exam);
  const ratable = new Set(itemIds);
  // Ratings of items that have since left the blueprint (retired, another module) do not count.
  const ratings = rows.filter((r) => ratable.has(r.itemId)).map(({ name: _name, ...r }) => r);
  const byRater = new Map<string, AngoffPanellist>();
  for (const r of rows) {
    if (!ratable.has(r.itemId)) continue;
    const p = byRater.get(r.raterId) ?? { raterId: r.raterId, name: r.name, rated: 0, meanPercent: 0 };
    p.meanPercent = (p.meanPercent * p.rated + r.probability * 100) / (p.rated + 1);
    p.rated++;
    byRater.set(r.raterId, p);
  }
  const result = angoffCut(itemIds, ratings);
  return {
    ratings,
    panellists: [...byRater.values()].sort(
      (a, b) => a.name.localeCompare(b.name) || a.raterId.localeCompare(b.raterId),
    ),
    cut: result.ok ? result.cut : null,
    pending: result.ok ? null : result.message,
    passPercent: exam.passPercent,
  };
}

/** Sets the exam's pass mark to the panel's cut (stored with the exam; the ratings stay stored). */
export async function applyAngoffCut(
  db: Db,
  actorId: string,
  examId: string,
  meta: RequestMeta,
  now = Date.now(),
): Promise<{ ok: true; passPercent: number } | Refusal> {
  const panel = await getAngoffPanel(db, examId);
  if (!panel) return refuse('NOT_FOUND', 'That exam does not exist.');
  if (!panel.cut) return refuse('BAD_REQUEST', panel.pending ?? 'The panel has not set a cut yet.');
  const passPercent = Math.round(panel.cut.cutPercent * 10) / 10;
  await db.transaction(async (tx) => {
    await tx.update(exams).set({ passPercent, updatedAt: now }).where(eq(exams.id, examId));
    await writeAudit(
      tx,
      {
        actorId,
        action: 'exam.angoff-cut-set',
        subjectId: examId,
        ipAddress: meta.ipAddress,
        details: { passPercent, raters: panel.cut?.raters },
      },
      now,
    );
  });
  return { ok: true, passPercent };
}

/** Answers in flight at the deadline are still accepted for this long (exam-attempts.ts enforces it). */
export const DEADLINE_GRACE_MS = 5_000;

/**
 * Extra time for a candidate at an exam (WCAG 2.2.1 Timing Adjustable): their future attempts get it, and
 * an attempt of theirs still running is lengthened to it at once (never shortened: taking time back
 * applies to later attempts only). `extendedAttempt` says whether a running attempt got more time.
 */
export async function grantExtraTime(
  db: Db,
  examinerId: string,
  examId: string,
  candidateId: string,
  extraMinutes: number,
  meta: RequestMeta,
  now = Date.now(),
): Promise<{ ok: true; extendedAttempt: boolean } | Refusal> {
  if (candidateId === examinerId) return refuse('FORBIDDEN', 'Another examiner must grant you extra time.');
  return db.transaction(async (tx) => {
    const [exam] = await tx.select({ id: exams.id }).from(exams).where(eq(exams.id, examId));
    if (!exam) return refuse('NOT_FOUND', 'That exam does not exist.');
    const extraTimeMs = extraMinutes * 60_000;
    const [running] = await tx
      .select()
      .from(examAttempts)
      .where(
        and(
          eq(examAttempts.examId, examId),
          eq(examAttempts.candidateId, candidateId),
          isNull(examAttempts.submittedAt),
          isNull(examAttempts.voidedAt),
          gte(examAttempts.deadlineAt, now - DEADLINE_GRACE_MS),
        ),
      );
    const extendedAttempt = running !== undefined && extraTimeMs > running.extraTimeMs;
    if (running && extendedAttempt) {
      await tx
        .update(examAttempts)
        .set({ extraTimeMs, deadlineAt: running.deadlineAt - running.extraTimeMs + extraTimeMs })
        .where(and(eq(examAttempts.id, running.id), isNull(examAttempts.submittedAt)));
    }
    await tx
      .insert(examAccommodations)
      .values({ examId, candidateId, extraTimeMs, grantedBy: examinerId, grantedAt: now })
      .onConflictDoUpdate({
        target: [examAccommodations.examId, examAccommodations.candidateId],
        set: { extraTimeMs, grantedBy: examinerId, grantedAt: now },
      });
    await writeAudit(
      tx,
      {
        actorId: examinerId,
        action: 'exam.extra-time-granted',
        subjectId: candidateId,
        ipAddress: meta.ipAddress,
        details: { examId, extraMinutes, extendedAttempt: extendedAttempt ? running?.id : null },
      },
      now,
    );
    return { ok: true as const, extendedAttempt };
  });
}

/** The candidates with extra time at an exam, by name. */
export async function listAccommodations(
  db: Db,
  examId: string,
): Promise<{ candidateId: string; name: string; email: string; extraMinutes: number; grantedAt: number }[]> {
  const rows = await db
    .select({
      candidateId: examAccommodations.candidateId,
      name: users.name,
      email: users.email,
      extraTimeMs: examAccommodations.extraTimeMs,
      grantedAt: examAccommodations.grantedAt,
    })
    .from(examAccommodations)
    .innerJoin(users, eq(users.id, examAccommodations.candidateId))
    .where(eq(examAccommodations.examId, examId))
    .orderBy(asc(users.name));
  return rows.map(({ extraTimeMs, ...r }) => ({ ...r, extraMinutes: Math.round(extraTimeMs / 60_000) }));
}

/** The account of a candidate named by email (examiners grant extra time by email), or null. */
export async function findCandidateByEmail(db: Db, email: string): Promise<string | null> {
  const [row] = await db.select({ id: users.id }).from(users).where(eq(users.email, email.trim().toLowerCase()));
  return row?.id ?? null;
}

/**
 * The exam's result-release policy: at once, or after an examiner's review (then each result waits for
 * exam-attempts.releaseResults). Audited.
 */
export async function setReleasePolicy(
  db: Db,
  actorId: string,
  examId: string,
  release: ExamRow['release'],
  meta: RequestMeta,
  now = Date.now(),
): Promise<{ ok: true } | Refusal> {
  return db.transaction(async (tx) => {
    const [exam] = await tx.select({ release: exams.release }).from(exams).where(eq(exams.id, examId));
    if (!exam) return refuse('NOT_FOUND', 'That exam does not exist.');
    if (exam.release === release) return { ok: true as const };
    await tx.update(exams).set({ release, updatedAt: now }).where(eq(exams.id, examId));
    await writeAudit(
      tx,
      {
        actorId,
        action: 'exam.release-policy-set',
        subjectId: examId,
        ipAddress: meta.ipAddress,
        details: { release },
      },
      now,
    );
    return { ok: true as const };
  });
}

export interface StoredStatistics extends ExamStatistics {
  /** Item version id → item id and ref, for the table and the flags. */
  itemRefs: Record<string, { itemId: string; ref: string; version: number }>;
  computedAt: number;
}

/**
 * Recomputes an exam's statistics from graded, non-voided first attempts, stores them and puts every flagged
 * version not already in the queue into it. Items are item versions (two versions of an item are two
 * items); each is analysed over the attempts whose draw included it (statistics.ts).
 */
export async function recomputeStatistics(db: Db, examId: string, now = Date.now()): Promise<StoredStatistics | null> {
  const [exam] = await db.select({ id: exams.id }).from(exams).where(eq(exams.id, examId));
  if (!exam) return null;
  const attempts = await db
    .select({ id: examAttempts.id, itemVersionIdsJson: examAttempts.itemVersionIdsJson })
    .from(examAttempts)
    .where(
      and(
        eq(examAttempts.examId, examId),
        eq(examAttempts.attemptNumber, 1),
        isNotNull(examAttempts.score),
        isNull(examAttempts.voidedAt),
      ),
    )
    .orderBy(asc(examAttempts.startedAt));
  const drawn = new Map<string, Set<string>>();
  for (const a of attempts) drawn.set(a.id, new Set(JSON.parse(a.itemVersionIdsJson) as string[]));
  const versionIds = [...new Set([...drawn.values()].flatMap((set) => [...set]))].sort();
  const versions = versionIds.length
    ? await db
        .select({
          id: examItemVersions.id,
          itemId: examItemVersions.itemId,
          version: examItemVersions.version,
          bodyJson: examItemVersions.bodyJson,
          ref: examItems.ref,
        })
        .from(examItemVersions)
        .innerJoin(examItems, eq(examItems.id, examItemVersions.itemId))
        .where(inArray(examItemVersions.id, versionIds))
    : [];
  const answers = attempts.length
    ? await db
        .select()
        .from(examAnswers)
        .where(
          inArray(
            examAnswers.attemptId,
            attempts.map((a) => a.id),
          ),
        )
    : [];
  const byKey = new Map(answers.map((a) => [`${a.attemptId}:${a.itemVersionId}`, a]));
  const responses: ItemResponsesDef[] = versions
    .sort((a, b) => (a.ref < b.ref ? -1 : 1))
    .map((v) => {
      const body = parseBody(v.bodyJson);
      const options = 'options' in body ? body.options.map((o) => o.id) : [];
      const keyed = 'options' in body ? body.key : [];
      const rows = attempts.map((a) => byKey.get(`${a.id}:${v.id}`));
      return {
        itemId: v.id,
        scores: attempts.map((a, c) => (drawn.get(a.id)?.has(v.id) ? (rows[c]?.score ?? 0) : null)),
        options,
        keyed,
        choices: rows.map((r) =>
          options.length ? chosenOptions(r?.answerJson ? (JSON.parse(r.answerJson) as Answer) : null) : [],
        ),
      };
    });
  const stats = computeExamStatistics(responses);
  const stored: StoredStatistics = {
    ...stats,
    itemRefs: Object.fromEntries(versions.map((v) => [v.id, { itemId: v.itemId, ref: v.ref, version: v.version }])),
    computedAt: now,
  };
  await db.transaction(async (tx) => {
    await tx
      .insert(examStatistics)
      .values({ examId, statisticsJson: JSON.stringify(stored), computedAt: now })
      .onConflictDoUpdate({
        target: examStatistics.examId,
        set: { statisticsJson: JSON.stringify(stored), computedAt: now },
      });
    for (const item of stats.items) {
      if (item.flags.length === 0) continue;
      const ref = stored.itemRefs[item.itemId];
      if (!ref) continue;
      await tx
        .insert(examItemFlags)
        .values({
          id: newId(),
          examId,
          itemId: ref.itemId,
          versionId: item.itemId,
          reasonsJson: JSON.stringify(item.flags),
          createdAt: now,
        })
        .onConflictDoNothing();
    }
  });
  return stored;
}

export async function getStatistics(db: Db, examId: string): Promise<StoredStatistics | null> {
  const [row] = await db.select().from(examStatistics).where(eq(examStatistics.examId, examId));
  return row ? (JSON.parse(row.statisticsJson) as StoredStatistics) : null;
}

export interface FlagEntry {
  id: string;
  examId: string;
  itemId: string;
  ref: string;
  versionId: string;
  reasons: string[];
  createdAt: number;
}

/**
 * An examiner looked at a flagged item and keeps it as it is (the statistics' reasons noted): the flag leaves
 * the queue as "kept". Audited. Revising (a new version) or retiring the item resolves its flags too.
 */
export async function keepFlaggedItem(
  db: Db,
  actorId: string,
  flagId: string,
  meta: RequestMeta,
  now = Date.now(),
): Promise<{ ok: true } | Refusal> {
  return db.transaction(async (tx) => {
    const [flag] = await tx.select().from(examItemFlags).where(eq(examItemFlags.id, flagId));
    if (!flag) return refuse('NOT_FOUND', 'That flag does not exist.');
    const resolved = await tx
      .update(examItemFlags)
      .set({ resolvedAt: now, resolvedBy: actorId, resolution: 'kept' })
      .where(and(eq(examItemFlags.id, flagId), isNull(examItemFlags.resolvedAt)))
      .returning({ id: examItemFlags.id });
    if (resolved.length !== 1)
      return refuse('CONFLICT', `This flag was already resolved (${flag.resolution ?? 'by someone else'}).`);
    await writeAudit(
      tx,
      {
        actorId,
        action: 'exam.flag-kept',
        subjectId: flag.itemId,
        ipAddress: meta.ipAddress,
        details: { examId: flag.examId, versionId: flag.versionId },
      },
      now,
    );
    return { ok: true as const };
  });
}

/** The review queue: open flags, oldest first. */
export async function listOpenFlags(db: Db): Promise<FlagEntry[]> {
  const rows = await db
    .select({
      id: examItemFlags.id,
      examId: examItemFlags.examId,
      itemId: examItemFlags.itemId,
      ref: examItems.ref,
      versionId: examItemFlags.versionId,
      reasonsJson: examItemFlags.reasonsJson,
      createdAt: examItemFlags.createdAt,
    })
    .from(examItemFlags)
    .innerJoin(examItems, eq(examItems.id, examItemFlags.itemId))
    .where(isNull(examItemFlags.resolvedAt))
    .orderBy(asc(examItemFlags.createdAt));
  return rows.map(({ reasonsJson, ...r }) => ({ ...r, reasons: JSON.parse(reasonsJson) as string[] }));
}

/** Recomputes every published exam's statistics (the scheduled job). */
export async function recomputeAllStatistics(db: Db, now = Date.now()): Promise<number> {
  const rows = await db.select({ id: exams.id }).from(exams).where(eq(exams.status, 'published'));
  for (const row of rows) await recomputeStatistics(db, row.id, now);
  return rows.length;
}
