import { rmSync } from 'node:fs';
import { and, eq } from 'drizzle-orm';
import { afterAll, beforeAll, expect, test, vi } from 'vitest';
import { auditLog, consents, membershipEvents, memberships, userRoles } from '#db/schema/index.ts';
import { CURRENT_ETHICS_VERSION } from '#src/lib/ethics.ts';
import { flattenFieldErrors } from '#src/server/api/trpc.ts';
import { COMPLETE_APPLICATION as COMPLETE, pdfForm } from '#test/helpers/applications.ts';
import { countAllRows, useTestDb } from '#test/helpers/db.ts';
import { callerFor, lastMailTo, linkFrom, type MadeUser, makeUser } from '#test/helpers/factories.ts';
import { trpcErrorOf } from '#test/helpers/trpc.ts';

// Set before any module reads the environment: documents go to this run's own folder.
const uploadDir = vi.hoisted(() => {
  const dir = `${process.cwd()}/test-results/uploads/applications-${process.pid}-${Date.now()}`;
  process.env.UPLOAD_DIR = dir;
  return dir;
});

const handle = useTestDb();
let admin: MadeUser;
let adminCaller: Awaited<ReturnType<typeof callerFor>>['caller'];

beforeAll(async () => {
  admin = await makeUser(handle.db, { roles: ['member', 'admin'], totp: true });
  adminCaller = (await callerFor(handle.db, admin)).caller;
});
afterAll(() => rmSync(uploadDir, { recursive: true, force: true }));

/** A new applicant (no roles yet, as after registration) with their caller. */
async function applicant() {
  const user = await makeUser(handle.db, { roles: [] });
  const { caller } = await callerFor(handle.db, user);
  return { user, caller };
}

/** An applicant whose complete application with one document has been submitted. */
async function submittedApplicant() {
  const made = await applicant();
  await made.caller.applications.saveDraft(COMPLETE);
  await made.caller.applications.uploadDocument(pdfForm());
  const application = await made.caller.applications.submit();
  return { ...made, application };
}

async function auditActions(subjectId: string): Promise<string[]> {
  const rows = await handle.db.select().from(auditLog).where(eq(auditLog.subjectId, subjectId));
  return rows.map((r) => r.action);
}

test('a draft keeps every field as typed, and saving again updates the same application', async () => {
  const { caller } = await applicant();
  const first = await caller.applications.saveDraft({ categoryId: 'practitioner', licenceNumber: ' RN-1 ' });
  expect(first.status).toBe('draft');
  expect(first.licenceNumber).toBe('RN-1');
  expect(first.ethicsVersion).toBeNull();
  const second = await caller.applications.saveDraft({ ...COMPLETE, languages: 'English, Mandarin;English' });
  expect(second.id).toBe(first.id);
  const mine = await caller.applications.mine();
  const { acceptEthics: _, ...typed } = COMPLETE;
  expect(mine?.application).toMatchObject({
    ...typed,
    languages: ['English', 'Mandarin'],
    ethicsVersion: CURRENT_ETHICS_VERSION,
    status: 'draft',
  });
});

test('text fields refuse control and text-direction characters, field by field, and write nothing', async () => {
  const { caller } = await applicant();
  const before = await countAllRows(handle);
  // U+202E (right-to-left override) shows "RN-1‮9876" as another number than the one stored.
  const error = await trpcErrorOf(
    caller.applications.saveDraft({
      ...COMPLETE,
      licenceNumber: 'RN-1\u202e9876',
      licenceIssuer: 'Board\u2066x\u2069',
      institution: 'Clinic\u0007',
      languages: 'English, Ar\u202babic',
    }),
  );
  expect(error.code).toBe('BAD_REQUEST');
  expect(flattenFieldErrors(error.cause)).toMatchObject({
    licenceNumber: 'Remove control or text-direction characters.',
    licenceIssuer: 'Remove control or text-direction characters.',
    institution: 'Remove control or text-direction characters.',
    'languages.1': 'Remove control or text-direction characters.',
  });
  expect(await countAllRows(handle)).toEqual(before);
});

test('a new application starts from the profession and country given at registration', async () => {
  const { caller } = await applicant();
  // makeUser registers every test user as a nurse in Germany.
  expect(await caller.applications.startingValues()).toEqual({
    profession: 'nurse',
    country: 'DE',
    ethicsAcceptedAt: null,
  });
});

