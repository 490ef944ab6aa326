import { index, integer, sqliteTable, text, uniqueIndex } from 'drizzle-orm/sqlite-core';
import { users } from './accounts.ts';

/**
 * The IECPA journal (issue 17): submissions and their double-anonymous review, published articles with
 * DOIs, notices, optional issues, and translations. Timestamps are epoch milliseconds (UTC); JSON columns
 * hold zod-validated values (src/server/services/journal-schemas.ts).
 */

export const JOURNAL_ARTICLE_TYPES = [
  'original-research',
  'case-series',
  'review',
  'short-communication',
  'letter',
  'translation',
] as const;
export type JournalArticleType = (typeof JOURNAL_ARTICLE_TYPES)[number];

export const SUBMISSION_STATUSES = [
  'draft',
  'submitted',
  'in-review',
  'revisions-requested',
  'accepted',
  'production',
  'published',
  'declined',
  'withdrawn',
] as const;
export type SubmissionStatus = (typeof SUBMISSION_STATUSES)[number];

/** Editors of the journal; `chief` marks the editor-in-chief (the `editor` role is still required). */
export const journalEditors = sqliteTable('journal_editors', {
  userId: text('user_id')
    .primaryKey()
    .references(() => users.id, { onDelete: 'cascade' }),
  chief: integer('chief', { mode: 'boolean' }).notNull(),
  updatedAt: integer('updated_at').notNull(),
});

export const journalSubmissions = sqliteTable(
  'journal_submissions',
  {
    id: text('id').primaryKey(),
    submitterId: text('submitter_id')
      .notNull()
      .references(() => users.id),
    status: text('status', { enum: SUBMISSION_STATUSES }).notNull(),
    type: text('type', { enum: JOURNAL_ARTICLE_TYPES }).notNull(),
    title: text('title').notNull(),
    /** JSON {background, methods, results, conclusions}. */
    abstractJson: text('abstract_json').notNull(),
    /** JSON string[]. */
    keywordsJson: text('keywords_json').notNull(),
    /** BCP 47 code of the manuscript's language (en, zh, ru, or another). */
    language: text('language').notNull(),
    coverLetter: text('cover_letter').notNull(),
    competingInterests: text('competing_interests').notNull(),
    /** Ties to device manufacturers (payments, equipment, employment, shares); "None" when none. */
    deviceManufacturerTies: text('device_manufacturer_ties').notNull(),
    funding: text('funding').notNull(),
    ethicsApproval: text('ethics_approval').notNull(),
    consent: text('consent').notNull(),
    registration: text('registration').notNull(),
    dataAvailability: text('data_availability').notNull(),
    /** The editor handling it (never one of its authors). */
    handlingEditorId: text('handling_editor_id').references(() => users.id),
    /** Current review round (0 before review). */
    round: integer('round').notNull(),
    /** Production text (Markdown) and references (JSON string[]), set by the editor in production. */
    bodyMarkdown: text('body_markdown').notNull(),
    referencesJson: text('references_json').notNull(),
    createdAt: integer('created_at').notNull(),
    updatedAt: integer('updated_at').notNull(),
    submittedAt: integer('submitted_at'),
    revisedAt: integer('revised_at'),
    acceptedAt: integer('accepted_at'),
    decidedAt: integer('decided_at'),
  },
  (t) => [
    index('journal_submissions_submitter_idx').on(t.submitterId, t.createdAt),
    index('journal_submissions_status_idx').on(t.status, t.submittedAt),
  ],
);

/** Authors in order. `userId` is the account with the author's email, when there is one (conflict checks). */
export const journalSubmissionAuthors = sqliteTable(
  'journal_submission_authors',
  {
    id: text('id').primaryKey(),
    submissionId: text('submission_id')
      .notNull()
      .references(() => journalSubmissions.id, { onDelete: 'cascade' }),
    position: integer('position').notNull(),
    givenNames: text('given_names').notNull(),
    surname: text('surname').notNull(),
    email: text('email').notNull(),
    orcid: text('orcid').notNull(),
    affiliation: text('affiliation').notNull(),
    country: text('country').notNull(),
    corresponding: integer('corresponding', { mode: 'boolean' }).notNull(),
  },
  (t) => [index('journal_submission_authors_sub_idx').on(t.submissionId, t.position)],
);

export const JOURNAL_FILE_KINDS = [
  'manuscript',
  'anonymised',
  'figure',
  'supplementary',
  'review-annotation',
  'article-pdf',
] as const;
export type JournalFileKind = (typeof JOURNAL_FILE_KINDS)[number];

