import { expect, test } from 'vitest';
import { DAY_MS } from '#src/lib/dates.ts';
import {
  addOneCalendarYear,
  checkRenewal,
  GRACE_PERIOD_DAYS,
  isInGoodStanding,
  periodExpiry,
  RENEWAL_WINDOW_DAYS,
  statusForPeriod,
  subtractOneCalendarYear,
} from '#src/lib/membership-rules.ts';

test('one calendar year later keeps the day and turns 29 February into 28 February', () => {
  expect(new Date(addOneCalendarYear(Date.UTC(2026, 2, 15, 10))).toISOString()).toBe('2027-03-15T10:00:00.000Z');
  expect(new Date(addOneCalendarYear(Date.UTC(2028, 1, 29))).toISOString()).toBe('2029-02-28T00:00:00.000Z');
});

test('the period decides active, grace or lapsed', () => {
  const expiry = Date.UTC(2027, 0, 1);
  expect(statusForPeriod(expiry, expiry - 1)).toBe('active');
  expect(statusForPeriod(expiry, expiry)).toBe('grace');
  expect(statusForPeriod(expiry, expiry + 29 * DAY_MS)).toBe('grace');
  expect(statusForPeriod(expiry, expiry + 30 * DAY_MS)).toBe('lapsed');
  expect(statusForPeriod(null, expiry + 1e12)).toBe('active');
});

test('29 February: a period started on it ends on 28 February; one ending before it keeps its day', () => {
  expect(new Date(addOneCalendarYear(Date.UTC(2024, 1, 29, 23, 59, 59, 999))).toISOString()).toBe(
    '2025-02-28T23:59:59.999Z',
  );
  // From 28 February of the year before a leap year, the next year's 28 February (not the 29th).
  expect(new Date(addOneCalendarYear(Date.UTC(2027, 1, 28))).toISOString()).toBe('2028-02-28T00:00:00.000Z');
  expect(new Date(addOneCalendarYear(Date.UTC(2027, 11, 31, 12))).toISOString()).toBe('2028-12-31T12:00:00.000Z');
});

test('annual terms end a calendar year later; lifetime terms never end', () => {
  const start = Date.UTC(2026, 6, 1);
  expect(periodExpiry('annual', start)).toBe(Date.UTC(2027, 6, 1));
  expect(periodExpiry('lifetime', start)).toBeNull();
});

test('grace lasts exactly GRACE_PERIOD_DAYS after the expiry; only active and grace are in good standing', () => {
  const expiry = Date.UTC(2026, 11, 31);
  expect(statusForPeriod(expiry, expiry + GRACE_PERIOD_DAYS * DAY_MS - 1)).toBe('grace');
  expect(statusForPeriod(expiry, expiry + GRACE_PERIOD_DAYS * DAY_MS)).toBe('lapsed');
  expect(['active', 'grace'].map((s) => isInGoodStanding(s as 'active'))).toEqual([true, true]);
  for (const status of ['pending', 'lapsed', 'suspended', 'resigned', null, undefined] as const) {
    expect(isInGoodStanding(status)).toBe(false);
  }
  expect(RENEWAL_WINDOW_DAYS).toBeGreaterThan(0);
});

test('renewal opens 60 days before the expiry and extends from the expiry, also in grace; after a lapse from today', () => {
  const expiry = Date.UTC(2030, 5, 30, 12);
  const active = { status: 'active' as const, term: 'annual' as const, expiresAt: expiry };
  expect(checkRenewal(active, expiry - 60 * DAY_MS - 1)).toEqual({ allowed: false, reason: 'too-early' });
  expect(checkRenewal(active, expiry - 60 * DAY_MS)).toEqual({
    allowed: true,
    newPeriodStartsAt: expiry,
    newExpiresAt: Date.UTC(2031, 5, 30, 12),
  });
  const today = expiry + 3 * DAY_MS;
  // Still in good standing (grace, or active before the hourly job has moved it): no gap, no free days.
  for (const status of ['grace', 'active'] as const) {
    expect(checkRenewal({ ...active, status }, today)).toEqual({
      allowed: true,
      newPeriodStartsAt: expiry,
      newExpiresAt: Date.UTC(2031, 5, 30, 12),
    });
  }
  expect(checkRenewal({ ...active, status: 'lapsed' }, today)).toEqual({
    allowed: true,
    newPeriodStartsAt: today,
    newExpiresAt: addOneCalendarYear(today),
  });
  for (const status of ['pending', 'suspended', 'resigned'] as const) {
    expect(checkRenewal({ ...active, status }, today)).toEqual({ allowed: false, reason: status });
  }
  expect(checkRenewal({ status: 'active', term: 'lifetime', expiresAt: null }, today)).toEqual({
    allowed: false,
    reason: 'lifetime',
  });
  expect(checkRenewal(null, today)).toEqual({ allowed: false, reason: 'no-membership' });
});

test('a calendar year back by the same rule: 29 February becomes 28 February', () => {
  expect(new Date(subtractOneCalendarYear(Date.UTC(2028, 1, 29, 8))).toISOString()).toBe('2027-02-28T08:00:00.000Z');
  expect(new Date(subtractOneCalendarYear(Date.UTC(2027, 2, 1))).toISOString()).toBe('2026-03-01T00:00:00.000Z');
  const start = Date.UTC(2026, 4, 17, 9, 30);
  expect(subtractOneCalendarYear(addOneCalendarYear(start))).toBe(start);
});