test('the code of ethics is accepted once per version: accepted at registration, not asked again', async () => {
  const { user, caller } = await applicant();
  const acceptedAt = Date.UTC(2026, 10, 30);
  await handle.db.insert(consents).values({
    id: `c-${user.id}`,
    userId: user.id,
    document: 'code-of-ethics',
    version: CURRENT_ETHICS_VERSION,
    acceptedAt,
  });
  expect((await caller.applications.startingValues()).ethicsAcceptedAt).toBe(acceptedAt);
  const { acceptEthics: _, ...withoutEthics } = COMPLETE;
  const draft = await caller.applications.saveDraft(withoutEthics);
  expect(draft.ethicsVersion).toBe(CURRENT_ETHICS_VERSION);
  await caller.applications.uploadDocument(pdfForm());
  await caller.applications.submit();
  const rows = await handle.db.select().from(consents).where(eq(consents.userId, user.id));
  expect(rows.map((r) => [r.document, r.version, r.acceptedAt])).toEqual([
    ['code-of-ethics', CURRENT_ETHICS_VERSION, acceptedAt],
  ]);
});

test('an approved member’s profile starts from the institution and languages of their application', async () => {
  const { caller, application } = await submittedApplicant();
  await adminCaller.applications.approve({ applicationId: application.id, message: '' });
  const own = await caller.directory.myProfile();
  expect(own.profile).toMatchObject({
    practiceName: COMPLETE.institution,
    languages: COMPLETE.languages,
    listed: false,
  });
});

test('submitting an incomplete application says what is missing, field by field, and changes nothing', async () => {
  const { caller } = await applicant();
  await caller.applications.saveDraft({ categoryId: 'practitioner', profession: 'nurse' });
  const before = await countAllRows(handle);
  const error = await trpcErrorOf(caller.applications.submit());
  expect(error.code).toBe('BAD_REQUEST');
  const fields = (error.cause as unknown as { fieldErrors: Record<string, string> }).fieldErrors;
  expect(Object.keys(fields).sort()).toEqual(
    ['acceptEthics', 'country', 'documents', 'institution', 'languages', 'licenceIssuer', 'licenceNumber'].sort(),
  );
  expect(fields.documents).toContain('Upload at least 1 supporting document');
  expect(await countAllRows(handle)).toEqual(before);
});

