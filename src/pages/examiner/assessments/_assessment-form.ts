/**
 * The examiner's assessment form: flat text fields in the units people think in (seconds, minutes, UTC
 * date-times) to and from the procedure input, and the procedure's field errors back onto these fields.
 */
import { DEFAULT_RUBRIC } from '#sim/index.ts';
import { DEFAULT_SCENARIO_ID } from '#src/lib/scenario-presets.ts';
import type { AssessmentRecord } from '#src/server/services/simulator-assessments.ts';
import { fromDateTimeLocalUtc, toDateTimeLocalUtc } from '#src/server/services/simulator-format.ts';
import type { AssessmentSettings } from '#src/server/services/simulator-schemas.ts';

export const FORM_FIELDS = [
  'title',
  'scenarioId',
  'seedPolicy',
  'fixedSeed',
  'durationS',
  'startMistimingMs',
  'events',
  'graceStartS',
  'graceAfterEventS',
  'inflationMinMs',
  'inflationMaxMs',
  'deflationMinMs',
  'deflationMaxMs',
  'dsTarget',
  'pressureMin',
  'pressureMax',
  'maxConsecutiveLateDeflations',
  'weightInflation',
  'weightDeflation',
  'weightAugmentation',
  'weightPressure',
  'passMark',
  'attemptsAllowed',
  'cooldownMin',
  'opensAt',
  'closesAt',
] as const;

export type FormField = (typeof FORM_FIELDS)[number];
export type FormValues = Record<FormField, string>;

const HOUR_MS = 3600_000;

export function valuesFromSettings(s: AssessmentSettings): FormValues {
  const r = s.rubric;
  return {
    title: s.title,
    scenarioId: s.scenarioId,
    seedPolicy: s.seedPolicy,
    fixedSeed: s.fixedSeed === null ? '' : String(s.fixedSeed),
    durationS: String(s.durationMs / 1000),
    startMistimingMs: String(s.startMistimingMs),
    events: s.events.length ? JSON.stringify(s.events, null, 2) : '',
    graceStartS: String(r.graceStartMs / 1000),
    graceAfterEventS: String(r.graceAfterEventMs / 1000),
    inflationMinMs: String(r.inflationWindow.minMs),
    inflationMaxMs: String(r.inflationWindow.maxMs),
    deflationMinMs: String(r.deflationWindow.minMs),
    deflationMaxMs: String(r.deflationWindow.maxMs),
    dsTarget: String(r.dsTarget),
    pressureMin: String(r.pressureRangeMmHg.min),
    pressureMax: String(r.pressureRangeMmHg.max),
    maxConsecutiveLateDeflations: String(r.maxConsecutiveLateDeflations),
    weightInflation: String(r.weights.inflationTiming),
    weightDeflation: String(r.weights.deflationTiming),
    weightAugmentation: String(r.weights.augmentation),
    weightPressure: String(r.weights.pressure),
    passMark: String(r.passMark),
    attemptsAllowed: String(s.attemptsAllowed),
    cooldownMin: String(s.cooldownMs / 60_000),
    opensAt: toDateTimeLocalUtc(s.opensAt),
    closesAt: s.closesAt === null ? '' : toDateTimeLocalUtc(s.closesAt),
  };
}

/** A new assessment: the default scenario and rubric, five minutes, open from the next hour. */
export function defaultValues(now: number): FormValues {
  return valuesFromSettings({
    title: '',
    scenarioId: DEFAULT_SCENARIO_ID,
    seedPolicy: 'per-attempt',
    fixedSeed: null,
    durationMs: 300_000,
    // Candidates find the timing themselves: the console starts up to 80 ms off it (issue 13).
    startMistimingMs: 80,
    events: [],
    rubric: { ...DEFAULT_RUBRIC },
    attemptsAllowed: 3,
    cooldownMs: 24 * HOUR_MS,
    // Open from now (to the minute the form shows): a default in the future left candidates seeing "No
    // assessment is open to you" after the examiner published (issue 13).
    opensAt: Math.floor(now / 60_000) * 60_000,
    closesAt: null,
  });
}

