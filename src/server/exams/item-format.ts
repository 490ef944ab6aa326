/**
 * The exam item and exam file formats (docs/exam-content-format.md): the schema of `content/exams/` and of
 * the bulk import/export on the item bank. One module so the importer, the API and the docs agree.
 */
import { z } from 'zod';
import { SETTINGS_LIMITS } from '#sim/index.ts';
import { FIGURE_NAMES } from '../services/handbook-figures.ts';

export const LEVEL_1_CATEGORIES = [
  '01-physiology-of-counterpulsation',
  '02-patient-selection-and-screening',
  '03-equipment-and-patient-preparation',
  '04-ecg-triggering-and-timing',
  '05-pleth-and-ds-ratio',
  '06-arrhythmias-troubleshooting-and-safety',
  '07-course-of-treatment-and-outcomes',
] as const;

/** Where the portal serves an item's figure (`content/figures/<file>.svg`): the handbook's figure route. */
export function figureUrl(src: string): string {
  return `/handbook/figures/${src.slice(src.lastIndexOf('/') + 1)}`;
}

export const ITEM_TYPES = ['single', 'multiple', 'true-false', 'matching', 'numeric', 'engine'] as const;
export type ItemType = (typeof ITEM_TYPES)[number];
export const DIFFICULTIES = ['easy', 'medium', 'hard'] as const;
export type Difficulty = (typeof DIFFICULTIES)[number];
export const ENGINE_CLASSES = ['early-inflation', 'late-inflation', 'early-deflation', 'late-deflation', 'ok'] as const;
export type EngineClass = (typeof ENGINE_CLASSES)[number];

const slug = z.string().regex(/^[a-z0-9-]+$/, 'Use lower-case letters, digits and hyphens.');
export const itemRefField = z
  .string()
  .regex(/^[a-z0-9-]{3,60}$/, 'A ref is 3-60 lower-case letters, digits and hyphens.');
const text = (max: number) => z.string().trim().min(1, 'Must not be empty.').max(max);
const choice = z
  .object({
    id: z.string().regex(/^[a-z0-9-]{1,20}$/, 'An id is 1-20 lower-case letters, digits or hyphens.'),
    text: text(1000),
  })
  .strict();
const options = z
  .array(choice)
  .min(3, 'Give 3 to 6 options.')
  .max(6, 'Give 3 to 6 options.')
  .refine((list) => new Set(list.map((o) => o.id)).size === list.length, 'Option ids must be unique.');

const common = {
  ref: itemRefField,
  category: z.enum(LEVEL_1_CATEGORIES, 'Use a Level 1 module slug.'),
  language: z.string().regex(/^[a-z]{2,3}(-[A-Za-z0-9]{2,8})*$/, 'Use a BCP 47 language tag such as "en".'),
  difficulty: z.enum(DIFFICULTIES),
  stem: text(5000),
  references: z.array(slug).min(1, 'Cite at least one handbook chapter.').max(10),
  tags: z.array(slug.max(40)).max(10).default([]),
  image: z
    .object({
      src: z
        .string()
        .regex(/^content\/figures\/[A-Za-z0-9._-]+\.svg$/, 'Use content/figures/<file>.svg.')
        .refine(
          (src) => (FIGURE_NAMES as readonly string[]).includes(src.slice('content/figures/'.length, -'.svg'.length)),
          `Use one of the handbook's figures: ${FIGURE_NAMES.map((n) => `content/figures/${n}.svg`).join(', ')}.`,
        ),
      alt: text(500),
    })
    .strict()
    .optional(),
};

function keysIn(ids: readonly string[], key: readonly string[]): boolean {
  return key.every((k) => ids.includes(k));
}

const singleItem = z
  .object({
    ...common,
    type: z.literal('single'),
    options,
    key: z.array(z.string()).length(1, 'A single-answer item has exactly one key.'),
    rationale: text(5000),
  })
  .strict()
  .refine(
    (item) =>
      keysIn(
        item.options.map((o) => o.id),
        item.key,
      ),
    { message: 'The key names an option that does not exist.', path: ['key'] },
  );

const multipleItem = z
  .object({
    ...common,
    type: z.literal('multiple'),
    options,
    key: z.array(z.string()).min(2, 'A multiple-response item keys two or more options.'),
    scoring: z.enum(['all-or-nothing', 'partial']),
    rationale: text(5000),
  })
  .strict()
  .refine(
    (item) =>
      keysIn(
        item.options.map((o) => o.id),
        item.key,
      ) && new Set(item.key).size === item.key.length,
    {
      message: 'The key must name distinct existing options.',
      path: ['key'],
    },
  );

const trueFalseItem = z
  .object({ ...common, type: z.literal('true-false'), key: z.boolean(), rationale: text(5000) })
  .strict();

