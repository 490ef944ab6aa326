import { index, integer, sqliteTable, text } from 'drizzle-orm/sqlite-core';
import { users } from './accounts.ts';

/**
 * Messages sent through the public contact page. Kept for CONTACT_MESSAGE_KEPT_DAYS (services/contact.ts),
 * then deleted by the scheduled job; the privacy notice states the same period.
 */
export const contactMessages = sqliteTable(
  'contact_messages',
  {
    id: text('id').primaryKey(),
    createdAt: integer('created_at').notNull(),
    topic: text('topic', {
      enum: ['membership', 'certification', 'privacy', 'journal', 'technical', 'other'],
    }).notNull(),
    name: text('name').notNull(),
    email: text('email').notNull(),
    /** The sender's account when they were signed in; the message is erased with the account. */
    userId: text('user_id').references(() => users.id, { onDelete: 'cascade' }),
    message: text('message').notNull(),
    handledAt: integer('handled_at'),
    handledBy: text('handled_by').references(() => users.id),
  },
  (t) => [index('contact_messages_created_idx').on(t.createdAt), index('contact_messages_user_idx').on(t.userId)],
);
