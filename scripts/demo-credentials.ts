/**
 * The credential part of the demo (issue 16): the definition "IECPA Certified ECP Practitioner — Level 1"
 * and Carla Certified (certified@iecpa.test), who meets its requirements — Level 1 of the curriculum
 * completed, the Level 1 theory exam and a simulator assessment passed, the code of ethics accepted,
 * membership in good standing — and is awarded it through the same award the hourly job makes. Her exam
 * result is recorded as a past result; her simulator result is a real run of the assessment's scenario with
 * ideal timing, scored as the server scores a submission, so her result page and its beat replays work.
 * The seed records no mail.
 *
 * Needs the shipped handbook and exams (serve imports them before seeding); without them it does nothing and
 * a later start completes it. Idempotent.
 */
import { and, eq } from 'drizzle-orm';
import type { Db } from '#db/client.ts';
import {
  cpdActivities,
  credentialDefinitions,
  credentials,
  examAttempts,
  exams,
  moduleCompletions,
  simulatorAssessments,
  simulatorAssessmentVersions,
  simulatorAttempts,
  users,
} from '#db/schema/index.ts';
import { type ControlEntry, DEFAULT_RUBRIC, idealTiming } from '#sim/index.ts';
import { type DefinitionInput, definitionInputSchema } from '#src/lib/credential-rules.ts';
import { DAY_MS, toIsoDate } from '#src/lib/dates.ts';
import { newId } from '#src/server/ids.ts';
import { awardIfEligible, listCurrentDefinitions, saveDefinition } from '#src/server/services/credentials.ts';
import type { ServiceDeps } from '#src/server/services/deps.ts';
import { readScenario } from '#src/server/services/exam-engine-items.ts';
import { listPublishedModules } from '#src/server/services/handbook.ts';
import { breakdownOf, replayAndScoreHere } from '#src/server/services/simulator-replay.ts';

export const DEMO_CREDENTIAL_SLUG = 'certified-practitioner-l1';
export const DEMO_HOLDER_EMAIL = 'certified@iecpa.test';

export const DEMO_DEFINITION: DefinitionInput = definitionInputSchema.parse({
  title: 'IECPA Certified ECP Practitioner — Level 1',
  description:
    'Certifies a practitioner who has completed Level 1 of the IECPA curriculum, passed the Level 1 theory examination and a practical simulator assessment, and practises under the IECPA code of ethics.',
  requirements: {
    membership: true,
    curriculumLevel: 1,
    theoryExamSlug: 'level-1-theory',
    simulatorAssessment: true,
    ethics: true,
  },
  maintenance: { cpdCredits: 30, cpdEachYear: true, knowledgeCheckExamSlug: 'level-1-knowledge-check' },
  validityMonths: 36,
  membershipLapse: 'suspend',
  requiresSignOff: false,
});

/** The seed sends no mail: the demo holder's award is recorded as it happened, before the demo started. */
const SILENT: ServiceDeps = { mailer: { send: async () => {} } as unknown as ServiceDeps['mailer'], siteUrl: '' };

export async function seedCredentialDemo(db: Db, examinerId: string | undefined, now: number): Promise<boolean> {
  const [defined] = await db
    .select({ id: credentialDefinitions.id })
    .from(credentialDefinitions)
    .where(eq(credentialDefinitions.slug, DEMO_CREDENTIAL_SLUG));
  if (!defined) await saveDefinition(db, null, DEMO_CREDENTIAL_SLUG, DEMO_DEFINITION, now);
  const [holder] = await db.select({ id: users.id }).from(users).where(eq(users.email, DEMO_HOLDER_EMAIL));
  if (!holder) return false;
  const [held] = await db.select({ id: credentials.id }).from(credentials).where(eq(credentials.userId, holder.id));
  if (held) return false;
  const [theory] = await db.select({ id: exams.id }).from(exams).where(eq(exams.slug, 'level-1-theory'));
  const modules = (await listPublishedModules(db)).filter((m) => m.frontMatter.level === 1);
  if (!theory || modules.length === 0 || !examinerId) return false;

  const earned = now - 30 * DAY_MS;
  for (const [i, mod] of modules.entries()) {
    const at = earned - (modules.length - i) * 7 * DAY_MS;
    const inserted = await db
      .insert(moduleCompletions)
      .values({
        userId: holder.id,
        documentId: mod.documentId,
        level: 1,
        cpdCredits: mod.frontMatter.cpdCredits,
        completedAt: at,
      })
      .onConflictDoNothing()
      .returning();
    if (inserted.length > 0)
      await db.insert(cpdActivities).values({
        id: newId(),
        userId: holder.id,
        source: 'module',
        documentId: mod.documentId,
        title: mod.frontMatter.title,
        activityDate: toIsoDate(at),
        credits: mod.frontMatter.cpdCredits,
        status: 'approved',
        createdAt: at,
      });
  }
  await db.insert(examAttempts).values({
    id: newId(),
    examId: theory.id,
    candidateId: holder.id,
    attemptNumber: 1,
    seed: 1,
    itemVersionIdsJson: '[]',
    startedAt: earned - 2 * DAY_MS,
    deadlineAt: earned - 2 * DAY_MS + 90 * 60_000,
    extraTimeMs: 0,
    submittedAt: earned - 2 * DAY_MS + 60 * 60_000,
    submittedBy: 'candidate',
    score: 34,
    maxScore: 40,
    percent: 85,
    passed: true,
    passPercent: 70,
    subscoresJson: '[]',
  });
  const run = demoSimulatorRun();
  const runStartedAt = now - 250 * DAY_MS + 30_000;
  await db.insert(simulatorAttempts).values({
    id: newId(),
    ...(await demoAssessment(db, examinerId, now)),
    candidateId: holder.id,
    seed: DEMO_RUN_SEED,
    startedAt: now - 250 * DAY_MS,
    deadlineAt: now - 250 * DAY_MS + 6 * 60_000,
    runStartedAt,
    submittedAt: runStartedAt + DEMO_RUN_MS,
    controlLogJson: JSON.stringify(run.controls),
    score: run.outcome.assessment.score0to100,
    passed: run.outcome.assessment.passed,
    breakdownJson: JSON.stringify(run.breakdown),
    evidenceJson: JSON.stringify(run.outcome.assessment.evidence),
    flagsJson: '[]',
  });
  const version = (await listCurrentDefinitions(db)).find((v) => v.slug === DEMO_CREDENTIAL_SLUG);
  if (!version) return false;
  const award = await awardIfEligible(db, SILENT, holder.id, version, null, earned);
  // Maintenance under way: one approved activity in the new period, so the bar and the registry show it.
  await db.insert(cpdActivities).values({
    id: newId(),
    userId: holder.id,
    source: 'external',
    title: 'IECPA webinar: cuff timing in atrial fibrillation (demo)',
    activityDate: toIsoDate(now - 10 * DAY_MS),
    credits: 2,
    evidenceText: 'Attendance certificate (demo)',
    status: 'approved',
    createdAt: now - 10 * DAY_MS,
  });
  return award.ok && award.awarded;
}

