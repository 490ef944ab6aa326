import { beforeAll, expect, test } from 'vitest';
import {
  applyRowIntent,
  defaultValues,
  type FormValues,
  formFieldErrors,
  settingsFromValues,
  valuesFromForm,
  valuesFromRecord,
} from '#src/pages/examiner/assessments/_assessment-form.ts';
import type { EventRowValues } from '#src/pages/examiner/assessments/_event-rows.ts';
import { runForm } from '#src/server/forms.ts';
import { countAllRows, useTestDb } from '#test/helpers/db.ts';
import { callerFor, makeUser } from '#test/helpers/factories.ts';

/** The examiner's no-JS form: text fields -> procedure input -> field errors back on the same fields. */

const handle = useTestDb();
let caller: Awaited<ReturnType<typeof callerFor>>['caller'];

beforeAll(async () => {
  const examiner = await makeUser(handle.db, { roles: ['member', 'examiner'], totp: true });
  caller = (await callerFor(handle.db, examiner)).caller;
});

function values(overrides: Partial<FormValues>): FormValues {
  return { ...defaultValues(Date.UTC(2026, 10, 23, 11, 20)), title: 'Form round trip', ...overrides };
}

async function errorsFor(v: FormValues): Promise<Record<string, string>> {
  const parsed = settingsFromValues(v);
  if (!parsed.ok) return parsed.fieldErrors;
  const outcome = await runForm(() => caller.simulator.createAssessment(parsed.settings));
  if (outcome.ok) throw new Error('expected the form to be refused');
  return formFieldErrors(outcome.fieldErrors, parsed.rowOfEvent);
}

const blank: EventRowValues = { atS: '', kind: '', value: '' };
const rows = (...r: [string, string, string][]): EventRowValues[] => [
  ...r.map(([atS, kind, value]) => ({ atS, kind, value })),
  blank,
  blank,
];

test('saves the default form and reads it back into the same fields', async () => {
  const v = values({ durationS: '90', cooldownMin: '30', closesAt: '2026-12-24T18:00', dsTarget: '1.25' });
  const parsed = settingsFromValues(v);
  if (!parsed.ok) throw new Error(JSON.stringify(parsed.fieldErrors));
  expect(parsed.settings).toMatchObject({
    durationMs: 90_000,
    cooldownMs: 1_800_000,
    opensAt: Date.UTC(2026, 10, 23, 11, 20),
    closesAt: Date.UTC(2026, 11, 24, 18, 0),
  });
  const { id } = await caller.simulator.createAssessment(parsed.settings);
  expect(valuesFromRecord(await caller.simulator.getAssessment({ id }))).toEqual(v);
});

test('scripted events saved as rows come back as the same rows; rows at one time join one rhythm event', async () => {
  const v = values({
    durationS: '300',
    eventRows: rows(
      ['60', 'heart-rate', '88'],
      ['120', 'rhythm.pvcPerMinute', '6'],
      ['120', 'rhythm.atrialFibrillation', 'on'],
      ['200', 'lead-off', 'on'],
      ['210', 'artefacts.mainsHz', '60'],
    ),
  });
  const parsed = settingsFromValues(v);
  if (!parsed.ok) throw new Error(JSON.stringify(parsed.fieldErrors));
  expect(parsed.settings.events).toEqual([
    { atMs: 60_000, type: 'heart-rate', heartRateBpm: 88 },
    { atMs: 120_000, type: 'rhythm', rhythm: { pvcPerMinute: 6, atrialFibrillation: true } },
    { atMs: 200_000, type: 'lead-off', on: true },
    { atMs: 210_000, type: 'artefacts', artefacts: { mainsHz: 60 } },
  ]);
  expect(parsed.rowOfEvent).toEqual([0, 1, 3, 4]);
  const { id } = await caller.simulator.createAssessment(parsed.settings);
  expect(valuesFromRecord(await caller.simulator.getAssessment({ id })).eventRows).toEqual(v.eventRows);
});

test('the rows come from the posted fields; "add a row" and "remove" change only the rows', () => {
  const form = {
    ...Object.fromEntries(Object.entries(values({})).filter(([, x]) => typeof x === 'string')),
    eventRows: '3',
    'event-0-at': '30',
    'event-0-kind': 'heart-rate',
    'event-0-value': '90',
    'event-1-at': '45',
    'event-1-kind': 'lead-off',
    'event-1-value': 'off',
  } as Record<string, string>;
  const v = valuesFromForm(form);
  expect(v.eventRows).toEqual([
    { atS: '30', kind: 'heart-rate', value: '90' },
    { atS: '45', kind: 'lead-off', value: 'off' },
    blank,
  ]);
  expect(applyRowIntent(v, 'add-event')).toBe(true);
  expect(v.eventRows).toHaveLength(4);
  expect(applyRowIntent(v, 'remove-event-0')).toBe(true);
  expect(v.eventRows[0]).toEqual({ atS: '45', kind: 'lead-off', value: 'off' });
  expect(applyRowIntent(v, 'save')).toBe(false);
  // A forged row count cannot make the page build thousands of rows.
  expect(valuesFromForm({ ...form, eventRows: '100000' }).eventRows).toHaveLength(60);
});