const matchingItem = z
  .object({
    ...common,
    type: z.literal('matching'),
    prompts: z.array(choice).min(3).max(6),
    choices: z.array(choice).min(3).max(12),
    key: z.record(z.string(), z.string()),
    rationale: text(5000),
  })
  .strict()
  .refine((item) => item.choices.length >= item.prompts.length, {
    message: 'Give at least as many choices as prompts.',
    path: ['choices'],
  })
  .refine(
    (item) => {
      const prompts = item.prompts.map((p) => p.id);
      const choices = item.choices.map((c) => c.id);
      const entries = Object.entries(item.key);
      return entries.length === prompts.length && entries.every(([p, c]) => prompts.includes(p) && choices.includes(c));
    },
    { message: 'The key maps every prompt to an existing choice.', path: ['key'] },
  );

const numericItem = z
  .object({
    ...common,
    type: z.literal('numeric'),
    key: z.object({ value: z.number(), tolerance: z.number().min(0), unit: z.string().max(20) }).strict(),
    rationale: text(5000),
  })
  .strict();

function settingField(name: 'inflateDelayMs' | 'deflateDelayMs' | 'pressureMmHg') {
  const { min, max } = SETTINGS_LIMITS[name];
  const message = `Give a whole number from ${min} to ${max}.`;
  return z.number().int(message).min(min, message).max(max, message);
}

export const engineSpecSchema = z
  .object({
    scenario: slug,
    seed: z
      .number()
      .int()
      .min(0)
      .max(2 ** 31 - 1),
    // The engine's own limits (sim/model/settings.ts), so that no spec passes here that the engine refuses.
    settings: z
      .object({
        inflateDelayMs: settingField('inflateDelayMs'),
        deflateDelayMs: settingField('deflateDelayMs'),
        pressureMmHg: settingField('pressureMmHg'),
      })
      .strict(),
    beatIndex: z.number().int().min(1).max(500),
    ask: z.enum(['fault', 'fix']),
  })
  .strict();
export type EngineSpec = z.infer<typeof engineSpecSchema>;

const engineItem = z
  .object({
    ...common,
    type: z.literal('engine'),
    engine: engineSpecSchema,
    expect: z.enum(ENGINE_CLASSES),
    rationale: text(5000).optional(),
  })
  .strict();

export const itemSourceSchema = z.discriminatedUnion('type', [
  singleItem,
  multipleItem,
  trueFalseItem,
  matchingItem,
  numericItem,
  engineItem,
]);
export type ItemSource = z.infer<typeof itemSourceSchema>;

/**
 * An item as written on the portal: the same, except that an engine item may leave out `expect`, which the
 * engine's classification of the beat then fills in (the key is the engine's, not the author's).
 */
export const itemDraftSchema = z.discriminatedUnion('type', [
  singleItem,
  multipleItem,
  trueFalseItem,
  matchingItem,
  numericItem,
  engineItem.partial({ expect: true }),
]);
export type ItemDraft = z.infer<typeof itemDraftSchema>;

export const itemsFileSchema = z
  .object({ format: z.literal('iecpa-items/1'), items: z.array(itemSourceSchema).max(5000) })
  .strict()
  .refine((file) => new Set(file.items.map((i) => i.ref)).size === file.items.length, {
    message: 'Each ref appears once in a file.',
    path: ['items'],
  });

export const examFileSchema = z
  .object({
    format: z.literal('iecpa-exam/1'),
    slug: itemRefField,
    title: text(200),
    bank: slug,
    practice: z.boolean(),
    /** `knowledge-check`: a credential's yearly check (credential-knowledge-check.ts), not listed at /exams. */
    purpose: z.enum(['exam', 'knowledge-check']).optional(),
    timeLimitMinutes: z.number().int().min(1).max(600),
    attemptsAllowed: z.number().int().min(1).max(100).nullable().optional(),
    cooldownDays: z.number().int().min(0).max(365).optional(),
    passMark: z.discriminatedUnion('method', [
      z.object({ method: z.literal('fixed'), percent: z.number().min(0).max(100) }).strict(),
      z.object({ method: z.literal('angoff') }).strict(),
    ]),
    release: z.enum(['immediate', 'after-review']),
    eligibility: z.enum(['member-in-good-standing']),
    blueprint: z
      .array(
        z
          .object({
            category: z.enum(LEVEL_1_CATEGORIES),
            count: z.number().int().min(1).max(200),
            difficulty: z.enum(DIFFICULTIES).optional(),
          })
          .strict(),
      )
      .min(1),
  })
  .strict();
export type ExamSource = z.infer<typeof examFileSchema>;

/** The five answer options of an engine item, by what it asks. The order is the class order above. */
export const ENGINE_OPTION_TEXTS: Record<'fault' | 'fix', Record<EngineClass, string>> = {
  fault: {
    'early-inflation': 'Early inflation',
    'late-inflation': 'Late inflation',
    'early-deflation': 'Early deflation',
    'late-deflation': 'Late deflation',
    ok: 'Timing is correct',
  },
  fix: {
    'early-inflation': 'Inflate later',
    'late-inflation': 'Inflate earlier',
    'early-deflation': 'Deflate later',
    'late-deflation': 'Deflate earlier',
    ok: 'No change needed',
  },
};
