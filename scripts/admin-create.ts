/**
 * Creates an administrator (or grants the role to an existing account): how the first admin of a
 * production portal comes to exist. Usage: npm run admin:create -- --email you@org --name "Your Name"
 * The password is read from ADMIN_PASSWORD or generated and printed once.
 */
import { parseArgs } from 'node:util';
import { eq } from 'drizzle-orm';
import { userRoles, users } from '#db/schema/index.ts';
import { emailField, nameField, passwordField } from '#src/lib/schemas.ts';
import { writeAudit } from '#src/server/audit.ts';
import { hashPassword } from '#src/server/auth/password.ts';
import { getEnv } from '#src/server/env.ts';
import { newId, newSecret } from '#src/server/ids.ts';
import { insertUserRecord } from '#src/server/services/user-records.ts';
import { openMigratedDb } from './prepare-db.ts';

function fail(message: string): never {
  console.error(message);
  process.exit(2);
}

const { values } = parseArgs({ options: { email: { type: 'string' }, name: { type: 'string' } } });
const email = emailField.safeParse(values.email ?? '');
if (!email.success) fail(`--email: ${email.error.issues[0]?.message}`);
const name = nameField.safeParse(values.name ?? 'Administrator');
if (!name.success) fail(`--name: ${name.error.issues[0]?.message}`);
const generated = !process.env.ADMIN_PASSWORD;
const password = passwordField.safeParse(process.env.ADMIN_PASSWORD ?? newSecret());
if (!password.success) fail(`ADMIN_PASSWORD: ${password.error.issues[0]?.message}`);

const env = getEnv();
const { db, client } = await openMigratedDb(env);
const now = Date.now();
const existing = await db.select({ id: users.id }).from(users).where(eq(users.email, email.data)).limit(1);
const userId = existing[0]?.id ?? newId();
const passwordHash = existing[0] ? null : await hashPassword(password.data);
await db.transaction(async (tx) => {
  if (passwordHash) {
    const record = { id: userId, email: email.data, name: name.data, country: 'GB', profession: 'other' };
    await insertUserRecord(tx, { ...record, passwordHash, emailVerifiedAt: now }, now);
  }
  await tx.insert(userRoles).values({ userId, role: 'member', grantedAt: now, grantedBy: null }).onConflictDoNothing();
  await tx.insert(userRoles).values({ userId, role: 'admin', grantedAt: now, grantedBy: null }).onConflictDoNothing();
  await writeAudit(
    tx,
    { actorId: null, action: 'admin.created-from-cli', subjectId: userId, details: { email: email.data } },
    now,
  );
});
client.close();
if (passwordHash) {
  console.log(`Created administrator ${email.data}.`);
  if (generated) console.log(`Password (shown once, change it after signing in): ${password.data}`);
} else {
  console.log(`${email.data} already had an account; the admin role is granted.`);
}
console.log('Sign in, then set up two-factor authentication under Account → Security: the admin role requires it.');
