import { execFile } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { eq, sql } from 'drizzle-orm';
import { beforeAll, expect, test } from 'vitest';
import { mailOutbox, membershipEvents, memberships, scheduledJobRuns } from '#db/schema/index.ts';
import { DAY_MS } from '#src/lib/dates.ts';
import { addOneCalendarYear } from '#src/lib/membership-rules.ts';
import { runScheduledJob, startJobTimer, startScheduledJobs, stopScheduledJobs } from '#src/server/scheduled-jobs.ts';
import { activateMembership } from '#src/server/services/membership-lifecycle.ts';
import { runMembershipJob } from '#src/server/services/membership-reminders.ts';
import { countAllRows, useTestDb } from '#test/helpers/db.ts';
import { callerFor, type MadeUser, makeUser, testDeps } from '#test/helpers/factories.ts';
import { trpcErrorOf } from '#test/helpers/trpc.ts';

const handle = useTestDb();
let admin: MadeUser;
const deps = testDeps();

beforeAll(async () => {
  admin = await makeUser(handle.db, { roles: ['member', 'admin'], totp: true });
});

/** A member approved at `approvedAt` in `categoryId`; returns the user and the period's expiry. */
async function approvedMember(approvedAt: number, categoryId = 'practitioner') {
  const user = await makeUser(handle.db);
  await handle.db.transaction((tx) =>
    activateMembership(tx, { userId: user.id, categoryId, actorId: admin.id, now: approvedAt }),
  );
  return { user, expiresAt: addOneCalendarYear(approvedAt) };
}

/** Subjects of the mails to `email` in the order they were recorded. */
async function subjectsTo(email: string): Promise<string[]> {
  const rows = await handle.db
    .select({ subject: mailOutbox.subject })
    .from(mailOutbox)
    .where(eq(mailOutbox.toAddress, email))
    .orderBy(sql`rowid`);
  return rows.map((r) => r.subject);
}

async function statusOf(userId: string): Promise<string | undefined> {
  const [row] = await handle.db.select().from(memberships).where(eq(memberships.userId, userId));
  return row?.status;
}

test('reminds at 30 and 7 days, moves to grace at expiry and lapses 30 days later, each mail once though run twice', async () => {
  const { user, expiresAt } = await approvedMember(Date.UTC(2036, 2, 1, 9));
  const runTwice = async (now: number) => {
    await runMembershipJob(handle.db, deps, now);
    await runMembershipJob(handle.db, deps, now);
  };

  await runTwice(expiresAt - 31 * DAY_MS);
  expect(await subjectsTo(user.email)).toEqual([]);

  await runTwice(expiresAt - 30 * DAY_MS);
  await runTwice(expiresAt - 20 * DAY_MS);
  expect(await subjectsTo(user.email)).toEqual(['Your IECPA membership expires in 30 days']);

  await runTwice(expiresAt - 7 * DAY_MS);
  await runTwice(expiresAt - 1);
  expect(await subjectsTo(user.email)).toHaveLength(2);
  expect((await subjectsTo(user.email))[1]).toBe('Your IECPA membership expires in 7 days');
  expect(await statusOf(user.id)).toBe('active');

  await runTwice(expiresAt);
  expect(await statusOf(user.id)).toBe('grace');
  await runTwice(expiresAt + 30 * DAY_MS - 1);
  expect(await statusOf(user.id)).toBe('grace');
  await runTwice(expiresAt + 30 * DAY_MS);
  expect(await statusOf(user.id)).toBe('lapsed');
  await runTwice(expiresAt + 400 * DAY_MS);

  expect(await subjectsTo(user.email)).toEqual([
    'Your IECPA membership expires in 30 days',
    'Your IECPA membership expires in 7 days',
    'Your IECPA membership has expired',
    'Your IECPA membership has lapsed',
  ]);
  const events = await handle.db.select().from(membershipEvents).where(eq(membershipEvents.userId, user.id));
  expect(events.map((e) => [e.kind, e.fromStatus, e.toStatus, e.actorId])).toEqual([
    ['approved', null, 'active', admin.id],
    ['grace', 'active', 'grace', null],
    ['lapsed', 'grace', 'lapsed', null],
  ]);
});