/** Files of a submission; stored in UPLOAD_DIR/journal-files under a random name. */
export const journalFiles = sqliteTable(
  'journal_files',
  {
    id: text('id').primaryKey(),
    submissionId: text('submission_id')
      .notNull()
      .references(() => journalSubmissions.id, { onDelete: 'cascade' }),
    kind: text('kind', { enum: JOURNAL_FILE_KINDS }).notNull(),
    /** Review round the file belongs to (0: initial submission; revisions carry their round). */
    round: integer('round').notNull(),
    storedName: text('stored_name').notNull(),
    originalName: text('original_name').notNull(),
    mimeType: text('mime_type').notNull(),
    sizeBytes: integer('size_bytes').notNull(),
    uploadedBy: text('uploaded_by')
      .notNull()
      .references(() => users.id),
    uploadedAt: integer('uploaded_at').notNull(),
  },
  (t) => [index('journal_files_sub_idx').on(t.submissionId, t.kind)],
);

/** The submission's history. `authorVisible` events are shown to the author (never with reviewer names). */
export const journalEvents = sqliteTable(
  'journal_events',
  {
    id: text('id').primaryKey(),
    submissionId: text('submission_id')
      .notNull()
      .references(() => journalSubmissions.id, { onDelete: 'cascade' }),
    at: integer('at').notNull(),
    actorId: text('actor_id').references(() => users.id),
    kind: text('kind').notNull(),
    message: text('message').notNull(),
    authorVisible: integer('author_visible', { mode: 'boolean' }).notNull(),
  },
  (t) => [index('journal_events_sub_idx').on(t.submissionId, t.at)],
);

export const REVIEW_STATUSES = ['invited', 'accepted', 'declined', 'submitted', 'cancelled'] as const;
export type ReviewStatus = (typeof REVIEW_STATUSES)[number];

export const RECOMMENDATIONS = ['accept', 'minor-revisions', 'major-revisions', 'resubmit', 'decline'] as const;
export type Recommendation = (typeof RECOMMENDATIONS)[number];

/** A reviewer's invitation for one round, and then their report. */
export const journalReviews = sqliteTable(
  'journal_reviews',
  {
    id: text('id').primaryKey(),
    submissionId: text('submission_id')
      .notNull()
      .references(() => journalSubmissions.id, { onDelete: 'cascade' }),
    round: integer('round').notNull(),
    reviewerId: text('reviewer_id')
      .notNull()
      .references(() => users.id),
    invitedBy: text('invited_by')
      .notNull()
      .references(() => users.id),
    status: text('status', { enum: REVIEW_STATUSES }).notNull(),
    invitedAt: integer('invited_at').notNull(),
    dueAt: integer('due_at').notNull(),
    respondedAt: integer('responded_at'),
    remindedAt: integer('reminded_at'),
    overdueAt: integer('overdue_at'),
    recommendation: text('recommendation', { enum: RECOMMENDATIONS }),
    commentsToAuthors: text('comments_to_authors').notNull(),
    commentsToEditor: text('comments_to_editor').notNull(),
    annotatedFileId: text('annotated_file_id'),
    /** When the editor shared the annotated file with the authors (with a decision); null: editor only. */
    annotationSharedAt: integer('annotation_shared_at'),
    submittedAt: integer('submitted_at'),
  },
  (t) => [
    index('journal_reviews_sub_idx').on(t.submissionId, t.round),
    index('journal_reviews_reviewer_idx').on(t.reviewerId, t.status),
    uniqueIndex('journal_reviews_one_per_round').on(t.submissionId, t.round, t.reviewerId),
  ],
);

export const DECISIONS = [
  'desk-decline',
  'send-to-review',
  'minor-revisions',
  'major-revisions',
  'resubmit',
  'decline',
  'accept',
] as const;
export type Decision = (typeof DECISIONS)[number];

export const journalDecisions = sqliteTable(
  'journal_decisions',
  {
    id: text('id').primaryKey(),
    submissionId: text('submission_id')
      .notNull()
      .references(() => journalSubmissions.id, { onDelete: 'cascade' }),
    round: integer('round').notNull(),
    editorId: text('editor_id')
      .notNull()
      .references(() => users.id),
    decision: text('decision', { enum: DECISIONS }).notNull(),
    /** The letter as mailed to the corresponding author. */
    letter: text('letter').notNull(),
    at: integer('at').notNull(),
  },
  (t) => [index('journal_decisions_sub_idx').on(t.submissionId, t.at)],
);

/** Optional issues; articles are published continuously and may be gathered into one later. */
export const journalIssues = sqliteTable(
  'journal_issues',
  {
    id: text('id').primaryKey(),
    volume: integer('volume').notNull(),
    number: integer('number').notNull(),
    year: integer('year').notNull(),
    coverText: text('cover_text').notNull(),
    createdAt: integer('created_at').notNull(),
    /** Null while the editors gather it; an issue is public (and shown on its articles) once published. */
    publishedAt: integer('published_at'),
  },
  (t) => [uniqueIndex('journal_issues_vol_num').on(t.volume, t.number)],
);

/**
 * A published article: what readers see, frozen at publication (authors as published, not as accounts).
 * Corrections and retractions are notices, never edits; `updatedAt` moves with them (OAI-PMH datestamp).
 */
