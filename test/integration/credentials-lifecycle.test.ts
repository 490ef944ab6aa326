import { and, eq, like } from 'drizzle-orm';
import { beforeAll, expect, test } from 'vitest';
import { auditLog, credentialEvents, credentialReminders, memberships } from '#db/schema/index.ts';
import { addMonthsUtc } from '#src/lib/credential-rules.ts';
import { DAY_MS } from '#src/lib/dates.ts';
import { eraseUser } from '#src/server/services/account-closure.ts';
import { runCredentialJob } from '#src/server/services/credential-job.ts';
import {
  type CredentialFixture,
  cpd as cpdIn,
  credentialFixture,
  credentialOf as credentialIn,
  DEFINITION,
  examAttempt as examAttemptIn,
  mailsTo as mailsIn,
  member as memberIn,
  qualified as qualifiedIn,
  simulatorPass as simulatorPassIn,
} from '#test/helpers/credentials.ts';
import { countAllRows, useTestDb } from '#test/helpers/db.ts';
import { anonymousCaller, callerFor, type MadeUser, makeUser, testDeps } from '#test/helpers/factories.ts';
import { trpcErrorOf } from '#test/helpers/trpc.ts';

const handle = useTestDb();
const deps = testDeps();
let admin: MadeUser;
let adminCaller: Awaited<ReturnType<typeof callerFor>>['caller'];
let fixture: CredentialFixture;

const member = (name: string, country?: string) => memberIn(handle.db, name, country);
const qualified = (name: string, country?: string) => qualifiedIn(handle.db, fixture, name, country);
const examAttempt = (userId: string, examId: string, at: number, passed: boolean) =>
  examAttemptIn(handle.db, userId, examId, at, passed);
const simulatorPass = (userId: string, at: number) => simulatorPassIn(handle.db, fixture.assessment, userId, at);
const cpd = (userId: string, date: number, credits: number) => cpdIn(handle.db, userId, date, credits);
const credentialOf = (userId: string) => credentialIn(handle.db, userId);
const mailsTo = (email: string, subject: string) => mailsIn(handle.db, email, subject);

const registry = () => anonymousCaller(handle.db).credentials;

beforeAll(async () => {
  admin = await makeUser(handle.db, { roles: ['member', 'admin'], totp: true });
  adminCaller = (await callerFor(handle.db, admin)).caller;
  fixture = await credentialFixture(handle.db, admin.id);
  await adminCaller.credentials.saveDefinition(DEFINITION);
});