test('apply, request information, reply, approve: status, conversation, number, member role, mails, audit', async () => {
  const { user, caller, application } = await submittedApplicant();
  expect(application.status).toBe('submitted');
  expect((await lastMailTo(handle.db, user.email))?.subject).toBe('We received your IECPA membership application');
  // Every administrator hears of it, by a link only: the mail outlives an erasure of the applicant.
  const adminMail = await lastMailTo(handle.db, admin.email);
  expect(adminMail?.subject).toBe('A membership application is waiting for review');
  expect(linkFrom(adminMail?.textBody ?? '', `/admin/applications/${application.id}`).pathname).toBe(
    `/admin/applications/${application.id}`,
  );
  expect(adminMail?.textBody).toContain('(Practitioner)');
  expect(adminMail?.textBody).not.toContain(user.email);
  expect(adminMail?.textBody).not.toContain(user.name);
  const [pending] = await handle.db.select().from(memberships).where(eq(memberships.userId, user.id));
  expect(pending).toMatchObject({ status: 'pending', number: null, categoryId: 'practitioner' });
  const consentRows = await handle.db
    .select()
    .from(consents)
    .where(and(eq(consents.userId, user.id), eq(consents.document, 'code-of-ethics')));
  expect(consentRows.map((c) => c.version)).toEqual([CURRENT_ETHICS_VERSION]);

  // While the reviewers have it, the applicant cannot change it, nor its documents.
  const frozen = await countAllRows(handle);
  expect((await trpcErrorOf(caller.applications.saveDraft(COMPLETE))).code).toBe('CONFLICT');
  expect((await trpcErrorOf(caller.applications.uploadDocument(pdfForm('late.pdf')))).code).toBe('CONFLICT');
  const firstDocument = (await caller.applications.mine())?.documents[0];
  expect((await trpcErrorOf(caller.applications.deleteDocument({ documentId: firstDocument?.id ?? '' }))).code).toBe(
    'CONFLICT',
  );
  expect(await countAllRows(handle)).toEqual(frozen);

  const queue = await adminCaller.applications.queue({ status: 'submitted' });
  expect(queue.items.map((i) => i.id)).toContain(application.id);
  expect(queue.counts.submitted).toBeGreaterThanOrEqual(1);

  await adminCaller.applications.requestInfo({
    applicationId: application.id,
    message: 'Please add your ECP treatment log.',
  });
  const infoMail = await lastMailTo(handle.db, user.email);
  expect(infoMail?.subject).toBe('The IECPA membership committee needs more information');
  expect(infoMail?.textBody).toContain('Please add your ECP treatment log.');

  // The applicant updates the application (a second document, a corrected count) and replies.
  await caller.applications.saveDraft({ ...COMPLETE, treatmentsSupervised: 420 });
  await caller.applications.uploadDocument(pdfForm('treatment-log.pdf'));
  const replied = await caller.applications.reply({ message: 'Log attached; the count was 420.' });
  expect(replied.status).toBe('submitted');
  expect(replied.treatmentsSupervised).toBe(420);
  expect((await lastMailTo(handle.db, user.email))?.subject).toBe(
    'Your reply has been sent to the IECPA membership committee',
  );
  const replyMail = await lastMailTo(handle.db, admin.email);
  expect(replyMail?.subject).toBe('An applicant replied to your request for information');
  expect(replyMail?.textBody).toContain(`/admin/applications/${application.id}`);
  expect(replyMail?.textBody).not.toContain(user.name);

  const approved = await adminCaller.applications.approve({ applicationId: application.id, message: '' });
  const year = new Date().getUTCFullYear();
  expect(approved.number).toMatch(new RegExp(`^IECPA-${year}-\\d{5}$`));
  expect(approved.application.status).toBe('approved');
  const approvalMail = await lastMailTo(handle.db, user.email);
  expect(approvalMail?.subject).toBe(`Welcome to IECPA: your membership number is ${approved.number}`);
  expect(approvalMail?.textBody).toContain(approved.number);

  const [member] = await handle.db.select().from(memberships).where(eq(memberships.userId, user.id));
  expect(member).toMatchObject({ status: 'active', number: approved.number });
  const roles = await handle.db.select().from(userRoles).where(eq(userRoles.userId, user.id));
  expect(roles.map((r) => r.role)).toEqual(['member']);

  const mine = await caller.applications.mine();
  expect(mine?.events.map((e) => e.kind)).toEqual(['submitted', 'info-requested', 'applicant-replied', 'approved']);
  expect(mine?.events[1]?.message).toBe('Please add your ECP treatment log.');
  expect(mine?.documents.map((d) => d.originalName)).toEqual(['licence.pdf', 'treatment-log.pdf']);
  expect(await auditActions(application.id)).toEqual([
    'membership.application-started',
    'membership.document-added',
    'membership.application-submitted',
    'membership.application-info-requested',
    'membership.application-saved',
    'membership.document-added',
    'membership.application-replied',
    'membership.application-approved',
  ]);
  const history = await handle.db.select().from(membershipEvents).where(eq(membershipEvents.userId, user.id));
  expect(history.map((h) => h.kind)).toEqual(['applied', 'approved']);
});

test('membership numbers increase by one with each approval', async () => {
  const numbers: string[] = [];
  for (let i = 0; i < 3; i++) {
    const { application } = await submittedApplicant();
    numbers.push((await adminCaller.applications.approve({ applicationId: application.id })).number);
  }
  const sequence = numbers.map((n) => Number(n.slice(-5)));
  expect(sequence[1]).toBe((sequence[0] ?? 0) + 1);
  expect(sequence[2]).toBe((sequence[0] ?? 0) + 2);
});

