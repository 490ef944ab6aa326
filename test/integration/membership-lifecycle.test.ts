import { rmSync } from 'node:fs';
import { eq, sql } from 'drizzle-orm';
import { afterAll, afterEach, beforeAll, expect, test, vi } from 'vitest';
import { auditLog, mailOutbox, userRoles } from '#db/schema/index.ts';
import { DAY_MS } from '#src/lib/dates.ts';
import { addOneCalendarYear } from '#src/lib/membership-rules.ts';
import { activateMembership } from '#src/server/services/membership-lifecycle.ts';
import { runMembershipJob } from '#src/server/services/membership-reminders.ts';
import { pdfForm } from '#test/helpers/applications.ts';
import { countAllRows, useTestDb } from '#test/helpers/db.ts';
import { callerFor, lastMailTo, type MadeUser, makeUser, testDeps } from '#test/helpers/factories.ts';
import { outcomeOf, trpcErrorOf } from '#test/helpers/trpc.ts';

// Set before any module reads the environment: the applicant's document goes to this run's own folder.
const uploadDir = vi.hoisted(() => {
  const dir = `${process.cwd()}/test-results/uploads/lifecycle-${process.pid}-${Date.now()}`;
  process.env.UPLOAD_DIR = dir;
  return dir;
});

const deps = testDeps();

const handle = useTestDb();
let admin: MadeUser;
let adminCaller: Awaited<ReturnType<typeof callerFor>>['caller'];

beforeAll(async () => {
  admin = await makeUser(handle.db, { roles: ['member', 'admin'], totp: true, name: 'Ada Admin' });
  adminCaller = (await callerFor(handle.db, admin)).caller;
});
afterEach(() => {
  vi.useRealTimers();
});
afterAll(() => rmSync(uploadDir, { recursive: true, force: true }));

/** Moves the clock the procedures read (Date only: timers and the database stay real). */
function setClock(atMs: number): void {
  vi.useFakeTimers({ toFake: ['Date'] });
  vi.setSystemTime(atMs);
}

const APPLICATION = {
  categoryId: 'practitioner',
  profession: 'physician' as const,
  licenceNumber: 'GMC-7654321',
  licenceIssuer: 'General Medical Council',
  institution: 'Northgate Heart Centre',
  country: 'GB',
  yearsEcpPractice: 6,
  treatmentsSupervised: 900,
  languages: ['English'],
  acceptEthics: true,
};

