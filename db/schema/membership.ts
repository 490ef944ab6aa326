import { index, integer, primaryKey, sqliteTable, text, uniqueIndex } from 'drizzle-orm/sqlite-core';
import { users } from './accounts.ts';

/** Timestamps are integers: milliseconds since the Unix epoch, UTC. JSON columns hold zod-validated values. */

export const CATEGORY_TERMS = ['annual', 'lifetime'] as const;
export type CategoryTerm = (typeof CATEGORY_TERMS)[number];

/** Who may apply for a category: anyone signed in, or only people an admin invites (admin grants it). */
export const CATEGORY_APPLICANTS = ['anyone', 'by-invitation'] as const;
export type CategoryApplicants = (typeof CATEGORY_APPLICANTS)[number];

/**
 * A membership category (practitioner, founding, honorary, student, institutional), edited by admins.
 * The id is a stable slug; categories are archived, never deleted, because memberships refer to them.
 */
export const membershipCategories = sqliteTable('membership_categories', {
  id: text('id').primaryKey(),
  name: text('name').notNull(),
  description: text('description').notNull(),
  term: text('term', { enum: CATEGORY_TERMS }).notNull(),
  /** What the applicant must provide (shown on the form), e.g. "Copy of your professional licence". */
  evidenceRequired: text('evidence_required').notNull(),
  /** Documents an application must carry before it can be submitted (0: none needed). */
  minDocuments: integer('min_documents').notNull(),
  applicants: text('applicants', { enum: CATEGORY_APPLICANTS }).notNull(),
  /** JSON string[] of profession codes (src/lib/schemas.ts PROFESSIONS) allowed to apply; [] means any. */
  eligibleProfessionsJson: text('eligible_professions_json').notNull(),
  /** Archived categories take no new applications; existing memberships keep them. */
  archived: integer('archived', { mode: 'boolean' }).notNull(),
  sortOrder: integer('sort_order').notNull(),
  updatedAt: integer('updated_at').notNull(),
});

export const APPLICATION_STATUSES = [
  'draft',
  'submitted',
  'info-requested',
  'approved',
  'rejected',
  'withdrawn',
] as const;
export type ApplicationStatus = (typeof APPLICATION_STATUSES)[number];

/**
 * An application for a category. A user has at most one open application (draft, submitted or
 * info-requested) at a time; decided ones stay as history.
 */
export const membershipApplications = sqliteTable(
  'membership_applications',
  {
    id: text('id').primaryKey(),
    userId: text('user_id')
      .notNull()
      .references(() => users.id, { onDelete: 'cascade' }),
    categoryId: text('category_id')
      .notNull()
      .references(() => membershipCategories.id),
    status: text('status', { enum: APPLICATION_STATUSES }).notNull(),
    profession: text('profession').notNull(),
    licenceNumber: text('licence_number').notNull(),
    licenceIssuer: text('licence_issuer').notNull(),
    institution: text('institution').notNull(),
    country: text('country').notNull(),
    yearsEcpPractice: integer('years_ecp_practice').notNull(),
    treatmentsSupervised: integer('treatments_supervised').notNull(),
    /** JSON string[] of languages (free text, e.g. "English", "Mandarin"). */
    languagesJson: text('languages_json').notNull(),
    /** Code-of-ethics version accepted with this application; null until accepted. */
    ethicsVersion: text('ethics_version'),
    ethicsAcceptedAt: integer('ethics_accepted_at'),
    createdAt: integer('created_at').notNull(),
    updatedAt: integer('updated_at').notNull(),
    submittedAt: integer('submitted_at'),
    decidedAt: integer('decided_at'),
    decidedBy: text('decided_by').references(() => users.id),
    /** Rejection reason (shown to the applicant). */
    decisionReason: text('decision_reason'),
  },
  (t) => [
    index('membership_applications_user_idx').on(t.userId, t.createdAt),
    index('membership_applications_status_idx').on(t.status, t.submittedAt),
  ],
);

export const APPLICATION_EVENT_KINDS = [
  'submitted',
  'info-requested',
  'applicant-replied',
  'approved',
  'rejected',
  'withdrawn',
] as const;
export type ApplicationEventKind = (typeof APPLICATION_EVENT_KINDS)[number];

