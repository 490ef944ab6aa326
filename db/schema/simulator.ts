import { index, integer, real, sqliteTable, text, uniqueIndex } from 'drizzle-orm/sqlite-core';
import { users } from './accounts.ts';

/** Timestamps are integers: milliseconds since the Unix epoch, UTC. JSON columns hold validated values. */

export const ASSESSMENT_STATUSES = ['draft', 'published', 'closed'] as const;
export type AssessmentStatus = (typeof ASSESSMENT_STATUSES)[number];

export const SEED_POLICIES = ['fixed', 'per-attempt'] as const;
export type SeedPolicy = (typeof SEED_POLICIES)[number];

/**
 * A simulator assessment: the editable settings and the access policy (attempts, cooldown, open window).
 * What is scored (scenario, seed, duration, events, rubric) is frozen in `simulatorAssessmentVersions`;
 * `version` names the version new attempts use.
 */
export const simulatorAssessments = sqliteTable(
  'simulator_assessments',
  {
    id: text('id').primaryKey(),
    title: text('title').notNull(),
    scenarioId: text('scenario_id').notNull(),
    seedPolicy: text('seed_policy', { enum: SEED_POLICIES }).notNull(),
    /** The seed every attempt uses under the fixed policy; null when drawn per attempt. */
    fixedSeed: integer('fixed_seed'),
    durationMs: integer('duration_ms').notNull(),
    /**
     * How far (ms) the console's starting timing is off the scenario's ideal, drawn per attempt between half
     * this and this, early or late; 0 starts from the device's factory timing. Pressure always starts at 0.
     */
    startMistimingMs: integer('start_mistiming_ms').notNull().default(0),
    /** Scripted events (sim scenarioEventSchema[]) merged into the scenario's timeline. */
    eventsJson: text('events_json').notNull(),
    /** The rubric (sim rubricSchema). */
    rubricJson: text('rubric_json').notNull(),
    attemptsAllowed: integer('attempts_allowed').notNull(),
    cooldownMs: integer('cooldown_ms').notNull(),
    opensAt: integer('opens_at').notNull(),
    /** Null: open until closed by hand. */
    closesAt: integer('closes_at'),
    status: text('status', { enum: ASSESSMENT_STATUSES }).notNull(),
    version: integer('version').notNull(),
    createdBy: text('created_by')
      .notNull()
      .references(() => users.id),
    createdAt: integer('created_at').notNull(),
    updatedAt: integer('updated_at').notNull(),
  },
  (t) => [index('simulator_assessments_status_idx').on(t.status)],
);

/**
 * What an attempt is scored against. A version is edited in place until its first attempt; after that an
 * edit creates the next version, so earlier attempts keep the settings they were scored with.
 */
export const simulatorAssessmentVersions = sqliteTable(
  'simulator_assessment_versions',
  {
    id: text('id').primaryKey(),
    assessmentId: text('assessment_id')
      .notNull()
      .references(() => simulatorAssessments.id, { onDelete: 'cascade' }),
    version: integer('version').notNull(),
    title: text('title').notNull(),
    scenarioId: text('scenario_id').notNull(),
    seedPolicy: text('seed_policy', { enum: SEED_POLICIES }).notNull(),
    fixedSeed: integer('fixed_seed'),
    durationMs: integer('duration_ms').notNull(),
    startMistimingMs: integer('start_mistiming_ms').notNull().default(0),
    eventsJson: text('events_json').notNull(),
    rubricJson: text('rubric_json').notNull(),
    createdBy: text('created_by')
      .notNull()
      .references(() => users.id),
    createdAt: integer('created_at').notNull(),
  },
  (t) => [uniqueIndex('simulator_assessment_versions_unique').on(t.assessmentId, t.version)],
);

