import { index, integer, primaryKey, real, sqliteTable, text, uniqueIndex } from 'drizzle-orm/sqlite-core';
import { users } from './accounts.ts';

/** Timestamps are integers: milliseconds since the Unix epoch, UTC. */

export const DOCUMENT_KINDS = ['chapter', 'module'] as const;
export type DocumentKind = (typeof DOCUMENT_KINDS)[number];

export const REVISION_STATUSES = ['draft', 'in-review', 'changes-requested', 'approved', 'published'] as const;
export type RevisionStatus = (typeof REVISION_STATUSES)[number];

/** Curriculum levels (Level 1 Practitioner, …); imported from content/curriculum/levels.json. */
export const curriculumLevels = sqliteTable('curriculum_levels', {
  level: integer('level').primaryKey(),
  slug: text('slug').notNull(),
  title: text('title').notNull(),
  summary: text('summary').notNull(),
});

/**
 * A handbook chapter or a curriculum module. Its text lives in revisions; the document points at the
 * revision readers see. The slug is stable (links and reading progress refer to it).
 */
export const handbookDocuments = sqliteTable(
  'handbook_documents',
  {
    id: text('id').primaryKey(),
    kind: text('kind', { enum: DOCUMENT_KINDS }).notNull(),
    slug: text('slug').notNull(),
    /** The revision readers see; null until the first publication. Not a foreign key (cycle). */
    publishedRevisionId: text('published_revision_id'),
    createdAt: integer('created_at').notNull(),
  },
  (t) => [uniqueIndex('handbook_documents_slug_unique').on(t.kind, t.slug)],
);

/**
 * Every saved version of a document. Append-only for its content: triggers in the migration refuse changes
 * to the body, front matter, number and document, and refuse deletes. Only the workflow columns (status,
 * review, publication) change.
 */
export const handbookRevisions = sqliteTable(
  'handbook_revisions',
  {
    id: text('id').primaryKey(),
    documentId: text('document_id')
      .notNull()
      .references(() => handbookDocuments.id),
    /** 1, 2, 3, … per document. */
    revision: integer('revision').notNull(),
    /** The revision the author started from; a save whose base is not the latest is a conflict. */
    baseRevision: integer('base_revision'),
    bodyMarkdown: text('body_markdown').notNull(),
    /** JSON object: title, summary, part, order, objectives, quiz, … (validated by the service). */
    frontMatter: text('front_matter').notNull(),
    /** Null for the imported first edition (written by the system). */
    authorId: text('author_id').references(() => users.id),
    status: text('status', { enum: REVISION_STATUSES }).notNull(),
    changeNote: text('change_note').notNull().default(''),
    reviewerId: text('reviewer_id').references(() => users.id),
    reviewComment: text('review_comment'),
    publishedBy: text('published_by').references(() => users.id),
    createdAt: integer('created_at').notNull(),
    submittedAt: integer('submitted_at'),
    reviewedAt: integer('reviewed_at'),
    publishedAt: integer('published_at'),
  },
  (t) => [
    uniqueIndex('handbook_revisions_number_unique').on(t.documentId, t.revision),
    index('handbook_revisions_status_idx').on(t.status),
  ],
);

/**
 * An educator's working text of a document, saved automatically while they type (one row per educator and
 * document, replaced on each autosave). Not a revision: revisions are append-only history, and an autosave
 * every few seconds would flood it. Saving a draft (a revision) deletes the row. The text is kept as typed,
 * even when its front matter does not parse yet.
 */
export const handbookAutosaves = sqliteTable(
  'handbook_autosaves',
  {
    documentId: text('document_id')
      .notNull()
      .references(() => handbookDocuments.id),
    userId: text('user_id')
      .notNull()
      .references(() => users.id, { onDelete: 'cascade' }),
    /** The revision the text was written on; an autosave on an older base than the newest is refused. */
    baseRevision: integer('base_revision').notNull(),
    source: text('source').notNull(),
    savedAt: integer('saved_at').notNull(),
  },
  (t) => [primaryKey({ columns: [t.documentId, t.userId] })],
);

/** A member's "I have read this chapter". */
export const readingProgress = sqliteTable(
  'reading_progress',
  {
    userId: text('user_id')
      .notNull()
      .references(() => users.id, { onDelete: 'cascade' }),
    documentId: text('document_id')
      .notNull()
      .references(() => handbookDocuments.id),
    completedAt: integer('completed_at').notNull(),
  },
  (t) => [primaryKey({ columns: [t.userId, t.documentId] })],
);

