import { index, integer, primaryKey, real, sqliteTable, text, uniqueIndex } from 'drizzle-orm/sqlite-core';
import { users } from './accounts.ts';

/** Timestamps are integers: milliseconds since the Unix epoch, UTC. JSON columns hold validated values. */

export const ITEM_STATUSES = ['draft', 'review', 'live', 'retired'] as const;
export type ItemStatus = (typeof ITEM_STATUSES)[number];
export const EXAM_STATUSES = ['draft', 'published', 'closed'] as const;
export type ExamStatus = (typeof EXAM_STATUSES)[number];
/**
 * What a form is for: an `exam` candidates start from /exams, or a credential's yearly `knowledge-check`,
 * started only from the holder's credentials page (once per credential year) and never listed at /exams.
 */
export const EXAM_PURPOSES = ['exam', 'knowledge-check'] as const;
export type ExamPurpose = (typeof EXAM_PURPOSES)[number];

/**
 * An item of a bank: its identity and lifecycle. What is asked and keyed lives in its versions;
 * `currentVersionId` is the version a new draw delivers.
 */
export const examItems = sqliteTable(
  'exam_items',
  {
    id: text('id').primaryKey(),
    /** Stable reference (the import/export key), unique across banks. */
    ref: text('ref').notNull(),
    bank: text('bank').notNull(),
    status: text('status', { enum: ITEM_STATUSES }).notNull(),
    currentVersionId: text('current_version_id'),
    /** Null: the IECPA exam committee (items imported from content/). */
    authorId: text('author_id').references(() => users.id),
    createdAt: integer('created_at').notNull(),
    updatedAt: integer('updated_at').notNull(),
  },
  (t) => [uniqueIndex('exam_items_ref_unique').on(t.ref), index('exam_items_bank_status_idx').on(t.bank, t.status)],
);

/**
 * One version of an item. Once delivered in an attempt (`deliveredAt` set) it is never changed: an edit
 * makes the next version, and attempts keep scoring against the version they drew.
 */
export const examItemVersions = sqliteTable(
  'exam_item_versions',
  {
    id: text('id').primaryKey(),
    itemId: text('item_id')
      .notNull()
      .references(() => examItems.id, { onDelete: 'cascade' }),
    version: integer('version').notNull(),
    type: text('type').notNull(),
    category: text('category').notNull(),
    difficulty: text('difficulty').notNull(),
    language: text('language').notNull(),
    /** The item as authored (item-format.ts ItemSource), for export and editing. */
    sourceJson: text('source_json').notNull(),
    /** What is delivered and graded (stem, options, key, rationale, references, frame SVG): ItemBody. */
    bodyJson: text('body_json').notNull(),
    /** SHA-256 of the canonical source: an import with the same hash changes nothing. */
    contentHash: text('content_hash').notNull(),
    /** Null: the IECPA exam committee (items imported from content/). */
    authorId: text('author_id').references(() => users.id),
    createdAt: integer('created_at').notNull(),
    deliveredAt: integer('delivered_at'),
  },
  (t) => [uniqueIndex('exam_item_versions_unique').on(t.itemId, t.version)],
);

/** A second examiner's review of a version (never by its author). */
export const examItemReviews = sqliteTable(
  'exam_item_reviews',
  {
    id: text('id').primaryKey(),
    itemId: text('item_id')
      .notNull()
      .references(() => examItems.id, { onDelete: 'cascade' }),
    versionId: text('version_id')
      .notNull()
      .references(() => examItemVersions.id),
    /** Null: the IECPA exam committee (items imported from content/). */
    reviewerId: text('reviewer_id').references(() => users.id),
    decision: text('decision', { enum: ['approve', 'reject'] }).notNull(),
    comment: text('comment').notNull(),
    createdAt: integer('created_at').notNull(),
  },
  (t) => [index('exam_item_reviews_item_idx').on(t.itemId)],
);

/** An exam form: its blueprint, timing, attempts policy and pass mark. */
export const exams = sqliteTable(
  'exams',
  {
    id: text('id').primaryKey(),
    slug: text('slug').notNull(),
    title: text('title').notNull(),
    bank: text('bank').notNull(),
    practice: integer('practice', { mode: 'boolean' }).notNull(),
    purpose: text('purpose', { enum: EXAM_PURPOSES }).notNull().default('exam'),
    timeLimitMs: integer('time_limit_ms').notNull(),
    /** Null: unlimited attempts. */
    attemptsAllowed: integer('attempts_allowed'),
    cooldownMs: integer('cooldown_ms').notNull(),
    passMethod: text('pass_method', { enum: ['fixed', 'angoff'] }).notNull(),
    /** The fixed pass mark, or the Angoff cut once the panel has set it; null until then. */
    passPercent: real('pass_percent'),
    release: text('release', { enum: ['immediate', 'after-review'] }).notNull(),
    /** BlueprintRow[] (draw.ts). */
    blueprintJson: text('blueprint_json').notNull(),
    opensAt: integer('opens_at').notNull(),
    closesAt: integer('closes_at'),
    status: text('status', { enum: EXAM_STATUSES }).notNull(),
    /** Null: the IECPA exam committee (exams imported from content/). */
    createdBy: text('created_by').references(() => users.id),
    createdAt: integer('created_at').notNull(),
    updatedAt: integer('updated_at').notNull(),
  },
  (t) => [uniqueIndex('exams_slug_unique').on(t.slug)],
);

