/**
 * The rules of a credential definition, as stored in a version (requirements, maintenance, validity), and
 * the pure parts of the lifecycle: periods, cycle years and which status the dates give. The database side
 * is src/server/services/credentials.ts.
 */
import { z } from 'zod';
import type { CredentialStatus, ReasonClass } from '#db/schema/credentials.ts';
import { DAY_MS } from './dates.ts';

export const SLUG_PATTERN = /^[a-z0-9]+(?:-[a-z0-9]+)*$/;

/** What a member must have to be awarded the credential (each part optional per definition). */
export const requirementsSchema = z.object({
  /** Membership in good standing (active or grace). */
  membership: z.boolean(),
  /** Every module of this curriculum level completed; null: not required. */
  curriculumLevel: z.number().int().min(1).max(9).nullable(),
  /** A passed attempt at this (non-practice) theory exam; null: not required. */
  theoryExamSlug: z
    .string()
    .regex(SLUG_PATTERN, 'An exam slug is lower-case words joined by hyphens.')
    .max(80)
    .nullable(),
  /** A passed simulator assessment. */
  simulatorAssessment: z.boolean(),
  /** The current code of ethics accepted. */
  ethics: z.boolean(),
});
export type Requirements = z.infer<typeof requirementsSchema>;

/**
 * What keeps it: CPD credits per cycle, an approved activity in each year of the cycle, and a yearly
 * knowledge check (a submitted attempt at a practice exam; it cannot be failed, it prescribes reading for
 * weak categories, after ARRT's structured self-assessment).
 */
export const maintenanceSchema = z.object({
  cpdCredits: z.number().min(0).max(1000),
  cpdEachYear: z.boolean(),
  knowledgeCheckExamSlug: z
    .string()
    .regex(SLUG_PATTERN, 'An exam slug is lower-case words joined by hyphens.')
    .max(80)
    .nullable(),
});
export type MaintenanceRule = z.infer<typeof maintenanceSchema>;

/** A definition version as an admin writes it. */
export const definitionInputSchema = z.object({
  title: z
    .string()
    .trim()
    .min(3, 'A title needs at least 3 characters.')
    .max(160, 'A title is at most 160 characters.'),
  description: z.string().trim().max(2000, 'A description is at most 2000 characters.'),
  requirements: requirementsSchema,
  maintenance: maintenanceSchema,
  validityMonths: z.number().int().min(1, 'Validity is at least 1 month.').max(120, 'Validity is at most 120 months.'),
  membershipLapse: z.enum(['suspend', 'none']),
  requiresSignOff: z.boolean(),
});
export type DefinitionInput = z.infer<typeof definitionInputSchema>;

/**
 * A category of a knowledge check is weak, and its reading prescribed, below this share of its items right
 * (ARRT's self-assessment likewise names the areas to study rather than a pass or fail).
 */
export const WEAK_CATEGORY_SHARE = 0.6;

/** A category (or chapter) slug in words: "04-ecg-triggering-and-timing" → "ECG triggering and timing". */
export function categoryLabel(slug: string): string {
  const words = slug.replace(/^\d+-/, '').replace(/-/g, ' ');
  return (words.charAt(0).toUpperCase() + words.slice(1)).replace(/\becg\b/gi, 'ECG').replace(/\bds\b/gi, 'D/S');
}

/** What a lapse of membership does to a credential, as the holder (and a future holder) is told. */
export function membershipLapseText(lapse: 'suspend' | 'none'): string {
  return lapse === 'suspend'
    ? 'The credential is suspended until your membership is in good standing again.'
    : 'The credential is not affected.';
}

/** A maintenance rule in words: "30 CPD credits in the period, with …". */
export function maintenanceRuleText(rule: MaintenanceRule): string {
  const parts = [`${rule.cpdCredits} CPD credits in the period`];
  if (rule.cpdEachYear) parts.push('with at least one activity in each year');
  if (rule.knowledgeCheckExamSlug) parts.push('and a short knowledge check each year');
  return `${parts.join(', ')}.`;
}

/** Maintenance due is shown (and reminders start) this long before the expiry. */
export const MAINTENANCE_DUE_DAYS = 90;

/** The same instant `months` calendar months later (UTC), the day clamped to the month's length. */
export function addMonthsUtc(atMs: number, months: number): number {
  const d = new Date(atMs);
  const total = d.getUTCMonth() + months;
  const year = d.getUTCFullYear() + Math.floor(total / 12);
  const month = ((total % 12) + 12) % 12;
  const lastDay = new Date(Date.UTC(year, month + 1, 0)).getUTCDate();
  return Date.UTC(
    year,
    month,
    Math.min(d.getUTCDate(), lastDay),
    d.getUTCHours(),
    d.getUTCMinutes(),
    d.getUTCSeconds(),
    d.getUTCMilliseconds(),
  );
}

/** The years of a cycle [start, expiry): each [from, to), the last one ending at the expiry. */
export function cycleYears(periodStartsAt: number, expiresAt: number): { from: number; to: number }[] {
  const years: { from: number; to: number }[] = [];
  let from = periodStartsAt;
  while (from < expiresAt) {
    const to = Math.min(addMonthsUtc(from, 12), expiresAt);
    years.push({ from, to });
    from = to;
  }
  return years;
}

/** The status a credential in good order has at `now`, from its dates and whether maintenance is met. */
export function statusFromDates(
  expiresAt: number | null,
  now: number,
  maintenanceMet: boolean,
): Extract<CredentialStatus, 'certified' | 'maintenance-due' | 'expired'> {
  if (expiresAt === null) return 'certified';
  if (now >= expiresAt) return 'expired';
  if (!maintenanceMet && expiresAt - now <= MAINTENANCE_DUE_DAYS * DAY_MS) return 'maintenance-due';
  return 'certified';
}

/** The status in words, as the registry and the holder's page show it. */
export const STATUS_LABELS: Record<CredentialStatus, string> = {
  'pending-sign-off': 'Awaiting sign-off',
  certified: 'Certified',
  'maintenance-due': 'Certified — maintenance due',
  expired: 'Expired',
  suspended: 'Suspended',
  revoked: 'Revoked',
  inactive: 'Inactive',
};

/** The public class of a reason, in words (never the reason's text). */
export const REASON_CLASS_LABELS: Record<ReasonClass, string> = {
  membership: 'membership not in good standing',
  maintenance: 'maintenance requirements not met',
  conduct: 'professional conduct',
  administrative: 'administrative',
  'holder-request': "at the holder's request",
  examination: 'examination irregularity',
};

/** Whether the registry counts the holder as certified now. */
export function isCurrentlyCertified(status: CredentialStatus): boolean {
  return status === 'certified' || status === 'maintenance-due';
}
