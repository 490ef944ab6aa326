/**
 * What will actually happen to a credential at the end of its period, in one place, so that the expiry
 * reminders (credential-job.ts) and the holder's page say the same and the truth: renewed already (the next
 * period is granted), renewed at the expiry (maintenance met), or expiring unless the missing parts are done
 * — each with the page that does it — or expiring whatever is done now (a past year went without a part the
 * rule requires in each year).
 */
import type { CredentialStatus } from '#db/schema/credentials.ts';
import { addMonthsUtc, type MaintenanceRule } from './credential-rules.ts';
import { DAY_MS, formatLongDate, formatShortDate } from './dates.ts';

export interface MaintenanceYear {
  from: number;
  to: number;
  cpdActivity: boolean;
  knowledgeCheck: boolean;
}

export interface OutlookInput {
  number: string;
  status: CredentialStatus;
  periodStartsAt: number | null;
  expiresAt: number | null;
  validityMonths: number;
  rule: MaintenanceRule;
  maintenance: { creditsEarned: number; creditsRequired: number; years: MaintenanceYear[]; met: boolean } | null;
}

export interface OutlookStep {
  label: string;
  /** Where it is done (a path on the portal). */
  href: string;
}

export type Outlook =
  /** Not a current credential (suspended, revoked, inactive, expired, awaiting sign-off): nothing to foresee. */
  | { kind: 'none' }
  /** Recertified: the next period is granted and begins at `from`. */
  | { kind: 'renewed'; from: number; to: number }
  /** Maintenance met: renewed at the expiry `on` for the period to `to`. */
  | { kind: 'will-renew'; on: number; to: number }
  /** Expires on `on` unless every step is done before. */
  | { kind: 'missing'; on: number; steps: OutlookStep[] }
  /** Expires on `on` whatever is done now: `why` names the past years that went without a required part. */
  | { kind: 'cannot-renew'; on: number; why: string[] };

/** The section of the holder's page with this year's knowledge check of a credential (credentials/index.astro). */
export function knowledgeCheckHref(number: string): string {
  return `/credentials#knowledge-check-${number}`;
}

export function maintenanceOutlook(input: OutlookInput, now: number): Outlook {
  const { status, periodStartsAt, expiresAt, maintenance, rule } = input;
  if (status !== 'certified' && status !== 'maintenance-due') return { kind: 'none' };
  if (periodStartsAt === null || expiresAt === null || maintenance === null) return { kind: 'none' };
  if (periodStartsAt > now) return { kind: 'renewed', from: periodStartsAt, to: expiresAt };
  if (maintenance.met) return { kind: 'will-renew', on: expiresAt, to: addMonthsUtc(expiresAt, input.validityMonths) };
  const why: string[] = [];
  const steps: OutlookStep[] = [];
  const missingCredits = Math.round((maintenance.creditsRequired - maintenance.creditsEarned) * 10) / 10;
  if (missingCredits > 0)
    steps.push({
      label: `${missingCredits} more CPD credits (${maintenance.creditsEarned} of ${maintenance.creditsRequired} so far)`,
      href: '/cpd',
    });
  for (const year of maintenance.years) {
    const span = `${formatShortDate(year.from)} – ${formatShortDate(year.to)}`;
    const past = year.to <= now;
    if (rule.cpdEachYear && !year.cpdActivity) {
      if (past) why.push(`no CPD activity in the year ${span}`);
      else steps.push({ label: `a CPD activity in the year ${span}`, href: '/cpd' });
    }
    if (rule.knowledgeCheckExamSlug && !year.knowledgeCheck) {
      if (past) why.push(`no knowledge check in the year ${span}`);
      else
        steps.push({
          label:
            year.from <= now
              ? `this credential year's knowledge check (by ${formatShortDate(year.to)})`
              : `the knowledge check of the year ${span} (it opens on ${formatShortDate(year.from)})`,
          href: knowledgeCheckHref(input.number),
        });
    }
  }
  return why.length > 0 ? { kind: 'cannot-renew', on: expiresAt, why } : { kind: 'missing', on: expiresAt, steps };
}