export function valuesFromRecord(a: AssessmentRecord): FormValues {
  return valuesFromSettings(a);
}

export function valuesFromForm(form: Record<string, string>): FormValues {
  return Object.fromEntries(FORM_FIELDS.map((f) => [f, (form[f] ?? '').trim()])) as FormValues;
}

/**
 * The procedure input from the fields, or the fields that could not even be read (not a number, not a
 * date, not JSON). Range and consistency checks are the procedure's.
 */
export function settingsFromValues(
  v: FormValues,
): { ok: true; settings: AssessmentSettings } | { ok: false; fieldErrors: Record<string, string> } {
  const errors: Record<string, string> = {};
  const num = (field: FormField, scale = 1): number => {
    const text = v[field];
    const n = Number(text);
    if (text === '' || !Number.isFinite(n)) {
      errors[field] = `${FIELD_LABELS[field]}: enter a number, for example 1.2 or -40.`;
      return Number.NaN;
    }
    return Math.round(n * scale * 1000) / 1000;
  };
  const optionalInt = (field: FormField): number | null => (v[field] === '' ? null : num(field));
  const date = (field: FormField, required: boolean): number | null => {
    if (v[field] === '' && !required) return null;
    const ms = fromDateTimeLocalUtc(v[field]);
    if (ms === null) errors[field] = `${FIELD_LABELS[field]}: enter a date and time like 2026-12-01T09:00 (UTC).`;
    return ms;
  };
  let events: unknown = [];
  if (v.events !== '') {
    try {
      events = JSON.parse(v.events);
    } catch {
      errors.events = 'Scripted events: write them as a JSON list, like the example, or leave the box empty.';
    }
  }
  const settings = {
    title: v.title,
    scenarioId: v.scenarioId,
    seedPolicy: v.seedPolicy === 'fixed' ? 'fixed' : 'per-attempt',
    fixedSeed: v.seedPolicy === 'fixed' ? optionalInt('fixedSeed') : null,
    durationMs: num('durationS', 1000),
    startMistimingMs: num('startMistimingMs'),
    events,
    rubric: {
      graceStartMs: num('graceStartS', 1000),
      graceAfterEventMs: num('graceAfterEventS', 1000),
      inflationWindow: { minMs: num('inflationMinMs'), maxMs: num('inflationMaxMs') },
      deflationWindow: { minMs: num('deflationMinMs'), maxMs: num('deflationMaxMs') },
      dsTarget: num('dsTarget'),
      pressureRangeMmHg: { min: num('pressureMin'), max: num('pressureMax') },
      maxConsecutiveLateDeflations: num('maxConsecutiveLateDeflations'),
      weights: {
        inflationTiming: num('weightInflation'),
        deflationTiming: num('weightDeflation'),
        augmentation: num('weightAugmentation'),
        pressure: num('weightPressure'),
      },
      passMark: num('passMark'),
    },
    attemptsAllowed: num('attemptsAllowed'),
    cooldownMs: num('cooldownMin', 60_000),
    opensAt: date('opensAt', true),
    closesAt: date('closesAt', false),
  };
  if (Object.keys(errors).length > 0) return { ok: false, fieldErrors: errors };
  // The procedure validates every value; this cast only names the shape it will check.
  return { ok: true, settings: settings as AssessmentSettings };
}