test('two runs at the same time send each mail once', async () => {
  const members = await Promise.all([0, 1, 2].map((i) => approvedMember(Date.UTC(2037, 4, 10 + i))));
  const lastExpiry = Math.max(...members.map((m) => m.expiresAt));
  // Every member is within 30 days of expiry at this moment, none within 7.
  const now = lastExpiry - 25 * DAY_MS;
  const results = await Promise.all([
    runMembershipJob(handle.db, deps, now),
    runMembershipJob(handle.db, deps, now),
    runMembershipJob(handle.db, deps, now),
  ]);
  expect(results.reduce((sum, r) => sum + r.reminded30, 0)).toBeGreaterThanOrEqual(3);
  for (const { user } of members) {
    expect(await subjectsTo(user.email)).toEqual(['Your IECPA membership expires in 30 days']);
  }
  const atExpiry = lastExpiry + 1;
  await Promise.all([runMembershipJob(handle.db, deps, atExpiry), runMembershipJob(handle.db, deps, atExpiry)]);
  for (const { user } of members) {
    expect((await subjectsTo(user.email)).filter((s) => s.includes('has expired'))).toHaveLength(1);
  }
});

/** Runs the membership job at `now` in a separate Node process on the test database; resolves to its result. */
function jobInChildProcess(now: number): Promise<string> {
  const script = [
    "import { openDb } from '#db/client.ts';",
    "import { createMailer } from '#src/server/mail/mailer.ts';",
    "import { runMembershipJob } from '#src/server/services/membership-reminders.ts';",
    'const { db, client } = await openDb({ url: process.env.JOB_DB_URL });',
    "const deps = { mailer: createMailer({ from: 'IECPA <test@iecpa.test>' }), siteUrl: 'http://portal.test' };",
    'console.log(JSON.stringify(await runMembershipJob(db, deps, Number(process.env.JOB_NOW))));',
    'client.close();',
  ].join('\n');
  return new Promise((resolve, reject) => {
    execFile(
      process.execPath,
      ['--input-type=module', '-e', script],
      { env: { ...process.env, JOB_DB_URL: `file:${handle.path}`, JOB_NOW: String(now) } },
      (error, stdout, stderr) => (error ? reject(new Error(`${error.message}\n${stderr}`)) : resolve(stdout.trim())),
    );
  });
}

test('two server processes running the job at once send each mail once', async () => {
  const members = await Promise.all([0, 1, 2, 3].map((i) => approvedMember(Date.UTC(2038, 6, 1 + i))));
  const lastExpiry = Math.max(...members.map((m) => m.expiresAt));
  // Every member but `dueNow` past the grace period; `dueNow` expires 19 or 20 days from now.
  const now = lastExpiry + 31 * DAY_MS;
  const dueNow = await approvedMember(now + 20 * DAY_MS - 366 * DAY_MS);
  const results = await Promise.all([jobInChildProcess(now), jobInChildProcess(now), jobInChildProcess(now)]);
  // Each process finished (a lock wait in one process does not stall another).
  expect(results.map((r) => Object.keys(JSON.parse(r)))).toEqual(
    Array(3).fill(['reminded30', 'reminded7', 'movedToGrace', 'lapsed']),
  );
  for (const { user } of members) {
    expect(await statusOf(user.id)).toBe('lapsed');
    expect(await subjectsTo(user.email)).toEqual(['Your IECPA membership has lapsed']);
    const events = await handle.db.select().from(membershipEvents).where(eq(membershipEvents.userId, user.id));
    expect(events.map((e) => e.kind)).toEqual(['approved', 'lapsed']);
  }
  expect(await subjectsTo(dueNow.user.email)).toEqual(['Your IECPA membership expires in 30 days']);
}, 60_000);

test('a member within 7 days of expiry when first seen gets only the 7-day reminder', async () => {
  const { user, expiresAt } = await approvedMember(Date.UTC(2039, 0, 15));
  await runMembershipJob(handle.db, deps, expiresAt - 5 * DAY_MS);
  await runMembershipJob(handle.db, deps, expiresAt - 2 * DAY_MS);
  expect(await subjectsTo(user.email)).toEqual(['Your IECPA membership expires in 7 days']);
});

