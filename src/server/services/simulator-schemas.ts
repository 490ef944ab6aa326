/**
 * Input schemas of the simulator procedures, shared by the examiner form (field names are these paths) and
 * the tRPC router, so both say the same thing about the same field.
 */
import { z } from 'zod';
import { ASSESSMENT_STATUSES, SEED_POLICIES } from '#db/schema/simulator.ts';
import { rubricSchema, scenarioEventSchema } from '#sim/index.ts';
import { getScenario, START_MISTIMING_MAX_MS } from '#src/lib/scenario-presets.ts';

export const SIMULATOR_LIMITS = {
  titleMax: 120,
  /** 30 s to 10 min: the server replays the whole run twice (assisted and reference) per submission. */
  durationMinMs: 30_000,
  durationMaxMs: 600_000,
  eventsMax: 50,
  attemptsMax: 20,
  cooldownMaxMs: 30 * 24 * 3600 * 1000,
  /** Seeds are unsigned 31-bit integers, like those drawn per attempt. */
  seedMax: 2 ** 31 - 1,
  annotationMax: 2000,
  /** Practice runs the server re-scores: at most 15 minutes of simulated time. */
  practiceDurationMaxMs: 900_000,
} as const;

export const scenarioIdField = z
  .string()
  .min(1, 'Choose a scenario.')
  .max(80)
  .refine((id) => getScenario(id) !== null, 'Choose one of the listed scenarios.');

export const seedField = z.number().int('Use a whole number.').min(0).max(SIMULATOR_LIMITS.seedMax);

const timestampField = z.number().int().min(0).max(8_640_000_000_000);

export const assessmentSettingsSchema = z
  .object({
    title: z
      .string()
      .trim()
      .min(1, 'Enter a title.')
      .max(SIMULATOR_LIMITS.titleMax, `Use at most ${SIMULATOR_LIMITS.titleMax} characters.`),
    scenarioId: scenarioIdField,
    seedPolicy: z.enum(SEED_POLICIES),
    fixedSeed: seedField.nullable().default(null),
    durationMs: z
      .number()
      .int()
      .min(SIMULATOR_LIMITS.durationMinMs, 'Make the run at least 30 seconds long.')
      .max(SIMULATOR_LIMITS.durationMaxMs, 'Make the run at most 10 minutes long.'),
    startMistimingMs: z
      .number()
      .int('Use a whole number of milliseconds.')
      .min(0, 'Use 0 (factory timing) or more.')
      .max(START_MISTIMING_MAX_MS, `Use at most ${START_MISTIMING_MAX_MS} ms.`)
      .default(0),
    events: z.array(scenarioEventSchema).max(SIMULATOR_LIMITS.eventsMax).default([]),
    rubric: rubricSchema,
    attemptsAllowed: z.number().int().min(1).max(SIMULATOR_LIMITS.attemptsMax),
    cooldownMs: z.number().int().min(0).max(SIMULATOR_LIMITS.cooldownMaxMs),
    opensAt: timestampField,
    closesAt: timestampField.nullable().default(null),
  })
  .superRefine((v, ctx) => {
    if (v.seedPolicy === 'fixed' && v.fixedSeed === null) {
      ctx.addIssue({ code: 'custom', path: ['fixedSeed'], message: 'Enter the seed every attempt uses.' });
    }
    if (v.closesAt !== null && v.closesAt <= v.opensAt) {
      ctx.addIssue({ code: 'custom', path: ['closesAt'], message: 'Close the assessment after it opens.' });
    }
    v.events.forEach((e, i) => {
      if (e.atMs >= v.durationMs) {
        ctx.addIssue({
          code: 'custom',
          path: ['events', i, 'atMs'],
          message: `Event ${i + 1} is at ${e.atMs} ms, after the run ends (${v.durationMs} ms).`,
        });
      }
    });
  });

export type AssessmentSettings = z.infer<typeof assessmentSettingsSchema>;

export const assessmentStatusField = z.enum(ASSESSMENT_STATUSES);

const idField = z.string().min(1).max(64);

export const simulatorInputs = {
  id: z.object({ id: idField }),
  update: z.object({ id: idField, settings: assessmentSettingsSchema }),
  listAttempts: z.object({
    assessmentId: idField.optional(),
    candidate: z.string().trim().max(100).default(''),
    outcome: z.enum(['any', 'passed', 'failed', 'not-submitted']).default('any'),
    page: z.coerce.number().int().min(1).max(100_000).default(1),
  }),
  attemptId: z.object({ attemptId: idField }),
  attemptBeat: z.object({ attemptId: idField, beatIndex: z.coerce.number().int().min(0).max(100_000) }),
  // The log is checked by the engine's validateControlLog so that its errors name the entry and field;
  // here only its shape as JSON. Unknown keys (a forged `score`) are stripped by z.object.
  submitAttempt: z.object({ attemptId: idField, controlLog: z.array(z.unknown()) }),
  checkpointAttempt: z.object({
    attemptId: idField,
    from: z.number().int().min(0).max(100_000),
    entries: z.array(z.unknown()).max(10_000),
    throughMs: z
      .number()
      .min(0)
      .max(SIMULATOR_LIMITS.durationMaxMs + 1_000),
  }),
  // The server draws the seed it scores with, so a log cannot be tuned offline against it (issue 14). The
  // seed the console showed may be sent; it is kept only to practise the same run again.
  savePractice: z.object({
    scenarioId: scenarioIdField,
    seed: seedField.optional(),
    // The console's clock runs in engine steps (fractions of a ms); rounding up keeps every log entry inside.
    durationMs: z
      .number()
      .gt(0)
      .max(SIMULATOR_LIMITS.practiceDurationMaxMs, 'Practice runs longer than 15 minutes are not saved.')
      .transform((ms) => Math.ceil(ms)),
    controlLog: z.array(z.unknown()),
  }),
  annotate: z.object({
    attemptId: idField,
    beatIndex: z.number().int().min(0).max(100_000).nullable().default(null),
    text: z
      .string()
      .trim()
      .min(1, 'Write the note.')
      .max(SIMULATOR_LIMITS.annotationMax, `Use at most ${SIMULATOR_LIMITS.annotationMax} characters.`),
  }),
} as const;

export type ListAttemptsInput = z.infer<typeof simulatorInputs.listAttempts>;