test('names the field that is not a number or a date, and each event cell that cannot be read, before calling the procedure', async () => {
  const before = await countAllRows(handle);
  const errors = await errorsFor(
    values({
      passMark: 'seventy',
      opensAt: 'tomorrow',
      eventRows: rows(
        ['soon', 'heart-rate', '88'],
        ['10', '', '5'],
        ['20', 'lead-off', 'maybe'],
        ['30', 'rhythm.pvcPerMinute', ''],
      ),
    }),
  );
  expect(Object.keys(errors).sort()).toEqual([
    'event-0-at',
    'event-1-kind',
    'event-2-value',
    'event-3-value',
    'opensAt',
    'passMark',
  ]);
  expect(errors['event-0-at']).toBe('Event 1: enter the time in seconds from the start, for example 120.');
  expect(errors['event-1-kind']).toBe('Event 2: choose what changes.');
  expect(errors['event-2-value']).toBe('Event 3: ECG lead off: enter on or off.');
  expect(errors['event-3-value']).toBe('Event 4: Premature ventricular beats: enter a number (per minute).');
  expect(await countAllRows(handle)).toEqual(before);
});

test('the titration criterion is off by default, saved with its fields when ticked, and its errors land on them', async () => {
  const off = settingsFromValues(values({}));
  if (!off.ok) throw new Error('the default form should parse');
  expect(off.settings.rubric.titration).toBeUndefined();
  expect(off.settings.rubric.weights.titration).toBeUndefined();

  const on = values({ titrationOn: 'on', titrationStartMax: '150', titrationTarget: '250', titrationMinHoldS: '20' });
  const parsed = settingsFromValues(on);
  if (!parsed.ok) throw new Error(JSON.stringify(parsed.fieldErrors));
  expect(parsed.settings.rubric).toMatchObject({
    titration: { startMaxMmHg: 150, maxStepMmHg: 40, minHoldMs: 20_000, checkedBeatsBeforeStep: 10, targetMmHg: 250 },
    weights: { titration: 15 },
  });
  const { id } = await caller.simulator.createAssessment(parsed.settings);
  expect(valuesFromRecord(await caller.simulator.getAssessment({ id }))).toEqual(on);

  const before = await countAllRows(handle);
  expect(await errorsFor(values({ titrationOn: 'on', titrationCheckedBeats: '2.5' }))).toEqual({
    titrationCheckedBeats: 'Titration: correctly timed beats before a step: Use a whole number.',
  });
  expect(await errorsFor(values({ titrationOn: 'on', titrationStartMax: '270' }))).toEqual({
    titrationStartMax: 'Titration: start at most: the start pressure must not exceed the target',
  });
  expect(await countAllRows(handle)).toEqual(before);
});

test("puts the procedure's range and consistency errors on the fields that caused them", async () => {
  const before = await countAllRows(handle);
  const errors = await errorsFor(
    values({
      passMark: '150',
      minTimingScore: '-5',
      inflationMinMs: '80',
      inflationMaxMs: '20',
      durationS: '5',
      seedPolicy: 'fixed',
      fixedSeed: '',
      eventRows: rows(['400', 'heart-rate', '95']),
    }),
  );
  expect(Object.keys(errors).sort()).toEqual([
    'durationS',
    'event-0-at',
    'fixedSeed',
    'inflationMinMs',
    'minTimingScore',
    'passMark',
  ]);
  expect(errors.durationS).toBe('Duration: Make the run at least 30 seconds long.');
  expect(errors.passMark).toBe('Pass mark: Use a number no greater than 100.');
  expect(errors.minTimingScore).toBe('Least share of well-timed beats: Use a number of at least 0.');
  expect(await countAllRows(handle)).toEqual(before);

  const later = await errorsFor(
    values({
      seedPolicy: 'fixed',
      fixedSeed: '',
      closesAt: '2026-11-01T00:00',
      eventRows: rows(['30', 'heart-rate', '80'], ['400', 'heart-rate', '95'], ['50', 'heart-rate', '500']),
    }),
  );
  expect(later.fixedSeed).toBe('Fixed seed: Enter the seed every attempt uses.');
  expect(later.closesAt).toBe('Closes: Close the assessment after it opens.');
  expect(later['event-1-at']).toMatch(/^Event 2 is at 400000 ms, after the run ends/);
  expect(later['event-2-value']).toBe('Event 3: Use a number no greater than 200.');
  expect(await countAllRows(handle)).toEqual(before);
});

test('a new assessment opens from now by default (to the minute), so it is open as soon as it is published', async () => {
  const now = Date.UTC(2026, 11, 3, 8, 17, 42);
  const values = defaultValues(now);
  expect(values.opensAt).toBe('2026-12-03T08:17');
});