export const journalArticles = sqliteTable(
  'journal_articles',
  {
    id: text('id').primaryKey(),
    submissionId: text('submission_id').references(() => journalSubmissions.id),
    /** Translation work that produced this article, when it is a translation. */
    translationId: text('translation_id'),
    doi: text('doi').notNull(),
    year: integer('year').notNull(),
    /** Sequence within the year: DOI `${prefix}/iecpa.<year>.<seq, 3 digits>`, article number e<year><seq>. */
    seq: integer('seq').notNull(),
    type: text('type', { enum: JOURNAL_ARTICLE_TYPES }).notNull(),
    title: text('title').notNull(),
    language: text('language').notNull(),
    abstractJson: text('abstract_json').notNull(),
    keywordsJson: text('keywords_json').notNull(),
    /** JSON ArticlePerson[] (src/lib/journal-metadata/types.ts). */
    authorsJson: text('authors_json').notNull(),
    translatorsJson: text('translators_json').notNull(),
    bodyMarkdown: text('body_markdown').notNull(),
    referencesJson: text('references_json').notNull(),
    competingInterests: text('competing_interests').notNull(),
    deviceManufacturerTies: text('device_manufacturer_ties').notNull(),
    funding: text('funding').notNull(),
    receivedAt: integer('received_at').notNull(),
    revisedAt: integer('revised_at'),
    acceptedAt: integer('accepted_at').notNull(),
    publishedAt: integer('published_at').notNull(),
    updatedAt: integer('updated_at').notNull(),
    pdfStoredName: text('pdf_stored_name'),
    issueId: text('issue_id').references(() => journalIssues.id),
    /** For a translation: the IECPA original (when it is one of ours). */
    translationOfArticleId: text('translation_of_article_id'),
    /** JSON {title, titleLanguage, abstract?, citation, doi?, url?, rights} for a translation. */
    originalJson: text('original_json'),
    retracted: integer('retracted', { mode: 'boolean' }).notNull(),
    licenceUrl: text('licence_url').notNull(),
  },
  (t) => [
    uniqueIndex('journal_articles_doi_unique').on(t.doi),
    uniqueIndex('journal_articles_year_seq').on(t.year, t.seq),
    index('journal_articles_published_idx').on(t.publishedAt),
    index('journal_articles_updated_idx').on(t.updatedAt, t.id),
  ],
);

export const NOTICE_KINDS = ['correction', 'retraction'] as const;

export const journalNotices = sqliteTable(
  'journal_notices',
  {
    id: text('id').primaryKey(),
    articleId: text('article_id')
      .notNull()
      .references(() => journalArticles.id),
    kind: text('kind', { enum: NOTICE_KINDS }).notNull(),
    text: text('text').notNull(),
    publishedAt: integer('published_at').notNull(),
    createdBy: text('created_by').references(() => users.id),
  },
  (t) => [index('journal_notices_article_idx').on(t.articleId, t.publishedAt)],
);

export const TRANSLATION_STATUSES = ['accepted', 'in-review', 'changes-requested', 'approved', 'published'] as const;
export type TranslationStatus = (typeof TRANSLATION_STATUSES)[number];

/**
 * A published article in another language accepted for translation into English: an IECPA article
 * (`sourceArticleId`) or one published elsewhere (its citation and the rights statement).
 */
export const journalTranslations = sqliteTable(
  'journal_translations',
  {
    id: text('id').primaryKey(),
    status: text('status', { enum: TRANSLATION_STATUSES }).notNull(),
    sourceArticleId: text('source_article_id').references(() => journalArticles.id),
    sourceLanguage: text('source_language').notNull(),
    originalTitle: text('original_title').notNull(),
    originalAbstract: text('original_abstract').notNull(),
    originalCitation: text('original_citation').notNull(),
    originalDoi: text('original_doi').notNull(),
    originalUrl: text('original_url').notNull(),
    rightsStatement: text('rights_statement').notNull(),
    /** Original authors (JSON ArticlePerson[]), credited on the translation. */
    authorsJson: text('authors_json').notNull(),
    translatorId: text('translator_id')
      .notNull()
      .references(() => users.id),
    reviewerId: text('reviewer_id')
      .notNull()
      .references(() => users.id),
    acceptedBy: text('accepted_by')
      .notNull()
      .references(() => users.id),
    title: text('title').notNull(),
    abstractJson: text('abstract_json').notNull(),
    keywordsJson: text('keywords_json').notNull(),
    bodyMarkdown: text('body_markdown').notNull(),
    reviewComments: text('review_comments').notNull(),
    articleId: text('article_id'),
    createdAt: integer('created_at').notNull(),
    updatedAt: integer('updated_at').notNull(),
  },
  (t) => [index('journal_translations_translator_idx').on(t.translatorId, t.status)],
);
