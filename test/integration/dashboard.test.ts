import { eq } from 'drizzle-orm';
import { beforeAll, expect, test } from 'vitest';
import { membershipApplications, membershipEvents, scheduledJobRuns, simulatorAssessments } from '#db/schema/index.ts';
import { DAY_MS } from '#src/lib/dates.ts';
import { newId } from '#src/server/ids.ts';
import { adminOverview, startOfUtcMonth } from '#src/server/services/dashboard.ts';
import { importFirstEdition } from '#src/server/services/handbook-import.ts';
import { activateMembership, createPendingMembership } from '#src/server/services/membership-lifecycle.ts';
import { COMPLETE_APPLICATION } from '#test/helpers/applications.ts';
import { useTestDb } from '#test/helpers/db.ts';
import { callerFor, makeUser } from '#test/helpers/factories.ts';

const handle = useTestDb();

beforeAll(async () => {
  await importFirstEdition(handle.db);
});

async function stepsOf(user: Awaited<ReturnType<typeof makeUser>>) {
  const { caller } = await callerFor(handle.db, user);
  return caller.dashboard.nextSteps();
}

test('a new account is told to apply for membership and offered a second factor', async () => {
  const steps = await stepsOf(await makeUser(handle.db, { roles: [] }));
  // The curriculum is for members: an account is sent to apply first.
  expect(steps.map((s) => s.id)).toEqual(['apply', 'totp-suggested']);
  expect(steps[0]).toMatchObject({ href: '/membership/apply', linkLabel: 'Apply for membership' });
});

test('an applicant follows their application: a draft, then a request for information comes first', async () => {
  const applicant = await makeUser(handle.db, { roles: [] });
  const { caller } = await callerFor(handle.db, applicant);
  await caller.applications.saveDraft(COMPLETE_APPLICATION);
  expect((await stepsOf(applicant))[0]?.id).toBe('application-draft');
  await handle.db.update(membershipApplications).set({ status: 'info-requested' });
  const steps = await stepsOf(applicant);
  expect(steps[0]).toMatchObject({ id: 'application-info-requested', urgent: true, href: '/membership/application' });
});

test('a submitted application is with the reviewers, not approved; a rejection says so', async () => {
  const applicant = await makeUser(handle.db, { roles: [] });
  await (await callerFor(handle.db, applicant)).caller.applications.saveDraft(COMPLETE_APPLICATION);
  await handle.db
    .update(membershipApplications)
    .set({ status: 'submitted' })
    .where(eq(membershipApplications.userId, applicant.id));
  // Submitting creates the pending membership row: the steps still follow the application.
  await handle.db.transaction((tx) =>
    createPendingMembership(tx, { userId: applicant.id, categoryId: 'practitioner', now: Date.now() }),
  );
  const steps = await stepsOf(applicant);
  expect(steps[0]).toMatchObject({ id: 'application-submitted', title: 'Your application is with the reviewers' });
  expect(JSON.stringify(steps)).not.toMatch(/approved/);
  await handle.db
    .update(membershipApplications)
    .set({ status: 'rejected' })
    .where(eq(membershipApplications.userId, applicant.id));
  expect((await stepsOf(applicant))[0]).toMatchObject({ id: 'application-rejected', href: '/membership/application' });
  // The administrators' overview below counts the file's applications: this one leaves none.
  await handle.db.delete(membershipApplications).where(eq(membershipApplications.userId, applicant.id));
});

test('a member is offered renewal inside the renewal window, and the next curriculum module', async () => {
  const member = await makeUser(handle.db, { roles: ['member'], totp: true });
  const admin = await makeUser(handle.db, { roles: ['admin'], totp: true });
  // Joined 11 months ago: the year ends in about a month, inside the renewal window.
  const joined = Date.now() - 335 * DAY_MS;
  await handle.db.transaction((tx) =>
    createPendingMembership(tx, { userId: member.id, categoryId: 'practitioner', now: joined }),
  );
  await handle.db.transaction((tx) =>
    activateMembership(tx, { userId: member.id, categoryId: 'practitioner', actorId: admin.id, now: joined }),
  );
  const steps = await stepsOf(member);
  expect(steps.map((s) => s.id)).toEqual(['membership-renew', 'curriculum-next']);
  expect(steps[1]?.href).toMatch(/^\/curriculum\/[a-z0-9-]+\/[a-z0-9-]+$/);
});

