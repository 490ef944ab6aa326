import { and, eq, sql } from 'drizzle-orm';
import type { Db } from '#db/client.ts';
import { rateLimits } from '#db/schema/index.ts';

export interface RateLimitRule {
  limit: number;
  windowMs: number;
}

/** Limits per the README's security baseline; keys combine the action with an IP or an account. */
export const RATE_LIMITS = {
  signIn: { limit: 10, windowMs: 15 * 60 * 1000 },
  register: { limit: 5, windowMs: 60 * 60 * 1000 },
  passwordReset: { limit: 5, windowMs: 60 * 60 * 1000 },
  /** Using a reset link (choosing the new password): generous, for typos, but bounded. */
  passwordResetUse: { limit: 20, windowMs: 60 * 60 * 1000 },
  /** Reset mails to one address from places its owner has not signed in from (mail bombing). */
  passwordResetPerEmail: { limit: 20, windowMs: 24 * 60 * 60 * 1000 },
  twoFactor: { limit: 10, windowMs: 15 * 60 * 1000 },
  /** Wrong current passwords a signed-in user may send (password change, turning off 2FA, closing the account). */
  currentPassword: { limit: 10, windowMs: 15 * 60 * 1000 },
  contact: { limit: 5, windowMs: 60 * 60 * 1000 },
  /** Costly procedures, per user: the editor previews after each pause in typing (400 ms), saves less often. */
  preview: { limit: 300, windowMs: 10 * 60 * 1000 },
  saveDraft: { limit: 120, windowMs: 10 * 60 * 1000 },
  /** Image uploads by an educator (each up to 750 KiB written to disk). */
  uploadImage: { limit: 60, windowMs: 10 * 60 * 1000 },
  /** Beat waveforms of an attempt (each a replay of up to minutes of simulation). */
  attemptBeat: { limit: 120, windowMs: 10 * 60 * 1000 },
  /** Graded quiz submissions by a member, over all modules (each a stored attempt; ten questions answered). */
  quizSubmit: { limit: 30, windowMs: 60 * 60 * 1000 },
  /** External CPD activities a member logs (each waits in the educators' review queue). */
  cpdAdd: { limit: 30, windowMs: 24 * 60 * 60 * 1000 },
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

/**
 * Gives back one attempt counted against `key` in the current window: a limit on failures counts the
 * attempt first (atomically, so parallel guesses cannot slip past) and refunds it when it succeeded.
 */
export async function refundRateLimit(db: Db, key: string, rule: RateLimitRule, now = Date.now()): Promise<void> {
  const windowStart = now - (now % rule.windowMs);
  await db
    .update(rateLimits)
    .set({ count: sql`max(${rateLimits.count} - 1, 0)` })
    .where(and(eq(rateLimits.key, key), eq(rateLimits.windowStart, windowStart)));
}

/** Hextets kept from an IPv6 address: one /64 is what a single subscriber or host is usually given. */
const IPV6_PREFIX_HEXTETS = 4;

/**
 * The part of a client address that per-address limits count against. IPv4 addresses count alone; IPv6
 * addresses count by their /64 network, because one host typically holds a whole /64 (RFC 6177 §2) and
 * could otherwise take a fresh address for every attempt. IPv4-mapped IPv6 counts as its IPv4 address.
 */
export function rateLimitAddress(ipAddress: string): string {
  const address = ipAddress.trim().toLowerCase().replace(/%.*$/, '');
  const mapped = /^::ffff:(\d{1,3}(?:\.\d{1,3}){3})$/.exec(address);
  if (mapped?.[1]) return mapped[1];
  if (!address.includes(':')) return address;
  const halves = address.split('::');
  if (halves.length > 2) return address;
  const head = halves[0] ? halves[0].split(':') : [];
  const tail = halves.length === 2 && halves[1] ? halves[1].split(':') : [];
  const missing = 8 - head.length - tail.length;
  if (missing < 0 || (halves.length === 1 && missing !== 0)) return address;
  const hextets = [...head, ...Array<string>(missing).fill('0'), ...tail];
  if (!hextets.every((h) => /^[0-9a-f]{1,4}$/.test(h))) return address;
  const prefix = hextets.slice(0, IPV6_PREFIX_HEXTETS).map((h) => h.replace(/^0+(?=.)/, ''));
  return `${prefix.join(':')}::/64`;
}