/** Whole days from `now` to `at`, rounded up (a reminder sent 89.5 days before says 90). */
export function daysUntil(at: number, now: number): number {
  return Math.max(0, Math.ceil((at - now) / DAY_MS));
}

/** The expiry reminder's subject and paragraphs, from the outlook at the time it is sent. */
export function reminderMail(
  outlook: Outlook,
  number: string,
  now: number,
  siteUrl: string,
): { subject: string; lines: string[] } | null {
  switch (outlook.kind) {
    case 'none':
    case 'renewed':
      return null;
    case 'will-renew':
      return {
        subject: `Your IECPA credential will be renewed on ${formatLongDate(outlook.on)}`,
        lines: [
          `You have met the maintenance requirements of ${number}, so it will be renewed on ${formatLongDate(outlook.on)} for the period to ${formatLongDate(outlook.to)}. Nothing more is needed.`,
        ],
      };
    case 'missing': {
      const days = daysUntil(outlook.on, now);
      return {
        subject: `Your IECPA credential expires in ${days} days`,
        lines: [
          `Your credential ${number} expires on ${formatLongDate(outlook.on)} unless its maintenance is completed before then. Still needed:`,
          outlook.steps.map((s) => `- ${s.label}: ${siteUrl}${s.href}`).join('\n'),
          'Once everything is met the credential is renewed from its expiry date for the next period; your progress is on your credentials page.',
        ],
      };
    }
    case 'cannot-renew': {
      const days = daysUntil(outlook.on, now);
      return {
        subject: `Your IECPA credential expires in ${days} days`,
        lines: [
          `Your credential ${number} expires on ${formatLongDate(outlook.on)}: its maintenance can no longer be met this period (${outlook.why.join('; ')}).`,
          'After the expiry, meet the requirements of the credential again to be certified anew; your number is kept.',
        ],
      };
    }
  }
}

/** Days before the end of a credential year (not the last: the expiry reminders cover it) that a year's gap is mailed. */
export const YEAR_END_REMINDER_DAYS = 60;

/**
 * The current credential year when it ends within YEAR_END_REMINDER_DAYS, is not the period's last, and
 * still lacks a part the rule requires in each year: the steps that year needs. Null otherwise.
 */
export function yearEndGap(
  input: OutlookInput,
  now: number,
): { year: { from: number; to: number }; steps: OutlookStep[] } | null {
  const { status, maintenance, rule } = input;
  if (status !== 'certified' && status !== 'maintenance-due') return null;
  if (!maintenance || maintenance.years.length < 2) return null;
  const index = maintenance.years.findIndex((y) => y.from <= now && now < y.to);
  const year = maintenance.years[index];
  if (!year || index === maintenance.years.length - 1) return null;
  if (year.to - now > YEAR_END_REMINDER_DAYS * DAY_MS) return null;
  const steps: OutlookStep[] = [];
  if (rule.cpdEachYear && !year.cpdActivity) steps.push({ label: 'a CPD activity this credential year', href: '/cpd' });
  if (rule.knowledgeCheckExamSlug && !year.knowledgeCheck)
    steps.push({ label: "this credential year's knowledge check", href: knowledgeCheckHref(input.number) });
  return steps.length > 0 ? { year: { from: year.from, to: year.to }, steps } : null;
}

/** The mail of a year's gap: what the year still needs, and that the credential cannot be renewed without it. */
export function yearEndMail(
  gap: NonNullable<ReturnType<typeof yearEndGap>>,
  input: OutlookInput,
  siteUrl: string,
): { subject: string; lines: string[] } {
  return {
    subject: `Your IECPA credential year ends on ${formatLongDate(gap.year.to)}: maintenance still needed`,
    lines: [
      `The maintenance of your credential ${input.number} asks for parts in each credential year. This year (${formatShortDate(gap.year.from)} – ${formatShortDate(gap.year.to)}) still needs:`,
      gap.steps.map((s) => `- ${s.label}: ${siteUrl}${s.href}`).join('\n'),
      input.expiresAt === null
        ? 'Without them the credential cannot be renewed at its expiry.'
        : `Without them before ${formatLongDate(gap.year.to)} the credential cannot be renewed at its expiry on ${formatLongDate(input.expiresAt)}.`,
    ],
  };
}
