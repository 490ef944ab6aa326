import { expect, test } from 'vitest';
import {
  daysUntil,
  maintenanceOutlook,
  reminderMail,
  YEAR_END_REMINDER_DAYS,
  yearEndGap,
  yearEndMail,
} from '#src/lib/credential-outlook.ts';
import {
  addMonthsUtc,
  categoryLabel,
  cycleYears,
  maintenanceRuleText,
  membershipLapseText,
} from '#src/lib/credential-rules.ts';
import { DAY_MS } from '#src/lib/dates.ts';

const RULE = { cpdCredits: 30, cpdEachYear: true, knowledgeCheckExamSlug: 'level-1-knowledge-check' };
const FROM = Date.UTC(2026, 10, 4, 9);
const TO = addMonthsUtc(FROM, 36);
const years = (done: boolean[]) =>
  cycleYears(FROM, TO).map((y, i) => ({ ...y, cpdActivity: done[i] ?? false, knowledgeCheck: done[i] ?? false }));
const MAINTENANCE = { creditsEarned: 12, creditsRequired: 30, years: years([true]), met: false };
const input = (over: Partial<Parameters<typeof maintenanceOutlook>[0]> = {}) => ({
  number: 'IECPA-CR-AAAAA-BBBBB',
  status: 'certified' as const,
  periodStartsAt: FROM,
  expiresAt: TO,
  validityMonths: 36,
  rule: RULE,
  maintenance: MAINTENANCE,
  ...over,
});

test('the outlook of a current credential: missing steps, each with the page that meets it', () => {
  const outlook = maintenanceOutlook(input(), FROM + 100 * DAY_MS);
  expect(outlook.kind).toBe('missing');
  if (outlook.kind !== 'missing') return;
  expect(outlook.steps[0]).toEqual({ label: '18 more CPD credits (12 of 30 so far)', href: '/cpd' });
  expect(outlook.steps.filter((s) => s.href === '/cpd')).toHaveLength(3);
  expect(outlook.steps.filter((s) => s.href === '/credentials#knowledge-check-IECPA-CR-AAAAA-BBBBB')).toHaveLength(2);
});

test('a past year without its activity or check: it cannot be renewed, and the mail says why', () => {
  const now = FROM + 400 * DAY_MS;
  const outlook = maintenanceOutlook(input({ maintenance: { ...MAINTENANCE, years: years([]) } }), now);
  expect(outlook).toMatchObject({ kind: 'cannot-renew', on: TO });
  const mail = reminderMail(outlook, 'IECPA-CR-AAAAA-BBBBB', now, 'https://portal.example');
  expect(mail?.lines[0]).toContain('can no longer be met this period (no CPD activity in the year 4 Nov 2026');
});

test('renewed, or not current: no reminder', () => {
  const renewed = maintenanceOutlook(input({ periodStartsAt: TO, expiresAt: addMonthsUtc(TO, 36) }), FROM);
  expect(renewed).toEqual({ kind: 'renewed', from: TO, to: addMonthsUtc(TO, 36) });
  expect(reminderMail(renewed, 'n', FROM, '')).toBeNull();
  for (const status of ['suspended', 'revoked', 'inactive', 'expired', 'pending-sign-off'] as const)
    expect(maintenanceOutlook(input({ status }), FROM).kind).toBe('none');
});

test('days left round up, so a reminder sent a little after the mark names the mark', () => {
  expect(daysUntil(TO, TO - 90 * DAY_MS)).toBe(90);
  expect(daysUntil(TO, TO - 89.5 * DAY_MS)).toBe(90);
  expect(daysUntil(TO, TO + DAY_MS)).toBe(0);
});

test('the rules in words', () => {
  expect(maintenanceRuleText(RULE)).toBe(
    '30 CPD credits in the period, with at least one activity in each year, and a short knowledge check each year.',
  );
  expect(maintenanceRuleText({ cpdCredits: 0, cpdEachYear: false, knowledgeCheckExamSlug: null })).toBe(
    '0 CPD credits in the period.',
  );
  expect(membershipLapseText('suspend')).toContain('suspended until your membership is in good standing');
  expect(membershipLapseText('none')).toBe('The credential is not affected.');
  expect(categoryLabel('04-ecg-triggering-and-timing')).toBe('ECG triggering and timing');
  expect(categoryLabel('05-pleth-and-ds-ratio')).toBe('Pleth and D/S ratio');
});

test('a year that ends soon without its parts is a gap; the last year and a year with both are not', () => {
  const [y1, , y3] = cycleYears(FROM, TO);
  if (!y1 || !y3) throw new Error('three years');
  const inY1 = y1.to - 10 * DAY_MS;
  const none = input({ maintenance: { ...MAINTENANCE, years: years([]) } });
  const gap = yearEndGap(none, inY1);
  expect(gap?.year).toEqual({ from: y1.from, to: y1.to });
  expect(gap?.steps.map((s) => s.href)).toEqual(['/cpd', '/credentials#knowledge-check-IECPA-CR-AAAAA-BBBBB']);
  const mail = gap ? yearEndMail(gap, none, 'https://portal.example') : null;
  expect(mail?.subject).toBe('Your IECPA credential year ends on 4 November 2027: maintenance still needed');
  expect(mail?.lines.join('\n')).toContain('- a CPD activity this credential year: https://portal.example/cpd');
  expect(yearEndGap(none, y1.to - (YEAR_END_REMINDER_DAYS + 1) * DAY_MS)).toBeNull();
  expect(yearEndGap(input(), inY1)).toBeNull();
  expect(yearEndGap(none, y3.to - 10 * DAY_MS)).toBeNull();
  expect(yearEndGap(input({ ...none, status: 'inactive' }), inY1)).toBeNull();
});
