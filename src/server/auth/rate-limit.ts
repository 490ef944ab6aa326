import { sql } from 'drizzle-orm';
import type { Db } from '#db/client.ts';
import { rateLimits } from '#db/schema/index.ts';

export interface RateLimitRule {
  limit: number;
  windowMs: number;
}

/** Limits per DESIGN.md's security baseline; keys combine the action with an IP or an account. */
export const RATE_LIMITS = {
  signIn: { limit: 10, windowMs: 15 * 60 * 1000 },
  register: { limit: 5, windowMs: 60 * 60 * 1000 },
  passwordReset: { limit: 5, windowMs: 60 * 60 * 1000 },
  twoFactor: { limit: 10, windowMs: 15 * 60 * 1000 },
} as const satisfies Record<string, RateLimitRule>;

/**
 * Counts one attempt against `key` in a fixed window and says whether it is allowed.
 * One atomic upsert, so concurrent requests cannot both slip under the limit.
 */
export async function consumeRateLimit(db: Db, key: string, rule: RateLimitRule, now = Date.now()): Promise<boolean> {
  const windowStart = now - (now % rule.windowMs);
  const rows = await db
    .insert(rateLimits)
    .values({ key, windowStart, count: 1 })
    .onConflictDoUpdate({
      target: rateLimits.key,
      set: {
        count: sql`case when ${rateLimits.windowStart} = ${windowStart} then ${rateLimits.count} + 1 else 1 end`,
        windowStart,
      },
    })
    .returning({ count: rateLimits.count });
  return (rows[0]?.count ?? 1) <= rule.limit;
}
