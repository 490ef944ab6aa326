import { integer, sqliteTable, text } from 'drizzle-orm/sqlite-core';

/** Fixed-window counters, in the database so that several app servers share them. */
export const rateLimits = sqliteTable('rate_limits', {
  key: text('key').primaryKey(),
  windowStart: integer('window_start').notNull(),
  count: integer('count').notNull(),
});