/** One candidate's attempt. Score, breakdown and evidence are written only by the server's replay. */
export const simulatorAttempts = sqliteTable(
  'simulator_attempts',
  {
    id: text('id').primaryKey(),
    assessmentId: text('assessment_id')
      .notNull()
      .references(() => simulatorAssessments.id, { onDelete: 'cascade' }),
    versionId: text('version_id')
      .notNull()
      .references(() => simulatorAssessmentVersions.id),
    candidateId: text('candidate_id')
      .notNull()
      .references(() => users.id, { onDelete: 'cascade' }),
    seed: integer('seed').notNull(),
    startedAt: integer('started_at').notNull(),
    /** Start + duration + grace: later submissions are refused. */
    deadlineAt: integer('deadline_at').notNull(),
    submittedAt: integer('submitted_at'),
    controlLogJson: text('control_log_json'),
    score: real('score'),
    passed: integer('passed', { mode: 'boolean' }),
    /** sim CriterionResult[] plus the safety failures: { criteria, failures }. */
    breakdownJson: text('breakdown_json'),
    /** sim EvidenceRow[] (one per beat). */
    evidenceJson: text('evidence_json'),
    /** Integrity notes for examiners (e.g. submitted before the run could have finished). */
    flagsJson: text('flags_json').notNull(),
    /**
     * The seed the candidate's console shows: another realisation of the same scenario. `seed` (the one
     * scored) stays on the server until the attempt is scored (simulator-attempts.ts, "Integrity").
     */
    displaySeed: integer('display_seed').notNull().default(0),
    /** Server time of the run's first checkpoint (the console pressed Start); null until then. */
    runStartedAt: integer('run_started_at'),
    /** Server time at which the last checkpoint was received. */
    checkpointAt: integer('checkpoint_at'),
    /** Simulated time (ms) the last checkpoint covers: every control change before it has been reported. */
    checkpointThroughMs: real('checkpoint_through_ms'),
    /** The control log as reported by the checkpoints so far (sim ControlEntry[]). */
    checkpointLogJson: text('checkpoint_log_json').notNull().default('[]'),
    /** Set when the attempt was voided (e.g. the console stopped reporting); it is then never scored. */
    voidedAt: integer('voided_at'),
    voidReason: text('void_reason'),
    /**
     * The device settings the run started from (sim SettingsPatch, drawn per attempt; the console and the
     * replays start from them). Null for attempts made before they were recorded: the scenario's suggested
     * settings.
     */
    startSettingsJson: text('start_settings_json'),
  },
  (t) => [
    index('simulator_attempts_candidate_idx').on(t.candidateId, t.assessmentId),
    index('simulator_attempts_assessment_idx').on(t.assessmentId, t.startedAt),
  ],
);

/** An examiner's note on an attempt, optionally tied to one beat of the run. */
export const simulatorAttemptAnnotations = sqliteTable(
  'simulator_attempt_annotations',
  {
    id: text('id').primaryKey(),
    attemptId: text('attempt_id')
      .notNull()
      .references(() => simulatorAttempts.id, { onDelete: 'cascade' }),
    examinerId: text('examiner_id')
      .notNull()
      .references(() => users.id),
    beatIndex: integer('beat_index'),
    text: text('text').notNull(),
    createdAt: integer('created_at').notNull(),
  },
  (t) => [index('simulator_attempt_annotations_attempt_idx').on(t.attemptId)],
);

/** A member's saved practice run, re-scored on the server with the default rubric. */
export const simulatorPracticeSessions = sqliteTable(
  'simulator_practice_sessions',
  {
    id: text('id').primaryKey(),
    userId: text('user_id')
      .notNull()
      .references(() => users.id, { onDelete: 'cascade' }),
    scenarioId: text('scenario_id').notNull(),
    /** The seed the server scored with (drawn by the server: a client-chosen one could be tuned against). */
    seed: integer('seed').notNull(),
    /** The seed the member's console showed (to practise the same run again); null before it was kept. */
    displaySeed: integer('display_seed'),
    durationMs: integer('duration_ms').notNull(),
    controlLogJson: text('control_log_json').notNull(),
    /** Selected RunSummary figures and the beats by class. */
    summaryJson: text('summary_json').notNull(),
    score: real('score').notNull(),
    createdAt: integer('created_at').notNull(),
  },
  (t) => [index('simulator_practice_sessions_user_idx').on(t.userId, t.createdAt)],
);