/** One panellist's modified-Angoff estimate for one item of an exam (angoff.ts). */
export const examAngoffRatings = sqliteTable(
  'exam_angoff_ratings',
  {
    examId: text('exam_id')
      .notNull()
      .references(() => exams.id, { onDelete: 'cascade' }),
    itemId: text('item_id')
      .notNull()
      .references(() => examItems.id, { onDelete: 'cascade' }),
    raterId: text('rater_id')
      .notNull()
      .references(() => users.id),
    probability: real('probability').notNull(),
    ratedAt: integer('rated_at').notNull(),
  },
  (t) => [primaryKey({ columns: [t.examId, t.itemId, t.raterId] })],
);

/** Extra time an examiner granted a candidate for an exam (WCAG 2.2.1), applied to attempts started after. */
export const examAccommodations = sqliteTable(
  'exam_accommodations',
  {
    examId: text('exam_id')
      .notNull()
      .references(() => exams.id, { onDelete: 'cascade' }),
    candidateId: text('candidate_id')
      .notNull()
      .references(() => users.id, { onDelete: 'cascade' }),
    extraTimeMs: integer('extra_time_ms').notNull(),
    grantedBy: text('granted_by')
      .notNull()
      .references(() => users.id),
    grantedAt: integer('granted_at').notNull(),
  },
  (t) => [primaryKey({ columns: [t.examId, t.candidateId] })],
);

/** One candidate's attempt: the draw, the clock and, once submitted, the server's grade. */
export const examAttempts = sqliteTable(
  'exam_attempts',
  {
    id: text('id').primaryKey(),
    examId: text('exam_id')
      .notNull()
      .references(() => exams.id, { onDelete: 'cascade' }),
    candidateId: text('candidate_id')
      .notNull()
      .references(() => users.id, { onDelete: 'cascade' }),
    /** 1 for the candidate's first attempt at this exam (statistics use first attempts). */
    attemptNumber: integer('attempt_number').notNull(),
    seed: integer('seed').notNull(),
    /** The drawn item version ids, in delivery order. */
    itemVersionIdsJson: text('item_version_ids_json').notNull(),
    startedAt: integer('started_at').notNull(),
    /** Start + time limit + extra time; answers are accepted until this plus a few seconds' grace. */
    deadlineAt: integer('deadline_at').notNull(),
    extraTimeMs: integer('extra_time_ms').notNull(),
    submittedAt: integer('submitted_at'),
    submittedBy: text('submitted_by', { enum: ['candidate', 'deadline'] }),
    voidedAt: integer('voided_at'),
    voidReason: text('void_reason'),
    /** Sum of item scores (each 0..1) and the number of items. */
    score: real('score'),
    maxScore: integer('max_score'),
    percent: real('percent'),
    passed: integer('passed', { mode: 'boolean' }),
    /** The pass mark applied, frozen at grading. */
    passPercent: real('pass_percent'),
    /** { category, score, max }[] */
    subscoresJson: text('subscores_json'),
    /** When an examiner released the result of an exam whose results wait for review (null: not yet). */
    releasedAt: integer('released_at'),
    releasedBy: text('released_by').references(() => users.id),
  },
  (t) => [
    index('exam_attempts_candidate_idx').on(t.candidateId, t.examId),
    index('exam_attempts_exam_idx').on(t.examId, t.startedAt),
    index('exam_attempts_open_idx').on(t.submittedAt, t.deadlineAt),
  ],
);

/** A candidate's answer to one drawn item: one row, overwritten on each save. `score` is set at grading. */
export const examAnswers = sqliteTable(
  'exam_answers',
  {
    attemptId: text('attempt_id')
      .notNull()
      .references(() => examAttempts.id, { onDelete: 'cascade' }),
    itemVersionId: text('item_version_id')
      .notNull()
      .references(() => examItemVersions.id),
    /** grading.ts Answer, or null when only flagged. */
    answerJson: text('answer_json'),
    flagged: integer('flagged', { mode: 'boolean' }).notNull().default(false),
    savedAt: integer('saved_at').notNull(),
    score: real('score'),
  },
  (t) => [primaryKey({ columns: [t.attemptId, t.itemVersionId] })],
);

/** The last computed statistics of an exam form (statistics.ts ExamStatistics with version ids). */
export const examStatistics = sqliteTable('exam_statistics', {
  examId: text('exam_id')
    .primaryKey()
    .references(() => exams.id, { onDelete: 'cascade' }),
  statisticsJson: text('statistics_json').notNull(),
  computedAt: integer('computed_at').notNull(),
});

/** The review queue: an item version the statistics flagged, with the reasons, until an examiner acts. */
export const examItemFlags = sqliteTable(
  'exam_item_flags',
  {
    id: text('id').primaryKey(),
    examId: text('exam_id')
      .notNull()
      .references(() => exams.id, { onDelete: 'cascade' }),
    itemId: text('item_id')
      .notNull()
      .references(() => examItems.id, { onDelete: 'cascade' }),
    versionId: text('version_id')
      .notNull()
      .references(() => examItemVersions.id),
    /** statistics.ts FlagReason[] */
    reasonsJson: text('reasons_json').notNull(),
    createdAt: integer('created_at').notNull(),
    resolvedAt: integer('resolved_at'),
    resolvedBy: text('resolved_by').references(() => users.id),
    resolution: text('resolution', { enum: ['revised', 'retired', 'kept'] }),
  },
  (t) => [uniqueIndex('exam_item_flags_open_unique').on(t.examId, t.versionId)],
);
