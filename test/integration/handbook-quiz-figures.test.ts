import { beforeAll, expect, test } from 'vitest';
import { getPublished } from '#src/server/services/handbook.ts';
import { importFirstEdition } from '#src/server/services/handbook-import.ts';
import { QUIZ_DRAW_SIZE } from '#src/server/services/handbook-progress.ts';
import { useTestDb } from '#test/helpers/db.ts';
import { callerFor, makeUser } from '#test/helpers/factories.ts';

const handle = useTestDb();
const MODULE = 'l1-physiology-of-counterpulsation';

beforeAll(async () => {
  await importFirstEdition(handle.db);
});

test("a drawn question shows its engine-drawn figure with the question's own alt text; the others show none", async () => {
  const mod = await getPublished(handle.db, 'module', MODULE);
  if (!mod) throw new Error('module missing');
  const pool = mod.frontMatter.quiz;
  const figureOf = new Map(pool.map((q) => [q.id, q.figure ?? null]));
  // Only pool - draw questions are left out of a draw, so with more figure questions than that one is always drawn.
  expect(pool.filter((q) => q.figure).length).toBeGreaterThan(pool.length - QUIZ_DRAW_SIZE);

  const member = await makeUser(handle.db, { roles: ['member'] });
  const { caller } = await callerFor(handle.db, member);
  const draw = await caller.handbook.drawQuiz({ module: MODULE });
  expect(draw.questions).toHaveLength(QUIZ_DRAW_SIZE);
  expect(draw.questions.some((q) => q.figure !== null)).toBe(true);
  for (const q of draw.questions) {
    const figure = figureOf.get(q.id);
    expect(q.figure).toEqual(figure ? { src: `/handbook/figures/${figure.name}.svg`, alt: figure.alt } : null);
  }
});
