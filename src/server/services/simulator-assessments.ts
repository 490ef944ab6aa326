/**
 * Examiners' side of simulator assessments: create, edit (versioned once attempted), publish, close, preview.
 */
import { and, count, desc, eq } from 'drizzle-orm';
import type { Db } from '#db/client.ts';
import {
  type AssessmentStatus,
  type SeedPolicy,
  simulatorAssessments,
  simulatorAssessmentVersions,
  simulatorAttempts,
} from '#db/schema/index.ts';
import { type Assessment, parseRubric, type Rubric, type ScenarioEvent, scenarioEventSchema } from '#sim/index.ts';
import { drawStartSettings, getScenario } from '#src/lib/scenario-presets.ts';
import { writeAudit } from '../audit.ts';
import { newId } from '../ids.ts';
import { type Refusal, refuse } from '../refusal.ts';
import type { RequestMeta } from './deps.ts';
import { idealControlLog, replayAndScore, withScriptedEvents } from './simulator-replay.ts';
import type { AssessmentSettings } from './simulator-schemas.ts';

export interface AssessmentRecord extends AssessmentSettings {
  id: string;
  status: AssessmentStatus;
  version: number;
  createdBy: string;
  createdAt: number;
  updatedAt: number;
}

type AssessmentRow = typeof simulatorAssessments.$inferSelect;

/** Stored JSON back into typed values; the columns only ever hold what the schemas accepted. */
export function parseEvents(json: string): ScenarioEvent[] {
  return scenarioEventSchema.array().parse(JSON.parse(json));
}

export function parseStoredRubric(json: string): Rubric {
  const r = parseRubric(JSON.parse(json));
  if (!r.ok) throw new Error(`Stored rubric is invalid: ${r.errors.join('; ')}`);
  return r.value;
}

export function toAssessmentRecord(row: AssessmentRow): AssessmentRecord {
  return {
    id: row.id,
    title: row.title,
    scenarioId: row.scenarioId,
    seedPolicy: row.seedPolicy as SeedPolicy,
    fixedSeed: row.fixedSeed,
    durationMs: row.durationMs,
    startMistimingMs: row.startMistimingMs,
    events: parseEvents(row.eventsJson),
    rubric: parseStoredRubric(row.rubricJson),
    attemptsAllowed: row.attemptsAllowed,
    cooldownMs: row.cooldownMs,
    opensAt: row.opensAt,
    closesAt: row.closesAt,
    status: row.status as AssessmentStatus,
    version: row.version,
    createdBy: row.createdBy,
    createdAt: row.createdAt,
    updatedAt: row.updatedAt,
  };
}

function scoredColumns(s: AssessmentSettings) {
  return {
    title: s.title,
    scenarioId: s.scenarioId,
    seedPolicy: s.seedPolicy,
    fixedSeed: s.seedPolicy === 'fixed' ? s.fixedSeed : null,
    durationMs: s.durationMs,
    startMistimingMs: s.startMistimingMs,
    eventsJson: JSON.stringify(s.events),
    rubricJson: JSON.stringify(s.rubric),
  };
}

export async function createAssessment(
  db: Db,
  actorId: string,
  settings: AssessmentSettings,
  meta: RequestMeta,
  now = Date.now(),
): Promise<{ id: string }> {
  const id = newId();
  await db.transaction(async (tx) => {
    const scored = scoredColumns(settings);
    await tx.insert(simulatorAssessments).values({
      id,
      ...scored,
      attemptsAllowed: settings.attemptsAllowed,
      cooldownMs: settings.cooldownMs,
      opensAt: settings.opensAt,
      closesAt: settings.closesAt,
      status: 'draft',
      version: 1,
      createdBy: actorId,
      createdAt: now,
      updatedAt: now,
    });
    await tx
      .insert(simulatorAssessmentVersions)
      .values({ id: newId(), assessmentId: id, version: 1, ...scored, createdBy: actorId, createdAt: now });
    await writeAudit(
      tx,
      {
        actorId,
        action: 'simulator.assessment-created',
        subjectId: id,
        ipAddress: meta.ipAddress,
        details: { title: settings.title, scenarioId: settings.scenarioId },
      },
      now,
    );
  });
  return { id };
}

export type UpdateAssessmentResult = { ok: true; version: number; newVersion: boolean } | Refusal;

const NO_SUCH_ASSESSMENT = refuse('NOT_FOUND', 'That assessment does not exist.');

/**
 * Saves new settings. While nobody has attempted the current version it is edited in place; once someone
 * has, the edit becomes the next version and the attempted one stays frozen.
 */