/** Which form field a procedure error path belongs to (first match wins). */
const PATH_TO_FIELD: [RegExp, FormField][] = [
  [/^(settings\.)?durationMs/, 'durationS'],
  [/^(settings\.)?events/, 'events'],
  [/^(settings\.)?startMistimingMs/, 'startMistimingMs'],
  [/^(settings\.)?cooldownMs/, 'cooldownMin'],
  [/^(settings\.)?rubric\.graceStartMs/, 'graceStartS'],
  [/^(settings\.)?rubric\.graceAfterEventMs/, 'graceAfterEventS'],
  [/^(settings\.)?rubric\.inflationWindow\.maxMs/, 'inflationMaxMs'],
  [/^(settings\.)?rubric\.inflationWindow/, 'inflationMinMs'],
  [/^(settings\.)?rubric\.deflationWindow\.maxMs/, 'deflationMaxMs'],
  [/^(settings\.)?rubric\.deflationWindow/, 'deflationMinMs'],
  [/^(settings\.)?rubric\.dsTarget/, 'dsTarget'],
  [/^(settings\.)?rubric\.pressureRangeMmHg\.max/, 'pressureMax'],
  [/^(settings\.)?rubric\.pressureRangeMmHg/, 'pressureMin'],
  [/^(settings\.)?rubric\.maxConsecutiveLateDeflations/, 'maxConsecutiveLateDeflations'],
  [/^(settings\.)?rubric\.weights\.deflationTiming/, 'weightDeflation'],
  [/^(settings\.)?rubric\.weights\.augmentation/, 'weightAugmentation'],
  [/^(settings\.)?rubric\.weights\.pressure/, 'weightPressure'],
  [/^(settings\.)?rubric\.weights/, 'weightInflation'],
  [/^(settings\.)?rubric\.passMark/, 'passMark'],
];

/** Field labels as the form shows them, so a message in the error summary names its field. */
export const FIELD_LABELS: Record<FormField, string> = {
  title: 'Title',
  scenarioId: 'Scenario',
  seedPolicy: 'Seed',
  fixedSeed: 'Fixed seed',
  durationS: 'Duration',
  startMistimingMs: 'Starting timing off by up to',
  events: 'Scripted events',
  graceStartS: 'Grace at the start',
  graceAfterEventS: 'Grace after each event',
  inflationMinMs: 'Inflation window',
  inflationMaxMs: 'Inflation window to',
  deflationMinMs: 'Deflation window',
  deflationMaxMs: 'Deflation window to',
  dsTarget: 'D/S target',
  pressureMin: 'Pressure range',
  pressureMax: 'Pressure to',
  maxConsecutiveLateDeflations: 'Late deflations in a row',
  weightInflation: 'Weights',
  weightDeflation: 'Weight: deflation timing',
  weightAugmentation: 'Weight: augmentation',
  weightPressure: 'Weight: pressure in range',
  passMark: 'Pass mark',
  attemptsAllowed: 'Attempts allowed',
  cooldownMin: 'Cooldown',
  opensAt: 'Opens',
  closesAt: 'Closes',
};

/** zod's generic range messages in the form's words; the schema's own messages pass through. */
function friendly(message: string): string {
  const big = message.match(/^Too big: expected number to be <=?(-?[\d.e+]+)/);
  if (big) return `Use a number no greater than ${big[1]}.`;
  const small = message.match(/^Too small: expected number to be >=?(-?[\d.e+]+)/);
  if (small) return `Use a number of at least ${small[1]}.`;
  if (/expected int/.test(message)) return 'Use a whole number.';
  return message;
}

/** The procedure's field errors keyed by form field; messages for events keep their entry number. */
export function formFieldErrors(errors: Record<string, string>): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [path, raw] of Object.entries(errors)) {
    const mapped = PATH_TO_FIELD.find(([re]) => re.test(path))?.[1];
    const plain = path.replace(/^settings\./, '');
    const field = mapped ?? ((FORM_FIELDS as readonly string[]).includes(plain) ? (plain as FormField) : null);
    const message = friendly(raw);
    const event = path.match(/events\.(\d+)\.?(.*)$/);
    const detail = event ? `Event ${Number(event[1]) + 1}${event[2] ? ` (${event[2]})` : ''}: ${message}` : message;
    const text = field && !message.startsWith('Event ') && !event ? `${FIELD_LABELS[field]}: ${detail}` : detail;
    const key = field ?? '_';
    out[key] = out[key] ? `${out[key]} ${text}` : text;
  }
  return out;
}

export const EVENTS_EXAMPLE = `[
  { "atMs": 120000, "type": "heart-rate", "heartRateBpm": 88 },
  { "atMs": 200000, "type": "rhythm", "rhythm": { "pvcPerMinute": 6 } }
]`;
