import { beforeAll, expect, test } from 'vitest';
import type { DbHandle } from '#db/client.ts';
import type { Role } from '#src/lib/roles.ts';
import { appRouter, type createCaller } from '#src/server/api/root.ts';
import { createTestDb } from '#test/helpers/db.ts';
import {
  anonymousCaller,
  callerFor,
  type MadeUser,
  makeUser,
  recordCookies,
  TEST_PASSWORD,
  testDeps,
  uniqueMeta,
} from '#test/helpers/factories.ts';
import { outcomeOf } from '#test/helpers/trpc.ts';

/**
 * Who may call what. Every procedure in appRouter must have a row here (a new procedure without one fails),
 * and every identity is tried against every procedure with an input that passes the input schema, so the
 * outcome is the access decision: 'allowed' means neither UNAUTHORIZED nor FORBIDDEN (a service may still
 * answer NOT_FOUND or BAD_REQUEST for the dummy input).
 */
const IDENTITIES = [
  'anonymous',
  'pending member (TOTP not yet entered)',
  'pending admin (TOTP not yet entered)',
  'member',
  'educator',
  'examiner without TOTP',
  'examiner with TOTP',
  'editor without TOTP',
  'editor with TOTP',
  'reviewer',
  'admin without TOTP',
  'admin with TOTP',
] as const;
type Identity = (typeof IDENTITIES)[number];
type Outcome = 'allowed' | 'UNAUTHORIZED' | 'FORBIDDEN';
type Row = Record<Identity, Outcome>;

const SETUP: Record<Identity, { roles: Role[]; totp: boolean; verified: boolean } | null> = {
  anonymous: null,
  'pending member (TOTP not yet entered)': { roles: ['member'], totp: true, verified: false },
  'pending admin (TOTP not yet entered)': { roles: ['member', 'admin'], totp: true, verified: false },
  member: { roles: ['member'], totp: false, verified: true },
  educator: { roles: ['member', 'educator'], totp: false, verified: true },
  'examiner without TOTP': { roles: ['member', 'examiner'], totp: false, verified: true },
  'examiner with TOTP': { roles: ['member', 'examiner'], totp: true, verified: true },
  'editor without TOTP': { roles: ['member', 'editor'], totp: false, verified: true },
  'editor with TOTP': { roles: ['member', 'editor'], totp: true, verified: true },
  reviewer: { roles: ['member', 'reviewer'], totp: false, verified: true },
  'admin without TOTP': { roles: ['member', 'admin'], totp: false, verified: true },
  'admin with TOTP': { roles: ['member', 'admin'], totp: true, verified: true },
};

function row(base: (identity: Identity) => Outcome, overrides: Partial<Row> = {}): Row {
  return Object.fromEntries(IDENTITIES.map((i) => [i, overrides[i] ?? base(i)])) as Row;
}
const isPending = (i: Identity) => i.startsWith('pending');
/** Anyone, signed in or not. */
const PUBLIC = () => row(() => 'allowed');
/** Any session, including one that still owes its second factor. */
const ANY_SESSION = () => row((i) => (i === 'anonymous' ? 'UNAUTHORIZED' : 'allowed'));
/** A fully signed-in user. */
const SIGNED_IN = () => row((i) => (i === 'anonymous' || isPending(i) ? 'UNAUTHORIZED' : 'allowed'));
/** A fully signed-in administrator who has TOTP. */
const ADMIN = () =>
  row((i) => {
    if (i === 'anonymous' || isPending(i)) return 'UNAUTHORIZED';
    return i === 'admin with TOTP' ? 'allowed' : 'FORBIDDEN';
  });

const MATRIX: Record<string, Row> = {
  'account.me': PUBLIC(),
  'account.register': PUBLIC(),
  'account.verifyEmail': PUBLIC(),
  'account.signIn': PUBLIC(),
  'account.requestPasswordReset': PUBLIC(),
  'account.resetPassword': PUBLIC(),
  'account.verifySecondFactor': ANY_SESSION(),
  'account.signOut': ANY_SESSION(),
  'account.changePassword': SIGNED_IN(),
  'account.sessions': SIGNED_IN(),
  'account.endSession': SIGNED_IN(),
  'account.twoFactorStatus': SIGNED_IN(),
  'account.beginTotp': SIGNED_IN(),
  'account.confirmTotp': SIGNED_IN(),
  // Holders of roles that require a second factor may not turn it off (a business rule, also FORBIDDEN).
  'account.disableTotp': {
    ...SIGNED_IN(),
    'examiner without TOTP': 'FORBIDDEN',
    'examiner with TOTP': 'FORBIDDEN',
    'editor without TOTP': 'FORBIDDEN',
    'editor with TOTP': 'FORBIDDEN',
    'admin without TOTP': 'FORBIDDEN',
    'admin with TOTP': 'FORBIDDEN',
  },
  'admin.users': ADMIN(),
  'admin.setRole': ADMIN(),
  'admin.outbox': ADMIN(),
};

