import { and, eq, isNull } from 'drizzle-orm';
import type { Db } from '#db/client.ts';
import { userRoles, users } from '#db/schema/index.ts';
import type { ServiceDeps } from './deps.ts';

/**
 * Mails every administrator (erased accounts have none to mail) that something waits for them. The text
 * must not name a member or applicant: the mails stay in the outbox after that person's data is erased, so
 * they say what waits and link to the admin page that shows who.
 */
export async function mailAdmins(db: Db, deps: ServiceDeps, message: { subject: string; text: string }): Promise<void> {
  const admins = await db
    .select({ email: users.email })
    .from(userRoles)
    .innerJoin(users, eq(users.id, userRoles.userId))
    .where(and(eq(userRoles.role, 'admin'), isNull(users.erasedAt)));
  for (const admin of admins) await deps.mailer.send(db, { to: admin.email, ...message });
}