/** One graded submission of a module's self-check quiz. */
export const quizAttempts = sqliteTable(
  'quiz_attempts',
  {
    id: text('id').primaryKey(),
    userId: text('user_id')
      .notNull()
      .references(() => users.id, { onDelete: 'cascade' }),
    documentId: text('document_id')
      .notNull()
      .references(() => handbookDocuments.id),
    /** The module revision whose questions were answered. */
    revision: integer('revision').notNull(),
    /** JSON: { [questionId]: optionId[] } */
    answers: text('answers').notNull(),
    correctCount: integer('correct_count').notNull(),
    questionCount: integer('question_count').notNull(),
    passed: integer('passed', { mode: 'boolean' }).notNull(),
    createdAt: integer('created_at').notNull(),
  },
  (t) => [index('quiz_attempts_user_idx').on(t.userId, t.documentId)],
);

/**
 * The questions one member was given for one attempt at a module's quiz, drawn on the server from the
 * module's pool. A submission is scored against its draw, never against questions the client names; a draw
 * is used once (submittedAt).
 */
export const quizDraws = sqliteTable(
  'quiz_draws',
  {
    id: text('id').primaryKey(),
    userId: text('user_id')
      .notNull()
      .references(() => users.id, { onDelete: 'cascade' }),
    documentId: text('document_id')
      .notNull()
      .references(() => handbookDocuments.id),
    /** The module revision whose pool the questions were drawn from. */
    revision: integer('revision').notNull(),
    /** JSON: string[], the question ids in the order shown. */
    questionIds: text('question_ids').notNull(),
    createdAt: integer('created_at').notNull(),
    submittedAt: integer('submitted_at'),
  },
  (t) => [index('quiz_draws_user_idx').on(t.userId, t.documentId)],
);

export const moduleCompletions = sqliteTable(
  'module_completions',
  {
    userId: text('user_id')
      .notNull()
      .references(() => users.id, { onDelete: 'cascade' }),
    documentId: text('document_id')
      .notNull()
      .references(() => handbookDocuments.id),
    level: integer('level').notNull(),
    cpdCredits: real('cpd_credits').notNull(),
    completedAt: integer('completed_at').notNull(),
  },
  (t) => [primaryKey({ columns: [t.userId, t.documentId] })],
);

/**
 * A level's certificate of completion, issued once per member and level when every module is complete. Its
 * number is what the PDF prints and its QR code links to (/verify/<number>); random, so numbers cannot be
 * enumerated, and shaped so that the certification ledger can adopt it as a credential number later.
 */
export const levelCertificates = sqliteTable(
  'level_certificates',
  {
    number: text('number').primaryKey(),
    userId: text('user_id')
      .notNull()
      .references(() => users.id, { onDelete: 'cascade' }),
    level: integer('level').notNull(),
    /** When the last module of the level was completed (the date the certificate states). */
    completedAt: integer('completed_at').notNull(),
    issuedAt: integer('issued_at').notNull(),
  },
  (t) => [uniqueIndex('level_certificates_user_level').on(t.userId, t.level)],
);

export const CPD_STATUSES = ['pending', 'approved', 'rejected'] as const;
export type CpdStatus = (typeof CPD_STATUSES)[number];

/** A member's CPD log: completed modules (approved on entry) and external activities (an educator approves). */
export const cpdActivities = sqliteTable(
  'cpd_activities',
  {
    id: text('id').primaryKey(),
    userId: text('user_id')
      .notNull()
      .references(() => users.id, { onDelete: 'cascade' }),
    source: text('source', { enum: ['module', 'external'] }).notNull(),
    /** Set for module credits: one entry per completed module. */
    documentId: text('document_id').references(() => handbookDocuments.id),
    title: text('title').notNull(),
    /** ISO date (YYYY-MM-DD) of the activity. */
    activityDate: text('activity_date').notNull(),
    credits: real('credits').notNull(),
    evidenceText: text('evidence_text').notNull().default(''),
    evidenceUrl: text('evidence_url'),
    status: text('status', { enum: CPD_STATUSES }).notNull(),
    reviewedBy: text('reviewed_by').references(() => users.id),
    reviewComment: text('review_comment'),
    reviewedAt: integer('reviewed_at'),
    createdAt: integer('created_at').notNull(),
  },
  (t) => [
    index('cpd_activities_user_idx').on(t.userId),
    index('cpd_activities_status_idx').on(t.status),
    uniqueIndex('cpd_activities_module_unique').on(t.userId, t.documentId),
  ],
);