const DEMO_SCENARIO_ID = 'default-stable-angina';
const DEMO_RUN_SEED = 1;
const DEMO_RUN_MS = 60_000;

/**
 * The demo holder's assessment run: the scenario's suggested start, then at 5 s the pressure and the ideal
 * delays for its heart rate (sim/ideal-timing.ts), replayed and scored exactly as a submission is.
 */
function demoSimulatorRun() {
  const scenario = readScenario(DEMO_SCENARIO_ID);
  if ('error' in scenario) throw new Error(scenario.error);
  const heartRateBpm = scenario.ecg.rhythm.heartRateBpm;
  const ideal = idealTiming({ heartRateBpm, patient: scenario.patient, pressureMmHg: 260 });
  const controls: ControlEntry[] = [
    {
      atMs: 5000,
      patch: { pressureMmHg: 260, inflateDelayMs: ideal.inflateDelayMs, deflateDelayMs: ideal.deflateDelayMs },
    },
  ];
  const outcome = replayAndScoreHere({
    scenario,
    seed: DEMO_RUN_SEED,
    durationMs: DEMO_RUN_MS,
    controls,
    rubric: DEFAULT_RUBRIC,
  });
  const { assessment, summary } = outcome;
  return {
    controls,
    outcome,
    breakdown: breakdownOf(summary, assessment.criteria, assessment.failures, assessment.evidence),
  };
}

/**
 * A past assessment the demo holder passed: open 300 to 200 days before the seed and closed since, so no
 * candidate's list of coming or lately closed assessments shows it.
 */
async function demoAssessment(
  db: Db,
  examinerId: string,
  now: number,
): Promise<{ assessmentId: string; versionId: string }> {
  const title = 'Level 1 practical assessment (demo, closed)';
  const [existing] = await db
    .select({ id: simulatorAssessments.id })
    .from(simulatorAssessments)
    .where(and(eq(simulatorAssessments.title, title), eq(simulatorAssessments.status, 'closed')));
  // The examiner's page and the holder's result page read the rubric: seeds before 2026-12-05 stored '{}',
  // which no page could read, so an existing demo assessment is given the default one.
  const rubricJson = JSON.stringify(DEFAULT_RUBRIC);
  if (existing) {
    await db
      .update(simulatorAssessments)
      .set({ rubricJson })
      .where(and(eq(simulatorAssessments.id, existing.id), eq(simulatorAssessments.rubricJson, '{}')));
    await db
      .update(simulatorAssessmentVersions)
      .set({ rubricJson })
      .where(
        and(
          eq(simulatorAssessmentVersions.assessmentId, existing.id),
          eq(simulatorAssessmentVersions.rubricJson, '{}'),
        ),
      );
    const [version] = await db
      .select({ id: simulatorAssessmentVersions.id })
      .from(simulatorAssessmentVersions)
      .where(eq(simulatorAssessmentVersions.assessmentId, existing.id));
    if (version) return { assessmentId: existing.id, versionId: version.id };
  }
  const base = {
    title,
    scenarioId: DEMO_SCENARIO_ID,
    seedPolicy: 'per-attempt' as const,
    fixedSeed: null,
    durationMs: DEMO_RUN_MS,
    eventsJson: '[]',
    rubricJson,
    createdBy: examinerId,
    createdAt: now - 310 * DAY_MS,
  };
  const assessmentId = newId();
  const versionId = newId();
  await db.insert(simulatorAssessments).values({
    ...base,
    id: assessmentId,
    attemptsAllowed: 1,
    cooldownMs: 0,
    opensAt: now - 300 * DAY_MS,
    closesAt: now - 200 * DAY_MS,
    status: 'closed',
    version: 1,
    updatedAt: now - 200 * DAY_MS,
  });
  await db.insert(simulatorAssessmentVersions).values({ ...base, id: versionId, assessmentId, version: 1 });
  return { assessmentId, versionId };
}
