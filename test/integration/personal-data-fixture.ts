/**
 * A member with data in as many tables as the portal has, made through the services where they exist
 * (registration, verification, sign-in, membership activation) and with Drizzle elsewhere. Shared by the
 * export and erasure tests.
 */

import { eq } from 'drizzle-orm';
import type { DbHandle } from '#db/client.ts';
import {
  accountClosureRequests,
  cpdActivities,
  handbookAutosaves,
  handbookDocuments,
  handbookRevisions,
  memberProfiles,
  membershipDocuments,
  membershipPayments,
  membershipReminders,
  moduleCompletions,
  quizAttempts,
  readingProgress,
  recoveryCodes,
  simulatorAssessments,
  simulatorAssessmentVersions,
  simulatorAttemptAnnotations,
  simulatorAttempts,
  simulatorPracticeSessions,
  totpCredentials,
  users,
} from '#db/schema/index.ts';
import { hashSecret, newId } from '#src/server/ids.ts';
import type { RequestMeta } from '#src/server/services/deps.ts';
import { saveOwnProfile } from '#src/server/services/member-profile.ts';
import { applicationDraftInput } from '#src/server/services/membership-application-schemas.ts';
import { approveApplication, saveDraft, submitApplication } from '#src/server/services/membership-applications.ts';
import { addDocument } from '#src/server/services/membership-documents.ts';
import {
  anonymousCaller,
  lastMailTo,
  linkFrom,
  type MadeUser,
  makeUser,
  recordCookies,
  testDeps,
} from '#test/helpers/factories.ts';

export const MEMBER_PASSWORD = 'a long and private passphrase';
export const TOTP_SECRET = 'JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP';
export const RECOVERY_CODE = 'abcde-fghij';
export const PDF_BYTES = new TextEncoder().encode('%PDF-1.4\n% personal-data fixture\n%%EOF\n');
export const PNG_BYTES = new Uint8Array([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0, 0, 0, 13]);

export interface Fixture {
  member: MadeUser & { password: string; sessionToken: string; ipAddress: string };
  admin: MadeUser;
  educator: MadeUser;
  other: MadeUser;
  membershipNumber: string;
  documentStoredName: string;
  photoStoredName: string;
  handbookRevisionId: string;
  attemptId: string;
}

let fixtureSequence = 0;

/**
 * A member (unique name, email and IPv4 address, so a scan can find every trace of them) with a
 * registration, consents, sessions, second factor, CPD, learning records, simulator practice and an
 * assessed attempt, an application with a document, an active membership with events, a payment and a
 * reminder, a profile with a photo in the directory, an authored handbook revision, audit rows and mail.
 */
