import { constantTimeEqual } from '@oslojs/crypto/subtle';
import { eq, sql } from 'drizzle-orm';
import { type Db, dataGeneration, readFirstRow } from '#db/client.ts';
import { sessions, users } from '#db/schema/index.ts';
import { ROLES, type Role } from '#src/lib/roles.ts';
import { hashSecret, newId, newSecret } from '../ids.ts';

/**
 * Sessions after the Lucia guide (lucia-auth.com/sessions): the cookie holds `<id>.<secret>`, the database
 * holds SHA-256(secret), and the two are compared in constant time. Timeouts follow OWASP ASVS 4.0
 * §3.3.2 (level 2: re-authentication after 12 hours, and after an idle period).
 */
export const SESSION_IDLE_TIMEOUT_MS = 60 * 60 * 1000;
export const SESSION_ABSOLUTE_TIMEOUT_MS = 12 * 60 * 60 * 1000;
/** lastSeenAt is refreshed at most this often, so most requests only read. */
const LAST_SEEN_GRANULARITY_MS = 60 * 1000;

export interface Session {
  id: string;
  userId: string;
  createdAt: number;
  lastSeenAt: number;
  twoFactorVerified: boolean;
}

export interface SessionUser {
  id: string;
  name: string;
  email: string;
  roles: Role[];
  emailVerified: boolean;
  totpEnabled: boolean;
}

export interface SessionValidation {
  session: Session;
  user: SessionUser;
}

export interface SessionMeta {
  userAgent: string;
  ipAddress: string;
}

export async function createSession(
  db: Db,
  userId: string,
  twoFactorVerified: boolean,
  meta: SessionMeta,
  now = Date.now(),
): Promise<{ token: string; session: Session }> {
  const id = newId();
  const secret = newSecret();
  const session: Session = { id, userId, createdAt: now, lastSeenAt: now, twoFactorVerified };
  await db.insert(sessions).values({
    ...session,
    secretHash: hashSecret(secret),
    userAgent: meta.userAgent.slice(0, 300),
    ipAddress: meta.ipAddress.slice(0, 64),
  });
  return { token: `${id}.${secret}`, session };
}

function parseRoles(joined: string | null): Role[] {
  if (!joined) return [];
  return joined.split(',').filter((r): r is Role => (ROLES as readonly string[]).includes(r));
}

/** The columns the session check reads, in this order (see `sessionLookupSql`). */
type SessionRow = [
  id: string,
  secretHash: string,
  userId: string,
  createdAt: number,
  lastSeenAt: number,
  twoFactorVerified: number,
  name: string,
  email: string,
  emailVerifiedAt: number | null,
  roles: string | null,
  totpEnabled: number,
];

let sessionLookup: string | null = null;

/**
 * The one query behind every signed-in request: the session, its user, the user's roles and whether a second
 * factor is enrolled. Written with the query builder (column names are checked) but turned into SQL once,
 * so a request only binds the session id to a statement the database keeps prepared.
 */
function sessionLookupSql(db: Db): string {
  if (sessionLookup) return sessionLookup;
  const query = db
    .select({
      id: sessions.id,
      secretHash: sessions.secretHash,
      userId: sessions.userId,
      createdAt: sessions.createdAt,
      lastSeenAt: sessions.lastSeenAt,
      twoFactorVerified: sessions.twoFactorVerified,
      name: users.name,
      email: users.email,
      emailVerifiedAt: users.emailVerifiedAt,
      roles: sql<string | null>`(select group_concat(role) from user_roles where user_id = ${users.id})`,
      totpEnabled: sql<number>`exists(select 1 from totp_credentials where user_id = ${users.id})`,
    })
    .from(sessions)
    .innerJoin(users, eq(users.id, sessions.userId))
    .where(eq(sessions.id, sql.placeholder('id')))
    .toSQL();
  // The id is the primary key, so at most one row; the session id must be the only parameter.
  if (query.params.length !== 1) throw new Error('The session lookup must take the session id only.');
  sessionLookup = query.sql;
  return sessionLookup;
}

const utf8 = new TextEncoder();

/** A token this process validated, with the session's stored times and what the check found. */
interface RecentValidation {
  db: Db;
  /** The database's dataGeneration when it was read. */
  generation: number;
  /** The session's lastSeenAt as stored (the validation reports the request's time instead). */
  lastSeenAt: number;
  session: Omit<Session, 'lastSeenAt'>;
  user: SessionUser;
}

