/**
 * The shape of handbook chapters and curriculum modules: front matter schemas, and the conversion between
 * a document's source text (YAML front matter between `---` lines, then Markdown) and its parts.
 */
import { parse as parseYaml, stringify as stringifyYaml } from 'yaml';
import { z } from 'zod';
import type { DocumentKind } from '#db/schema/index.ts';
import { DEFAULT_RUBRIC } from '#sim/metrics/score.ts';
import { FIGURE_NAMES } from './handbook-figures.ts';

const slugField = z
  .string()
  .min(1)
  .max(120)
  .regex(/^[a-z0-9]+(?:-[a-z0-9]+)*$/, 'Use lower-case letters, digits and single hyphens.');
const shortText = z.string().trim().min(1).max(300);
const longText = z.string().trim().min(1).max(2000);

export const chapterFrontMatter = z.object({
  title: shortText,
  slug: slugField,
  part: shortText,
  partOrder: z.number().int().min(0).max(1000),
  order: z.number().int().min(0).max(1000),
  summary: longText,
});
export type ChapterFrontMatter = z.infer<typeof chapterFrontMatter>;

const quizOption = z.object({ id: z.string().min(1).max(20), text: shortText });
const quizQuestion = z
  .object({
    id: z.string().min(1).max(20),
    prompt: longText,
    kind: z.enum(['single', 'multiple']),
    options: z.array(quizOption).min(2).max(10),
    correct: z.array(z.string()).min(1),
    explanation: longText,
    /**
     * The paragraph that holds the key: a member who gets the question wrong is sent there (the key itself
     * is never sent). Defaults to the module's first reading.
     */
    read: z.object({ chapter: slugField, section: z.string().min(1).max(200).optional() }).optional(),
    /**
     * A waveform figure drawn by the engine (content/figures/<name>.svg), shown with the question. The alt
     * text is written for the question, because a figure's own title may name the answer.
     */
    figure: z
      .object({
        name: z.enum(FIGURE_NAMES, { error: `Use one of the handbook's figures: ${FIGURE_NAMES.join(', ')}.` }),
        alt: longText,
      })
      .strict()
      .optional(),
  })
  .superRefine((q, ctx) => {
    const ids = q.options.map((o) => o.id);
    if (new Set(ids).size !== ids.length)
      ctx.addIssue({ code: 'custom', message: `Question ${q.id} repeats an option id.` });
    for (const c of q.correct) {
      if (!ids.includes(c))
        ctx.addIssue({ code: 'custom', message: `Question ${q.id}: correct answer "${c}" is not an option.` });
    }
    if (q.kind === 'single' && q.correct.length !== 1) {
      ctx.addIssue({
        code: 'custom',
        message: `Question ${q.id} is single choice and needs exactly one correct answer.`,
      });
    }
  });
export type QuizQuestion = z.infer<typeof quizQuestion>;

/**
 * The simulator score (0-100) a practice session must reach for a module's exercise when its front matter
 * names none: the pass mark of the default rubric the server scores practice sessions with.
 */
export const DEFAULT_EXERCISE_MIN_SCORE = DEFAULT_RUBRIC.passMark;

const simulatorExercise = z.object({
  /** A scenario preset id (content/scenarios/<id>.json). */
  scenario: slugField,
  /** What the member is asked to do, in words. */
  target: longText,
  /** The median peak D/S ratio of the session's assisted beats must reach this. */
  minDsRatio: z.number().min(0).max(5),
  /**
   * When set, the session must also hold the ratio this long: consecutive beats with a peak D/S of at least
   * minDsRatio and correct inflation and deflation timing (beats the device declines, such as premature
   * ones, neither break nor extend the hold).
   */
  holdSeconds: z.number().int().min(1).max(600).optional(),
  /** The session's score (0-100, default rubric) must reach this. */
  minScore: z.number().min(0).max(100).optional(),
  /**
   * Pressure titration the session's control log must show (sim/metrics/titration.ts); each field is
   * checked only when given.
   */
  pressure: z
    .object({
      /** The first pressure applied may not exceed this, mmHg. */
      startMaxMmHg: z.number().min(1).max(300).optional(),
      /** The setpoint must reach at least this, mmHg. */
      targetMmHg: z.number().min(0).max(300).optional(),
      /** The largest single step up, mmHg. */
      maxStepMmHg: z.number().min(1).max(300).optional(),
      /** Correctly timed assisted beats needed at a pressure before the next step up. */
      checkedBeatsBeforeStep: z.number().int().min(0).max(100).optional(),
    })
    .strict()
    .optional(),
});
export type SimulatorExercise = z.infer<typeof simulatorExercise>;