let handle: DbHandle;
const users = new Map<Identity, MadeUser>();
let roleTarget: MadeUser;
let emailSequence = 0;

beforeAll(async () => {
  handle = await createTestDb();
  for (const identity of IDENTITIES) {
    const setup = SETUP[identity];
    if (setup) users.set(identity, await makeUser(handle.db, { roles: setup.roles, totp: setup.totp }));
  }
  roleTarget = await makeUser(handle.db);
});

/** An input that passes each procedure's schema without changing anything that other cells rely on. */
async function inputFor(path: string): Promise<unknown> {
  emailSequence++;
  switch (path) {
    case 'account.register':
      return {
        name: 'Matrix Person',
        email: `matrix${emailSequence}@example.org`,
        password: 'a long enough passphrase',
        country: 'IT',
        profession: 'physician',
        acceptEthics: true,
      };
    case 'account.verifyEmail':
      return { token: 'abcdefghijklmnopqrstuvwxyz234567' };
    case 'account.signIn': {
      // A fresh account each time, so the per-account limit never turns a success into a refusal.
      const target = await makeUser(handle.db);
      return { email: target.email, password: TEST_PASSWORD };
    }
    case 'account.verifySecondFactor':
      return { code: '000000' };
    case 'account.requestPasswordReset':
      return { email: `matrix${emailSequence}@example.org` };
    case 'account.resetPassword':
      return { token: 'abcdefghijklmnopqrstuvwxyz234567', password: 'a long enough passphrase' };
    case 'account.changePassword':
      return { currentPassword: 'not the current password', newPassword: 'a long enough passphrase' };
    case 'account.endSession':
      return { sessionId: 'no-such-session' };
    case 'account.confirmTotp':
      return { secret: 'JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP', code: '000000' };
    case 'account.disableTotp':
      return { password: 'not the current password' };
    case 'admin.users':
      return { query: '', page: 1 };
    case 'admin.setRole':
      return { userId: roleTarget.id, role: 'reviewer', granted: true };
    case 'admin.outbox':
      return { page: 1 };
    default:
      return undefined;
  }
}

async function callerAs(identity: Identity): Promise<ReturnType<typeof createCaller>> {
  const meta = uniqueMeta();
  const setup = SETUP[identity];
  const user = users.get(identity);
  if (!setup || !user) return anonymousCaller(handle.db, testDeps(), recordCookies(), meta);
  // A fresh session per call: signOut and endSession must not affect the other cells.
  return (await callerFor(handle.db, user, { twoFactorVerified: setup.verified, meta })).caller;
}

type AnyProcedure = (input: unknown) => Promise<unknown>;
function procedureAt(caller: ReturnType<typeof createCaller>, path: string): AnyProcedure {
  const [routerName = '', name = ''] = path.split('.');
  const routers = caller as unknown as Record<string, Record<string, AnyProcedure>>;
  const procedure = routers[routerName]?.[name];
  if (!procedure) throw new Error(`no procedure ${path} on the caller`);
  return procedure;
}

const PROCEDURE_PATHS = Object.keys(appRouter._def.procedures).sort();
const CELLS = PROCEDURE_PATHS.flatMap((path) => IDENTITIES.map((identity) => ({ path, identity })));

test('has a matrix row for every procedure in appRouter and none for procedures that do not exist', () => {
  expect(Object.keys(MATRIX).sort()).toEqual(PROCEDURE_PATHS);
});

test.each(CELLS)('$path as $identity', async ({ path, identity }) => {
  const expected = MATRIX[path]?.[identity];
  expect(expected, `add a MATRIX row for ${path}`).toBeDefined();
  const code = await outcomeOf(procedureAt(await callerAs(identity), path)(await inputFor(path)));
  const outcome: Outcome = code === 'UNAUTHORIZED' || code === 'FORBIDDEN' ? code : 'allowed';
  expect(outcome, `${path} as ${identity} ended with ${code}`).toBe(expected);
});
