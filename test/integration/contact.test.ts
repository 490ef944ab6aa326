import { eq } from 'drizzle-orm';
import { beforeAll, expect, test } from 'vitest';
import { contactMessages, mailOutbox } from '#db/schema/index.ts';
import { DAY_MS } from '#src/lib/dates.ts';
import { runScheduledJob, SCHEDULED_JOBS } from '#src/server/scheduled-jobs.ts';
import { CONTACT_MESSAGE_KEPT_DAYS, purgeOldContactMessages } from '#src/server/services/contact.ts';
import { countAllRows, useTestDb } from '#test/helpers/db.ts';
import { anonymousCaller, callerFor, type MadeUser, makeUser, testDeps, uniqueMeta } from '#test/helpers/factories.ts';
import { trpcErrorOf } from '#test/helpers/trpc.ts';

const handle = useTestDb();
let admin: MadeUser;

beforeAll(async () => {
  admin = await makeUser(handle.db, { roles: ['member', 'admin'], totp: true, email: 'contact-admin@example.org' });
});

const valid = {
  topic: 'privacy' as const,
  name: 'Jun Tanaka',
  email: 'jun.tanaka@example.org',
  message: 'Please tell me which of my data you hold.',
};

test('anyone can write; the message is stored and the administrators are told one waits, without its text', async () => {
  const before = await handle.db.select().from(mailOutbox);
  await anonymousCaller(handle.db, testDeps(), undefined, uniqueMeta()).contact.send(valid);
  const stored = await handle.db.select().from(contactMessages).where(eq(contactMessages.email, valid.email));
  expect(stored).toHaveLength(1);
  expect(stored[0]).toMatchObject({ topic: 'privacy', name: 'Jun Tanaka', userId: null, handledAt: null });
  const mails = (await handle.db.select().from(mailOutbox)).slice(before.length);
  expect(mails.map((m) => m.toAddress)).toEqual([admin.email]);
  expect(mails[0]?.subject).toContain('Privacy and my data');
  expect(mails[0]?.textBody).toContain('/admin/messages');
  expect(mails[0]?.textBody).not.toContain('Jun Tanaka');
  expect(mails[0]?.textBody).not.toContain('which of my data');
});

test('a signed-in sender’s message is tied to their account', async () => {
  const member = await makeUser(handle.db, { roles: ['member'] });
  const { caller } = await callerFor(handle.db, member, { meta: uniqueMeta() });
  await caller.contact.send({ ...valid, email: member.email, message: 'A question about my renewal date.' });
  const rows = await handle.db.select().from(contactMessages).where(eq(contactMessages.userId, member.id));
  expect(rows).toHaveLength(1);
});

test('bad input of every kind is refused with a message per field and stores nothing', async () => {
  const caller = anonymousCaller(handle.db, testDeps(), undefined, uniqueMeta());
  const before = await countAllRows(handle);
  const cases: [Record<string, unknown>, string][] = [
    [{ ...valid, topic: 'sales' }, 'topic'],
    [{ ...valid, topic: undefined }, 'topic'],
    [{ ...valid, name: '' }, 'name'],
    [{ ...valid, email: 'not-an-address' }, 'email'],
    [{ ...valid, message: '   short  ' }, 'message'],
    [{ ...valid, message: 'x'.repeat(5001) }, 'message'],
    [{ ...valid, message: 42 }, 'message'],
  ];
  for (const [input, field] of cases) {
    const error = await trpcErrorOf(caller.contact.send(input as typeof valid));
    expect(error.code, field).toBe('BAD_REQUEST');
    expect(JSON.stringify(error.cause), field).toContain(field);
  }
  expect(await countAllRows(handle)).toEqual(before);
});

test('one address may send five messages an hour; the sixth is refused and stores nothing', async () => {
  const meta = uniqueMeta();
  const caller = anonymousCaller(handle.db, testDeps(), undefined, meta);
  for (let i = 0; i < 5; i++) await caller.contact.send({ ...valid, message: `Message number ${i} about my data.` });
  const rowsBefore = (await handle.db.select().from(contactMessages)).length;
  const error = await trpcErrorOf(caller.contact.send(valid));
  expect(error.code).toBe('TOO_MANY_REQUESTS');
  expect(error.message).toMatch(/try again/i);
  expect((await handle.db.select().from(contactMessages)).length).toBe(rowsBefore);
});

test('only administrators read messages and mark them handled, once', async () => {
  const member = await makeUser(handle.db, { roles: ['member'] });
  const memberCaller = (await callerFor(handle.db, member)).caller;
  expect((await trpcErrorOf(memberCaller.contact.list())).code).toBe('FORBIDDEN');
  expect((await trpcErrorOf(anonymousCaller(handle.db).contact.list())).code).toBe('UNAUTHORIZED');

  const adminCaller = (await callerFor(handle.db, admin)).caller;
  const [first] = await adminCaller.contact.list();
  if (!first) throw new Error('no message listed');
  expect((await trpcErrorOf(memberCaller.contact.markHandled({ messageId: first.id }))).code).toBe('FORBIDDEN');
  await adminCaller.contact.markHandled({ messageId: first.id });
  const again = await trpcErrorOf(adminCaller.contact.markHandled({ messageId: first.id }));
  expect(again.code).toBe('CONFLICT');
  expect((await trpcErrorOf(adminCaller.contact.markHandled({ messageId: 'no-such-id' }))).code).toBe('NOT_FOUND');
  const listed = await adminCaller.contact.list();
  expect(listed.find((m) => m.id === first.id)?.handledAt).not.toBeNull();
  // Waiting messages come first.
  const firstHandled = listed.findIndex((m) => m.handledAt !== null);
  expect(listed.slice(firstHandled).every((m) => m.handledAt !== null)).toBe(true);
});

test('messages are deleted after the keeping period, by the scheduled job', async () => {
  const now = Date.now();
  const old = (await handle.db.select().from(contactMessages)).length;
  expect(old).toBeGreaterThan(0);
  expect(await purgeOldContactMessages(handle.db, now + (CONTACT_MESSAGE_KEPT_DAYS - 1) * DAY_MS)).toEqual({
    deleted: 0,
  });
  const job = SCHEDULED_JOBS.find((j) => j.name === 'contact-messages');
  if (!job) throw new Error('no contact-messages job');
  await runScheduledJob(handle.db, testDeps(), job, () => now + (CONTACT_MESSAGE_KEPT_DAYS + 1) * DAY_MS);
  expect(await handle.db.select().from(contactMessages)).toEqual([]);
});
