import { beforeAll, expect, test } from 'vitest';
import type { DbHandle } from '#db/client.ts';
import { anonymousCaller, lastMailTo, linkFrom, testDeps } from '#test/helpers/factories.ts';
import { createTestDb } from '#test/helpers/db.ts';

let handle: DbHandle;
beforeAll(async () => {
  handle = await createTestDb();
});

test('registers, verifies by the mailed link and signs in', async () => {
  const deps = testDeps();
  const anon = anonymousCaller(handle.db, deps);
  await anon.account.register({
    name: 'Ana Lima',
    email: 'Ana.Lima@Example.org',
    password: 'a long enough passphrase',
    country: 'BR',
    profession: 'nurse',
    acceptEthics: true,
  });
  const mail = await lastMailTo(handle.db, 'ana.lima@example.org');
  expect(mail?.subject).toContain('Confirm your email');
  const link = linkFrom(mail?.textBody ?? '', '/verify-email');
  await anon.account.verifyEmail({ token: link.searchParams.get('token') ?? '' });
  const result = await anon.account.signIn({ email: 'ana.lima@example.org', password: 'a long enough passphrase' });
  expect(result.needsTwoFactor).toBe(false);
});
