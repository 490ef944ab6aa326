import { index, integer, sqliteTable, text } from 'drizzle-orm/sqlite-core';

/**
 * Append-only record of security- and certification-relevant events. Triggers in the migration refuse
 * UPDATE and DELETE, so not even a bug in the app can rewrite history.
 */
export const auditLog = sqliteTable(
  'audit_log',
  {
    id: integer('id').primaryKey({ autoIncrement: true }),
    at: integer('at').notNull(),
    /** User who acted; null for anonymous actors and the system. Not a foreign key: the log outlives users. */
    actorId: text('actor_id'),
    action: text('action').notNull(),
    /** The user or record acted on. */
    subjectId: text('subject_id'),
    ipAddress: text('ip_address'),
    /** JSON object with event details; never secrets. */
    details: text('details').notNull(),
  },
  (t) => [index('audit_log_at_idx').on(t.at), index('audit_log_subject_idx').on(t.subjectId)],
);