export async function updateAssessment(
  db: Db,
  actorId: string,
  id: string,
  settings: AssessmentSettings,
  meta: RequestMeta,
  now = Date.now(),
): Promise<UpdateAssessmentResult> {
  return db.transaction(async (tx) => {
    const [row] = await tx.select().from(simulatorAssessments).where(eq(simulatorAssessments.id, id));
    if (!row) return NO_SUCH_ASSESSMENT;
    if (row.status === 'closed') return refuse('BAD_REQUEST', 'This assessment is closed. Create a new one instead.');
    const [current] = await tx
      .select({ id: simulatorAssessmentVersions.id })
      .from(simulatorAssessmentVersions)
      .where(
        and(eq(simulatorAssessmentVersions.assessmentId, id), eq(simulatorAssessmentVersions.version, row.version)),
      );
    const [attempted] = current
      ? await tx.select({ n: count() }).from(simulatorAttempts).where(eq(simulatorAttempts.versionId, current.id))
      : [{ n: 1 }];
    const scored = scoredColumns(settings);
    const newVersion = (attempted?.n ?? 0) > 0;
    const version = newVersion ? row.version + 1 : row.version;
    if (newVersion || !current) {
      await tx
        .insert(simulatorAssessmentVersions)
        .values({ id: newId(), assessmentId: id, version, ...scored, createdBy: actorId, createdAt: now });
    } else {
      await tx.update(simulatorAssessmentVersions).set(scored).where(eq(simulatorAssessmentVersions.id, current.id));
    }
    await tx
      .update(simulatorAssessments)
      .set({
        ...scored,
        attemptsAllowed: settings.attemptsAllowed,
        cooldownMs: settings.cooldownMs,
        opensAt: settings.opensAt,
        closesAt: settings.closesAt,
        version,
        updatedAt: now,
      })
      .where(eq(simulatorAssessments.id, id));
    await writeAudit(
      tx,
      {
        actorId,
        action: 'simulator.assessment-edited',
        subjectId: id,
        ipAddress: meta.ipAddress,
        details: { version, newVersion },
      },
      now,
    );
    return { ok: true, version, newVersion } as const;
  });
}

export type StatusChangeResult = { ok: true; changed: boolean } | Refusal;

/** draft -> published -> closed; a closed assessment stays closed (its records stay readable). */
export async function setAssessmentStatus(
  db: Db,
  actorId: string,
  id: string,
  status: 'published' | 'closed',
  meta: RequestMeta,
  now = Date.now(),
): Promise<StatusChangeResult> {
  return db.transaction(async (tx) => {
    const [row] = await tx
      .select({ status: simulatorAssessments.status })
      .from(simulatorAssessments)
      .where(eq(simulatorAssessments.id, id));
    if (!row) return NO_SUCH_ASSESSMENT;
    if (row.status === status) return { ok: true, changed: false } as const;
    if (row.status === 'closed') return refuse('BAD_REQUEST', 'A closed assessment cannot be published again.');
    await tx.update(simulatorAssessments).set({ status, updatedAt: now }).where(eq(simulatorAssessments.id, id));
    await writeAudit(
      tx,
      {
        actorId,
        action: status === 'published' ? 'simulator.assessment-published' : 'simulator.assessment-closed',
        subjectId: id,
        ipAddress: meta.ipAddress,
      },
      now,
    );
    return { ok: true, changed: true } as const;
  });
}

export interface AssessmentListItem {
  id: string;
  title: string;
  scenarioId: string;
  status: AssessmentStatus;
  version: number;
  durationMs: number;
  opensAt: number;
  closesAt: number | null;
  attempts: number;
  updatedAt: number;
}

export async function listAssessments(db: Db): Promise<AssessmentListItem[]> {
  const rows = await db
    .select({
      id: simulatorAssessments.id,
      title: simulatorAssessments.title,
      scenarioId: simulatorAssessments.scenarioId,
      status: simulatorAssessments.status,
      version: simulatorAssessments.version,
      durationMs: simulatorAssessments.durationMs,
      opensAt: simulatorAssessments.opensAt,
      closesAt: simulatorAssessments.closesAt,
      updatedAt: simulatorAssessments.updatedAt,
      attempts: count(simulatorAttempts.id),
    })
    .from(simulatorAssessments)
    .leftJoin(simulatorAttempts, eq(simulatorAttempts.assessmentId, simulatorAssessments.id))
    .groupBy(simulatorAssessments.id)
    .orderBy(desc(simulatorAssessments.updatedAt), simulatorAssessments.id);
  return rows.map((r) => ({ ...r, status: r.status as AssessmentStatus }));
}

export async function getAssessment(db: Db, id: string): Promise<AssessmentRecord | null> {
  const [row] = await db.select().from(simulatorAssessments).where(eq(simulatorAssessments.id, id));
  return row ? toAssessmentRecord(row) : null;
}

export interface PreviewResult {
  seed: number;
  controls: { atMs: number; inflateDelayMs?: number; deflateDelayMs?: number; pressureMmHg?: number }[];
  score0to100: number;
  passed: boolean;
  criteria: Assessment['criteria'];
  failures: string[];
  scoredBeats: number;
  beats: number;
}

/**
 * Runs the settings with a model operator's log (idealControlLog) on the fixed seed, or seed 1 when seeds are
 * drawn per attempt, and scores it with the rubric. Nothing is stored.
 */
export async function previewAssessment(settings: AssessmentSettings): Promise<PreviewResult | null> {
  const preset = getScenario(settings.scenarioId);
  if (!preset) return null;
  const scenario = withScriptedEvents(preset, settings.events);
  const seed = settings.seedPolicy === 'fixed' && settings.fixedSeed !== null ? settings.fixedSeed : 1;
  const controls = idealControlLog(scenario, settings.rubric, settings.durationMs);
  // The model operator starts where a candidate does: standby, timing off by 7/8 of the range, both late
  // (a fixed draw, so the preview is reproducible).
  const startSettings = drawStartSettings(preset, settings.startMistimingMs, () => 0.75);
  const { assessment } = await replayAndScore({
    scenario,
    seed,
    durationMs: settings.durationMs,
    controls,
    rubric: settings.rubric,
    startSettings,
  });
  return {
    seed,
    controls: controls.map((c) => ({ atMs: c.atMs, ...c.patch })) as PreviewResult['controls'],
    score0to100: assessment.score0to100,
    passed: assessment.passed,
    criteria: assessment.criteria,
    failures: assessment.failures,
    scoredBeats: assessment.evidence.filter((e) => e.scored).length,
    beats: assessment.evidence.length,
  };
}
