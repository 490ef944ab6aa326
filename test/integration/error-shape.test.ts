import { expect, test } from 'vitest';
import { INTERNAL_ERROR_MESSAGE } from '#src/server/api/trpc.ts';
import { useTestDb } from '#test/helpers/db.ts';
import { callerFor, makeUser } from '#test/helpers/factories.ts';
import { anonymousContext, callOverHttp } from '#test/helpers/trpc.ts';

const handle = useTestDb();
test('hides the SQL and parameters of a failed query from the client', async () => {
  const user = await makeUser(handle.db);
  const { ctx } = await callerFor(handle.db, user);
  // A broken database (this test file's own copy): every query on sessions now fails.
  await handle.client.execute('drop table sessions');
  const { status, body } = await callOverHttp(ctx, 'account.sessions', undefined, 'query');
  expect(status).toBe(500);
  expect(body.error?.message).toBe(INTERNAL_ERROR_MESSAGE);
  const text = JSON.stringify(body);
  expect(text).not.toMatch(/select |from "|params:/i);
  expect(text).not.toContain(user.id);
});

test('keeps the message of a deliberate refusal', async () => {
  const { status, body } = await callOverHttp(anonymousContext(handle.db), 'account.sessions', undefined, 'query');
  expect(status).toBe(401);
  expect(body.error?.message).toBe('Sign in to continue.');
  expect(body.error?.data.fieldErrors).toBeNull();
});
