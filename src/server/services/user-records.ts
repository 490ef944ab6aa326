import type { DbOrTx } from '#db/client.ts';
import { consents, totpCredentials, userRoles, users } from '#db/schema/index.ts';
import { CURRENT_ETHICS_VERSION } from '#src/lib/ethics.ts';
import type { Role } from '#src/lib/roles.ts';
import { newId } from '../ids.ts';

export interface NewUserRecord {
  id?: string;
  email: string;
  name: string;
  country: string;
  profession: string;
  passwordHash: string;
  /** Null until the address is confirmed (registration); set for accounts made by an administrator. */
  emailVerifiedAt: number | null;
  roles?: readonly Role[];
  /** Whether the code of ethics was accepted on the form that creates the account (default true). */
  acceptsEthics?: boolean;
  /** A TOTP secret already set up (demo and test accounts only; people enrol on /account/security). */
  totpSecret?: string | null;
}

/**
 * The one way a user account comes to exist (registration, the admin script, the demo seed and tests): the
 * user row, the code of ethics accepted at its current version, any roles and a TOTP secret. Returns the new user's id.
 */
export async function insertUserRecord(db: DbOrTx, user: NewUserRecord, now: number): Promise<string> {
  const id = user.id ?? newId();
  await db.insert(users).values({
    id,
    email: user.email,
    name: user.name,
    country: user.country,
    profession: user.profession,
    passwordHash: user.passwordHash,
    emailVerifiedAt: user.emailVerifiedAt,
    createdAt: now,
    updatedAt: now,
  });
  if (user.acceptsEthics !== false)
    await db.insert(consents).values({
      id: newId(),
      userId: id,
      document: 'code-of-ethics',
      version: CURRENT_ETHICS_VERSION,
      acceptedAt: now,
    });
  const roles = user.roles ?? [];
  if (roles.length > 0) {
    await db.insert(userRoles).values(roles.map((role) => ({ userId: id, role, grantedAt: now, grantedBy: null })));
  }
  if (user.totpSecret) {
    await db.insert(totpCredentials).values({ userId: id, secret: user.totpSecret, createdAt: now, lastUsedStep: 0 });
  }
  return id;
}
