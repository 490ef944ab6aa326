import { index, integer, sqliteTable, text } from 'drizzle-orm/sqlite-core';

/** Every mail the portal sends; when no SMTP server is configured this is where mail is read (/admin/outbox). */
export const mailOutbox = sqliteTable(
  'mail_outbox',
  {
    id: text('id').primaryKey(),
    createdAt: integer('created_at').notNull(),
    toAddress: text('to_address').notNull(),
    subject: text('subject').notNull(),
    textBody: text('text_body').notNull(),
    /** 'stored' (no SMTP configured), 'sent', or 'failed'. */
    status: text('status', { enum: ['stored', 'sent', 'failed'] }).notNull(),
    error: text('error'),
  },
  (t) => [index('mail_outbox_created_idx').on(t.createdAt)],
);