/** The conversation on an application: each step with its message, in order. */
export const membershipApplicationEvents = sqliteTable(
  'membership_application_events',
  {
    id: text('id').primaryKey(),
    applicationId: text('application_id')
      .notNull()
      .references(() => membershipApplications.id, { onDelete: 'cascade' }),
    at: integer('at').notNull(),
    actorId: text('actor_id').references(() => users.id),
    kind: text('kind', { enum: APPLICATION_EVENT_KINDS }).notNull(),
    message: text('message').notNull(),
  },
  (t) => [index('membership_application_events_app_idx').on(t.applicationId, t.at)],
);

/**
 * A supporting document. The file lives in UPLOAD_DIR under `storedName` (server-generated, never the
 * client's name); `originalName` is the client's name reduced to a safe display form.
 */
export const membershipDocuments = sqliteTable(
  'membership_documents',
  {
    id: text('id').primaryKey(),
    applicationId: text('application_id')
      .notNull()
      .references(() => membershipApplications.id, { onDelete: 'cascade' }),
    userId: text('user_id')
      .notNull()
      .references(() => users.id, { onDelete: 'cascade' }),
    originalName: text('original_name').notNull(),
    storedName: text('stored_name').notNull(),
    /** Detected from the magic bytes: application/pdf, image/jpeg or image/png. */
    mimeType: text('mime_type').notNull(),
    sizeBytes: integer('size_bytes').notNull(),
    sha256: text('sha256').notNull(),
    uploadedAt: integer('uploaded_at').notNull(),
  },
  (t) => [
    index('membership_documents_app_idx').on(t.applicationId),
    uniqueIndex('membership_documents_stored_unique').on(t.storedName),
  ],
);

export const MEMBERSHIP_STATUSES = ['pending', 'active', 'grace', 'lapsed', 'suspended', 'resigned'] as const;
export type MembershipStatus = (typeof MEMBERSHIP_STATUSES)[number];

/**
 * A user's membership, one row per user. Created 'pending' when the first application is submitted
 * (no number yet); approval makes it 'active', assigns the number and the expiry. A rejected first
 * application removes the pending row (the history keeps the events).
 */
export const memberships = sqliteTable(
  'memberships',
  {
    userId: text('user_id')
      .primaryKey()
      .references(() => users.id, { onDelete: 'cascade' }),
    categoryId: text('category_id')
      .notNull()
      .references(() => membershipCategories.id),
    /** IECPA-<year of approval>-<5-digit sequence>, assigned once on first approval and never reused. */
    number: text('number'),
    status: text('status', { enum: MEMBERSHIP_STATUSES }).notNull(),
    joinedAt: integer('joined_at'),
    currentPeriodStartsAt: integer('current_period_starts_at'),
    /** End of the paid-up period; null for lifetime categories and while pending. */
    expiresAt: integer('expires_at'),
    statusChangedAt: integer('status_changed_at').notNull(),
    /** Reason given with the last admin status change (suspension, reinstatement). */
    statusReason: text('status_reason'),
  },
  (t) => [
    uniqueIndex('memberships_number_unique').on(t.number),
    index('memberships_status_idx').on(t.status, t.expiresAt),
  ],
);

/** Next membership number per year (the sequence restarts each year). */
export const membershipNumberSequences = sqliteTable('membership_number_sequences', {
  year: integer('year').primaryKey(),
  lastNumber: integer('last_number').notNull(),
});

/**
 * Every change to a membership, shown to the member as their history. Kept by user id (not by the
 * membership row) so it survives a rejected application and account erasure (pseudonymous then).
 */
export const membershipEvents = sqliteTable(
  'membership_events',
  {
    id: text('id').primaryKey(),
    userId: text('user_id')
      .notNull()
      .references(() => users.id, { onDelete: 'cascade' }),
    at: integer('at').notNull(),
    actorId: text('actor_id'),
    /** e.g. 'applied', 'approved', 'renewed', 'grace', 'lapsed', 'suspended', 'reinstated', 'resigned'. */
    kind: text('kind').notNull(),
    fromStatus: text('from_status'),
    toStatus: text('to_status'),
    reason: text('reason'),
  },
  (t) => [index('membership_events_user_idx').on(t.userId, t.at)],
);

