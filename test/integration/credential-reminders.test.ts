import { and, eq, like } from 'drizzle-orm';
import { beforeAll, expect, test } from 'vitest';
import { credentialDefinitions, credentialReminders, credentials, mailOutbox } from '#db/schema/index.ts';
import { maintenanceOutlook, reminderMail } from '#src/lib/credential-outlook.ts';
import { addMonthsUtc, cycleYears } from '#src/lib/credential-rules.ts';
import { DAY_MS, formatLongDate } from '#src/lib/dates.ts';
import { runCredentialJob } from '#src/server/services/credential-job.ts';
import {
  type CredentialFixture,
  cpd,
  credentialFixture,
  DEFINITION,
  examAttempt,
  qualified,
} from '#test/helpers/credentials.ts';
import { useTestDb } from '#test/helpers/db.ts';
import { anonymousCaller, callerFor, type MadeUser, makeUser, testDeps } from '#test/helpers/factories.ts';

const handle = useTestDb();
const deps = testDeps();
let admin: MadeUser;
let fixture: CredentialFixture;

async function mailBodies(email: string, subjectPart: string): Promise<{ subject: string; text: string }[]> {
  const rows = await handle.db
    .select({ subject: mailOutbox.subject, text: mailOutbox.textBody })
    .from(mailOutbox)
    .where(and(eq(mailOutbox.toAddress, email), like(mailOutbox.subject, `%${subjectPart}%`)));
  return rows;
}

beforeAll(async () => {
  admin = await makeUser(handle.db, { roles: ['member', 'admin'], totp: true });
  fixture = await credentialFixture(handle.db, admin.id);
  await (await callerFor(handle.db, admin)).caller.credentials.saveDefinition(DEFINITION);
});

test('maintenance not met: the reminder names the real date and days left and what is missing, with links', async () => {
  const holder = await qualified(handle.db, fixture, 'Chien-Shiung Wu', 'US');
  const t0 = Date.now();
  await runCredentialJob(handle.db, deps, t0);
  const [row] = await handle.db.select().from(credentials).where(eq(credentials.userId, holder.id));
  if (!row?.expiresAt || !row.periodStartsAt) throw new Error('not awarded');
  const expiry = row.expiresAt;
  // An activity and a check in each year so far, 20 of 30 credits: the last year's activity, 10 credits and
  // this year's check are missing — all still possible.
  const years = cycleYears(row.periodStartsAt, expiry);
  for (const year of years.slice(0, 2)) {
    await cpd(handle.db, holder.id, year.from + 10 * DAY_MS, 10);
    await examAttempt(handle.db, holder.id, fixture.checkExamId, year.from + 20 * DAY_MS, false);
  }
  // First seen 20 days before the expiry: the 30-day reminder, which says 20 days, not 30.
  const at = expiry - 20 * DAY_MS;
  expect((await runCredentialJob(handle.db, deps, at)).reminded['30']).toBe(1);
  expect((await runCredentialJob(handle.db, deps, at + 3_600_000)).reminded['30']).toBe(0);
  const mails = await mailBodies(holder.email, 'expires in');
  expect(mails.map((m) => m.subject)).toEqual(['Your IECPA credential expires in 20 days']);
  const text = mails[0]?.text ?? '';
  expect(text).toContain(`expires on ${formatLongDate(expiry)} unless its maintenance is completed`);
  expect(text).toContain('- 10 more CPD credits (20 of 30 so far): http://portal.test/cpd');
  expect(text).toMatch(/- a CPD activity in the year .*: http:\/\/portal\.test\/cpd/);
  expect(text).toContain(`this credential year's knowledge check`);
  expect(text).toContain(`http://portal.test/credentials#knowledge-check-${row.number}`);
  expect(text).not.toContain('renewed on');

  // The holder's page says the same; the registry says maintenance due, without calling it failed.
  const { caller } = await callerFor(handle.db, holder);
  const page = (await caller.credentials.mine()).credentials[0];
  expect(page?.outlook).toMatchObject({ kind: 'missing', on: expiry });
  expect(page?.status).toBe('maintenance-due');
  expect(await anonymousCaller(handle.db).credentials.registryRecord({ number: row.number })).toMatchObject({
    entry: { statusLabel: 'Certified — maintenance due', certifiedNow: true, reasonClass: null },
  });
});