test('a member with the same expiry as one already reminded still gets their own reminder', async () => {
  const approvedAt = Date.UTC(2039, 9, 3);
  const first = await approvedMember(approvedAt);
  const second = await approvedMember(approvedAt);
  await handle.db.update(memberships).set({ status: 'suspended' }).where(eq(memberships.userId, second.user.id));
  await runMembershipJob(handle.db, deps, first.expiresAt - 25 * DAY_MS);
  await handle.db.update(memberships).set({ status: 'active' }).where(eq(memberships.userId, second.user.id));
  await runMembershipJob(handle.db, deps, first.expiresAt - 20 * DAY_MS);
  for (const { user } of [first, second]) {
    expect(await subjectsTo(user.email)).toEqual(['Your IECPA membership expires in 30 days']);
  }
});

test('lifetime, suspended and resigned memberships are neither reminded nor moved', async () => {
  const lifetime = await approvedMember(Date.UTC(2040, 5, 1), 'founding');
  const suspended = await approvedMember(Date.UTC(2040, 5, 1));
  const resigned = await approvedMember(Date.UTC(2040, 5, 1));
  await handle.db.update(memberships).set({ status: 'suspended' }).where(eq(memberships.userId, suspended.user.id));
  await handle.db.update(memberships).set({ status: 'resigned' }).where(eq(memberships.userId, resigned.user.id));
  for (const days of [-30, -7, 0, 31, 400]) {
    await runMembershipJob(handle.db, deps, suspended.expiresAt + days * DAY_MS);
  }
  expect(await statusOf(lifetime.user.id)).toBe('active');
  expect(await statusOf(suspended.user.id)).toBe('suspended');
  expect(await statusOf(resigned.user.id)).toBe('resigned');
  for (const { user } of [lifetime, suspended, resigned]) expect(await subjectsTo(user.email)).toEqual([]);
});

test('a scheduled run is recorded; a failing job is logged and recorded without throwing', async () => {
  const ok = await runScheduledJob(handle.db, deps, { name: 'matrix-ok', run: async () => ({ n: 1 }) }, () => 1000);
  expect(ok).toEqual({ ok: true, result: { n: 1 } });
  const logged: string[] = [];
  const failed = await runScheduledJob(
    handle.db,
    deps,
    {
      name: 'matrix-fail',
      run: async () => {
        throw new Error('disk on fire');
      },
    },
    () => 2000,
    { error: (message: string) => logged.push(message) },
  );
  expect(failed.ok).toBe(false);
  expect(logged).toEqual(['[scheduled job matrix-fail] failed: disk on fire']);
  const rows = await handle.db.select().from(scheduledJobRuns).orderBy(scheduledJobRuns.name);
  expect(rows.filter((r) => r.name.startsWith('matrix'))).toEqual([
    {
      name: 'matrix-fail',
      lastStartedAt: 2000,
      lastFinishedAt: 2000,
      lastResult: '{"ok":false,"error":"disk on fire"}',
    },
    { name: 'matrix-ok', lastStartedAt: 1000, lastFinishedAt: 1000, lastResult: '{"ok":true,"result":{"n":1}}' },
  ]);
});

test('the timer runs the membership job at start and records the run', async () => {
  const { user, expiresAt } = await approvedMember(Date.UTC(2041, 8, 1));
  const jobs = startJobTimer({ db: handle.db, deps, clock: () => expiresAt - 10 * DAY_MS });
  await jobs.idle();
  jobs.stop();
  expect(await subjectsTo(user.email)).toEqual(['Your IECPA membership expires in 30 days']);
  const [run] = await handle.db.select().from(scheduledJobRuns).where(eq(scheduledJobRuns.name, 'membership'));
  expect(run?.lastStartedAt).toBe(expiresAt - 10 * DAY_MS);
  expect(JSON.parse(run?.lastResult ?? '{}')).toMatchObject({ ok: true, result: { reminded30: 1 } });
});