export async function makeMemberWithData(handle: DbHandle, uploadDir: string): Promise<Fixture> {
  const { db } = handle;
  const n = ++fixtureSequence;
  const tag = `${process.pid.toString(36)}${n}${Date.now().toString(36)}`;
  const name = `Zephyrine Quillfeather-${tag}`;
  const email = `zq-${tag}@example.org`;
  const ipAddress = `198.51.${(process.pid % 200) + 1}.${(n % 250) + 1}`;
  const meta: RequestMeta = { ipAddress, userAgent: `FixtureBrowser/${tag}` };
  const deps = testDeps();
  const now = Date.now();

  const admin = await makeUser(db, { roles: ['member', 'admin'], totp: true });
  const educator = await makeUser(db, { roles: ['member', 'educator'] });
  const other = await makeUser(db, { name: `Other Member ${tag}` });

  // Registration, verification and sign-in through the account procedures (consent, token, audit, mail).
  const anonymous = anonymousCaller(db, deps, undefined, meta);
  await anonymous.account.register({
    name,
    email,
    password: MEMBER_PASSWORD,
    country: 'NO',
    profession: 'physician',
    acceptEthics: true,
  });
  const verifyMail = await lastMailTo(db, email);
  if (!verifyMail) throw new Error('no verification mail');
  await anonymous.account.verifyEmail({
    token: linkFrom(verifyMail.textBody, '/verify-email').searchParams.get('token') ?? '',
  });
  const jar = recordCookies();
  await anonymousCaller(db, deps, jar, meta).account.signIn({ email, password: MEMBER_PASSWORD });
  const [row] = await db.select({ id: users.id }).from(users).where(eq(users.email, email));
  if (!row || !jar.token) throw new Error('registration or sign-in failed');
  const id = row.id;

  await db.insert(totpCredentials).values({ userId: id, secret: TOTP_SECRET, createdAt: now, lastUsedStep: 0 });
  await db.insert(recoveryCodes).values({ codeHash: hashSecret(RECOVERY_CODE), userId: id, createdAt: now });

  // Learning and certification records.
  const documentId = newId();
  await db.insert(handbookDocuments).values({ id: documentId, kind: 'module', slug: `fixture-${tag}`, createdAt: now });
  const handbookRevisionId = newId();
  await db.insert(handbookRevisions).values({
    id: handbookRevisionId,
    documentId,
    revision: 1,
    bodyMarkdown: 'Counterpulsation timing, written by the fixture.',
    frontMatter: '{"title":"Fixture module"}',
    authorId: id,
    status: 'draft',
    createdAt: now,
  });
  await db
    .insert(handbookAutosaves)
    .values({ userId: id, documentId, baseRevision: 1, source: 'Unsaved text', savedAt: now });
  await db.insert(readingProgress).values({ userId: id, documentId, completedAt: now });
  await db.insert(quizAttempts).values({
    id: newId(),
    userId: id,
    documentId,
    revision: 1,
    answers: '{"q1":["a"]}',
    correctCount: 1,
    questionCount: 1,
    passed: true,
    createdAt: now,
  });
  await db.insert(moduleCompletions).values({ userId: id, documentId, level: 1, cpdCredits: 2, completedAt: now });
  await db.insert(cpdActivities).values({
    id: newId(),
    userId: id,
    source: 'external',
    title: 'ECP workshop in Oslo',
    activityDate: '2026-03-01',
    credits: 3,
    // Free text that names the member: erasure replaces the name with the pseudonym in kept records.
    evidenceText: `Certificate issued to ${name}.`,
    evidenceUrl: null,
    status: 'approved',
    reviewedBy: educator.id,
    reviewComment: 'Looks right.',
    reviewedAt: now,
    createdAt: now,
  });
  await db.insert(simulatorPracticeSessions).values({
    id: newId(),
    userId: id,
    scenarioId: 'default-stable-angina',
    seed: 1,
    durationMs: 30_000,
    controlLogJson: '[]',
    summaryJson: '{}',
    score: 80,
    createdAt: now,
  });
  const assessmentId = newId();
  const versionId = newId();
  const assessment = {
    title: 'Fixture assessment',
    scenarioId: 'default-stable-angina',
    seedPolicy: 'fixed' as const,
    fixedSeed: 1,
    durationMs: 30_000,
    eventsJson: '[]',
    rubricJson: '{}',
    createdBy: admin.id,
    createdAt: now,
  };
  await db.insert(simulatorAssessments).values({
    ...assessment,
    id: assessmentId,
    attemptsAllowed: 1,
    cooldownMs: 0,
    opensAt: 0,
    closesAt: null,
    status: 'published',
    version: 1,
    updatedAt: now,
  });
  await db.insert(simulatorAssessmentVersions).values({ ...assessment, id: versionId, assessmentId, version: 1 });
  const attemptId = newId();
  await db.insert(simulatorAttempts).values({
    id: attemptId,
    assessmentId,
    versionId,
    candidateId: id,
    seed: 1,
    startedAt: now,
    deadlineAt: now + 60_000,
    submittedAt: now + 30_000,
    controlLogJson: '[]',
    score: 91,
    passed: true,
    breakdownJson: '{}',
    evidenceJson: '[]',
    flagsJson: '[]',
  });
  await db.insert(simulatorAttemptAnnotations).values({
    id: newId(),
    attemptId,
    examinerId: admin.id,
    beatIndex: 3,
    text: 'Good inflation timing.',
    createdAt: now,
  });

  // Membership through the applications service: draft, document, submission, approval (number, role).
  const draft = await saveDraft(
    db,
    id,
    applicationDraftInput.parse({
      categoryId: 'practitioner',
      profession: 'physician',
      licenceNumber: `NO-LIC-${tag}`,
      licenceIssuer: 'Norwegian Directorate of Health',
      institution: 'Fixture University Hospital',
      country: 'NO',
      yearsEcpPractice: 6,
      treatmentsSupervised: 240,
      languages: ['Norwegian', 'English'],
      acceptEthics: true,
    }),
    meta,
  );
  if (!draft.ok) throw new Error(`draft: ${draft.message}`);
  const added = await addDocument(db, uploadDir, id, { bytes: PDF_BYTES, name: 'licence.pdf' }, meta);
  if (!added.ok) throw new Error(`document: ${added.message}`);
  const submitted = await submitApplication(db, deps, id, meta);
  if (!submitted.ok) throw new Error(`submit: ${submitted.message}`);
  const approved = await approveApplication(
    db,
    deps,
    admin.id,
    { applicationId: draft.application.id, message: 'Welcome.' },
    meta,
  );
  if (!approved.ok) throw new Error(`approve: ${approved.message}`);
  const membershipNumber = approved.number;
  const [document] = await db
    .select({ storedName: membershipDocuments.storedName })
    .from(membershipDocuments)
    .where(eq(membershipDocuments.userId, id));
  if (!document) throw new Error('no stored document');
  const documentStoredName = document.storedName;
  await db.insert(membershipPayments).values({
    id: newId(),
    userId: id,
    reference: `BANK-${tag}`,
    note: 'Annual fee',
    recordedBy: admin.id,
    recordedAt: now,
  });
  await db
    .insert(membershipReminders)
    .values({ userId: id, kind: 'expires-in-30-days', periodExpiresAt: now + 1, sentAt: now });

  // Profile with a photo, listed in the directory, through the profile service (listing consent too).
  const profile = await saveOwnProfile(db, uploadDir, {
    userId: id,
    fields: {
      bio: `Cardiologist; ECP since 2019. Write to ${email}.`,
      bioVisibility: 'public',
      practiceName: 'Fjord Heart Clinic',
      city: 'Tromsø',
      country: 'NO',
      locationVisibility: 'public',
      languages: ['Norwegian', 'English'],
      languagesVisibility: 'public',
      specialties: ['Refractory angina'],
      specialtiesVisibility: 'members',
      photoVisibility: 'public',
      listed: true,
    },
    photo: { bytes: PNG_BYTES, fileName: 'me.png' },
    ipAddress,
  });
  if (!profile.ok) throw new Error(`profile: ${profile.message}`);
  const [photo] = await db
    .select({ storedName: memberProfiles.photoStoredName })
    .from(memberProfiles)
    .where(eq(memberProfiles.userId, id));
  if (!photo?.storedName) throw new Error('no stored photo');
  const photoStoredName = photo.storedName;

  // An earlier, declined closure request (its reason is personal free text).
  await db.insert(accountClosureRequests).values({
    id: newId(),
    userId: id,
    requestedAt: now - 10_000,
    reason: `Moving abroad, ${name}`,
    status: 'declined',
    decidedBy: admin.id,
    decidedAt: now - 5_000,
    decisionNote: 'Your renewal is still being processed.',
  });
  // A mail to an admin that names the member (as an application notice would).
  await deps.mailer.send(db, {
    to: admin.email,
    subject: `New application from ${name}`,
    text: `${name} (${email}) applied for the practitioner category.`,
  });

  return {
    member: { id, email, name, totpSecret: TOTP_SECRET, password: MEMBER_PASSWORD, sessionToken: jar.token, ipAddress },
    admin,
    educator,
    other,
    membershipNumber,
    documentStoredName,
    photoStoredName,
    handbookRevisionId,
    attemptId,
  };
}