test('earn → issue → reminders 90/60/30/7 once each → maintenance met → recertified from the expiry', async () => {
  const holder = await member('Ada Lovelace', 'GB');
  const holderCaller = (await callerFor(handle.db, holder)).caller;
  await examAttempt(holder.id, fixture.theoryExamId, Date.now() - DAY_MS, true);

  // One requirement missing: the claim says which, and nothing is written.
  const before = await countAllRows(handle);
  const refused = await trpcErrorOf(holderCaller.credentials.claim({ slug: DEFINITION.slug }));
  expect(refused.code).toBe('PRECONDITION_FAILED');
  expect(refused.message).toContain('Simulator assessment passed');
  expect(await countAllRows(handle)).toEqual(before);
  const mine = await holderCaller.credentials.mine();
  const checks = mine.progress[0]?.checks ?? [];
  expect(checks.find((c) => c.key === 'simulator')).toMatchObject({ met: false, href: '/simulator/assessments' });
  expect(checks.filter((c) => c.met).map((c) => c.key)).toEqual(['membership', 'theory-exam', 'ethics']);

  // The last requirement met: the hourly job awards it, once.
  await simulatorPass(holder.id, Date.now());
  const t0 = Date.now();
  expect((await runCredentialJob(handle.db, deps, t0)).awarded).toBeGreaterThanOrEqual(1);
  const issued = await credentialOf(holder.id);
  expect(issued.status).toBe('certified');
  expect(issued.number).toMatch(/^IECPA-CR-[0-9A-Z]{5}-[0-9A-Z]{5}$/);
  expect(issued.expiresAt).toBe(addMonthsUtc(t0, 36));
  expect(await mailsTo(holder.email, 'You are now')).toBe(1);
  expect((await runCredentialJob(handle.db, deps, t0 + 1000)).awarded).toBe(0);
  expect(await mailsTo(holder.email, 'You are now')).toBe(1);
  const record = await registry().registryRecord({ number: issued.number.toLowerCase() });
  expect(record).toMatchObject({ kind: 'credential', entry: { status: 'certified', name: 'Ada Lovelace' } });

  // The job runs every day for the last 100 days of the period, twice each time.
  const expiry = issued.expiresAt as number;
  for (let day = 100; day >= 1; day--) {
    await runCredentialJob(handle.db, deps, expiry - day * DAY_MS);
    await runCredentialJob(handle.db, deps, expiry - day * DAY_MS + 60_000);
  }
  const reminders = await handle.db
    .select()
    .from(credentialReminders)
    .where(eq(credentialReminders.credentialId, issued.id));
  expect(reminders.map((r) => r.daysBefore).sort((a, b) => a - b)).toEqual([7, 30, 60, 90]);
  for (const days of [90, 60, 30, 7]) expect(await mailsTo(holder.email, `expires in ${days} days`)).toBe(1);
  expect((await credentialOf(holder.id)).status).toBe('maintenance-due');
  expect((await registry().registryRecord({ number: issued.number })).kind).toBe('credential');

  // Maintenance met before the expiry: 30 credits, an activity and a knowledge check in each year.
  const start = issued.periodStartsAt as number;
  for (let year = 0; year < 3; year++) {
    await cpd(holder.id, addMonthsUtc(start, 12 * year) + 10 * DAY_MS, 10);
    await examAttempt(holder.id, fixture.checkExamId, addMonthsUtc(start, 12 * year) + 20 * DAY_MS, false);
  }
  const result = await runCredentialJob(handle.db, deps, expiry - DAY_MS + 3_600_000);
  expect(result.recertified).toBe(1);
  const renewed = await credentialOf(holder.id);
  expect(renewed).toMatchObject({ status: 'certified', periodStartsAt: expiry, expiresAt: addMonthsUtc(expiry, 36) });
  expect(renewed.number).toBe(issued.number);
  expect(await mailsTo(holder.email, 'Recertified')).toBe(1);

  const events = await handle.db
    .select({ kind: credentialEvents.kind })
    .from(credentialEvents)
    .where(eq(credentialEvents.credentialId, issued.id))
    .orderBy(credentialEvents.at);
  expect(events.map((e) => e.kind)).toEqual(['awarded', 'maintenance-due', 'recertified']);
  const audits = await handle.db
    .select({ action: auditLog.action })
    .from(auditLog)
    .where(and(eq(auditLog.subjectId, holder.id), like(auditLog.action, 'credential.%')));
  expect(audits.map((a) => a.action).sort()).toEqual(
    [
      'credential.awarded',
      'credential.maintenance-due',
      'credential.recertified',
      ...Array(4).fill('credential.reminder-sent'),
    ].sort(),
  );
});