/** A payment an admin records against a renewal (no payment provider yet). */
export const membershipPayments = sqliteTable(
  'membership_payments',
  {
    id: text('id').primaryKey(),
    userId: text('user_id')
      .notNull()
      .references(() => users.id, { onDelete: 'cascade' }),
    reference: text('reference').notNull(),
    note: text('note').notNull(),
    recordedBy: text('recorded_by').references(() => users.id),
    recordedAt: integer('recorded_at').notNull(),
  },
  (t) => [index('membership_payments_user_idx').on(t.userId, t.recordedAt)],
);

export const REMINDER_KINDS = ['expires-in-30-days', 'expires-in-7-days', 'lapsed'] as const;
export type ReminderKind = (typeof REMINDER_KINDS)[number];

/**
 * One row per reminder sent for one membership period: the unique key makes the scheduled job safe to
 * run twice (insert first, mail only when the insert took).
 */
export const membershipReminders = sqliteTable(
  'membership_reminders',
  {
    userId: text('user_id')
      .notNull()
      .references(() => users.id, { onDelete: 'cascade' }),
    kind: text('kind', { enum: REMINDER_KINDS }).notNull(),
    /** The expiry of the period the reminder is about. */
    periodExpiresAt: integer('period_expires_at').notNull(),
    sentAt: integer('sent_at').notNull(),
  },
  (t) => [primaryKey({ columns: [t.userId, t.kind, t.periodExpiresAt] })],
);

/** Last run of each scheduled job, so a restart resumes rather than starts over. */
export const scheduledJobRuns = sqliteTable('scheduled_job_runs', {
  name: text('name').primaryKey(),
  lastStartedAt: integer('last_started_at').notNull(),
  lastFinishedAt: integer('last_finished_at'),
  /** JSON summary of the last run (counts), or the error message. */
  lastResult: text('last_result'),
});

export const FIELD_VISIBILITIES = ['public', 'members', 'hidden'] as const;
export type FieldVisibility = (typeof FIELD_VISIBILITIES)[number];

/**
 * A member's public profile. Each field has its own visibility; `listed` is the directory opt-in
 * (consent recorded in `consents` with document 'directory-listing').
 */
export const memberProfiles = sqliteTable('member_profiles', {
  userId: text('user_id')
    .primaryKey()
    .references(() => users.id, { onDelete: 'cascade' }),
  bio: text('bio').notNull(),
  bioVisibility: text('bio_visibility', { enum: FIELD_VISIBILITIES }).notNull(),
  /** Practice location. */
  practiceName: text('practice_name').notNull(),
  city: text('city').notNull(),
  country: text('country').notNull(),
  locationVisibility: text('location_visibility', { enum: FIELD_VISIBILITIES }).notNull(),
  /** JSON string[]. */
  languagesJson: text('languages_json').notNull(),
  languagesVisibility: text('languages_visibility', { enum: FIELD_VISIBILITIES }).notNull(),
  /** JSON string[]. */
  specialtiesJson: text('specialties_json').notNull(),
  specialtiesVisibility: text('specialties_visibility', { enum: FIELD_VISIBILITIES }).notNull(),
  /** Server-generated file name in UPLOAD_DIR; null when no photo. */
  photoStoredName: text('photo_stored_name'),
  photoMimeType: text('photo_mime_type'),
  photoVisibility: text('photo_visibility', { enum: FIELD_VISIBILITIES }).notNull(),
  listed: integer('listed', { mode: 'boolean' }).notNull(),
  updatedAt: integer('updated_at').notNull(),
});

export const CLOSURE_STATUSES = ['requested', 'completed', 'cancelled', 'declined'] as const;
export type ClosureStatus = (typeof CLOSURE_STATUSES)[number];

/**
 * A member's request to close their account. An admin confirms it; the erasure then anonymises the user
 * and this row keeps only the user id (the pseudonymous reference).
 */
export const accountClosureRequests = sqliteTable(
  'account_closure_requests',
  {
    id: text('id').primaryKey(),
    userId: text('user_id')
      .notNull()
      .references(() => users.id, { onDelete: 'cascade' }),
    requestedAt: integer('requested_at').notNull(),
    reason: text('reason').notNull(),
    status: text('status', { enum: CLOSURE_STATUSES }).notNull(),
    decidedBy: text('decided_by').references(() => users.id),
    decidedAt: integer('decided_at'),
    decisionNote: text('decision_note'),
  },
  (t) => [index('account_closure_requests_status_idx').on(t.status, t.requestedAt)],
);
