/**
 * Scenario files: schema and validation. The presets live in content/scenarios/<id>.json; sim/ does no
 * I/O, so callers read the JSON and pass it to `parseScenario`.
 */
import { z } from 'zod';
import { SETTINGS_LIMITS } from './model/settings.ts';

/** Ids of the presets in content/scenarios/<id>.json (the files themselves are read by the caller). */
export const SCENARIO_PRESET_IDS = [
  'default-stable-angina',
  'bradycardia',
  'tachycardia',
  'frequent-pvcs',
  'atrial-fibrillation',
  'elderly-stiff-arteries',
  'heart-failure-low-ef',
  'noisy-ecg-lead-off',
] as const;
export type ScenarioPresetId = (typeof SCENARIO_PRESET_IDS)[number];

const range = (min: number, max: number) => z.number().min(min).max(max);

export const patientSchema = z
  .object({
    emaxMmHgPerMl: range(0.3, 5),
    eminMmHgPerMl: range(0.02, 0.3),
    lvUnstressedVolumeMl: range(0, 60),
    electromechanicalDelayMs: range(0, 120),
    totalBloodVolumeMl: range(3500, 7000),
    arterialComplianceScale: range(0.3, 2),
    peripheralResistanceScale: range(0.5, 2),
    cuffTransmission: range(0.3, 1),
    plethDelayMs: range(0, 300),
  })
  .partial()
  .strict();

export const rhythmSchema = z
  .object({
    heartRateBpm: range(30, 200),
    hrvLfAmplitudeMs: range(0, 200).optional(),
    hrvHfAmplitudeMs: range(0, 200).optional(),
    pacPerMinute: range(0, 30).optional(),
    pvcPerMinute: range(0, 30).optional(),
    atrialFibrillation: z.boolean().optional(),
    afRrCoefficientOfVariation: range(0, 0.5).optional(),
    afFibrillatoryWaveMv: range(0, 0.5).optional(),
  })
  .strict();

export const artefactsSchema = z
  .object({
    baselineWanderMv: range(0, 2),
    muscleNoiseMv: range(0, 1),
    mainsHumMv: range(0, 1),
    mainsHz: z.union([z.literal(50), z.literal(60)]),
    electrodeMotionPerMinute: range(0, 30),
    electrodeMotionMv: range(0, 3),
  })
  .partial()
  .strict();

export const ecgSchema = z
  .object({
    rhythm: rhythmSchema,
    artefacts: artefactsSchema.optional(),
    rAmplitudeMv: range(0.2, 3).optional(),
  })
  .strict();

const atMs = z
  .number()
  .min(0)
  .max(24 * 3600 * 1000);

export const scenarioEventSchema = z.discriminatedUnion('type', [
  z.object({ atMs, type: z.literal('heart-rate'), heartRateBpm: range(30, 200) }).strict(),
  z.object({ atMs, type: z.literal('rhythm'), rhythm: rhythmSchema.partial() }).strict(),
  z.object({ atMs, type: z.literal('artefacts'), artefacts: artefactsSchema }).strict(),
  z.object({ atMs, type: z.literal('lead-off'), on: z.boolean() }).strict(),
]);

export const settingsPatchSchema = z
  .object({
    inflateDelayMs: range(SETTINGS_LIMITS.inflateDelayMs.min, SETTINGS_LIMITS.inflateDelayMs.max),
    deflateDelayMs: range(SETTINGS_LIMITS.deflateDelayMs.min, SETTINGS_LIMITS.deflateDelayMs.max),
    pressureMmHg: range(SETTINGS_LIMITS.pressureMmHg.min, SETTINGS_LIMITS.pressureMmHg.max),
    stageDelayMs: range(SETTINGS_LIMITS.stageDelayMs.min, SETTINGS_LIMITS.stageDelayMs.max),
    cuffs: z.object({ calf: z.boolean(), lowerThigh: z.boolean(), upperThigh: z.boolean() }).partial().strict(),
    adaptive: z.boolean(),
    deflateLeadMs: range(SETTINGS_LIMITS.deflateLeadMs.min, SETTINGS_LIMITS.deflateLeadMs.max),
  })
  .partial()
  .strict();

export const scenarioSchema = z
  .object({
    id: z.string().regex(/^[a-z0-9]+(-[a-z0-9]+)*$/, 'must be kebab-case (a-z, 0-9, hyphens)'),
    title: z.string().min(1).max(120),
    description: z.string().min(1).max(2000),
    patient: patientSchema.default({}),
    ecg: ecgSchema,
    timeline: z
      .array(scenarioEventSchema)
      .max(500)
      .default([])
      .refine(
        (events) => events.every((e, i) => i === 0 || e.atMs >= events[i - 1]!.atMs),
        'events must be in time order',
      ),
    /** Settings a trainer suggests as a starting point (optional). */
    suggestedSettings: settingsPatchSchema.optional(),
  })
  .strict();

export type Scenario = z.infer<typeof scenarioSchema>;
export type ScenarioEvent = z.infer<typeof scenarioEventSchema>;
export type SettingsPatchInput = z.infer<typeof settingsPatchSchema>;

export type ParseResult<T> = { ok: true; value: T } | { ok: false; errors: string[] };

/** "path.to.field: reason" lines from a zod error. */
export function formatIssues(error: z.ZodError, prefix = ''): string[] {
  return error.issues.map((issue) => {
    const path = issue.path.map((p) => (typeof p === 'number' ? `[${p}]` : `.${String(p)}`)).join('');
    const where = `${prefix}${path}`.replace(/^\./, '') || '(root)';
    return `${where}: ${issue.message}`;
  });
}

export function parseScenario(json: unknown): ParseResult<Scenario> {
  const result = scenarioSchema.safeParse(json);
  if (result.success) return { ok: true, value: result.data };
  return { ok: false, errors: formatIssues(result.error) };
}

/** Like parseScenario but throws an Error whose message lists every field and reason. */
export function assertScenario(json: unknown): Scenario {
  const r = parseScenario(json);
  if (!r.ok) throw new Error(`Invalid scenario: ${r.errors.join('; ')}`);
  return r.value;
}