test('maintenance not met → expired at the expiry; not re-awarded until the exam is passed again', async () => {
  const holder = await qualified('Grace Hopper', 'US');
  const t0 = Date.now();
  await runCredentialJob(handle.db, deps, t0);
  const issued = await credentialOf(holder.id);
  const expiry = issued.expiresAt as number;
  await cpd(holder.id, t0 + 30 * DAY_MS, 5);
  expect((await runCredentialJob(handle.db, deps, expiry + 1000)).expired).toBeGreaterThanOrEqual(1);
  expect((await credentialOf(holder.id)).status).toBe('expired');
  expect(await mailsTo(holder.email, 'has expired')).toBe(1);
  const record = await registry().registryRecord({ number: issued.number });
  expect(record).toMatchObject({
    kind: 'credential',
    entry: { status: 'expired', certifiedNow: false, reasonClass: 'maintenance requirements not met' },
  });
  // Still meeting the old requirements does not re-award: the theory exam must be passed after the expiry.
  await runCredentialJob(handle.db, deps, expiry + DAY_MS);
  expect((await credentialOf(holder.id)).status).toBe('expired');
  await examAttempt(holder.id, fixture.theoryExamId, expiry + 2 * DAY_MS, true);
  await runCredentialJob(handle.db, deps, expiry + 3 * DAY_MS);
  const again = await credentialOf(holder.id);
  expect(again).toMatchObject({ status: 'certified', number: issued.number, periodStartsAt: expiry + 3 * DAY_MS });
});

test('suspend → reinstate, revoke → final: reasons required, shown only as a class, every step audited', async () => {
  const holder = await qualified('Katherine Johnson', 'US');
  await runCredentialJob(handle.db, deps, Date.now());
  const cred = await credentialOf(holder.id);
  const holderCaller = (await callerFor(handle.db, holder)).caller;

  const before = await countAllRows(handle);
  for (const bad of [
    { credentialId: cred.id, reasonClass: 'conduct', reason: '' },
    { credentialId: cred.id, reasonClass: 'conduct', reason: '   short ' },
    { credentialId: cred.id, reasonClass: 'whim', reason: 'A reason long enough' },
    { credentialId: cred.id, reasonClass: 'conduct', reason: 'x'.repeat(1001) },
  ]) {
    // @ts-expect-error: the bad reason class is the point
    const error = await trpcErrorOf(adminCaller.credentials.suspend(bad));
    expect(error.code).toBe('BAD_REQUEST');
    const revoke = await trpcErrorOf(
      // @ts-expect-error: as above
      adminCaller.credentials.revoke(bad),
    );
    expect(revoke.code).toBe('BAD_REQUEST');
  }
  expect(
    (
      await trpcErrorOf(
        adminCaller.credentials.suspend({
          credentialId: 'nope',
          reasonClass: 'conduct',
          reason: 'Complaint under review',
        }),
      )
    ).code,
  ).toBe('NOT_FOUND');
  expect(await countAllRows(handle)).toEqual(before);

  // The holder cannot touch their status, dates or requirements: only inactive/active exists for them.
  for (const call of [
    holderCaller.credentials.suspend({ credentialId: cred.id, reasonClass: 'conduct', reason: 'I suspend myself now' }),
    holderCaller.credentials.reinstate({ credentialId: cred.id, reason: 'I reinstate myself now' }),
    holderCaller.credentials.revoke({ credentialId: cred.id, reasonClass: 'conduct', reason: 'I revoke myself now' }),
    holderCaller.credentials.saveDefinition({ ...DEFINITION, validityMonths: 120 }),
    holderCaller.credentials.signOff({ credentialId: cred.id }),
  ])
    expect((await trpcErrorOf(call)).code).toBe('FORBIDDEN');
  expect(await countAllRows(handle)).toEqual(before);

  const reason = 'Complaint about treatment records under review';
  await adminCaller.credentials.suspend({ credentialId: cred.id, reasonClass: 'conduct', reason });
  const suspended = await registry().registryRecord({ number: cred.number });
  expect(suspended).toMatchObject({
    kind: 'credential',
    entry: { status: 'suspended', statusLabel: 'Suspended', reasonClass: 'professional conduct', certifiedNow: false },
  });
  expect(JSON.stringify(suspended)).not.toContain('treatment records');
  expect(
    (await trpcErrorOf(holderCaller.credentials.setInactive({ credentialId: cred.id, inactive: true }))).code,
  ).toBe('CONFLICT');
  expect(
    await adminCaller.credentials.reinstate({ credentialId: cred.id, reason: 'Complaint dismissed by the board' }),
  ).toEqual({
    ok: true,
    status: 'certified',
  });

  await adminCaller.credentials.revoke({
    credentialId: cred.id,
    reasonClass: 'conduct',
    reason: 'Board decision 2026-14',
  });
  for (const call of [
    adminCaller.credentials.reinstate({ credentialId: cred.id, reason: 'Trying to undo it' }),
    adminCaller.credentials.suspend({ credentialId: cred.id, reasonClass: 'conduct', reason: 'Trying to undo it' }),
    adminCaller.credentials.revoke({ credentialId: cred.id, reasonClass: 'conduct', reason: 'Trying again here' }),
  ])
    expect((await trpcErrorOf(call)).code).toBe('CONFLICT');
  await runCredentialJob(handle.db, deps, Date.now() + 400 * 3 * DAY_MS);
  expect((await credentialOf(holder.id)).status).toBe('revoked');
  const events = await handle.db
    .select()
    .from(credentialEvents)
    .where(eq(credentialEvents.credentialId, cred.id))
    .orderBy(credentialEvents.at);
  expect(events.map((e) => [e.kind, e.actorId === admin.id ? 'admin' : 'job', e.reason])).toEqual([
    ['awarded', 'job', expect.any(String)],
    ['suspended', 'admin', reason],
    ['reinstated', 'admin', 'Complaint dismissed by the board'],
    ['revoked', 'admin', 'Board decision 2026-14'],
  ]);
  const audited = await handle.db
    .select({ action: auditLog.action, actorId: auditLog.actorId })
    .from(auditLog)
    .where(and(eq(auditLog.subjectId, holder.id), like(auditLog.action, 'credential.%')));
  expect(audited).toEqual([
    { action: 'credential.awarded', actorId: null },
    { action: 'credential.suspended', actorId: admin.id },
    { action: 'credential.reinstated', actorId: admin.id },
    { action: 'credential.revoked', actorId: admin.id },
  ]);
});