test('a role that needs a second factor is told to set one up before anything else', async () => {
  const examiner = await makeUser(handle.db, { roles: ['member', 'examiner'], totp: false });
  const steps = await stepsOf(examiner);
  expect(steps[0]).toMatchObject({ id: 'totp-required', urgent: true });
  expect(steps.map((s) => s.id)).not.toContain('totp-suggested');
});

test('an examiner is warned of a published assessment that is not open yet', async () => {
  const examiner = await makeUser(handle.db, { roles: ['member', 'examiner'], totp: true });
  const now = Date.now();
  await handle.db.insert(simulatorAssessments).values({
    id: newId(),
    title: 'Opens tomorrow',
    scenarioId: 'default',
    seedPolicy: 'per-attempt',
    fixedSeed: null,
    durationMs: 120_000,
    eventsJson: '[]',
    rubricJson: '{}',
    attemptsAllowed: 1,
    cooldownMs: 0,
    opensAt: now + DAY_MS,
    closesAt: null,
    status: 'published',
    version: 1,
    createdBy: examiner.id,
    createdAt: now,
    updatedAt: now,
  });
  const steps = await stepsOf(examiner);
  expect(steps.find((s) => s.id === 'examiner-not-open')).toMatchObject({
    title: '1 published assessment is not open yet',
    href: '/examiner/assessments',
  });
});

test('the administrators’ overview counts what waits, and their dashboard leads to it', async () => {
  const admin = await makeUser(handle.db, { roles: ['member', 'admin'], totp: true });
  const now = Date.now();
  await handle.db.update(membershipApplications).set({ status: 'submitted' });
  await handle.db.insert(membershipEvents).values([
    { id: newId(), userId: admin.id, at: startOfUtcMonth(now), actorId: null, kind: 'lapsed' },
    { id: newId(), userId: admin.id, at: startOfUtcMonth(now) - 1, actorId: null, kind: 'lapsed' },
  ]);
  const overview = await adminOverview(handle.db, now);
  expect(overview).toMatchObject({ applicationsWaiting: 1, applicationsAwaitingApplicant: 0, lapsedThisMonth: 1 });
  // The member above joined 335 days ago: due within 30 days.
  expect(overview.renewalsDue).toBe(1);
  const steps = await stepsOf(admin);
  expect(steps.map((s) => s.id)).toEqual(expect.arrayContaining(['admin-applications', 'admin-overview']));
  expect(steps.find((s) => s.id === 'admin-applications')?.title).toBe('1 membership application waits for a decision');
});

test('the start of the UTC month', () => {
  expect(startOfUtcMonth(Date.UTC(2026, 11, 31, 23, 59))).toBe(Date.UTC(2026, 11, 1));
  expect(startOfUtcMonth(Date.UTC(2027, 0, 1))).toBe(Date.UTC(2027, 0, 1));
});

test('the overview words each job’s last result for a reader: nested counts, lists and names in plain words', async () => {
  const at = Date.now();
  const result = (value: unknown) => JSON.stringify({ ok: true, result: value });
  await handle.db.insert(scheduledJobRuns).values([
    {
      name: 'credentials',
      lastStartedAt: at,
      lastFinishedAt: at,
      lastResult: result({ awarded: 1, reminded: { '7': 0, '30': 2 }, maintenanceDue: 0 }),
    },
    { name: 'backup', lastStartedAt: at, lastFinishedAt: at, lastResult: result({ made: true, deleted: ['a', 'b'] }) },
  ]);
  const { jobs } = await adminOverview(handle.db, at);
  const summaryOf = (name: string) => jobs.find((job) => job.name === name)?.summary;
  expect(summaryOf('credentials')).toBe('awarded 1, reminded 2 (7: 0, 30: 2), maintenance due 0');
  expect(summaryOf('backup')).toBe('made yes, deleted 2');
  expect(jobs.map((job) => job.summary).join(' ')).not.toContain('[object');
});
