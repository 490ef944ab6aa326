import { index, integer, primaryKey, sqliteTable, text, uniqueIndex } from 'drizzle-orm/sqlite-core';
import { users } from './accounts.ts';

/** Timestamps are integers: milliseconds since the Unix epoch, UTC. JSON columns hold validated values. */

/**
 * A credential the association awards (e.g. "IECPA Certified ECP Practitioner — Level 1"). What it requires
 * lives in its versions: `currentVersionId` is the version new awards are made on; a holder stays on the
 * version they earned.
 */
export const credentialDefinitions = sqliteTable(
  'credential_definitions',
  {
    id: text('id').primaryKey(),
    slug: text('slug').notNull(),
    currentVersionId: text('current_version_id'),
    /** Retired definitions award nothing new; existing credentials carry on. */
    retiredAt: integer('retired_at'),
    createdAt: integer('created_at').notNull(),
  },
  (t) => [uniqueIndex('credential_definitions_slug_unique').on(t.slug)],
);

/** One version of a definition: never changed once written (an edit makes the next version). */
export const credentialDefinitionVersions = sqliteTable(
  'credential_definition_versions',
  {
    id: text('id').primaryKey(),
    definitionId: text('definition_id')
      .notNull()
      .references(() => credentialDefinitions.id, { onDelete: 'cascade' }),
    version: integer('version').notNull(),
    title: text('title').notNull(),
    description: text('description').notNull(),
    /** credential-rules.ts Requirements. */
    requirementsJson: text('requirements_json').notNull(),
    /** credential-rules.ts MaintenanceRule. */
    maintenanceJson: text('maintenance_json').notNull(),
    validityMonths: integer('validity_months').notNull(),
    /** What a lapse of membership does: 'suspend' (until good standing returns) or 'none'. */
    membershipLapse: text('membership_lapse', { enum: ['suspend', 'none'] }).notNull(),
    /** Awards wait for an examiner's sign-off. */
    requiresSignOff: integer('requires_sign_off', { mode: 'boolean' }).notNull(),
    /** Null: the IECPA certification committee (seeded definitions). */
    createdBy: text('created_by').references(() => users.id),
    createdAt: integer('created_at').notNull(),
  },
  (t) => [uniqueIndex('credential_definition_versions_unique').on(t.definitionId, t.version)],
);

export const CREDENTIAL_STATUSES = [
  'pending-sign-off',
  'certified',
  'maintenance-due',
  'expired',
  'suspended',
  'revoked',
  'inactive',
] as const;
export type CredentialStatus = (typeof CREDENTIAL_STATUSES)[number];

/** The public class of a status's reason (the registry shows the class, never the text). */
export const REASON_CLASSES = [
  'membership',
  'maintenance',
  'conduct',
  'administrative',
  'holder-request',
  'examination',
] as const;
export type ReasonClass = (typeof REASON_CLASSES)[number];

/** The credential ledger: one row per holder and definition, from award (or sign-off queue) on. */
export const credentials = sqliteTable(
  'credentials',
  {
    id: text('id').primaryKey(),
    /** IECPA-CR-<5>-<5> (Crockford base 32); assigned at award, kept across recertifications. */
    number: text('number').notNull(),
    userId: text('user_id')
      .notNull()
      .references(() => users.id, { onDelete: 'cascade' }),
    definitionId: text('definition_id')
      .notNull()
      .references(() => credentialDefinitions.id),
    versionId: text('version_id')
      .notNull()
      .references(() => credentialDefinitionVersions.id),
    status: text('status', { enum: CREDENTIAL_STATUSES }).notNull(),
    reasonClass: text('reason_class', { enum: REASON_CLASSES }),
    /** The reason given with the last admin or holder change (private: holder and admins only). */
    statusReason: text('status_reason'),
    /** Date of the first issue (null while waiting for sign-off). */
    issuedAt: integer('issued_at'),
    periodStartsAt: integer('period_starts_at'),
    expiresAt: integer('expires_at'),
    /** When the requirements were met (the award's evidence date). */
    earnedAt: integer('earned_at').notNull(),
    statusChangedAt: integer('status_changed_at').notNull(),
    /** Last change of anything the registry shows. */
    updatedAt: integer('updated_at').notNull(),
    /** Position in the portal's Bitstring Status Lists (revocation and suspension), drawn at random. */
    statusListIndex: integer('status_list_index').notNull(),
  },
  (t) => [
    uniqueIndex('credentials_number_unique').on(t.number),
    uniqueIndex('credentials_holder_definition_unique').on(t.userId, t.definitionId),
    uniqueIndex('credentials_status_list_index_unique').on(t.statusListIndex),
    index('credentials_status_idx').on(t.status, t.expiresAt),
  ],
);

/** The history of a credential: every transition, by whom (null: the scheduled job) and why. */
export const credentialEvents = sqliteTable(
  'credential_events',
  {
    id: text('id').primaryKey(),
    credentialId: text('credential_id')
      .notNull()
      .references(() => credentials.id, { onDelete: 'cascade' }),
    at: integer('at').notNull(),
    actorId: text('actor_id').references(() => users.id),
    kind: text('kind').notNull(),
    fromStatus: text('from_status', { enum: CREDENTIAL_STATUSES }),
    toStatus: text('to_status', { enum: CREDENTIAL_STATUSES }).notNull(),
    reason: text('reason'),
  },
  (t) => [index('credential_events_credential_idx').on(t.credentialId, t.at)],
);

export const CREDENTIAL_REMINDER_DAYS = [90, 60, 30, 7] as const;

/**
 * Expiry reminders sent, one row per credential, lead time and period: the claim that makes them once each.
 * A year-end reminder (a credential year before the last ending without a part required each year,
 * credential-job.ts) is claimed here too, with that year's end as `periodExpiresAt`.
 */
export const credentialReminders = sqliteTable(
  'credential_reminders',
  {
    credentialId: text('credential_id')
      .notNull()
      .references(() => credentials.id, { onDelete: 'cascade' }),
    daysBefore: integer('days_before').notNull(),
    periodExpiresAt: integer('period_expires_at').notNull(),
    sentAt: integer('sent_at').notNull(),
  },
  (t) => [primaryKey({ columns: [t.credentialId, t.daysBefore, t.periodExpiresAt] })],
);

/** How a holder appears in the public registry: the name they chose and whether search engines may index. */
export const registryPreferences = sqliteTable('registry_preferences', {
  userId: text('user_id')
    .primaryKey()
    .references(() => users.id, { onDelete: 'cascade' }),
  displayName: text('display_name').notNull(),
  noindex: integer('noindex', { mode: 'boolean' }).notNull(),
  updatedAt: integer('updated_at').notNull(),
});