test('a membership lapse suspends (per the definition) and good standing reinstates; inactive is the holder’s', async () => {
  const holder = await qualified('Rosalind Franklin');
  await runCredentialJob(handle.db, deps, Date.now());
  const cred = await credentialOf(holder.id);
  await handle.db.update(memberships).set({ status: 'lapsed' }).where(eq(memberships.userId, holder.id));
  expect((await runCredentialJob(handle.db, deps, Date.now())).suspendedForMembership).toBe(1);
  expect(await credentialOf(holder.id)).toMatchObject({ status: 'suspended', reasonClass: 'membership' });
  await handle.db.update(memberships).set({ status: 'active' }).where(eq(memberships.userId, holder.id));
  expect((await runCredentialJob(handle.db, deps, Date.now())).reinstatedForMembership).toBe(1);
  expect((await credentialOf(holder.id)).status).toBe('certified');

  const holderCaller = (await callerFor(handle.db, holder)).caller;
  const other = await qualified('Someone Else');
  await runCredentialJob(handle.db, deps, Date.now());
  const othersCred = await credentialOf(other.id);
  expect(
    (await trpcErrorOf(holderCaller.credentials.setInactive({ credentialId: othersCred.id, inactive: true }))).code,
  ).toBe('NOT_FOUND');
  await holderCaller.credentials.setInactive({ credentialId: cred.id, inactive: true });
  expect(await registry().registryRecord({ number: cred.number })).toMatchObject({
    entry: { status: 'inactive', reasonClass: "at the holder's request" },
  });
  expect(await holderCaller.credentials.setInactive({ credentialId: cred.id, inactive: false })).toEqual({
    ok: true,
    status: 'certified',
  });
});

