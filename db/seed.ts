import { eq } from 'drizzle-orm';
import type { Db } from './client.ts';
import { consents, totpCredentials, userRoles, users } from './schema/index.ts';

export interface DemoAccount {
  email: string;
  name: string;
  roles: string[];
  /** Base32 TOTP secret for roles that require a second factor (published in the README: demo only). */
  totpSecret?: string;
}

export const DEMO_PASSWORD = 'demo-password-2026';

/** Demo accounts for every role, listed in the README. Development and demos only. */
export const DEMO_ACCOUNTS: readonly DemoAccount[] = [
  { email: 'member@iecpa.test', name: 'Maria Member', roles: ['member'] },
  { email: 'educator@iecpa.test', name: 'Eduardo Educator', roles: ['member', 'educator'] },
  { email: 'educator2@iecpa.test', name: 'Elif Educator', roles: ['member', 'educator'] },
  {
    email: 'examiner@iecpa.test',
    name: 'Emeka Examiner',
    roles: ['member', 'examiner'],
    totpSecret: 'JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP',
  },
  {
    email: 'editor@iecpa.test',
    name: 'Edith Editor',
    roles: ['member', 'editor'],
    totpSecret: 'KRSXG5CTMVRXEZLUKRSXG5CTMVRXEZLU',
  },
  { email: 'reviewer@iecpa.test', name: 'Ravi Reviewer', roles: ['member', 'reviewer'] },
  {
    email: 'admin@iecpa.test',
    name: 'Ada Admin',
    roles: ['member', 'admin'],
    totpSecret: 'MFRGGZDFMZTWQ2LKMFRGGZDFMZTWQ2LK',
  },
];

export interface SeedOptions {
  production: boolean;
  hashPassword: (password: string) => Promise<string>;
  newId: () => string;
  ethicsVersion: string;
  now?: number;
}

/** Creates the demo accounts that do not exist yet. Idempotent; refuses in production. */
export async function seedDemo(db: Db, options: SeedOptions): Promise<{ created: number }> {
  if (options.production) throw new Error('Refusing to seed demo accounts when NODE_ENV=production.');
  const now = options.now ?? Date.now();
  let created = 0;
  let passwordHash: string | null = null;
  for (const account of DEMO_ACCOUNTS) {
    const existing = await db.select({ id: users.id }).from(users).where(eq(users.email, account.email)).limit(1);
    if (existing[0]) continue;
    passwordHash ??= await options.hashPassword(DEMO_PASSWORD);
    const id = options.newId();
    await db.transaction(async (tx) => {
      await tx.insert(users).values({
        id,
        email: account.email,
        name: account.name,
        country: 'GB',
        profession: 'physician',
        passwordHash: passwordHash as string,
        emailVerifiedAt: now,
        createdAt: now,
        updatedAt: now,
      });
      await tx
        .insert(userRoles)
        .values(account.roles.map((role) => ({ userId: id, role, grantedAt: now, grantedBy: null })));
      await tx.insert(consents).values({
        id: options.newId(),
        userId: id,
        document: 'code-of-ethics',
        version: options.ethicsVersion,
        acceptedAt: now,
      });
      if (account.totpSecret) {
        await tx
          .insert(totpCredentials)
          .values({ userId: id, secret: account.totpSecret, createdAt: now, lastUsedStep: 0 });
      }
    });
    created++;
  }
  return { created };
}