/**
 * Tokens this process validated, each with the generation of the data it read (`dataGeneration`, SQLite's
 * data_version: it moves whenever any connection of any process commits). While the generation is the same,
 * a second check of the token would read the same rows; any write (a session ended, a password or a role
 * changed, lastSeenAt refreshed) moves it, and the next check reads again. Bounded; only for embedded
 * databases, where the generation is known.
 */
const recentValidations = new Map<string, RecentValidation>();
const MAX_RECENT_VALIDATIONS = 2000;

/** The validation as callers get it: their own copies, with lastSeenAt as of this request. */
function validationOf(known: RecentValidation, now: number): SessionValidation {
  return { session: { ...known.session, lastSeenAt: now }, user: { ...known.user, roles: [...known.user.roles] } };
}

/**
 * The session and its user for a cookie token, or null if the token is malformed, unknown or expired. Reads
 * the database unless nothing has been committed since this process last validated the same token (see
 * recentValidations): a session ended, a password changed or a role revoked shows on the very next request.
 */
export async function validateSessionToken(db: Db, token: string, now = Date.now()): Promise<SessionValidation | null> {
  const parts = token.split('.');
  if (parts.length !== 2 || !parts[0] || !parts[1] || token.length > 200) return null;
  const generation = dataGeneration(db);
  const known = generation === null ? undefined : recentValidations.get(token);
  // Only while nothing was committed, no timeout has passed and lastSeenAt needs no refresh; otherwise the full
  // check below.
  if (
    known !== undefined &&
    known.db === db &&
    known.generation === generation &&
    now - known.lastSeenAt <= LAST_SEEN_GRANULARITY_MS &&
    now - known.session.createdAt <= SESSION_ABSOLUTE_TIMEOUT_MS &&
    now >= known.lastSeenAt
  ) {
    return validationOf(known, now);
  }
  const [id, secret] = parts;
  const found = await readFirstRow(db, sessionLookupSql(db), [id]);
  if (!found) return null;
  const [, secretHash, userId, createdAt, lastSeenAt, twoFactorVerified, name, email, emailVerifiedAt, roles, totp] =
    found as SessionRow;
  if (!constantTimeEqual(utf8.encode(secretHash), utf8.encode(hashSecret(secret)))) return null;
  if (now - lastSeenAt > SESSION_IDLE_TIMEOUT_MS || now - createdAt > SESSION_ABSOLUTE_TIMEOUT_MS) {
    await db.delete(sessions).where(eq(sessions.id, id));
    return null;
  }
  const checked: RecentValidation = {
    db,
    generation: generation ?? -1,
    lastSeenAt,
    session: { id, userId, createdAt, twoFactorVerified: twoFactorVerified === 1 },
    user: {
      id: userId,
      name,
      email,
      roles: parseRoles(roles),
      emailVerified: emailVerifiedAt !== null,
      totpEnabled: totp === 1,
    },
  };
  if (now - lastSeenAt > LAST_SEEN_GRANULARITY_MS) {
    // A write: the generation moves on, and the next check reads again.
    await db.update(sessions).set({ lastSeenAt: now }).where(eq(sessions.id, id));
  } else if (generation !== null) {
    if (recentValidations.size >= MAX_RECENT_VALIDATIONS) recentValidations.clear();
    recentValidations.set(token, checked);
  }
  return validationOf(checked, now);
}

export async function invalidateSession(db: Db, sessionId: string): Promise<void> {
  await db.delete(sessions).where(eq(sessions.id, sessionId));
}

export async function invalidateUserSessions(db: Db, userId: string): Promise<void> {
  await db.delete(sessions).where(eq(sessions.userId, userId));
}

export const SESSION_COOKIE_DEV = 'iecpa_session';
/** `__Host-` pins the cookie to this host, path / and Secure (RFC 6265bis §4.1.3.2). */
export const SESSION_COOKIE_PROD = '__Host-iecpa_session';

export function sessionCookieName(production: boolean): string {
  return production ? SESSION_COOKIE_PROD : SESSION_COOKIE_DEV;
}

export interface CookieOptions {
  httpOnly: true;
  secure: boolean;
  sameSite: 'lax';
  path: '/';
  maxAge?: number;
}

export function sessionCookieOptions(production: boolean): CookieOptions {
  return {
    httpOnly: true,
    secure: production,
    sameSite: 'lax',
    path: '/',
    maxAge: SESSION_ABSOLUTE_TIMEOUT_MS / 1000,
  };
}
