/** What applicants and admins send about membership applications: limits and zod schemas. */
import { z } from 'zod';
import { COUNTRY_CODES, PROFESSIONS, UNSAFE_LINE_CHARACTERS } from '#src/lib/schemas.ts';

export const APPLICATION_LIMITS = {
  textMax: 200,
  languagesMax: 12,
  languageMax: 40,
  yearsMax: 80,
  treatmentsMax: 1_000_000,
  messageMax: 4000,
} as const;

const text = (max: number) =>
  z
    .string()
    .trim()
    .max(max, `Use at most ${max} characters.`)
    .refine((v) => !UNSAFE_LINE_CHARACTERS.test(v), 'Remove control or text-direction characters.')
    .default('');

const wholeNumber = (max: number, what: string) =>
  z
    .preprocess(
      (v) => (v === '' || v === null || v === undefined ? 0 : typeof v === 'string' ? Number(v.trim()) : v),
      z
        .number({ error: `Enter the ${what} as a number.` })
        .int(`Enter the ${what} as a whole number.`)
        .min(0, `The ${what} cannot be negative.`)
        .max(max, `Enter at most ${max.toLocaleString('en-GB')}.`),
    )
    .default(0);

/** Languages as a list, or as the form's text ("English, Mandarin"). */
const languagesField = z.preprocess(
  (v) => (typeof v === 'string' ? v.split(/[,;\n]/) : v),
  z
    .array(
      z
        .string()
        .trim()
        .max(APPLICATION_LIMITS.languageMax, 'Write each language in at most 40 characters.')
        .refine((v) => !UNSAFE_LINE_CHARACTERS.test(v), 'Remove control or text-direction characters.'),
    )
    .transform((list) => [...new Set(list.filter((l) => l.length > 0))])
    .pipe(z.array(z.string()).max(APPLICATION_LIMITS.languagesMax, 'List at most 12 languages.')),
);

/**
 * What the applicant typed. Drafts may be incomplete (blank fields are kept blank); submitting checks
 * completeness on what was saved (submissionProblems).
 */
export const applicationDraftInput = z.object({
  categoryId: z.string({ error: 'Choose a category.' }).trim().min(1, 'Choose a category.').max(64),
  profession: z
    .union([z.literal(''), z.enum(PROFESSIONS, { error: 'Choose your profession from the list.' })])
    .default(''),
  licenceNumber: text(APPLICATION_LIMITS.textMax),
  licenceIssuer: text(APPLICATION_LIMITS.textMax),
  institution: text(APPLICATION_LIMITS.textMax),
  country: z
    .union([
      z.literal(''),
      z.enum(COUNTRY_CODES as [string, ...string[]], { error: 'Choose a country from the list.' }),
    ])
    .default(''),
  yearsEcpPractice: wholeNumber(APPLICATION_LIMITS.yearsMax, 'years of ECP practice'),
  treatmentsSupervised: wholeNumber(APPLICATION_LIMITS.treatmentsMax, 'number of treatments'),
  languages: languagesField.default([]),
  acceptEthics: z.boolean().default(false),
});
export type ApplicationDraftInput = z.input<typeof applicationDraftInput>;
export type ApplicationDraft = z.output<typeof applicationDraftInput>;

const message = (what: string) =>
  z
    .string({ error: `Write ${what}.` })
    .trim()
    .min(1, `Write ${what}.`)
    .max(APPLICATION_LIMITS.messageMax, `Use at most ${APPLICATION_LIMITS.messageMax} characters.`);

export const replyInput = z.object({ message: message('a reply to the reviewers') });
export const decisionInput = z.object({
  applicationId: z.string().min(1).max(64),
  message: z.string().trim().max(APPLICATION_LIMITS.messageMax).default(''),
});
export const rejectInput = z.object({
  applicationId: z.string().min(1).max(64),
  reason: message('the reason for the rejection (the applicant reads it)'),
});
export const requestInfoInput = z.object({
  applicationId: z.string().min(1).max(64),
  message: message('what the applicant should add or change'),
});