test('definitions are versioned: holders stay on the version they earned; sign-off queues awards', async () => {
  const early = await qualified('Early Holder');
  await runCredentialJob(handle.db, deps, Date.now());
  const v1 = (await credentialOf(early.id)).versionId;
  const saved = await adminCaller.credentials.saveDefinition({
    ...DEFINITION,
    validityMonths: 24,
    requiresSignOff: true,
  });
  expect(saved.version).toBe(2);
  const examiner = await makeUser(handle.db, { roles: ['member', 'examiner'], totp: true });
  const examinerCaller = (await callerFor(handle.db, examiner)).caller;
  const late = await qualified('Late Holder');
  await runCredentialJob(handle.db, deps, Date.now());
  expect((await credentialOf(early.id)).versionId).toBe(v1);
  const queued = await credentialOf(late.id);
  expect(queued).toMatchObject({ status: 'pending-sign-off', versionId: saved.versionId, expiresAt: null });
  expect(await registry().registryRecord({ number: queued.number })).toEqual({ kind: 'unknown' });
  expect((await examinerCaller.credentials.pendingSignOff()).map((p) => p.id)).toContain(queued.id);
  expect(await mailsTo(examiner.email, 'waits for your sign-off')).toBe(1);
  const before = Date.now();
  await examinerCaller.credentials.signOff({ credentialId: queued.id });
  const signed = await credentialOf(late.id);
  expect(signed.status).toBe('certified');
  expect(signed.expiresAt).toBeGreaterThanOrEqual(addMonthsUtc(before, 24));
  expect((await trpcErrorOf(examinerCaller.credentials.signOff({ credentialId: queued.id }))).code).toBe('CONFLICT');
  // Back to awards without sign-off for the other tests.
  await adminCaller.credentials.saveDefinition(DEFINITION);

  const beforeBad = await countAllRows(handle);
  for (const bad of [
    { ...DEFINITION, slug: 'Bad Slug' },
    { ...DEFINITION, validityMonths: 0 },
    { ...DEFINITION, title: '' },
    { ...DEFINITION, maintenance: { ...DEFINITION.maintenance, cpdCredits: -1 } },
    { ...DEFINITION, requirements: { ...DEFINITION.requirements, theoryExamSlug: 'DROP TABLE' } },
  ])
    expect((await trpcErrorOf(adminCaller.credentials.saveDefinition(bad))).code).toBe('BAD_REQUEST');
  expect(await countAllRows(handle)).toEqual(beforeBad);
});

test('the registry takes any text without error and lists only holders; erasure removes a holder, the record stays', async () => {
  const holder = await qualified('Zoë Ünicode-Ñame', 'FR');
  const notHolder = await member('Zoë Unlisted', 'FR');
  await runCredentialJob(handle.db, deps, Date.now());
  const cred = await credentialOf(holder.id);
  expect((await registry().registrySearch({ q: 'zoë', country: '' })).map((e) => e.name)).toEqual(['Zoë Ünicode-Ñame']);
  expect((await registry().registrySearch({ q: '', country: 'FR' })).map((e) => e.number)).toEqual([cred.number]);
  const inputs = [
    '"',
    "'; drop table credentials; --",
    'Zoë OR Unlisted',
    'name:zoe*',
    'NEAR(zoe unlisted)',
    '%',
    '_',
    '\\',
    '\u0000',
    '😀'.repeat(100),
    'x'.repeat(10_240),
    '\u202Eevil',
  ];
  for (const q of inputs) {
    const found = await registry().registrySearch({ q, country: q.slice(0, 10) });
    expect(
      found.every((e) => e.number === cred.number),
      q.slice(0, 20),
    ).toBe(true);
    expect(JSON.stringify(found)).not.toContain('Unlisted');
  }
  expect(notHolder.id).toBeTruthy();

  // Erasure: gone from the registry at once; the credential record stays under the pseudonymous id.
  await handle.db.transaction((tx) =>
    eraseUser(tx, holder.id, { actorId: admin.id, passwordHash: 'erased', now: Date.now() }),
  );
  expect(await registry().registrySearch({ q: 'zoë', country: '' })).toEqual([]);
  expect(await registry().registryRecord({ number: cred.number })).toEqual({ kind: 'unknown' });
  const kept = await credentialOf(holder.id);
  expect(kept.number).toBe(cred.number);
});
