import { and, count, desc, eq, or, sql } from 'drizzle-orm';
import type { Db } from '#db/client.ts';
import { mailOutbox, userRoles, users } from '#db/schema/index.ts';
import { ROLES, type Role } from '#src/lib/roles.ts';
import { writeAudit } from '../audit.ts';
import { type Refusal, refuse } from '../refusal.ts';
import type { RequestMeta } from './deps.ts';
import { pageWindow } from './paging.ts';

export const USERS_PAGE_SIZE = 20;

export interface UserListItem {
  id: string;
  name: string;
  email: string;
  country: string;
  emailVerified: boolean;
  roles: Role[];
  createdAt: number;
}

export interface Page<T> {
  items: T[];
  page: number;
  pageCount: number;
  total: number;
}

/**
 * A GLOB pattern that matches `text` anywhere, ignoring letter case, with every character literal. GLOB with
 * a character class per letter, because SQLite's LIKE and lower() fold only ASCII letters: with them a search
 * for "østergaard" (or even "Ødön" typed exactly) missed "Østergaard" and "Ödön".
 */
export function containsIgnoringCase(text: string): string {
  let pattern = '*';
  for (const ch of text) {
    const variants = new Set([ch, ch.toLowerCase(), ch.toUpperCase()].filter((v) => [...v].length === 1));
    if (variants.size > 1) pattern += `[${[...variants].join('')}]`;
    else if (ch === '*' || ch === '?' || ch === '[') pattern += `[${ch}]`;
    else pattern += ch;
  }
  return `${pattern}*`;
}

/** Users matching a search of name or email, newest first, one page at a time. */
export async function listUsers(db: Db, input: { query: string; page: number }): Promise<Page<UserListItem>> {
  const query = input.query.trim();
  const pattern = containsIgnoringCase(query);
  const where = query ? or(sql`${users.name} glob ${pattern}`, sql`${users.email} glob ${pattern}`) : undefined;
  const [totalRow] = await db.select({ n: count() }).from(users).where(where);
  const total = totalRow?.n ?? 0;
  const { page, pageCount, offset } = pageWindow(total, USERS_PAGE_SIZE, input.page);
  const rows = await db
    .select({
      id: users.id,
      name: users.name,
      email: users.email,
      country: users.country,
      emailVerifiedAt: users.emailVerifiedAt,
      createdAt: users.createdAt,
      roles: sql<string | null>`(select group_concat(role) from user_roles where user_id = ${users.id})`,
    })
    .from(users)
    .where(where)
    .orderBy(desc(users.createdAt), users.id)
    .limit(USERS_PAGE_SIZE)
    .offset(offset);
  return {
    items: rows.map((r) => ({
      id: r.id,
      name: r.name,
      email: r.email,
      country: r.country,
      emailVerified: r.emailVerifiedAt !== null,
      createdAt: r.createdAt,
      roles: (r.roles ?? '').split(',').filter((x): x is Role => (ROLES as readonly string[]).includes(x)),
    })),
    page,
    pageCount,
    total,
  };
}

export type SetRoleResult = { ok: true; changed: boolean } | Refusal;

/** Grants or revokes one role, audited. The last administrator cannot lose the admin role. */
export async function setUserRole(
  db: Db,
  actorId: string,
  input: { userId: string; role: Role; granted: boolean },
  meta: RequestMeta,
  now = Date.now(),
): Promise<SetRoleResult> {
  return db.transaction(async (tx) => {
    const target = await tx
      .select({ id: users.id, erasedAt: users.erasedAt })
      .from(users)
      .where(eq(users.id, input.userId))
      .limit(1);
    // An erased account is a pseudonym kept for the records: nobody can be given a role through it.
    if (!target[0] || (input.granted && target[0].erasedAt !== null))
      return refuse('NOT_FOUND', 'That user does not exist, or their account was closed.');
    if (input.granted) {
      const inserted = await tx
        .insert(userRoles)
        .values({ userId: input.userId, role: input.role, grantedAt: now, grantedBy: actorId })
        .onConflictDoNothing()
        .returning({ role: userRoles.role });
      if (inserted.length === 0) return { ok: true, changed: false } as const;
    } else {
      if (input.role === 'admin') {
        const [admins] = await tx.select({ n: count() }).from(userRoles).where(eq(userRoles.role, 'admin'));
        const isAdmin = await tx
          .select({ r: userRoles.role })
          .from(userRoles)
          .where(and(eq(userRoles.userId, input.userId), eq(userRoles.role, 'admin')));
        if (isAdmin.length > 0 && (admins?.n ?? 0) <= 1)
          return refuse(
            'BAD_REQUEST',
            'The portal needs at least one administrator. Grant the role to someone else first.',
          );
      }
      const deleted = await tx
        .delete(userRoles)
        .where(and(eq(userRoles.userId, input.userId), eq(userRoles.role, input.role)))
        .returning({ role: userRoles.role });
      if (deleted.length === 0) return { ok: true, changed: false } as const;
    }
    await writeAudit(
      tx,
      {
        actorId,
        action: input.granted ? 'admin.role-granted' : 'admin.role-revoked',
        subjectId: input.userId,
        ipAddress: meta.ipAddress,
        details: { role: input.role },
      },
      now,
    );
    return { ok: true, changed: true } as const;
  });
}

export interface OutboxItem {
  id: string;
  createdAt: number;
  toAddress: string;
  subject: string;
  textBody: string;
  status: 'stored' | 'sent' | 'failed';
  error: string | null;
}

export const OUTBOX_PAGE_SIZE = 25;

export async function listOutbox(db: Db, input: { page: number }): Promise<Page<OutboxItem>> {
  const [totalRow] = await db.select({ n: count() }).from(mailOutbox);
  const total = totalRow?.n ?? 0;
  const { page, pageCount, offset } = pageWindow(total, OUTBOX_PAGE_SIZE, input.page);
  const items = await db
    .select({
      id: mailOutbox.id,
      createdAt: mailOutbox.createdAt,
      toAddress: mailOutbox.toAddress,
      subject: mailOutbox.subject,
      textBody: mailOutbox.textBody,
      status: mailOutbox.status,
      error: mailOutbox.error,
    })
    .from(mailOutbox)
    .orderBy(desc(mailOutbox.createdAt), desc(mailOutbox.id))
    .limit(OUTBOX_PAGE_SIZE)
    .offset(offset);
  return { items, page, pageCount, total };
}