test('a rejection needs a reason, mails it and removes the pending membership', async () => {
  const { user, caller, application } = await submittedApplicant();
  const before = await countAllRows(handle);
  const noReason = await trpcErrorOf(adminCaller.applications.reject({ applicationId: application.id, reason: ' ' }));
  expect(noReason.code).toBe('BAD_REQUEST');
  expect(await countAllRows(handle)).toEqual(before);

  const rejected = await adminCaller.applications.reject({
    applicationId: application.id,
    reason: 'Your licence has expired; apply again once it is renewed.',
  });
  expect(rejected).toMatchObject({
    status: 'rejected',
    decisionReason: 'Your licence has expired; apply again once it is renewed.',
  });
  const mail = await lastMailTo(handle.db, user.email);
  expect(mail?.subject).toBe('Your IECPA membership application');
  expect(mail?.textBody).toContain('Your licence has expired');
  expect(await handle.db.select().from(memberships).where(eq(memberships.userId, user.id))).toEqual([]);
  expect((await caller.applications.mine())?.application.status).toBe('rejected');
  expect(await auditActions(application.id)).toContain('membership.application-rejected');

  // Decided: a second decision is a conflict and writes nothing.
  const after = await countAllRows(handle);
  for (const call of [
    adminCaller.applications.approve({ applicationId: application.id }),
    adminCaller.applications.reject({ applicationId: application.id, reason: 'Again.' }),
    adminCaller.applications.requestInfo({ applicationId: application.id, message: 'More?' }),
  ]) {
    const error = await trpcErrorOf(call);
    expect(error.code).toBe('CONFLICT');
    expect(error.message).toContain('rejected');
  }
  expect(await countAllRows(handle)).toEqual(after);

  // Rejected is not open: the applicant may start again.
  const fresh = await caller.applications.saveDraft(COMPLETE);
  expect(fresh.id).not.toBe(application.id);
});

test('the applicant withdraws a submitted application: pending membership gone, mail sent, audited', async () => {
  const { user, caller, application } = await submittedApplicant();
  const withdrawn = await caller.applications.withdraw();
  expect(withdrawn.status).toBe('withdrawn');
  expect(await handle.db.select().from(memberships).where(eq(memberships.userId, user.id))).toEqual([]);
  expect((await lastMailTo(handle.db, user.email))?.subject).toBe('You withdrew your IECPA membership application');
  expect(await auditActions(application.id)).toContain('membership.application-withdrawn');
  expect((await trpcErrorOf(caller.applications.withdraw())).code).toBe('NOT_FOUND');
  expect((await trpcErrorOf(adminCaller.applications.approve({ applicationId: application.id }))).code).toBe(
    'CONFLICT',
  );
});

test('an admin cannot see or decide a draft: it is the applicant’s until submitted', async () => {
  const { caller } = await applicant();
  const draft = await caller.applications.saveDraft(COMPLETE);
  const before = await countAllRows(handle);
  expect((await trpcErrorOf(adminCaller.applications.get({ applicationId: draft.id }))).code).toBe('NOT_FOUND');
  expect((await trpcErrorOf(adminCaller.applications.approve({ applicationId: draft.id }))).code).toBe('NOT_FOUND');
  expect(await countAllRows(handle)).toEqual(before);
});

test('the review page data holds details, documents, conversation and the applicant', async () => {
  const { user, application } = await submittedApplicant();
  const details = await adminCaller.applications.get({ applicationId: application.id });
  expect(details.applicant).toMatchObject({ id: user.id, email: user.email });
  expect(details.category?.id).toBe('practitioner');
  expect(details.documents).toHaveLength(1);
  expect(details.events.map((e) => e.kind)).toEqual(['submitted']);
  expect(details.membership).toEqual({ status: 'pending', number: null });
});

test('the queue lists the longest-waiting first and counts every status', async () => {
  const older = await submittedApplicant();
  const newer = await submittedApplicant();
  const queue = await adminCaller.applications.queue({ status: 'submitted' });
  const ids = queue.items.map((i) => i.id);
  expect(ids.indexOf(older.application.id)).toBeLessThan(ids.indexOf(newer.application.id));
  expect(queue.counts.submitted).toBe(queue.items.length);
  expect(Object.keys(queue.counts).sort()).toEqual(
    ['approved', 'draft', 'info-requested', 'rejected', 'submitted', 'withdrawn'].sort(),
  );
});

test('categories: the public list hides archived ones; an admin edit is audited and closes applications', async () => {
  const { caller } = await applicant();
  const all = await adminCaller.applications.allCategories();
  const student = all.find((c) => c.id === 'student');
  if (!student) throw new Error('student category missing');
  const updated = await adminCaller.applications.updateCategory({
    ...student,
    description: 'Edited by the board.',
    archived: true,
  });
  expect(updated).toMatchObject({ description: 'Edited by the board.', archived: true });
  expect((await caller.applications.categories()).map((c) => c.id)).not.toContain('student');
  const [audit] = await handle.db.select().from(auditLog).where(eq(auditLog.action, 'membership.category-updated'));
  expect(JSON.parse(audit?.details ?? '{}')).toMatchObject({
    before: { archived: false },
    after: { archived: true, description: 'Edited by the board.' },
  });
  const before = await countAllRows(handle);
  const error = await trpcErrorOf(caller.applications.saveDraft({ ...COMPLETE, categoryId: 'student' }));
  expect(error.message).toBe('The Student or trainee category no longer takes applications.');
  expect(await countAllRows(handle)).toEqual(before);
  await adminCaller.applications.updateCategory({ ...student, archived: false });
  expect((await trpcErrorOf(adminCaller.applications.updateCategory({ ...student, id: 'nope' }))).code).toBe(
    'NOT_FOUND',
  );
});

