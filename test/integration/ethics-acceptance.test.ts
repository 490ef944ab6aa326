import { and, eq } from 'drizzle-orm';
import { expect, test } from 'vitest';
import { auditLog, consents } from '#db/schema/index.ts';
import { CURRENT_ETHICS_VERSION } from '#src/lib/ethics.ts';
import { useTestDb } from '#test/helpers/db.ts';
import { anonymousCaller, callerFor, makeUser, testDeps } from '#test/helpers/factories.ts';
import { outcomeOf, trpcErrorOf } from '#test/helpers/trpc.ts';

const handle = useTestDb();

async function consentRows(userId: string) {
  return handle.db
    .select()
    .from(consents)
    .where(and(eq(consents.userId, userId), eq(consents.document, 'code-of-ethics')));
}

test('a signed-in user accepts the current version once; accepting again changes nothing', async () => {
  const user = await makeUser(handle.db, { roles: ['member'] });
  const { caller } = await callerFor(handle.db, user);
  expect(await caller.membership.ethics()).toEqual({ version: CURRENT_ETHICS_VERSION, acceptedAt: null });

  const first = await caller.membership.acceptEthics({ version: CURRENT_ETHICS_VERSION, accept: true });
  expect(first.version).toBe(CURRENT_ETHICS_VERSION);
  expect(await caller.membership.ethics()).toEqual(first);
  const again = await caller.membership.acceptEthics({ version: CURRENT_ETHICS_VERSION, accept: true });
  expect(again).toEqual(first);

  const rows = await consentRows(user.id);
  expect(rows).toHaveLength(1);
  expect(rows[0]).toMatchObject({ version: CURRENT_ETHICS_VERSION, acceptedAt: first.acceptedAt });
  const audits = await handle.db
    .select()
    .from(auditLog)
    .where(and(eq(auditLog.actorId, user.id), eq(auditLog.action, 'ethics.accepted')));
  expect(audits).toHaveLength(1);
});

test('a version other than the current one, an unticked box or no session is refused and records nothing', async () => {
  const user = await makeUser(handle.db, { roles: ['member'] });
  const { caller } = await callerFor(handle.db, user);
  const stale = await trpcErrorOf(caller.membership.acceptEthics({ version: '0.9', accept: true }));
  expect(stale.code).toBe('CONFLICT');
  expect(stale.message).toContain(`version ${CURRENT_ETHICS_VERSION}`);
  expect(await outcomeOf(caller.membership.acceptEthics({ version: CURRENT_ETHICS_VERSION, accept: false }))).toBe(
    'BAD_REQUEST',
  );
  for (const bad of [{ version: '', accept: true }, { version: 'x'.repeat(21), accept: true }, { accept: true }]) {
    // @ts-expect-error: what a hand-made request may send
    expect(await outcomeOf(caller.membership.acceptEthics(bad))).toBe('BAD_REQUEST');
  }
  const visitor = anonymousCaller(handle.db, testDeps());
  expect(await outcomeOf(visitor.membership.acceptEthics({ version: CURRENT_ETHICS_VERSION, accept: true }))).toBe(
    'UNAUTHORIZED',
  );
  expect(await consentRows(user.id)).toHaveLength(0);
});