/** A new user applies through the applications procedures; an admin asks for more, they reply, it is approved. */
async function applyAndApprove(approvedAt: number) {
  setClock(approvedAt - 3 * DAY_MS);
  const user = await makeUser(handle.db, { roles: [] });
  const { caller } = await callerFor(handle.db, user);
  await caller.applications.saveDraft(APPLICATION);
  const form = pdfForm();
  await caller.applications.uploadDocument(form);
  const application = await caller.applications.submit();
  expect((await caller.membership.mine()).membership?.status).toBe('pending');

  setClock(approvedAt - 2 * DAY_MS);
  await adminCaller.applications.requestInfo({ applicationId: application.id, message: 'Please add your employer.' });
  expect((await lastMailTo(handle.db, user.email))?.subject).toBe(
    'The IECPA membership committee needs more information',
  );
  await caller.applications.reply({ message: 'Employed by Northgate Heart Centre since 2019.' });

  setClock(approvedAt);
  await adminCaller.applications.approve({ applicationId: application.id, message: 'Welcome.' });
  return { user, caller };
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

test('the whole lifecycle: apply, more information, approve with a number, remind, renew, grace, lapse, renew, suspend, reinstate, pay, resign', async () => {
  const approvedAt = Date.UTC(2030, 2, 10, 9);
  const { user, caller } = await applyAndApprove(approvedAt);
  const firstExpiry = Date.UTC(2031, 2, 10, 9);

  const approved = await caller.membership.mine();
  expect(approved.membership).toMatchObject({ status: 'active', categoryId: 'practitioner', joinedAt: approvedAt });
  expect(approved.membership?.expiresAt).toBe(firstExpiry);
  const number = approved.membership?.number ?? '';
  expect(number).toMatch(/^IECPA-2030-\d{5}$/);
  expect((await lastMailTo(handle.db, user.email))?.subject).toBe(
    `Welcome to IECPA: your membership number is ${number}`,
  );
  expect(approved.renewal).toEqual({
    allowed: false,
    message: 'You can renew from 60 days before your membership expires.',
  });
  expect((await trpcErrorOf(caller.membership.renew({ confirm: true }))).code).toBe('BAD_REQUEST');

  // Reminders 30 and 7 days before the expiry, each once.
  for (const at of [firstExpiry - 30 * DAY_MS, firstExpiry - 29 * DAY_MS, firstExpiry - 7 * DAY_MS]) {
    await runMembershipJob(handle.db, deps, at);
  }
  expect((await subjectsTo(user.email)).slice(-2)).toEqual([
    'Your IECPA membership expires in 30 days',
    'Your IECPA membership expires in 7 days',
  ]);
  expect((await lastMailTo(handle.db, user.email))?.textBody).toContain('expires on 10 March 2031');

  // Renewed 5 days early: the new year runs on from the old expiry.
  setClock(firstExpiry - 5 * DAY_MS);
  const offered = await caller.membership.mine();
  expect(offered.renewal).toEqual({ allowed: true, newExpiresAt: Date.UTC(2032, 2, 10, 9) });
  const renewed = await caller.membership.renew({ confirm: true });
  expect(renewed).toMatchObject({ status: 'active', number, expiresAt: Date.UTC(2032, 2, 10, 9) });
  expect((await lastMailTo(handle.db, user.email))?.subject).toBe('Your IECPA membership is renewed');
  const secondExpiry = Date.UTC(2032, 2, 10, 9);

  // Not renewed again: grace at the expiry, lapsed 30 days later, one mail each.
  await runMembershipJob(handle.db, deps, secondExpiry);
  expect((await caller.membership.mine()).membership?.status).toBe('grace');
  expect((await lastMailTo(handle.db, user.email))?.subject).toBe('Your IECPA membership has expired');
  await runMembershipJob(handle.db, deps, secondExpiry + 30 * DAY_MS);
  await runMembershipJob(handle.db, deps, secondExpiry + 31 * DAY_MS);
  expect((await caller.membership.mine()).membership?.status).toBe('lapsed');
  expect((await lastMailTo(handle.db, user.email))?.subject).toBe('Your IECPA membership has lapsed');

  // Renewing a lapsed membership starts a new year today and keeps the number.
  const lapsedRenewalAt = secondExpiry + 40 * DAY_MS;
  setClock(lapsedRenewalAt);
  const back = await caller.membership.renew({ confirm: true });
  expect(back).toMatchObject({ status: 'active', number, expiresAt: addOneCalendarYear(lapsedRenewalAt) });

  // Suspended by an admin with a reason: the member is told, and cannot renew or resign meanwhile.
  const suspended = await adminCaller.membership.suspend({
    userId: user.id,
    reason: 'Licence under review by the GMC.',
  });
  expect(suspended.status).toBe('suspended');
  const suspensionMail = await lastMailTo(handle.db, user.email);
  expect(suspensionMail?.subject).toBe('Your IECPA membership is suspended');
  expect(suspensionMail?.textBody).toContain('Licence under review by the GMC.');
  expect((await caller.membership.mine()).renewal.allowed).toBe(false);
  expect((await trpcErrorOf(caller.membership.renew({ confirm: true }))).code).toBe('BAD_REQUEST');

  // Reinstated within the period: active again.
  const reinstated = await adminCaller.membership.reinstate({ userId: user.id, reason: 'The GMC closed the case.' });
  expect(reinstated.status).toBe('active');
  expect((await lastMailTo(handle.db, user.email))?.subject).toBe('Your IECPA membership is reinstated');

  const paid = await adminCaller.membership.recordPayment({ userId: user.id, reference: 'BANK-2032-0042', note: '' });
  expect(paid.status).toBe('active');
  expect((await lastMailTo(handle.db, user.email))?.textBody).toContain('BANK-2032-0042');

  const resigned = await caller.membership.resign({ confirm: true });
  expect(resigned.status).toBe('resigned');
  expect((await lastMailTo(handle.db, user.email))?.subject).toBe('You have resigned from IECPA');
  const afterResigning = await caller.membership.mine();
  expect(afterResigning.renewal).toEqual({
    allowed: false,
    message: 'You resigned from the association. To rejoin, apply again: you keep your membership number.',
  });
  expect(afterResigning.canResign).toBe(false);

  // The member's history (newest first) and the admin's view tell the same story.
  const adminView = await adminCaller.membership.adminGet({ userId: user.id });
  expect(adminView.payments.map((p) => [p.reference, p.recordedByName])).toEqual([['BANK-2032-0042', 'Ada Admin']]);
  const story = adminView.history.map((e) => [e.kind, e.fromStatus, e.toStatus]).reverse();
  expect(story).toEqual([
    ['applied', null, 'pending'],
    ['approved', 'pending', 'active'],
    ['renewed', 'active', 'active'],
    ['grace', 'active', 'grace'],
    ['lapsed', 'grace', 'lapsed'],
    ['renewed', 'lapsed', 'active'],
    ['suspended', 'active', 'suspended'],
    ['reinstated', 'suspended', 'active'],
    ['payment-recorded', 'active', 'active'],
    ['resigned', 'active', 'resigned'],
  ]);
  expect((await caller.membership.mine()).history.map((e) => e.kind)).toEqual(adminView.history.map((e) => e.kind));
  const suspendEvent = adminView.history.find((e) => e.kind === 'suspended');
  expect(suspendEvent).toMatchObject({ reason: 'Licence under review by the GMC.', actorName: 'Ada Admin' });

  const audit = await handle.db.select().from(auditLog).where(eq(auditLog.subjectId, user.id));
  const membershipActions = audit.map((a) => a.action).filter((a) => a.startsWith('membership.'));
  expect(membershipActions).toEqual([
    'membership.pending',
    'membership.activated',
    'membership.reminder-sent',
    'membership.reminder-sent',
    'membership.renewed',
    'membership.grace',
    'membership.lapsed',
    'membership.renewed',
    'membership.suspended',
    'membership.reinstated',
    'membership.payment-recorded',
    'membership.resigned',
  ]);
  expect(audit.find((a) => a.action === 'membership.suspended')?.actorId).toBe(admin.id);
});

test('a suspension outlasting the period is lifted to grace or lapsed, not to active', async () => {
  const approvedAt = Date.UTC(2033, 5, 1);
  const expiry = Date.UTC(2034, 5, 1);
  const first = await applyAndApprove(approvedAt);
  const second = await applyAndApprove(approvedAt);
  for (const { user } of [first, second]) {
    await adminCaller.membership.suspend({ userId: user.id, reason: 'Complaint under investigation.' });
  }
  // The job leaves suspended memberships alone, even past their expiry.
  await runMembershipJob(handle.db, deps, expiry + 60 * DAY_MS);
  expect((await first.caller.membership.mine()).membership?.status).toBe('suspended');

  setClock(expiry + 10 * DAY_MS);
  expect((await adminCaller.membership.reinstate({ userId: first.user.id, reason: 'Cleared.' })).status).toBe('grace');
  setClock(expiry + 45 * DAY_MS);
  expect((await adminCaller.membership.reinstate({ userId: second.user.id, reason: 'Cleared.' })).status).toBe(
    'lapsed',
  );
  expect((await lastMailTo(handle.db, second.user.email))?.textBody).toContain(
    'renew it to be a member in good standing',
  );
  // From grace the new year continues from the expiry (the member stayed in good standing meanwhile).
  const renewed = await first.caller.membership.renew({ confirm: true });
  expect(renewed.expiresAt).toBe(addOneCalendarYear(expiry));
});

test('a lifetime member has nothing to renew and is never reminded', async () => {
  const user = await makeUser(handle.db, { roles: [] });
  const { caller } = await callerFor(handle.db, user);
  // Founding membership is by invitation (no application); the board's decision is recorded directly.
  await handle.db.transaction((tx) =>
    activateMembership(tx, { userId: user.id, categoryId: 'founding', actorId: admin.id, now: Date.now() }),
  );
  const mine = await caller.membership.mine();
  expect(mine.membership).toMatchObject({ status: 'active', expiresAt: null, term: 'lifetime' });
  expect(mine.renewal).toEqual({ allowed: false, message: 'Your membership is for life: there is nothing to renew.' });
  const before = await countAllRows(handle);
  const refused = await trpcErrorOf(caller.membership.renew({ confirm: true }));
  expect(refused.message).toBe('Your membership is for life: there is nothing to renew.');
  await runMembershipJob(handle.db, deps, Date.now() + 3650 * DAY_MS);
  expect(await subjectsTo(user.email)).toEqual([]);
  expect((await countAllRows(handle)).memberships).toBe(before.memberships);
});

test('renewal and resignation need the confirmation; someone who never applied has nothing to renew', async () => {
  const user = await makeUser(handle.db, { roles: [] });
  const { caller } = await callerFor(handle.db, user);
  expect(await caller.membership.mine()).toEqual({
    membership: null,
    renewal: { allowed: false, message: 'You have no membership to renew. Apply for membership first.' },
    canResign: false,
    history: [],
  });
  const before = await countAllRows(handle);
  expect((await trpcErrorOf(caller.membership.renew({ confirm: false }))).code).toBe('BAD_REQUEST');
  expect((await trpcErrorOf(caller.membership.renew({ confirm: true }))).code).toBe('NOT_FOUND');
  expect((await trpcErrorOf(caller.membership.resign({ confirm: true }))).code).toBe('NOT_FOUND');
  expect((await trpcErrorOf(caller.membership.resign({ confirm: false }))).code).toBe('BAD_REQUEST');
  expect(await countAllRows(handle)).toEqual(before);
});

test('two renewals at once (a double click) extend the period once; two suspensions at once record one', async () => {
  const approvedAt = Date.UTC(2035, 0, 20);
  const { user, caller } = await applyAndApprove(approvedAt);
  const expiry = Date.UTC(2036, 0, 20);
  setClock(expiry - 10 * DAY_MS);
  const renewals = await Promise.allSettled([
    caller.membership.renew({ confirm: true }),
    caller.membership.renew({ confirm: true }),
  ]);
  expect(renewals.filter((r) => r.status === 'fulfilled')).toHaveLength(1);
  const refused = renewals.find((r): r is PromiseRejectedResult => r.status === 'rejected');
  // The loser saw either the changed row (CONFLICT) or, queued behind the winner, a period not yet due.
  expect(['CONFLICT', 'BAD_REQUEST']).toContain((refused?.reason as { code?: string } | undefined)?.code);
  expect((await caller.membership.mine()).membership?.expiresAt).toBe(Date.UTC(2037, 0, 20));
  expect((await subjectsTo(user.email)).filter((s) => s === 'Your IECPA membership is renewed')).toHaveLength(1);

  const suspensions = await Promise.allSettled([
    adminCaller.membership.suspend({ userId: user.id, reason: 'First admin.' }),
    adminCaller.membership.suspend({ userId: user.id, reason: 'Second admin.' }),
  ]);
  expect(suspensions.filter((r) => r.status === 'fulfilled')).toHaveLength(1);
  const history = (await adminCaller.membership.adminGet({ userId: user.id })).history;
  expect(history.filter((e) => e.kind === 'suspended')).toHaveLength(1);
  expect((await subjectsTo(user.email)).filter((s) => s === 'Your IECPA membership is suspended')).toHaveLength(1);
});

test('the member role follows good standing: granted on approval, gone when suspended or lapsed, back on reinstatement or renewal', async () => {
  const approvedAt = Date.UTC(2035, 2, 1);
  const expiry = Date.UTC(2036, 2, 1);
  const { user } = await applyAndApprove(approvedAt);
  const roles = async () =>
    (await handle.db.select({ role: userRoles.role }).from(userRoles).where(eq(userRoles.userId, user.id))).map(
      (r) => r.role,
    );
  /** A request made now (a fresh session at the test's clock), as the user. */
  const asUserNow = async () => (await callerFor(handle.db, user)).caller;
  /** What such a request may do with a member-only procedure (the practice log). */
  const practiceAccess = async () => outcomeOf((await asUserNow()).simulator.myPractice());

  expect(await roles()).toEqual(['member']);
  expect(await practiceAccess()).toBe('OK');

  await adminCaller.membership.suspend({ userId: user.id, reason: 'Complaint under investigation.' });
  expect(await roles()).toEqual([]);
  expect(await practiceAccess()).toBe('FORBIDDEN');

  setClock(approvedAt + 30 * DAY_MS);
  await adminCaller.membership.reinstate({ userId: user.id, reason: 'Cleared.' });
  expect(await roles()).toEqual(['member']);

  await runMembershipJob(handle.db, deps, expiry + DAY_MS);
  expect(await roles()).toEqual(['member']);
  await runMembershipJob(handle.db, deps, expiry + 31 * DAY_MS);
  expect((await (await asUserNow()).membership.mine()).membership?.status).toBe('lapsed');
  expect(await roles()).toEqual([]);
  expect(await practiceAccess()).toBe('FORBIDDEN');

  setClock(expiry + 40 * DAY_MS);
  await (await asUserNow()).membership.renew({ confirm: true });
  expect(await roles()).toEqual(['member']);
  expect(await practiceAccess()).toBe('OK');
  const changes = await handle.db
    .select({ action: auditLog.action })
    .from(auditLog)
    .where(sql`${auditLog.subjectId} = ${user.id} and ${auditLog.action} like 'role.%'`)
    .orderBy(auditLog.id);
  expect(changes.map((c) => c.action)).toEqual([
    'role.granted',
    'role.revoked',
    'role.granted',
    'role.revoked',
    'role.granted',
  ]);
});