test('two admins approving at once: one approval, one number, the other is told it changed', async () => {
  const { user, application } = await submittedApplicant();
  const secondAdmin = await makeUser(handle.db, { roles: ['member', 'admin'], totp: true });
  const { caller: secondCaller } = await callerFor(handle.db, secondAdmin);
  const outcomes = await Promise.allSettled([
    adminCaller.applications.approve({ applicationId: application.id }),
    secondCaller.applications.approve({ applicationId: application.id }),
  ]);
  expect(outcomes.filter((o) => o.status === 'fulfilled')).toHaveLength(1);
  const refused = outcomes.find((o) => o.status === 'rejected');
  expect((refused as PromiseRejectedResult).reason.code).toBe('CONFLICT');
  const history = await handle.db.select().from(membershipEvents).where(eq(membershipEvents.userId, user.id));
  expect(history.map((h) => h.kind)).toEqual(['applied', 'approved']);
});

test('a category edit with missing or out-of-range fields is refused field by field and writes nothing', async () => {
  const [practitioner] = await adminCaller.applications.allCategories();
  if (!practitioner) throw new Error('no categories');
  const before = await countAllRows(handle);
  const error = await trpcErrorOf(
    adminCaller.applications.updateCategory({
      ...practitioner,
      name: '  ',
      minDocuments: 11,
      // Forms post numbers as text; the procedure reads them as numbers.
      sortOrder: '-1' as unknown as number,
    }),
  );
  expect(error.code).toBe('BAD_REQUEST');
  expect(Object.keys(flattenFieldErrors(error.cause) ?? {}).sort()).toEqual(['minDocuments', 'name', 'sortOrder']);
  expect(await countAllRows(handle)).toEqual(before);
  const saved = await adminCaller.applications.updateCategory({
    ...practitioner,
    minDocuments: '2' as unknown as number,
    eligibleProfessions: ['nurse', 'nurse', 'physician'],
  });
  expect(saved).toMatchObject({ minDocuments: 2, eligibleProfessions: ['nurse', 'physician'] });
  await adminCaller.applications.updateCategory(practitioner);
});

test('approving a member suspended during the review is refused and writes and mails nothing', async () => {
  const { user, caller } = await applicant();
  await caller.applications.saveDraft({ ...COMPLETE, categoryId: 'institutional' });
  await caller.applications.uploadDocument(pdfForm());
  const first = await caller.applications.submit();
  await adminCaller.applications.approve({ applicationId: first.id });
  // Already a member: a second application, for another category, goes to the reviewers.
  await caller.applications.saveDraft(COMPLETE);
  await caller.applications.uploadDocument(pdfForm());
  const second = await caller.applications.submit();
  await adminCaller.membership.suspend({ userId: user.id, reason: 'Licence under investigation.' });

  const before = await countAllRows(handle);
  const error = await trpcErrorOf(adminCaller.applications.approve({ applicationId: second.id }));
  expect(error.code).toBe('CONFLICT');
  expect(error.message).toBe('A suspended membership must be reinstated first.');
  expect(await countAllRows(handle)).toEqual(before);
  expect((await adminCaller.applications.get({ applicationId: second.id })).application.status).toBe('submitted');
});

test('withdrawing a draft the reviewers never saw mails nobody and makes no membership', async () => {
  const { user, caller } = await applicant();
  await caller.applications.saveDraft(COMPLETE);
  const withdrawn = await caller.applications.withdraw();
  expect(withdrawn).toMatchObject({ status: 'withdrawn', submittedAt: null });
  expect(await lastMailTo(handle.db, user.email)).toBeNull();
  expect(await handle.db.select().from(memberships).where(eq(memberships.userId, user.id))).toEqual([]);
  expect(await auditActions(withdrawn.id)).toContain('membership.application-withdrawn');
});
