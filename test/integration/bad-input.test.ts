import { eq } from 'drizzle-orm';
import { beforeAll, expect, test } from 'vitest';
import { users } from '#db/schema/index.ts';
import type { Context } from '#src/server/api/trpc.ts';
import { countAllRows, useTestDb } from '#test/helpers/db.ts';
import { anonymousCaller, callerFor, makeUser, recordCookies, testDeps, uniqueMeta } from '#test/helpers/factories.ts';
import { anonymousContext, callOverHttp } from '#test/helpers/trpc.ts';

const handle = useTestDb();
let memberCtx: Context;
let adminCtx: Context;
let memberId: string;
beforeAll(async () => {
  const member = await makeUser(handle.db);
  memberId = member.id;
  memberCtx = (await callerFor(handle.db, member)).ctx;
  adminCtx = (await callerFor(handle.db, await makeUser(handle.db, { roles: ['member', 'admin'], totp: true }))).ctx;
});

type Who = 'anonymous' | 'member' | 'admin';
interface BadInputCase {
  path: string;
  kind: 'query' | 'mutation';
  who: Who;
  valid: () => Record<string, unknown>;
  field: string;
  label: string;
  value: unknown;
}

const validRegister = () => ({
  name: 'Grace Hopper',
  email: 'grace@example.org',
  password: 'a long enough passphrase',
  country: 'US',
  profession: 'researcher' as const,
  acceptEthics: true as const,
});
const validSignIn = () => ({ email: 'grace@example.org', password: 'whatever it is' });
const validReset = () => ({
  token: 'abcdefghijklmnopqrstuvwxyz234567',
  password: 'a long enough passphrase',
});
const validChange = () => ({ currentPassword: 'my old password', newPassword: 'a long enough passphrase' });
const validConfirmTotp = () => ({ secret: 'JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP', code: '123456' });
const validUsers = () => ({ query: 'grace', page: 1 });
const validSetRole = () => ({ userId: memberId, role: 'educator', granted: true });

const MISSING = Symbol('missing');
const long = (n: number) => 'x'.repeat(n);

/** [label, value] pairs per field; MISSING leaves the field out. */
const BAD_VALUES: Record<string, Record<string, [string, unknown][]>> = {
  'account.register': {
    name: [
      ['empty', ''],
      ['blank', '   '],
      ['too long', long(121)],
      ['control character', 'Grace\u0000Hopper'],
      ['missing', MISSING],
      ['not a string', 42],
    ],
    email: [
      ['empty', ''],
      ['too long', `${long(250)}@example.org`],
      ['malformed', 'grace at example.org'],
      ['no domain', 'grace@'],
      ['missing', MISSING],
    ],
    password: [
      ['empty', ''],
      ['too short', 'seven77'],
      ['too long', long(129)],
      ['missing', MISSING],
    ],
    country: [
      ['empty', ''],
      ['unknown code', 'XX'],
      ['lower case', 'us'],
      ['a name', 'United States'],
    ],
    profession: [
      ['empty', ''],
      ['unknown', 'wizard'],
    ],
    acceptEthics: [
      ['false', false],
      ['a string', 'true'],
      ['missing', MISSING],
    ],
  },
  'account.signIn': {
    email: [
      ['empty', ''],
      ['too long', `${long(250)}@example.org`],
      ['malformed', 'grace@@example.org'],
    ],
    password: [
      ['empty', ''],
      ['too long', long(129)],
      ['missing', MISSING],
    ],
  },
  'account.resetPassword': {
    token: [
      ['empty', ''],
      ['too short', 'abc'],
      ['too long', 'a'.repeat(101)],
      ['wrong alphabet', 'ABCDEFGHIJKLMNOP'],
      ['path-like', '../../etc/passwd'],
    ],
    password: [
      ['empty', ''],
      ['too short', 'short'],
      ['too long', long(129)],
    ],
  },
  'account.changePassword': {
    currentPassword: [
      ['empty', ''],
      ['too long', long(129)],
    ],
    newPassword: [
      ['empty', ''],
      ['too short', 'short'],
      ['too long', long(129)],
      ['missing', MISSING],
    ],
  },
  'account.confirmTotp': {
    secret: [
      ['empty', ''],
      ['too short', 'JBSWY3DP'],
      ['lower case', 'jbswy3dpehpk3pxpjbswy3dpehpk3pxp'],
      ['too long', 'JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXPA'],
    ],
    code: [
      ['empty', ''],
      ['five digits', '12345'],
      ['seven digits', '1234567'],
      ['letters', 'abcdef'],
    ],
  },
  'admin.users': {
    query: [
      ['too long', long(101)],
      ['not a string', 5],
    ],
    page: [
      ['zero', 0],
      ['negative', -1],
      ['fractional', 1.5],
      ['not a number', 'abc'],
      ['too large', 100_001],
    ],
  },
  'admin.setRole': {
    userId: [
      ['empty', ''],
      ['too long', long(65)],
      ['missing', MISSING],
    ],
    role: [
      ['empty', ''],
      ['unknown', 'superuser'],
      ['upper case', 'ADMIN'],
    ],
    granted: [
      ['a string', 'yes'],
      ['missing', MISSING],
    ],
  },
};

