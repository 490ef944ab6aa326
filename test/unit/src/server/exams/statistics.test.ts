import { describe, expect, test } from 'vitest';
import { computeExamStatistics, type ItemResponsesDef } from '#src/server/exams/statistics.ts';

/**
 * Hand-worked dataset: 10 candidates (rows) x 8 dichotomous items (columns).
 *
 *          i0 i1 i2 i3 i4 i5 i6 i7 | total
 *   c0      1  1  1  1  1  1  0  1 |  7
 *   c1      1  1  1  1  1  0  0  1 |  6
 *   c2      1  1  1  1  0  1  0  1 |  6
 *   c3      1  1  1  0  1  0  0  1 |  5
 *   c4      1  1  0  1  0  1  0  1 |  5
 *   c5      1  0  1  0  1  0  1  1 |  5
 *   c6      1  1  0  0  0  1  0  1 |  4
 *   c7      1  0  0  1  0  0  0  1 |  3
 *   c8      0  1  0  0  0  0  1  1 |  3
 *   c9      1  0  0  0  0  0  0  1 |  2
 *
 * Test: sum of totals 46, mean 4.6; sorted 2 3 3 4 5 5 5 6 6 7, median (5 + 5) / 2 = 5.
 * Squared deviations from 4.6: 5.76 + 1.96 + 1.96 + 0.16 * 3 + 0.36 + 2.56 * 2 + 6.76 = 22.4;
 * var = 22.4 / 9 = 2.48889, SD = 1.57762.
 * Item variances p(1-p) n/(n-1), with p = 0.9 0.7 0.5 0.5 0.4 0.4 0.2 1.0:
 *   0.9 0.1 10/9 = 0.1, 0.23333, 0.27778, 0.27778, 0.26667, 0.26667, 0.17778, 0 -> sum 1.6.
 * KR-20 = 8/7 (1 - 1.6 / 2.48889) = 8/7 x 0.357143 = 0.408163; SEM = 1.57762 sqrt(0.591837) = 1.21368.
 *
 * Item i2: x = 1 for c0-c3 and c5; rest = total - x = 6 5 5 4 5 4 4 3 3 2 (mean 4.1).
 *   sum (x - 0.5)(rest - 4.1) = 0.5 (24 - 20.5) - 0.5 (17 - 20.5) = 3.5; sum (x - 0.5)^2 = 2.5;
 *   sum (rest - 4.1)^2 = 12.9; r = 3.5 / sqrt(2.5 x 12.9) = 3.5 / 5.67891 = 0.616316.
 *   C_max pairs the five 1s with the five largest rests (6 5 5 5 4 = 25, the rest 16):
 *   0.5 (25 - 20.5) + 0.5 (20.5 - 16) = 4.5, so DE = 3.5 / 4.5 = 0.777778.
 * Item i6: x = 1 for c5 (rest 4) and c8 (rest 2), rest mean 4.4; sum (x - 0.2)(rest - 4.4) =
 *   0.8 (-0.4) + 0.8 (-2.4) - 0.2 (sum over the other eight of (rest - 4.4)) = -2.24 - 0.2 (35 - 35.2) = -2.2;
 *   sum (x - 0.2)^2 = 1.6; sum (rest - 4.4)^2 = 16.4; r = -2.2 / sqrt(1.6 x 16.4) = -0.430820.
 * Other items, the same way (checked with Python's statistics.correlation / covariance):
 *   D  = 0.164581 0.285362 - 0.230769 0.359546 0.184637 - -
 *   DE = 0.259259 0.361702 - 0.272727 0.423077 0.230769 - -
 * Item i3 is a four-option item keyed a; choices: a a a c a c b a b b.
 *   Option c (chosen by c3 and c5, totals 5 and 5, above the mean): y = 1 1 at totals 5 5;
 *   sum (y - 0.2)(total - 4.6) = 0.8 (0.4 + 0.4) - 0.2 (46 - 10 - 8 x 4.6) = 0.64 + 0.16 = 0.8;
 *   sum (y - 0.2)^2 = 1.6; r = 0.8 / sqrt(1.6 x 22.4) = 0.133631 > 0: a distractor that attracts the able.
 *   Option b (c6, c8, c9: totals 4 3 2): r = -0.699854; option a: 0.534522; option d: nobody, undefined.
 */
const MATRIX = [
  [1, 1, 1, 1, 1, 1, 0, 1],
  [1, 1, 1, 1, 1, 0, 0, 1],
  [1, 1, 1, 1, 0, 1, 0, 1],
  [1, 1, 1, 0, 1, 0, 0, 1],
  [1, 1, 0, 1, 0, 1, 0, 1],
  [1, 0, 1, 0, 1, 0, 1, 1],
  [1, 1, 0, 0, 0, 1, 0, 1],
  [1, 0, 0, 1, 0, 0, 0, 1],
  [0, 1, 0, 0, 0, 0, 1, 1],
  [1, 0, 0, 0, 0, 0, 0, 1],
];
const I3_CHOICES = ['a', 'a', 'a', 'c', 'a', 'c', 'b', 'a', 'b', 'b'];

