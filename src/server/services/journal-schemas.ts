/**
 * Inputs of the journal's procedures. Drafts accept partial text (the author saves as they go); the
 * completeness check (journal-submissions.ts) decides what a submission needs before it is sent. Every
 * text field is bounded; an ORCID iD must pass its checksum whenever one is given.
 */
import { z } from 'zod';
import { DECISIONS, JOURNAL_ARTICLE_TYPES, NOTICE_KINDS, RECOMMENDATIONS } from '#db/schema/journal.ts';
import { normaliseOrcid } from '#src/lib/orcid.ts';

export const idField = z.string().min(1).max(64);
const line = (max: number) => z.string().trim().max(max, `At most ${max} characters.`);
const block = (max: number) => z.string().trim().max(max, `At most ${max} characters.`);

/** Manuscript languages offered on the form; "another" is written as its BCP 47 tag. */
export const MANUSCRIPT_LANGUAGES = { en: 'English', zh: 'Chinese', ru: 'Russian' } as const;

export const languageField = z
  .string()
  .trim()
  .regex(/^[a-z]{2,3}(-[A-Za-z0-9]{2,8})*$/, 'Give the language as a code such as en, zh, ru or de.');

export const orcidField = z
  .string()
  .trim()
  .max(40)
  .transform((value, ctx) => {
    if (value === '') return '';
    const normalised = normaliseOrcid(value);
    if (!normalised) {
      ctx.addIssue({
        code: 'custom',
        message: 'This is not a valid ORCID iD (its check digit does not match). Copy it from your ORCID record.',
      });
      return z.NEVER;
    }
    return normalised;
  });

export const authorInput = z.object({
  givenNames: line(100),
  surname: line(100),
  email: z.union([z.literal(''), z.email('Give a valid email address.').max(254)]).default(''),
  orcid: orcidField.default(''),
  affiliation: line(300),
  country: z.union([z.literal(''), z.string().regex(/^[A-Z]{2}$/, 'Choose a country.')]).default(''),
  corresponding: z.boolean().default(false),
});
export type AuthorInput = z.infer<typeof authorInput>;

export const abstractInput = z.object({
  background: block(2000).default(''),
  methods: block(2000).default(''),
  results: block(2000).default(''),
  conclusions: block(2000).default(''),
});

export const declarationsInput = z.object({
  competingInterests: block(3000).default(''),
  deviceManufacturerTies: block(3000).default(''),
  funding: block(2000).default(''),
  ethicsApproval: block(2000).default(''),
  consent: block(2000).default(''),
  registration: line(200).default(''),
  dataAvailability: block(2000).default(''),
});

export const draftInput = z.object({
  submissionId: idField.optional(),
  type: z.enum(JOURNAL_ARTICLE_TYPES),
  title: line(300).default(''),
  abstract: abstractInput,
  keywords: z.array(line(60)).max(10, 'At most 10 keywords.').default([]),
  language: languageField.default('en'),
  coverLetter: block(5000).default(''),
  authors: z.array(authorInput).max(30, 'At most 30 authors.').default([]),
  declarations: declarationsInput,
});
export type DraftInput = z.infer<typeof draftInput>;

export const inviteInput = z.object({
  submissionId: idField,
  reviewerId: idField,
  dueOn: z.iso.date('Give the due date as YYYY-MM-DD.'),
  /** Required to invite someone who shares an affiliation with an author (flagged, audited). */
  acknowledgeSharedAffiliation: z.boolean().default(false),
});

export const reportInput = z.object({
  reviewId: idField,
  recommendation: z.enum(RECOMMENDATIONS),
  commentsToAuthors: z.string().trim().min(1, 'Write your comments to the authors.').max(20_000),
  commentsToEditor: z.string().trim().max(10_000).default(''),
});

export const decisionInput = z.object({
  submissionId: idField,
  decision: z.enum(DECISIONS),
  /** The editor's own words, placed in the template's letter. */
  note: z.string().trim().max(10_000).default(''),
  /** Reviews of this round whose annotated files the authors receive with the decision. */
  shareAnnotations: z.array(idField).max(20).default([]),
});

export const productionInput = z.object({
  submissionId: idField,
  bodyMarkdown: z.string().max(400_000),
  references: z.array(line(1000)).max(300),
});

export const noticeInput = z.object({
  articleId: idField,
  kind: z.enum(NOTICE_KINDS),
  text: z.string().trim().min(1, 'Write the notice.').max(5000),
});

export const searchInput = z.object({
  q: z.string().trim().max(200).default(''),
  type: z.enum(JOURNAL_ARTICLE_TYPES).optional(),
  year: z.coerce.number().int().min(1900).max(2200).optional(),
  keyword: z.string().trim().max(60).optional(),
  language: languageField.optional(),
  author: z.string().trim().max(100).optional(),
  page: z.coerce.number().int().min(1).max(10_000).default(1),
});
export type SearchInput = z.infer<typeof searchInput>;

export const translationAcceptInput = z
  .object({
    sourceArticleId: idField.optional(),
    sourceLanguage: languageField,
    originalTitle: line(500).min(1, 'Give the original title.'),
    originalAbstract: block(5000).default(''),
    originalCitation: line(1000).default(''),
    originalDoi: line(200).default(''),
    originalUrl: z.union([z.literal(''), z.url({ protocol: /^https?$/ }).max(500)]).default(''),
    rightsStatement: block(2000).min(1, 'State the rights under which the translation is published.'),
    authors: z.array(authorInput).max(30).default([]),
    translatorId: idField,
    reviewerId: idField,
  })
  .refine((v) => v.sourceLanguage !== 'en', {
    message: 'Translations are into English: the original must be in another language.',
    path: ['sourceLanguage'],
  })
  .refine((v) => v.sourceArticleId || v.authors.length > 0, {
    message: 'Name the original authors.',
    path: ['authors'],
  })
  .refine((v) => v.sourceArticleId || v.originalCitation, {
    message: 'Give the original citation of an article published elsewhere.',
    path: ['originalCitation'],
  });

export const translationTextInput = z.object({
  translationId: idField,
  title: line(300),
  abstract: abstractInput,
  keywords: z.array(line(60)).max(10).default([]),
  bodyMarkdown: z.string().max(400_000).default(''),
});

export const translationReviewInput = z.object({
  translationId: idField,
  approve: z.boolean(),
  comments: z.string().trim().max(10_000).default(''),
});

export { DECISIONS, RECOMMENDATIONS };

export const issueInput = z.object({
  volume: z.coerce
    .number('Give the volume as a number.')
    .int('Give the volume as a whole number.')
    .min(1, 'Volumes start at 1.')
    .max(9999, 'At most volume 9999.'),
  number: z.coerce
    .number('Give the number as a number.')
    .int('Give the number as a whole number.')
    .min(1, 'Numbers start at 1.')
    .max(999, 'At most number 999.'),
  year: z.coerce
    .number('Give the year as a number.')
    .int('Give the year as a whole number.')
    .min(2000, 'Give a year from 2000.')
    .max(2200, 'Give a year up to 2200.'),
  coverText: z.string().trim().max(5000, 'At most 5000 characters.').default(''),
});
export type IssueInput = z.infer<typeof issueInput>;

export const issueArticleInput = z.object({ issueId: idField, articleId: idField });

export const withdrawalReason = z
  .string()
  .trim()
  .min(1, 'Say why you withdraw the submission (the editors read it).')
  .max(2000, 'At most 2000 characters.');