test('a past year without the required activity: the reminder says the maintenance can no longer be met', async () => {
  const holder = await qualified(handle.db, fixture, 'Dorothy Hodgkin', 'GB');
  await runCredentialJob(handle.db, deps, Date.now());
  const [row] = await handle.db.select().from(credentials).where(eq(credentials.userId, holder.id));
  if (!row?.expiresAt || !row.periodStartsAt) throw new Error('not awarded');
  const years = cycleYears(row.periodStartsAt, row.expiresAt);
  // 30 credits, but all in the last year and no check in the first: the first year can never be made good.
  await cpd(handle.db, holder.id, (years[2]?.from ?? 0) + DAY_MS, 30);
  await runCredentialJob(handle.db, deps, row.expiresAt - 90 * DAY_MS);
  const [mail] = await mailBodies(holder.email, 'expires in 90 days');
  expect(mail?.text).toContain('its maintenance can no longer be met this period (no CPD activity in the year');
  expect(mail?.text).toContain('no knowledge check in the year');
  expect(mail?.text).not.toContain('Still needed');
});

test('maintenance met: recertified from the expiry, no "expires" reminder, and the page says renewed', async () => {
  const holder = await qualified(handle.db, fixture, 'Barbara McClintock', 'US');
  await runCredentialJob(handle.db, deps, Date.now());
  const [row] = await handle.db.select().from(credentials).where(eq(credentials.userId, holder.id));
  if (!row?.expiresAt || !row.periodStartsAt) throw new Error('not awarded');
  const expiry = row.expiresAt;
  for (const year of cycleYears(row.periodStartsAt, expiry)) {
    await cpd(handle.db, holder.id, year.from + 10 * DAY_MS, 10);
    await examAttempt(handle.db, holder.id, fixture.checkExamId, year.from + 20 * DAY_MS, false);
  }
  // The job runs through the whole reminder window.
  for (const days of [120, 90, 60, 30, 7, 1]) await runCredentialJob(handle.db, deps, expiry - days * DAY_MS);
  expect(await mailBodies(holder.email, 'expires')).toEqual([]);
  const reminders = await handle.db
    .select()
    .from(credentialReminders)
    .where(eq(credentialReminders.credentialId, row.id));
  expect(reminders).toEqual([]);
  const [renewal] = await mailBodies(holder.email, 'Recertified');
  expect(renewal?.text).toContain(
    `renewed from ${formatLongDate(expiry)} to ${formatLongDate(addMonthsUtc(expiry, 36))}`,
  );
  const { caller } = await callerFor(handle.db, holder);
  const page = (await caller.credentials.mine()).credentials[0];
  expect(page?.outlook).toEqual({ kind: 'renewed', from: expiry, to: addMonthsUtc(expiry, 36) });
  expect(page?.knowledgeCheck).toEqual({ kind: 'not-yet', opensAt: expiry });
  // The registry counts the renewed holder as participating, though the next period has no CPD yet.
  const record = await anonymousCaller(handle.db).credentials.registryRecord({ number: row.number });
  expect(record).toMatchObject({ kind: 'credential', entry: { participatingInMaintenance: true } });
  const search = await anonymousCaller(handle.db).credentials.registrySearch({ q: 'McClintock' });
  expect(JSON.stringify(search)).toContain('"participatingInMaintenance":true');
});

test('the reminder composed from a met maintenance announces the renewal, not an expiry', () => {
  const from = Date.UTC(2026, 0, 1);
  const expiresAt = addMonthsUtc(from, 36);
  const years = cycleYears(from, expiresAt).map((y) => ({ ...y, cpdActivity: true, knowledgeCheck: true }));
  const input = {
    number: 'IECPA-CR-AAAAA-BBBBB',
    status: 'certified' as const,
    periodStartsAt: from,
    expiresAt,
    validityMonths: 36,
    rule: DEFINITION.maintenance,
    maintenance: { creditsEarned: 30, creditsRequired: 30, years, met: true },
  };
  const now = expiresAt - 30 * DAY_MS;
  const outlook = maintenanceOutlook(input, now);
  expect(outlook).toEqual({ kind: 'will-renew', on: expiresAt, to: addMonthsUtc(expiresAt, 36) });
  const mail = reminderMail(outlook, input.number, now, 'https://portal.example');
  expect(mail?.subject).toBe(`Your IECPA credential will be renewed on ${formatLongDate(expiresAt)}`);
  expect(mail?.lines.join(' ')).toContain('Nothing more is needed');
  expect(mail?.lines.join(' ')).not.toMatch(/expires/);
  // Not met, nothing past: the steps; and no reminder at all for a credential that is not current.
  const missing = maintenanceOutlook(
    { ...input, maintenance: { ...input.maintenance, creditsEarned: 25, met: false } },
    now,
  );
  expect(missing).toMatchObject({
    kind: 'missing',
    steps: [{ label: '5 more CPD credits (25 of 30 so far)', href: '/cpd' }],
  });
  expect(reminderMail(maintenanceOutlook({ ...input, status: 'suspended' }, now), input.number, now, '')).toBeNull();
});