const PROCEDURES: Record<string, { kind: 'query' | 'mutation'; who: Who; valid: () => Record<string, unknown> }> = {
  'account.register': { kind: 'mutation', who: 'anonymous', valid: validRegister },
  'account.signIn': { kind: 'mutation', who: 'anonymous', valid: validSignIn },
  'account.resetPassword': { kind: 'mutation', who: 'anonymous', valid: validReset },
  'account.changePassword': { kind: 'mutation', who: 'member', valid: validChange },
  'account.confirmTotp': { kind: 'mutation', who: 'member', valid: validConfirmTotp },
  'admin.users': { kind: 'query', who: 'admin', valid: validUsers },
  'admin.setRole': { kind: 'mutation', who: 'admin', valid: validSetRole },
};

const CASES: BadInputCase[] = Object.entries(BAD_VALUES).flatMap(([path, fields]) => {
  const procedure = PROCEDURES[path];
  if (!procedure) throw new Error(`no procedure entry for ${path}`);
  return Object.entries(fields).flatMap(([field, values]) =>
    values.map(([label, value]) => ({ path, field, label, value, ...procedure })),
  );
});

function contextFor(who: Who): Context {
  if (who === 'member') return memberCtx;
  if (who === 'admin') return adminCtx;
  return anonymousContext(handle.db);
}

function withBadValue(c: BadInputCase): Record<string, unknown> {
  const input = c.valid();
  if (c.value === MISSING) delete input[c.field];
  else input[c.field] = c.value;
  return input;
}

test.each(CASES)('refuses $path with a $label $field: field error names it, nothing written', async (c) => {
  const before = await countAllRows(handle);
  const { status, body } = await callOverHttp(contextFor(c.who), c.path, withBadValue(c), c.kind);
  expect(status).toBe(400);
  expect(body.error?.data.code).toBe('BAD_REQUEST');
  expect(body.error?.message).toBe('Some fields need your attention.');
  expect(Object.keys(body.error?.data.fieldErrors ?? {})).toEqual([c.field]);
  expect(body.error?.data.fieldErrors?.[c.field]).toEqual(expect.any(String));
  expect(JSON.stringify(body)).not.toMatch(/ at .*\.ts:\d+/);
  expect(await countAllRows(handle)).toEqual(before);
});

test('passes input validation with the valid base input of every procedure, so each refusal is the bad field’s', async () => {
  for (const [path, procedure] of Object.entries(PROCEDURES)) {
    const { body } = await callOverHttp(contextFor(procedure.who), path, procedure.valid(), procedure.kind);
    // The service may still refuse (wrong password, unknown token), but not the input schema.
    expect(body.error?.message ?? 'no error', path).not.toBe('Some fields need your attention.');
  }
});

test('returns the service’s field error for a common password and writes no account', async () => {
  const before = await countAllRows(handle);
  const input = { ...validRegister(), email: 'common@example.org', password: 'Password123' };
  const { status, body } = await callOverHttp(anonymousContext(handle.db), 'account.register', input);
  expect(status).toBe(400);
  expect(body.error?.data.fieldErrors).toEqual({ password: expect.stringContaining('too common') });
  const after = await countAllRows(handle);
  // The attempt is counted against the rate limit; nothing else is written.
  expect({ ...after, rate_limits: 0 }).toEqual({ ...before, rate_limits: 0 });
  expect(await handle.db.select().from(users).where(eq(users.email, 'common@example.org'))).toHaveLength(0);
});

test('stores HTML, script and SQL-looking text in a name verbatim and returns it as data', async () => {
  const name = `<script>alert("x")</script><img src=x onerror=alert(1)> Robert'); DROP TABLE users;-- %_\\`;
  const email = 'bobby.tables@example.org';
  await anonymousCaller(handle.db, testDeps(), recordCookies(), uniqueMeta()).account.register({
    ...validRegister(),
    email,
    name,
    profession: 'researcher',
  });
  const [row] = await handle.db.select().from(users).where(eq(users.email, email));
  expect(row?.name).toBe(name);
  const { body } = await callOverHttp(adminCtx, 'admin.users', { query: 'DROP TABLE', page: 1 }, 'query');
  const data = body.result?.data as { items: { name: string; email: string }[] };
  expect(data.items.map((i) => i.name)).toEqual([name]);
  expect((await handle.client.execute("select count(*) as n from sqlite_master where name = 'users'")).rows[0]?.n).toBe(
    1,
  );
});

test('returns a verbatim script-looking name from account.me as plain JSON data', async () => {
  const name = '<b onmouseover="alert(1)">Eve</b>';
  const user = await makeUser(handle.db, { name });
  const { ctx } = await callerFor(handle.db, user);
  const { status, body } = await callOverHttp(ctx, 'account.me', undefined, 'query');
  expect(status).toBe(200);
  expect((body.result?.data as { name: string } | undefined)?.name).toBe(name);
});