test('the server starts the jobs in a worker thread, which runs the membership job at once', async () => {
  // Expires in about 20 days from the real clock (the worker runs on it).
  const { user } = await approvedMember(Date.now() - 345 * DAY_MS);
  const [membership] = await handle.db.select().from(memberships).where(eq(memberships.userId, user.id));
  const logged: string[] = [];
  const worker = startScheduledJobs({
    env: { ...process.env, DATABASE_URL: `file:${handle.path}`, SMTP_URL: '', BACKUP_KEEP: '0' },
    log: { error: (message: string) => logged.push(message) },
  });
  let ended = '';
  try {
    const deadline = Date.now() + 45_000;
    while ((await subjectsTo(user.email)).length === 0 && Date.now() < deadline) {
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
  } finally {
    ended = await stopScheduledJobs(worker);
  }
  expect(ended).toBe('stopped');
  expect(logged.filter((m) => m.includes('failed'))).toEqual([]);
  expect(membership?.expiresAt).toBeGreaterThan(Date.now());
  expect(await subjectsTo(user.email)).toEqual(['Your IECPA membership expires in 30 days']);
}, 60_000);

test('the server script starts the scheduled jobs, once', () => {
  // A rewrite of scripts/serve.ts once dropped the call and no test noticed: the reminders silently stopped.
  // The server itself is exercised by the e2e runs (which need a build); this guards the one line.
  const source = readFileSync(join(process.cwd(), 'scripts', 'serve.ts'), 'utf8');
  expect(source.match(/^\s*startScheduledJobs\(\);$/gm)).toHaveLength(1);
});

test('bad input is refused with a clear message and nothing written', async () => {
  const { user } = await approvedMember(Date.now() - 10 * DAY_MS);
  const adminCaller = (await callerFor(handle.db, admin)).caller;
  const memberCaller = (await callerFor(handle.db, user)).caller;
  const before = await countAllRows(handle);

  const noReason = await trpcErrorOf(adminCaller.membership.suspend({ userId: user.id, reason: '   ' }));
  expect(noReason.code).toBe('BAD_REQUEST');
  const missing = await trpcErrorOf(adminCaller.membership.suspend({ userId: 'no-such-user', reason: 'Fraud' }));
  expect([missing.code, missing.message]).toEqual(['NOT_FOUND', 'That user does not exist.']);
  const notMember = await makeUser(handle.db);
  const afterMaking = await countAllRows(handle);
  const noMembership = await trpcErrorOf(adminCaller.membership.reinstate({ userId: notMember.id, reason: 'x' }));
  expect([noMembership.code, noMembership.message]).toEqual(['NOT_FOUND', 'That user has no membership.']);
  const notSuspended = await trpcErrorOf(adminCaller.membership.reinstate({ userId: user.id, reason: 'x' }));
  expect(notSuspended.code).toBe('BAD_REQUEST');
  const noReference = await trpcErrorOf(
    adminCaller.membership.recordPayment({ userId: user.id, reference: '', note: '' }),
  );
  expect(noReference.code).toBe('BAD_REQUEST');
  const tooEarly = await trpcErrorOf(memberCaller.membership.renew({ confirm: true }));
  expect([tooEarly.code, tooEarly.message]).toEqual([
    'BAD_REQUEST',
    'You can renew from 60 days before your membership expires.',
  ]);
  expect(await countAllRows(handle)).toEqual(afterMaking);
  expect(afterMaking.users).toBe((before.users ?? 0) + 1);

  await adminCaller.membership.suspend({ userId: user.id, reason: 'Licence under review' });
  const suspended = await countAllRows(handle);
  const renewSuspended = await trpcErrorOf(memberCaller.membership.renew({ confirm: true }));
  expect([renewSuspended.code, renewSuspended.message]).toEqual([
    'BAD_REQUEST',
    'A suspended membership cannot be renewed. Contact the association.',
  ]);
  const resignSuspended = await trpcErrorOf(memberCaller.membership.resign({ confirm: true }));
  expect(resignSuspended.code).toBe('BAD_REQUEST');
  const suspendTwice = await trpcErrorOf(adminCaller.membership.suspend({ userId: user.id, reason: 'Again' }));
  expect(suspendTwice.code).toBe('BAD_REQUEST');
  expect(await countAllRows(handle)).toEqual(suspended);
});
