/**
 * The examiner's assessment form: flat text fields in the units people think in (seconds, minutes, UTC
 * date-times) and rows of scripted events, to and from the procedure input, and the procedure's field
 * errors back onto these fields.
 */
import { DEFAULT_RUBRIC, DEFAULT_TITRATION } from '#sim/index.ts';
import { DEFAULT_SCENARIO_ID } from '#src/lib/scenario-presets.ts';
import type { AssessmentRecord } from '#src/server/services/simulator-assessments.ts';
import { fromDateTimeLocalUtc, toDateTimeLocalUtc } from '#src/server/services/simulator-format.ts';
import type { AssessmentSettings } from '#src/server/services/simulator-schemas.ts';
import {
  BLANK_ROW,
  EMPTY_ROWS_SHOWN,
  type EventRowValues,
  eventsFromRows,
  MAX_EVENT_ROWS,
  rowField,
  rowsFromEvents,
  rowsFromForm,
} from './_event-rows.ts';

export const FORM_FIELDS = [
  'title',
  'scenarioId',
  'seedPolicy',
  'fixedSeed',
  'durationS',
  'startMistimingMs',
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
  'minTimingScore',
  'weightInflation',
  'weightDeflation',
  'weightAugmentation',
  'weightPressure',
  'titrationOn',
  'titrationStartMax',
  'titrationMaxStep',
  'titrationMinHoldS',
  'titrationCheckedBeats',
  'titrationTarget',
  'weightTitration',
  'passMark',
  'attemptsAllowed',
  'cooldownMin',
  'opensAt',
  'closesAt',
] as const;

export type FormField = (typeof FORM_FIELDS)[number];
export type FormValues = Record<FormField, string> & { eventRows: EventRowValues[] };

/** The event id of the whole events table, for errors about the list rather than one row. */
export const EVENTS_TABLE = 'events';

const HOUR_MS = 3600_000;

/** The titration criterion's weight the form offers when the examiner turns it on (the others sum to 100). */
export const DEFAULT_TITRATION_WEIGHT = 15;