export const moduleFrontMatter = z
  .object({
    title: shortText,
    slug: slugField,
    level: z.number().int().min(1).max(9),
    order: z.number().int().min(0).max(1000),
    summary: longText,
    objectives: z.array(shortText).min(1).max(20),
    estimatedHours: z.number().positive().max(200),
    cpdCredits: z.number().min(0).max(100),
    reading: z.array(z.object({ chapter: slugField, section: z.string().min(1).max(200).optional() })).max(30),
    simulatorExercise: simulatorExercise.optional(),
    passMark: z.number().min(0).max(1),
    quiz: z.array(quizQuestion).max(50),
  })
  .superRefine((m, ctx) => {
    const ids = m.quiz.map((q) => q.id);
    if (new Set(ids).size !== ids.length) ctx.addIssue({ code: 'custom', message: 'Two quiz questions share an id.' });
  });
export type ModuleFrontMatter = z.infer<typeof moduleFrontMatter>;

export type FrontMatter = ChapterFrontMatter | ModuleFrontMatter;

export interface ParsedSource {
  frontMatter: Record<string, unknown>;
  body: string;
}

export type SourceParseResult = { ok: true; value: ParsedSource } | { ok: false; message: string };

/** Splits `---\n<yaml>\n---\n<markdown>` into its parts; the YAML must be a mapping. */
export function splitSource(source: string): SourceParseResult {
  const text = source.replace(/\r\n?/g, '\n');
  const match = /^---\n([\s\S]*?)\n---(?:\n([\s\S]*))?$/.exec(text);
  if (!match) {
    return {
      ok: false,
      message: 'The text must start with front matter: a line "---", YAML fields, then a line "---".',
    };
  }
  let data: unknown;
  try {
    data = parseYaml(match[1] ?? '');
  } catch (error) {
    return { ok: false, message: `The front matter is not valid YAML: ${(error as Error).message.split('\n')[0]}` };
  }
  if (!data || typeof data !== 'object' || Array.isArray(data)) {
    return { ok: false, message: 'The front matter must be a list of "field: value" lines.' };
  }
  return {
    ok: true,
    value: { frontMatter: data as Record<string, unknown>, body: (match[2] ?? '').replace(/^\n+/, '') },
  };
}

/** The source text an educator edits: front matter as YAML, a blank line, then the body. */
export function joinSource(frontMatter: Record<string, unknown>, body: string): string {
  return `---\n${stringifyYaml(frontMatter, { lineWidth: 0 }).trimEnd()}\n---\n\n${body}`;
}

export type FrontMatterResult<T> = { ok: true; value: T } | { ok: false; messages: string[] };

function validate<T>(schema: z.ZodType<T>, data: unknown): FrontMatterResult<T> {
  const parsed = schema.safeParse(data);
  if (parsed.success) return { ok: true, value: parsed.data };
  return {
    ok: false,
    messages: parsed.error.issues.map((i) => (i.path.length > 0 ? `${i.path.join('.')}: ${i.message}` : i.message)),
  };
}

export function validateFrontMatter(kind: 'chapter', data: unknown): FrontMatterResult<ChapterFrontMatter>;
export function validateFrontMatter(kind: 'module', data: unknown): FrontMatterResult<ModuleFrontMatter>;
export function validateFrontMatter(kind: DocumentKind, data: unknown): FrontMatterResult<FrontMatter>;
export function validateFrontMatter(kind: DocumentKind, data: unknown): FrontMatterResult<FrontMatter> {
  return kind === 'chapter' ? validate(chapterFrontMatter, data) : validate(moduleFrontMatter, data);
}
