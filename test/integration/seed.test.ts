import { beforeAll, expect, test } from 'vitest';
import type { DbHandle } from '#db/client.ts';
import { DEMO_ACCOUNTS, DEMO_PASSWORD, type SeedOptions, seedDemo } from '#db/seed.ts';
import { CURRENT_ETHICS_VERSION } from '#src/lib/ethics.ts';
import { ROLES, ROLES_REQUIRING_TOTP } from '#src/lib/roles.ts';
import { hashPassword } from '#src/server/auth/password.ts';
import { validateSessionToken } from '#src/server/auth/session.ts';
import { totpCodeAt } from '#src/server/auth/totp.ts';
import { newId } from '#src/server/ids.ts';
import { signIn, verifySecondFactor } from '#src/server/services/accounts.ts';
import { countAllRows, createTestDb } from '#test/helpers/db.ts';
import { testDeps, uniqueMeta } from '#test/helpers/factories.ts';

let handle: DbHandle;
beforeAll(async () => {
  handle = await createTestDb();
});

const options: SeedOptions = { production: false, hashPassword, newId, ethicsVersion: CURRENT_ETHICS_VERSION };

test('creates the demo accounts once: a second run changes no row', async () => {
  expect(await seedDemo(handle.db, options)).toEqual({ created: DEMO_ACCOUNTS.length });
  const afterFirst = await countAllRows(handle);
  const snapshot = await handle.client.execute('select id, email, password_hash from users order by email');
  expect(await seedDemo(handle.db, options)).toEqual({ created: 0 });
  expect(await countAllRows(handle)).toEqual(afterFirst);
  const again = await handle.client.execute('select id, email, password_hash from users order by email');
  expect(again.rows).toEqual(snapshot.rows);
});

test('gives every role to at least one demo account', async () => {
  const held = new Set(DEMO_ACCOUNTS.flatMap((a) => a.roles));
  expect([...held].sort()).toEqual([...ROLES].sort());
  for (const account of DEMO_ACCOUNTS) {
    const needsTotp = account.roles.some((r) => (ROLES_REQUIRING_TOTP as readonly string[]).includes(r));
    expect(Boolean(account.totpSecret), account.email).toBe(needsTotp);
  }
});

test('lets the demo admin sign in with the published password and TOTP secret', async () => {
  await seedDemo(handle.db, options);
  const admin = DEMO_ACCOUNTS.find((a) => a.roles.includes('admin'));
  const result = await signIn(
    handle.db,
    testDeps(),
    { email: admin?.email ?? '', password: DEMO_PASSWORD },
    uniqueMeta(),
  );
  if (result.status !== 'signed-in') throw new Error(`demo admin sign-in: ${result.status}`);
  expect(result.needsTwoFactor).toBe(true);
  const code = totpCodeAt(admin?.totpSecret ?? '', Date.now());
  expect(await verifySecondFactor(handle.db, result.session, code, uniqueMeta())).toBe('verified');
  expect((await validateSessionToken(handle.db, result.token))?.user.roles).toContain('admin');
});

test('refuses to seed in production and writes nothing', async () => {
  const fresh = await createTestDb();
  const before = await countAllRows(fresh);
  await expect(seedDemo(fresh.db, { ...options, production: true })).rejects.toThrow(/production/);
  expect(await countAllRows(fresh)).toEqual(before);
  expect(before.users).toBe(0);
  fresh.client.close();
});