export function valuesFromSettings(s: AssessmentSettings): FormValues {
  const r = s.rubric;
  // Off, the titration fields show the defaults the examiner gets on ticking the box.
  const t = r.titration ?? DEFAULT_TITRATION;
  return {
    title: s.title,
    scenarioId: s.scenarioId,
    seedPolicy: s.seedPolicy,
    fixedSeed: s.fixedSeed === null ? '' : String(s.fixedSeed),
    durationS: String(s.durationMs / 1000),
    startMistimingMs: String(s.startMistimingMs),
    eventRows: [...rowsFromEvents(s.events), ...Array.from({ length: EMPTY_ROWS_SHOWN }, () => ({ ...BLANK_ROW }))],
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
    minTimingScore: String(r.minTimingScore),
    weightInflation: String(r.weights.inflationTiming),
    weightDeflation: String(r.weights.deflationTiming),
    weightAugmentation: String(r.weights.augmentation),
    weightPressure: String(r.weights.pressure),
    titrationOn: r.titration ? 'on' : '',
    titrationStartMax: String(t.startMaxMmHg),
    titrationMaxStep: String(t.maxStepMmHg),
    titrationMinHoldS: String(t.minHoldMs / 1000),
    titrationCheckedBeats: String(t.checkedBeatsBeforeStep),
    titrationTarget: String(t.targetMmHg),
    weightTitration: String(r.weights.titration ?? DEFAULT_TITRATION_WEIGHT),
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
  const flat = Object.fromEntries(FORM_FIELDS.map((f) => [f, (form[f] ?? '').trim()])) as Record<FormField, string>;
  return { ...flat, eventRows: rowsFromForm(form) };
}

/**
 * Applies an "add a row" or "remove row N" submission to the rows (the form works without JavaScript, so
 * these are submit buttons). True when the intent was one of these: the page shows the form again, saving
 * nothing.
 */
export function applyRowIntent(values: FormValues, intent: string | undefined): boolean {
  if (intent === 'add-event') {
    if (values.eventRows.length < MAX_EVENT_ROWS) values.eventRows.push({ ...BLANK_ROW });
    return true;
  }
  const remove = intent?.match(/^remove-event-(\d+)$/);
  if (remove) {
    values.eventRows.splice(Number(remove[1]), 1);
    if (values.eventRows.length === 0) values.eventRows.push({ ...BLANK_ROW });
    return true;
  }
  return false;
}

/**
 * The procedure input from the fields, or the fields that could not even be read (not a number, not a
 * date, not JSON). Range and consistency checks are the procedure's.
 */
export function settingsFromValues(
  v: FormValues,
):
  | { ok: true; settings: AssessmentSettings; rowOfEvent: number[] }
  | { ok: false; fieldErrors: Record<string, string> } {
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
  const rows = eventsFromRows(v.eventRows);
  Object.assign(errors, rows.errors);
  const titration = v.titrationOn
    ? {
        startMaxMmHg: num('titrationStartMax'),
        maxStepMmHg: num('titrationMaxStep'),
        minHoldMs: num('titrationMinHoldS', 1000),
        checkedBeatsBeforeStep: num('titrationCheckedBeats'),
        targetMmHg: num('titrationTarget'),
      }
    : undefined;
  const settings = {
    title: v.title,
    scenarioId: v.scenarioId,
    seedPolicy: v.seedPolicy === 'fixed' ? 'fixed' : 'per-attempt',
    fixedSeed: v.seedPolicy === 'fixed' ? optionalInt('fixedSeed') : null,
    durationMs: num('durationS', 1000),
    startMistimingMs: num('startMistimingMs'),
    events: rows.events,
    rubric: {
      graceStartMs: num('graceStartS', 1000),
      graceAfterEventMs: num('graceAfterEventS', 1000),
      inflationWindow: { minMs: num('inflationMinMs'), maxMs: num('inflationMaxMs') },
      deflationWindow: { minMs: num('deflationMinMs'), maxMs: num('deflationMaxMs') },
      dsTarget: num('dsTarget'),
      pressureRangeMmHg: { min: num('pressureMin'), max: num('pressureMax') },
      maxConsecutiveLateDeflations: num('maxConsecutiveLateDeflations'),
      minTimingScore: num('minTimingScore'),
      weights: {
        inflationTiming: num('weightInflation'),
        deflationTiming: num('weightDeflation'),
        augmentation: num('weightAugmentation'),
        pressure: num('weightPressure'),
        ...(titration ? { titration: num('weightTitration') } : {}),
      },
      passMark: num('passMark'),
      ...(titration ? { titration } : {}),
    },
    attemptsAllowed: num('attemptsAllowed'),
    cooldownMs: num('cooldownMin', 60_000),
    opensAt: date('opensAt', true),
    closesAt: date('closesAt', false),
  };
  if (Object.keys(errors).length > 0) return { ok: false, fieldErrors: errors };
  // The procedure validates every value; this cast only names the shape it will check.
  return { ok: true, settings: settings as AssessmentSettings, rowOfEvent: rows.rowOfEvent };
}

/** Which form field a procedure error path belongs to (first match wins). */
const PATH_TO_FIELD: [RegExp, FormField][] = [
  [/^(settings\.)?durationMs/, 'durationS'],
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
  [/^(settings\.)?rubric\.minTimingScore/, 'minTimingScore'],
  [/^(settings\.)?rubric\.weights\.deflationTiming/, 'weightDeflation'],
  [/^(settings\.)?rubric\.weights\.augmentation/, 'weightAugmentation'],
  [/^(settings\.)?rubric\.weights\.pressure/, 'weightPressure'],
  [/^(settings\.)?rubric\.weights\.titration/, 'weightTitration'],
  [/^(settings\.)?rubric\.titration\.startMaxMmHg/, 'titrationStartMax'],
  [/^(settings\.)?rubric\.titration\.maxStepMmHg/, 'titrationMaxStep'],
  [/^(settings\.)?rubric\.titration\.minHoldMs/, 'titrationMinHoldS'],
  [/^(settings\.)?rubric\.titration\.checkedBeatsBeforeStep/, 'titrationCheckedBeats'],
  [/^(settings\.)?rubric\.titration/, 'titrationTarget'],
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
  minTimingScore: 'Least share of well-timed beats',
  weightInflation: 'Weights',
  weightDeflation: 'Weight: deflation timing',
  weightAugmentation: 'Weight: augmentation',
  weightPressure: 'Weight: pressure in range',
  titrationOn: 'Assess pressure titration',
  titrationStartMax: 'Titration: start at most',
  titrationMaxStep: 'Titration: largest step',
  titrationMinHoldS: 'Titration: hold each pressure',
  titrationCheckedBeats: 'Titration: correctly timed beats before a step',
  titrationTarget: 'Titration: reach at least',
  weightTitration: 'Weight: pressure titration',
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

/**
 * The procedure's field errors keyed by form field. An event's error goes to the cell of the row it came
 * from (`rowOfEvent`, from settingsFromValues): its time, or else its value.
 */
export function formFieldErrors(
  errors: Record<string, string>,
  rowOfEvent: readonly number[] = [],
): Record<string, string> {
  const out: Record<string, string> = {};
  const add = (key: string, text: string): void => {
    out[key] = out[key] ? `${out[key]} ${text}` : text;
  };
  for (const [path, raw] of Object.entries(errors)) {
    const message = friendly(raw);
    const event = path.match(/^(?:settings\.)?events(?:\.(\d+)\.?(.*))?$/);
    if (event) {
      const row = event[1] === undefined ? undefined : (rowOfEvent[Number(event[1])] ?? Number(event[1]));
      if (row === undefined) add(EVENTS_TABLE, `Scripted events: ${message}`);
      else {
        // The procedure numbers events; the examiner sees rows (several rows can make one event).
        const text = /^Event \d+/.test(message)
          ? message.replace(/^Event \d+/, `Event ${row + 1}`)
          : `Event ${row + 1}: ${message}`;
        add(rowField(row, event[2] === 'atMs' ? 'at' : 'value'), text);
      }
      continue;
    }
    const mapped = PATH_TO_FIELD.find(([re]) => re.test(path))?.[1];
    const plain = path.replace(/^settings\./, '');
    const field = mapped ?? ((FORM_FIELDS as readonly string[]).includes(plain) ? (plain as FormField) : null);
    add(field ?? '_', field ? `${FIELD_LABELS[field]}: ${message}` : message);
  }
  return out;
}
