import { eq } from 'drizzle-orm';
import type { Db } from '#db/client.ts';
import { mailOutbox } from '#db/schema/index.ts';
import type { Role } from '#src/lib/roles.ts';
import { createCaller } from '#src/server/api/root.ts';
import type { Context, SessionCookieJar } from '#src/server/api/trpc.ts';
import { hashPassword } from '#src/server/auth/password.ts';
import { createSession, validateSessionToken } from '#src/server/auth/session.ts';
import { newTotpSecret } from '#src/server/auth/totp.ts';
import { newId } from '#src/server/ids.ts';
import { createMailer } from '#src/server/mail/mailer.ts';
import type { RequestMeta, ServiceDeps } from '#src/server/services/deps.ts';
import { insertUserRecord } from '#src/server/services/user-records.ts';

export const TEST_PASSWORD = 'correct horse battery staple';
export const TEST_META: RequestMeta = { ipAddress: '203.0.113.7', userAgent: 'vitest' };

let cachedHash: Promise<string> | null = null;
/** One argon2 hash reused by every factory-made user (hashing is deliberately slow). */
function testPasswordHash(): Promise<string> {
  cachedHash ??= hashPassword(TEST_PASSWORD);
  return cachedHash;
}

export function testDeps(): ServiceDeps {
  return { mailer: createMailer({ from: 'IECPA <test@iecpa.test>' }), siteUrl: 'http://portal.test' };
}

let sequence = 0;

export interface MadeUser {
  id: string;
  email: string;
  name: string;
  totpSecret: string | null;
}

export async function makeUser(
  db: Db,
  options: { roles?: Role[]; verified?: boolean; totp?: boolean; email?: string; name?: string } = {},
): Promise<MadeUser> {
  const n = ++sequence;
  const id = newId();
  const email = options.email ?? `user${n}-${id.slice(0, 6)}@example.org`;
  const name = options.name ?? `Test User ${n}`;
  const now = Date.now();
  const totpSecret = options.totp ? newTotpSecret() : null;
  await insertUserRecord(
    db,
    {
      id,
      email,
      name,
      country: 'DE',
      profession: 'nurse',
      passwordHash: await testPasswordHash(),
      emailVerifiedAt: options.verified === false ? null : now,
      roles: options.roles ?? ['member'],
      totpSecret,
      // Tests of the ethics step start from an account that has not accepted it yet.
      acceptsEthics: false,
    },
    now,
  );
  return { id, email, name, totpSecret };
}

export interface CookieRecorder extends SessionCookieJar {
  token: string | null;
  cleared: boolean;
}

export function recordCookies(): CookieRecorder {
  const jar: CookieRecorder = {
    token: null,
    cleared: false,
    set(token) {
      jar.token = token;
    },
    clear() {
      jar.cleared = true;
      jar.token = null;
    },
  };
  return jar;
}

/** A tRPC caller as an anonymous visitor. */
export function anonymousCaller(
  db: Db,
  deps = testDeps(),
  cookies = recordCookies(),
  meta: RequestMeta = TEST_META,
): ReturnType<typeof createCaller> {
  const ctx: Context = { db, deps, user: null, session: null, meta, cookies };
  return createCaller(ctx);
}

let metaSequence = 0;
/** Request metadata with an address no other call in this worker uses, so rate limits do not interfere. */
export function uniqueMeta(): RequestMeta {
  metaSequence++;
  // Each call gets its own /64, since per-address limits count IPv6 clients by /64 network.
  const worker = (process.pid & 0xffff).toString(16);
  return { ipAddress: `2001:db8:${worker}:${metaSequence.toString(16)}::1`, userAgent: 'vitest' };
}

/** A tRPC caller signed in as `user` (a real session row, validated as the middleware would). */
export async function callerFor(
  db: Db,
  user: MadeUser,
  options: {
    twoFactorVerified?: boolean;
    deps?: ServiceDeps;
    cookies?: CookieRecorder;
    meta?: RequestMeta;
  } = {},
): Promise<{ caller: ReturnType<typeof createCaller>; token: string; ctx: Context }> {
  const meta = options.meta ?? TEST_META;
  const { token } = await createSession(db, user.id, options.twoFactorVerified ?? true, meta);
  const made = await callerFromToken(db, token, { ...options, meta });
  if (!made.ctx.session) throw new Error('session did not validate');
  return { ...made, token };
}

/**
 * A tRPC caller for a session token (as from a cookie), validated as the middleware does: anonymous
 * when the token does not validate.
 */
export async function callerFromToken(
  db: Db,
  token: string,
  options: { deps?: ServiceDeps; cookies?: CookieRecorder; meta?: RequestMeta } = {},
): Promise<{ caller: ReturnType<typeof createCaller>; ctx: Context }> {
  const validated = await validateSessionToken(db, token);
  const ctx: Context = {
    db,
    deps: options.deps ?? testDeps(),
    user: validated?.user ?? null,
    session: validated?.session ?? null,
    meta: options.meta ?? TEST_META,
    cookies: options.cookies ?? recordCookies(),
  };
  return { caller: createCaller(ctx), ctx };
}

/** The newest mail to an address, from the outbox. */
export async function lastMailTo(db: Db, to: string): Promise<{ subject: string; textBody: string } | null> {
  const rows = await db.select().from(mailOutbox).where(eq(mailOutbox.toAddress, to));
  return rows.at(-1) ?? null;
}

/** The first link in a mail body that points at `path`. */
export function linkFrom(text: string, path: string): URL {
  const match = text.match(new RegExp(`https?://\\S+${path.replace(/[/?]/g, '\\$&')}\\S*`));
  if (!match) throw new Error(`no ${path} link in mail:\n${text}`);
  return new URL(match[0]);
}