test('a rule that asks nothing renews once, when the last year begins, not on every run', async () => {
  const slug = 'no-maintenance-l1';
  await (await callerFor(handle.db, admin)).caller.credentials.saveDefinition({
    ...DEFINITION,
    slug,
    title: 'Credential with no maintenance',
    maintenance: { cpdCredits: 0, cpdEachYear: false, knowledgeCheckExamSlug: null },
  });
  const holder = await qualified(handle.db, fixture, 'Mary Somerville', 'GB');
  const t0 = Date.now();
  await runCredentialJob(handle.db, deps, t0);
  const mine = () => handle.db.select().from(credentials).where(eq(credentials.userId, holder.id));
  const rows0 = await mine();
  expect(rows0).toHaveLength(2);
  const expiries0 = rows0.map((r) => r.expiresAt).sort();
  await runCredentialJob(handle.db, deps, t0 + 3_600_000);
  await runCredentialJob(handle.db, deps, t0 + 2 * 3_600_000);
  expect((await mine()).map((r) => r.expiresAt).sort()).toEqual(expiries0);
  const lastYearBegins = addMonthsUtc(t0, 24) + DAY_MS;
  await runCredentialJob(handle.db, deps, lastYearBegins);
  const renewed = await mine();
  const byDefinition = (rows: typeof rows0, definitionId: string) =>
    rows.find((r) => r.definitionId === definitionId)?.expiresAt;
  const changed = rows0.filter((r) => byDefinition(renewed, r.definitionId) !== r.expiresAt);
  const [emptyRule] = await handle.db
    .select({ id: credentialDefinitions.id })
    .from(credentialDefinitions)
    .where(eq(credentialDefinitions.slug, slug));
  expect(changed.map((r) => r.definitionId)).toEqual([emptyRule?.id]);
  const once = changed[0];
  if (!once?.expiresAt) throw new Error('no renewal');
  expect(byDefinition(renewed, once.definitionId)).toBe(addMonthsUtc(once.expiresAt, 36));
  await runCredentialJob(handle.db, deps, lastYearBegins + 3_600_000);
  await runCredentialJob(handle.db, deps, lastYearBegins + DAY_MS);
  expect((await mine()).map((r) => r.expiresAt).sort()).toEqual(renewed.map((r) => r.expiresAt).sort());
});

test('a credential year ending without its activity or check is mailed once, while it can still be done', async () => {
  const holder = await qualified(handle.db, fixture, 'Caroline Herschel', 'DE');
  await runCredentialJob(handle.db, deps, Date.now());
  // The credential of DEFINITION (an earlier test adds a second definition, which she holds too).
  const [row] = await handle.db
    .select({ credential: credentials })
    .from(credentials)
    .innerJoin(credentialDefinitions, eq(credentialDefinitions.id, credentials.definitionId))
    .where(and(eq(credentials.userId, holder.id), eq(credentialDefinitions.slug, DEFINITION.slug)))
    .then((rows) => rows.map((r) => r.credential));
  if (!row?.expiresAt || !row.periodStartsAt) throw new Error('not awarded');
  const [year1, year2] = cycleYears(row.periodStartsAt, row.expiresAt);
  if (!year1 || !year2) throw new Error('three years');
  // Year 1 has its activity but not its check; year 2 has both.
  await cpd(handle.db, holder.id, year1.from + 5 * DAY_MS, 10);
  await cpd(handle.db, holder.id, year2.from + 5 * DAY_MS, 10);
  await examAttempt(handle.db, holder.id, fixture.checkExamId, year2.from + 6 * DAY_MS, false);
  await runCredentialJob(handle.db, deps, year1.to - 90 * DAY_MS);
  expect(await mailBodies(holder.email, 'credential year ends')).toEqual([]);
  for (const days of [60, 59, 30, 1]) await runCredentialJob(handle.db, deps, year1.to - days * DAY_MS);
  const mails = await mailBodies(holder.email, 'credential year ends');
  expect(mails.map((m) => m.subject)).toEqual([
    `Your IECPA credential year ends on ${formatLongDate(year1.to)}: maintenance still needed`,
  ]);
  expect(mails[0]?.text).toContain(
    `this credential year's knowledge check: http://portal.test/credentials#knowledge-check-${row.number}`,
  );
  expect(mails[0]?.text).not.toContain('a CPD activity this credential year');
  for (const days of [60, 30, 1]) await runCredentialJob(handle.db, deps, year2.to - days * DAY_MS);
  expect(await mailBodies(holder.email, 'credential year ends')).toHaveLength(1);
});
