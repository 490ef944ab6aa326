import { beforeAll, expect, test } from 'vitest';
import {
  defaultValues,
  type FormValues,
  formFieldErrors,
  settingsFromValues,
  valuesFromRecord,
} from '#src/pages/examiner/assessments/_assessment-form.ts';
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
  return formFieldErrors(outcome.fieldErrors);
}

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

test('names the field that is not a number, date or JSON before calling the procedure', async () => {
  const before = await countAllRows(handle);
  const errors = await errorsFor(values({ passMark: 'seventy', opensAt: 'tomorrow', events: '[{ "atMs": 1' }));
  expect(Object.keys(errors).sort()).toEqual(['events', 'opensAt', 'passMark']);
  expect(await countAllRows(handle)).toEqual(before);
});

test("puts the procedure's range and consistency errors on the fields that caused them", async () => {
  const before = await countAllRows(handle);
  const errors = await errorsFor(
    values({
      passMark: '150',
      inflationMinMs: '80',
      inflationMaxMs: '20',
      durationS: '5',
      seedPolicy: 'fixed',
      fixedSeed: '',
      events: '[{ "atMs": 400000, "type": "heart-rate", "heartRateBpm": 95 }]',
    }),
  );
  expect(Object.keys(errors).sort()).toEqual(['durationS', 'events', 'fixedSeed', 'inflationMinMs', 'passMark']);
  expect(errors.durationS).toBe('Duration: Make the run at least 30 seconds long.');
  expect(errors.passMark).toBe('Pass mark: Use a number no greater than 100.');
  expect(await countAllRows(handle)).toEqual(before);

  const later = await errorsFor(
    values({
      seedPolicy: 'fixed',
      fixedSeed: '',
      closesAt: '2026-11-01T00:00',
      events: '[{ "atMs": 400000, "type": "heart-rate", "heartRateBpm": 95 }]',
    }),
  );
  expect(later.fixedSeed).toBe('Fixed seed: Enter the seed every attempt uses.');
  expect(later.closesAt).toBe('Closes: Close the assessment after it opens.');
  expect(later.events).toMatch(/^Event 1 \(atMs\): Event 1 is at 400000 ms, after the run ends/);
  expect(await countAllRows(handle)).toEqual(before);
});

test('a new assessment opens from now by default (to the minute), so it is open as soon as it is published', async () => {
  const now = Date.UTC(2026, 11, 3, 8, 17, 42);
  const values = defaultValues(now);
  expect(values.opensAt).toBe('2026-12-03T08:17');
});
