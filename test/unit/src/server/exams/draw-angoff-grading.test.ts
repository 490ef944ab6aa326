import { describe, expect, test } from 'vitest';
import { angoffCut } from '#src/server/exams/angoff.ts';
import { type DrawableItem, drawItems } from '#src/server/exams/draw.ts';
import { answerError, type GradableItem, scoreAnswer } from '#src/server/exams/grading.ts';

function pool(): DrawableItem[] {
  const items: DrawableItem[] = [];
  for (const category of ['a', 'b', 'c']) {
    for (let i = 0; i < 10; i++) {
      items.push({
        id: `${category}-${String(i).padStart(2, '0')}`,
        category,
        difficulty: i % 2 === 0 ? 'easy' : 'hard',
        status: 'live',
      });
    }
  }
  items.push({ id: 'a-retired', category: 'a', difficulty: 'easy', status: 'retired' });
  items.push({ id: 'a-draft', category: 'a', difficulty: 'easy', status: 'draft' });
  return items;
}
const BLUEPRINT = [
  { category: 'a', count: 4 },
  { category: 'b', count: 3, difficulty: 'hard' as const },
  { category: 'c', count: 2 },
];

describe('drawItems', () => {
  test('gives the same draw for the same seed, whatever the pool order', () => {
    const first = drawItems(pool(), BLUEPRINT, 42);
    const second = drawItems(pool().reverse(), BLUEPRINT, 42);
    expect(first).toEqual(second);
  });

  test('gives different draws for different seeds', () => {
    const draws = new Set([1, 2, 3, 4, 5].map((seed) => JSON.stringify(drawItems(pool(), BLUEPRINT, seed))));
    expect(draws.size).toBeGreaterThan(1);
  });

  test('satisfies the blueprint and never draws a retired or draft item', () => {
    for (let seed = 0; seed < 200; seed++) {
      const result = drawItems(pool(), BLUEPRINT, seed);
      if (!result.ok) throw new Error('draw failed');
      const byId = new Map(pool().map((item) => [item.id, item]));
      const drawn = result.itemIds.map((id) => byId.get(id) as DrawableItem);
      expect(new Set(result.itemIds).size).toBe(9);
      expect(drawn.filter((i) => i.category === 'a')).toHaveLength(4);
      expect(drawn.filter((i) => i.category === 'b' && i.difficulty === 'hard')).toHaveLength(3);
      expect(drawn.filter((i) => i.category === 'c')).toHaveLength(2);
      expect(drawn.every((i) => i.status === 'live')).toBe(true);
    }
  });

  test('reports every row the bank cannot fill', () => {
    const result = drawItems(
      pool(),
      [
        { category: 'a', count: 11 },
        { category: 'd', count: 1 },
      ],
      1,
    );
    expect(result).toEqual({
      ok: false,
      shortfalls: [
        { category: 'a', difficulty: null, needed: 11, available: 10 },
        { category: 'd', difficulty: null, needed: 1, available: 0 },
      ],
    });
  });
});

describe('angoffCut', () => {
  test('is the mean expected score of the minimally competent candidate', () => {
    // Item means: q1 (0.6 + 0.8) / 2 = 0.7, q2 (0.5 + 0.7) / 2 = 0.6, q3 (0.9 + 0.9) / 2 = 0.9, q4 0.4;
    // cut score 0.7 + 0.6 + 0.9 + 0.4 = 2.6 of 4 = 65 %.
    const ratings = [
      ['x', 'q1', 0.6],
      ['y', 'q1', 0.8],
      ['x', 'q2', 0.5],
      ['y', 'q2', 0.7],
      ['x', 'q3', 0.9],
      ['y', 'q3', 0.9],
      ['x', 'q4', 0.4],
    ].map(([raterId, itemId, probability]) => ({
      raterId: raterId as string,
      itemId: itemId as string,
      probability: probability as number,
    }));
    const result = angoffCut(['q1', 'q2', 'q3', 'q4'], ratings);
    if (!result.ok) throw new Error(result.message);
    expect(result.cut.cutScore).toBeCloseTo(2.6, 10);
    expect(result.cut.cutPercent).toBeCloseTo(65, 10);
    expect(result.cut.raters).toBe(2);
  });

  test('refuses while an item is unrated or a rating is out of range', () => {
    expect(angoffCut(['q1', 'q2'], [{ raterId: 'x', itemId: 'q1', probability: 0.5 }])).toMatchObject({
      ok: false,
      message: /1 item\(s\) have no rating/,
    });
    expect(angoffCut(['q1'], [{ raterId: 'x', itemId: 'q1', probability: 1.5 }])).toMatchObject({ ok: false });
  });
});

const options = ['a', 'b', 'c', 'd', 'e'].map((id) => ({ id, text: id }));

describe('scoreAnswer', () => {
  test('scores single-answer and engine items', () => {
    const item: GradableItem = { type: 'single', options, key: ['b'] };
    expect(scoreAnswer(item, { choices: ['b'] })).toBe(1);
    expect(scoreAnswer(item, { choices: ['a'] })).toBe(0);
    expect(scoreAnswer(item, null)).toBe(0);
    expect(scoreAnswer({ type: 'engine', options, key: ['e'] }, { choices: ['e'] })).toBe(1);
  });

  test('scores multiple response all-or-nothing and partial', () => {
    const all: GradableItem = { type: 'multiple', options, key: ['a', 'c'], scoring: 'all-or-nothing' };
    expect(scoreAnswer(all, { choices: ['c', 'a'] })).toBe(1);
    expect(scoreAnswer(all, { choices: ['a'] })).toBe(0);
    const partial: GradableItem = { type: 'multiple', options, key: ['a', 'b', 'c'], scoring: 'partial' };
    expect(scoreAnswer(partial, { choices: ['a', 'b', 'c'] })).toBe(1);
    expect(scoreAnswer(partial, { choices: ['a', 'b'] })).toBeCloseTo(2 / 3, 10);
    expect(scoreAnswer(partial, { choices: ['a', 'b', 'd'] })).toBeCloseTo(1 / 3, 10);
    expect(scoreAnswer(partial, { choices: ['a', 'd', 'e'] })).toBe(0);
  });

  test('scores true/false, matching and numeric with its tolerance', () => {
    expect(scoreAnswer({ type: 'true-false', key: false }, { truth: false })).toBe(1);
    expect(scoreAnswer({ type: 'true-false', key: false }, { truth: true })).toBe(0);
    const matching: GradableItem = {
      type: 'matching',
      prompts: options.slice(0, 4),
      choices: options,
      key: { a: 'b', b: 'c', c: 'd', d: 'a' },
    };
    expect(scoreAnswer(matching, { matches: { a: 'b', b: 'c', c: 'a' } })).toBe(0.5);
    const numeric: GradableItem = { type: 'numeric', key: { value: 332, tolerance: 15, unit: 'ms' } };
    expect(scoreAnswer(numeric, { value: 347 })).toBe(1);
    expect(scoreAnswer(numeric, { value: 317 })).toBe(1);
    expect(scoreAnswer(numeric, { value: 347.5 })).toBe(0);
  });

  test('names the unknown option of an answer that does not fit', () => {
    const item: GradableItem = { type: 'single', options, key: ['b'] };
    expect(answerError(item, { choices: ['z'] })).toMatch(/no option "z"/);
    expect(answerError(item, { choices: ['a', 'b'] })).toMatch(/Choose one option/);
    expect(answerError(item, { truth: true })).toMatch(/listed options/);
    expect(scoreAnswer(item, { choices: ['z'] })).toBe(0);
  });
});
