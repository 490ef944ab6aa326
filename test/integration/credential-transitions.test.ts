import { eq } from 'drizzle-orm';
import { beforeAll, expect, test } from 'vitest';
import { CREDENTIAL_STATUSES, type CredentialStatus, credentials } from '#db/schema/index.ts';
import { runCredentialJob } from '#src/server/services/credential-job.ts';
import { MOVES, type Move, transition } from '#src/server/services/credentials.ts';
import {
  type CredentialFixture,
  credentialFixture,
  credentialOf,
  DEFINITION,
  qualified,
} from '#test/helpers/credentials.ts';
import { countAllRows, useTestDb } from '#test/helpers/db.ts';
import { callerFor, type MadeUser, makeUser, testDeps } from '#test/helpers/factories.ts';
import { trpcErrorOf } from '#test/helpers/trpc.ts';

const handle = useTestDb();
const deps = testDeps();
let admin: MadeUser;
let holder: MadeUser;
let fixture: CredentialFixture;
let credentialId: string;

const MOVE_NAMES = Object.keys(MOVES) as Move[];
const REASON = { reason: 'A reason for the record, long enough', reasonClass: 'administrative' as const };

/** Puts the credential in `status` (straight in the ledger: the table's guard is what is under test). */
async function putIn(status: CredentialStatus) {
  await handle.db.update(credentials).set({ status }).where(eq(credentials.id, credentialId));
}

const actorOf = (move: Move) => (MOVES[move].by === 'admin' ? admin.id : holder.id);

beforeAll(async () => {
  admin = await makeUser(handle.db, { roles: ['member', 'admin'], totp: true });
  fixture = await credentialFixture(handle.db, admin.id);
  await (await callerFor(handle.db, admin)).caller.credentials.saveDefinition(DEFINITION);
  holder = await qualified(handle.db, fixture, 'Ada Transition', 'GB');
  await runCredentialJob(handle.db, deps, Date.now());
  credentialId = (await credentialOf(handle.db, holder.id)).id;
});

test('every move the table forbids is refused with its reason and changes nothing', async () => {
  let refused = 0;
  for (const move of MOVE_NAMES) {
    const rule = MOVES[move];
    for (const status of CREDENTIAL_STATUSES.filter((s) => !rule.from.includes(s))) {
      await putIn(status);
      const row = await credentialOf(handle.db, holder.id);
      const before = await countAllRows(handle);
      const result = await transition(handle.db, deps, move, actorOf(move), credentialId, REASON);
      expect(result, `${move} from ${status}`).toEqual({
        ok: false,
        code: 'CONFLICT',
        message: rule.refused[status] ?? rule.refused.otherwise,
      });
      expect(await countAllRows(handle), `${move} from ${status}`).toEqual(before);
      expect(await credentialOf(handle.db, holder.id)).toEqual(row);
      refused++;
    }
  }
  // revoked → anything, and reinstate from anything but suspended, are among them.
  expect(refused).toBeGreaterThanOrEqual(MOVE_NAMES.length + 5);
});

test('every move the table allows is made once, with its event, audit row and the status it names', async () => {
  for (const move of MOVE_NAMES) {
    const rule = MOVES[move];
    for (const status of rule.from) {
      await putIn(status);
      const before = await countAllRows(handle);
      const result = await transition(handle.db, deps, move, actorOf(move), credentialId, REASON);
      const expected = rule.to === 'by-dates' ? 'certified' : rule.to;
      expect(result, `${move} from ${status}`).toEqual({ ok: true, status: expected });
      expect((await credentialOf(handle.db, holder.id)).status).toBe(expected);
      const after = await countAllRows(handle);
      expect(after.credential_events).toBe((before.credential_events ?? 0) + 1);
      expect(after.audit_log).toBe((before.audit_log ?? 0) + 1);
    }
  }
});

test('through tRPC: revoked → reinstated and revoked → suspended are refused with a clear error', async () => {
  const adminCaller = (await callerFor(handle.db, admin)).caller;
  const holderCaller = (await callerFor(handle.db, holder)).caller;
  await putIn('revoked');
  const before = await countAllRows(handle);
  const reinstate = await trpcErrorOf(
    adminCaller.credentials.reinstate({ credentialId, reason: 'Undo the revocation please' }),
  );
  expect(reinstate).toMatchObject({
    code: 'CONFLICT',
    message: 'A revoked credential is final; it cannot be reinstated.',
  });
  const suspend = await trpcErrorOf(
    adminCaller.credentials.suspend({ credentialId, reasonClass: 'conduct', reason: 'Suspend it instead now' }),
  );
  expect(suspend.message).toBe('A revoked credential is final; it cannot be suspended.');
  const back = await trpcErrorOf(holderCaller.credentials.setInactive({ credentialId, inactive: false }));
  expect(back.message).toBe('This credential is not inactive.');
  expect(await countAllRows(handle)).toEqual(before);
  // The holder's moves are for their own credential only: an admin's id is not the holder's.
  await putIn('certified');
  expect(await transition(handle.db, deps, 'set-inactive', admin.id, credentialId, REASON)).toMatchObject({
    ok: false,
    code: 'NOT_FOUND',
  });

  // The admin's page says who made each change; the holder's says whether it was them, IECPA or the job.
  const adminView = await adminCaller.credentials.adminGet({ credentialId });
  const actors = new Set(adminView.historyActors);
  expect(actors).toEqual(new Set(['the scheduled job', 'the holder', admin.name]));
  const holderView = (await holderCaller.credentials.mine()).credentials[0];
  expect(new Set(holderView?.history.map((h) => h.by))).toEqual(new Set(['job', 'holder', 'association']));
  expect(JSON.stringify(holderView)).not.toContain(admin.name);
});