function dataset(): ItemResponsesDef[] {
  return Array.from({ length: 8 }, (_, i) => ({
    itemId: `i${i}`,
    scores: MATRIX.map((row) => row[i] as number),
    options: i === 3 ? ['a', 'b', 'c', 'd'] : [],
    keyed: i === 3 ? ['a'] : [],
    choices: i === 3 ? I3_CHOICES.map((c) => [c]) : [],
  }));
}

describe('exam statistics on the hand-worked dataset', () => {
  const stats = computeExamStatistics(dataset());

  test('gives the test mean, median, SD, KR-20 and SEM', () => {
    expect(stats.test.candidates).toBe(10);
    expect(stats.test.mean).toBeCloseTo(4.6, 6);
    expect(stats.test.median).toBe(5);
    expect(stats.test.sd).toBeCloseTo(1.57762, 5);
    expect(stats.test.alpha).toBeCloseTo(0.408163, 6);
    expect(stats.test.sem).toBeCloseTo(1.21368, 5);
  });

  test('gives each item its facility, SD, discrimination and efficiency', () => {
    const facility = [0.9, 0.7, 0.5, 0.5, 0.4, 0.4, 0.2, 1.0];
    const sd = [0.316228, 0.483046, 0.527046, 0.527046, 0.516398, 0.516398, 0.421637, 0];
    const discrimination = [0.164581, 0.285362, 0.616316, 0.230769, 0.359546, 0.184637, -0.43082, null];
    const efficiency = [0.259259, 0.361702, 0.777778, 0.272727, 0.423077, 0.230769, -0.666667, null];
    stats.items.forEach((item, i) => {
      expect(item.facility).toBeCloseTo(facility[i] as number, 6);
      expect(item.sd).toBeCloseTo(sd[i] as number, 5);
      const d = discrimination[i];
      if (d === null || d === undefined) expect(item.discrimination).toBeNull();
      else expect(item.discrimination).toBeCloseTo(d, 5);
      const e = efficiency[i];
      if (e === null || e === undefined) expect(item.discriminativeEfficiency).toBeNull();
      else expect(item.discriminativeEfficiency).toBeCloseTo(e, 5);
    });
  });

  test('counts the choices and correlates each with the total', () => {
    const distractors = stats.items[3]?.distractors ?? [];
    expect(distractors.map((d) => [d.optionId, d.keyed, d.count])).toEqual([
      ['a', true, 5],
      ['b', false, 3],
      ['c', false, 2],
      ['d', false, 0],
    ]);
    expect(distractors[0]?.correlation).toBeCloseTo(0.534522, 5);
    expect(distractors[1]?.correlation).toBeCloseTo(-0.699854, 5);
    expect(distractors[2]?.correlation).toBeCloseTo(0.133631, 5);
    expect(distractors[3]?.correlation).toBeNull();
  });

  test('flags easy, hard, undiscriminating items and attractive distractors', () => {
    expect(Object.fromEntries(stats.items.map((item) => [item.itemId, item.flags]))).toEqual({
      i0: [],
      i1: [],
      i2: [],
      i3: ['distractor-positive'],
      i4: [],
      i5: [],
      // Facility exactly 0.2 is not below 0.2; the negative discrimination flags it.
      i6: ['discrimination-low'],
      i7: ['facility-high'],
    });
  });

  test('analyses an item over the candidates whose draw included it', () => {
    // Two forms of one item each from a bank of two: c0-c4 drew "p", c5-c9 drew "q".
    // p: scores 1 1 1 0 0 -> facility 3/5 = 0.6; q: 1 0 0 0 0 -> 0.2. Totals are the item scores.
    const p = [1, 1, 1, 0, 0, null, null, null, null, null];
    const q = [null, null, null, null, null, 1, 0, 0, 0, 0];
    const result = computeExamStatistics([
      {
        itemId: 'p',
        scores: p,
        options: ['a', 'b'],
        keyed: ['a'],
        choices: p.map((v) => (v === null ? [] : [v ? 'a' : 'b'])),
      },
      { itemId: 'q', scores: q, options: [], keyed: [], choices: [] },
    ]);
    expect(result.items.map((i) => i.facility)).toEqual([0.6, 0.2]);
    expect(result.items[0]?.distractors.map((d) => d.count)).toEqual([3, 2]);
    expect(result.test).toMatchObject({ candidates: 10, items: 1, mean: 0.4, alpha: null });
  });

  test('refuses responses of unequal length', () => {
    const items = dataset();
    items[1] = { ...(items[1] as ItemResponsesDef), scores: [1, 0] };
    expect(() => computeExamStatistics(items)).toThrow(/different number of candidates/);
  });
});
