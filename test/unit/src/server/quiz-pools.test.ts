/**
 * The Level 1 quiz pools (issue 18): enough questions for a full draw in every module, one pass mark whose
 * stated reasoning fits the draw, every key traceable to a handbook paragraph, and figures that exist and
 * whose alt text is written for the question.
 */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { expect, test } from 'vitest';
import { moduleFrontMatter } from '#src/server/services/handbook-content.ts';
import { FIGURES } from '#src/server/services/handbook-figures.ts';
import { DEFAULT_CONTENT_DIR, readShippedDocuments } from '#src/server/services/handbook-import.ts';
import { passMarkReason, QUIZ_DRAW_SIZE } from '#src/server/services/handbook-progress.ts';

const levelOne = readShippedDocuments()
  .filter((d) => d.kind === 'module' && d.frontMatter.level === 1)
  .map((d) => moduleFrontMatter.parse(d.frontMatter));

test('every Level 1 module has a pool large enough for a full draw', () => {
  expect(levelOne).toHaveLength(7);
  const short = levelOne.filter((m) => m.quiz.length < QUIZ_DRAW_SIZE).map((m) => `${m.slug}: ${m.quiz.length}`);
  expect(short).toEqual([]);
});

test('one pass mark for Level 1, and its stated reasoning is for 8 of the 10 questions drawn', () => {
  expect(new Set(levelOne.map((m) => m.passMark))).toEqual(new Set([0.8]));
  const reason = passMarkReason(0.8, QUIZ_DRAW_SIZE);
  expect(reason).toContain('8 of the 10 questions');
  // The reasoning's chance of passing by guessing assumes four options; more options only lower it.
  const fewer = levelOne.flatMap((m) => m.quiz.filter((q) => q.options.length < 4).map((q) => `${m.slug} ${q.id}`));
  expect(fewer).toEqual([]);
});

test('every question names the paragraph that holds its key, and its explanation cites the handbook', () => {
  const problems: string[] = [];
  for (const m of levelOne) {
    for (const q of m.quiz) {
      if (!q.read?.section) problems.push(`${m.slug} ${q.id}: no read section`);
      if (!/\(handbook, [^)]+\)\.?$/.test(q.explanation))
        problems.push(`${m.slug} ${q.id}: explanation cites no section`);
    }
  }
  expect(problems).toEqual([]);
});

test('a question with a figure names a committed figure and has its own alt text, not the figure title', () => {
  const titles = new Map(FIGURES.map((f) => [f.name, f.title]));
  const withFigure = levelOne.flatMap((m) => m.quiz.filter((q) => q.figure).map((q) => ({ m, q })));
  expect(withFigure.length).toBeGreaterThanOrEqual(4);
  for (const { m, q } of withFigure) {
    const name = q.figure?.name ?? '';
    expect(existsSync(join(DEFAULT_CONTENT_DIR, 'figures', `${name}.svg`)), `${m.slug} ${q.id}`).toBe(true);
    const title = titles.get(name) ?? '';
    expect(q.figure?.alt.toLowerCase(), `${m.slug} ${q.id}`).not.toContain(title.split(':')[0]?.toLowerCase());
  }
});

const QUESTION = {
  id: 'q1',
  prompt: 'Which effect does the strip show?',
  kind: 'single',
  options: [
    { id: 'a', text: 'Augmentation' },
    { id: 'b', text: 'Unloading' },
  ],
  correct: ['a'],
  explanation: 'The wave after the notch (handbook, Physiology: diastolic augmentation).',
};
const MODULE = {
  title: 'Module',
  slug: 'm',
  level: 1,
  order: 1,
  summary: 'A module.',
  objectives: ['Read a strip.'],
  estimatedHours: 1,
  cpdCredits: 1,
  reading: [],
  passMark: 0.8,
};

test('a figure that is not one of the handbook figures, or one without alt text, is refused with a clear message', () => {
  const unknown = moduleFrontMatter.safeParse({
    ...MODULE,
    quiz: [{ ...QUESTION, figure: { name: 'my-strip', alt: 'A strip.' } }],
  });
  expect(unknown.success).toBe(false);
  expect(unknown.error?.issues[0]?.message).toContain("Use one of the handbook's figures: ideal-timing");
  const noAlt = moduleFrontMatter.safeParse({ ...MODULE, quiz: [{ ...QUESTION, figure: { name: 'ideal-timing' } }] });
  expect(noAlt.success).toBe(false);
  expect(noAlt.error?.issues[0]?.path).toEqual(['quiz', 0, 'figure', 'alt']);
  const ok = moduleFrontMatter.safeParse({
    ...MODULE,
    quiz: [{ ...QUESTION, figure: { name: 'ideal-timing', alt: 'A strip of three beats.' } }],
  });
  expect(ok.success).toBe(true);
});
