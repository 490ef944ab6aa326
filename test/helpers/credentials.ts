/**
 * A credential definition and what its requirements need (a theory exam, a practice exam for the yearly
 * knowledge check, a simulator assessment), and members made to meet them, written straight into a real
 * test database for the credential tests.
 */
import { and, eq, like } from 'drizzle-orm';
import type { Db } from '#db/client.ts';
import {
  consents,
  cpdActivities,
  credentials,
  examAttempts,
  exams,
  mailOutbox,
  memberships,
  simulatorAssessments,
  simulatorAssessmentVersions,
  simulatorAttempts,
  users,
} from '#db/schema/index.ts';
import { DAY_MS, toIsoDate } from '#src/lib/dates.ts';
import { CURRENT_ETHICS_VERSION } from '#src/lib/ethics.ts';
import { newId } from '#src/server/ids.ts';
import { type MadeUser, makeUser } from './factories.ts';

export const DEFINITION = {
  slug: 'certified-practitioner-l1',
  title: 'IECPA Certified ECP Practitioner — Level 1',
  description: 'Test definition',
  requirements: {
    membership: true,
    curriculumLevel: null,
    theoryExamSlug: 'cert-theory',
    simulatorAssessment: true,
    ethics: true,
  },
  maintenance: { cpdCredits: 30, cpdEachYear: true, knowledgeCheckExamSlug: 'cert-check' },
  validityMonths: 36,
  membershipLapse: 'suspend' as const,
  requiresSignOff: false,
};

export async function insertExam(
  db: Db,
  slug: string,
  practice: boolean,
  purpose: 'exam' | 'knowledge-check' = 'exam',
): Promise<string> {
  const id = newId();
  const now = Date.now();
  await db.insert(exams).values({
    id,
    slug,
    title: slug,
    bank: 'cert-bank',
    practice,
    purpose,
    timeLimitMs: 60_000,
    attemptsAllowed: null,
    cooldownMs: 0,
    passMethod: 'fixed',
    passPercent: 70,
    release: 'immediate',
    blueprintJson: '[]',
    opensAt: 0,
    closesAt: null,
    status: 'published',
    createdBy: null,
    createdAt: now,
    updatedAt: now,
  });
  return id;
}

export async function examAttempt(
  db: Db,
  userId: string,
  examId: string,
  at: number,
  passed: boolean,
  subscores = '[]',
) {
  await db.insert(examAttempts).values({
    id: newId(),
    examId,
    candidateId: userId,
    attemptNumber: 1,
    seed: 1,
    itemVersionIdsJson: '[]',
    startedAt: at,
    deadlineAt: at + 60_000,
    extraTimeMs: 0,
    submittedAt: at + 30_000,
    submittedBy: 'candidate',
    score: passed ? 9 : 3,
    maxScore: 10,
    percent: passed ? 90 : 30,
    passed,
    passPercent: 70,
    subscoresJson: subscores,
  });
}

export async function simulatorPass(db: Db, assessment: { id: string; versionId: string }, userId: string, at: number) {
  await db.insert(simulatorAttempts).values({
    id: newId(),
    assessmentId: assessment.id,
    versionId: assessment.versionId,
    candidateId: userId,
    seed: 1,
    startedAt: at,
    deadlineAt: at + 60_000,
    submittedAt: at + 30_000,
    controlLogJson: '[]',
    score: 85,
    passed: true,
    breakdownJson: '{}',
    evidenceJson: '[]',
    flagsJson: '[]',
  });
}

export async function cpd(db: Db, userId: string, date: number, credits: number) {
  await db.insert(cpdActivities).values({
    id: newId(),
    userId,
    source: 'external',
    title: 'ECP workshop',
    activityDate: toIsoDate(date),
    credits,
    status: 'approved',
    createdAt: date,
  });
}

/** A member in good standing with the code of ethics accepted (nothing else yet). */
export async function member(db: Db, name: string, country = 'DE'): Promise<MadeUser> {
  const user = await makeUser(db, { name });
  const now = Date.now();
  await db.update(users).set({ country }).where(eq(users.id, user.id));
  await db.insert(consents).values({
    id: newId(),
    userId: user.id,
    document: 'code-of-ethics',
    version: CURRENT_ETHICS_VERSION,
    acceptedAt: now,
  });
  await db.insert(memberships).values({
    userId: user.id,
    categoryId: 'practitioner',
    number: null,
    status: 'active',
    joinedAt: now,
    currentPeriodStartsAt: now,
    expiresAt: now + 365 * DAY_MS * 10,
    statusChangedAt: now,
  });
  return user;
}

/** A member who meets every requirement of the definition. */
export async function qualified(db: Db, fixture: CredentialFixture, name: string, country = 'DE'): Promise<MadeUser> {
  const user = await member(db, name, country);
  await examAttempt(db, user.id, fixture.theoryExamId, Date.now() - DAY_MS, true);
  await simulatorPass(db, fixture.assessment, user.id, Date.now() - DAY_MS);
  return user;
}

export async function credentialOf(db: Db, userId: string) {
  const [row] = await db.select().from(credentials).where(eq(credentials.userId, userId));
  if (!row) throw new Error('no credential');
  return row;
}

export async function mailsTo(db: Db, email: string, subjectPart: string): Promise<number> {
  const rows = await db
    .select()
    .from(mailOutbox)
    .where(and(eq(mailOutbox.toAddress, email), like(mailOutbox.subject, `%${subjectPart}%`)));
  return rows.length;
}

export interface CredentialFixture {
  theoryExamId: string;
  checkExamId: string;
  assessment: { id: string; versionId: string };
}

/** The exams and the simulator assessment the definition's requirements name (call once per database). */
export async function credentialFixture(db: Db, authorId: string): Promise<CredentialFixture> {
  const theoryExamId = await insertExam(db, DEFINITION.requirements.theoryExamSlug, false);
  const checkExamId = await insertExam(db, DEFINITION.maintenance.knowledgeCheckExamSlug, true, 'knowledge-check');
  const now = Date.now();
  const base = {
    title: 'Cert assessment',
    scenarioId: 'default-stable-angina',
    seedPolicy: 'fixed' as const,
    fixedSeed: 1,
    durationMs: 30_000,
    eventsJson: '[]',
    rubricJson: '{}',
    createdBy: authorId,
    createdAt: now,
  };
  const assessment = { id: newId(), versionId: newId() };
  await db.insert(simulatorAssessments).values({
    ...base,
    id: assessment.id,
    attemptsAllowed: 1,
    cooldownMs: 0,
    opensAt: 0,
    closesAt: null,
    status: 'published',
    version: 1,
    updatedAt: now,
  });
  await db
    .insert(simulatorAssessmentVersions)
    .values({ ...base, id: assessment.versionId, assessmentId: assessment.id, version: 1 });
  return { theoryExamId, checkExamId, assessment };
}
