import { and, eq, isNull, ne } from 'drizzle-orm';
import type { Db } from '#db/client.ts';
import { userRoles, users } from '#db/schema/index.ts';
import type { Role } from '#src/lib/roles.ts';
import type { ServiceDeps } from './deps.ts';

/**
 * Mails everyone who holds a role (erased accounts have none to mail), except `exceptUserId` (the person who
 * caused the mail), that something waits for them. The text must not name a member or applicant: the mails
 * stay in the outbox after that person's data is erased, so they say what waits and link to the page that
 * shows who.
 */
export async function mailRole(
  db: Db,
  deps: ServiceDeps,
  role: Role,
  message: { subject: string; text: string },
  exceptUserId?: string,
): Promise<void> {
  const holders = await db
    .select({ email: users.email })
    .from(userRoles)
    .innerJoin(users, eq(users.id, userRoles.userId))
    .where(
      and(
        eq(userRoles.role, role),
        isNull(users.erasedAt),
        exceptUserId === undefined ? undefined : ne(users.id, exceptUserId),
      ),
    );
  for (const holder of holders) await deps.mailer.send(db, { to: holder.email, ...message });
}
