import { expect, test } from 'vitest';
import { DEFAULT_RUBRIC } from '#sim/index.ts';
import { DEFAULT_EXERCISE_MIN_SCORE, moduleFrontMatter } from '#src/server/services/handbook-content.ts';
import { exerciseMinScore, meetsExercise } from '#src/server/services/handbook-progress.ts';

const EXERCISE = { scenario: 'default-stable-angina', target: 'Hold a D/S ratio of 1.2.', minDsRatio: 1.2 };

test('an exercise without a score target uses the pass mark of the rubric practice sessions are scored with', () => {
  expect(DEFAULT_EXERCISE_MIN_SCORE).toBe(DEFAULT_RUBRIC.passMark);
  expect(exerciseMinScore(EXERCISE)).toBe(DEFAULT_RUBRIC.passMark);
  expect(exerciseMinScore({ ...EXERCISE, minScore: 85 })).toBe(85);
});

test('a session meets the exercise only when both its score and its median D/S ratio reach the targets', () => {
  const session = { score: 70, medianDsPeakRatio: 1.2, savedAt: 0 };
  expect(meetsExercise(session, EXERCISE)).toBe(true);
  expect(meetsExercise({ ...session, score: 69.9 }, EXERCISE)).toBe(false);
  expect(meetsExercise({ ...session, medianDsPeakRatio: 1.19 }, EXERCISE)).toBe(false);
  // No assisted beats: no ratio was measured, so the exercise is not done whatever the score.
  expect(meetsExercise({ ...session, score: 100, medianDsPeakRatio: null }, EXERCISE)).toBe(false);
  expect(meetsExercise(session, { ...EXERCISE, minScore: 80 })).toBe(false);
});

test('the front matter accepts a score target from 0 to 100 and refuses one outside', () => {
  const base = {
    title: 'T',
    slug: 't',
    level: 1,
    order: 1,
    summary: 'S',
    objectives: ['O'],
    estimatedHours: 1,
    cpdCredits: 1,
    reading: [],
    passMark: 0.8,
    quiz: [],
  };
  expect(moduleFrontMatter.safeParse({ ...base, simulatorExercise: { ...EXERCISE, minScore: 90 } }).success).toBe(true);
  expect(moduleFrontMatter.safeParse({ ...base, simulatorExercise: EXERCISE }).success).toBe(true);
  expect(moduleFrontMatter.safeParse({ ...base, simulatorExercise: { ...EXERCISE, minScore: 101 } }).success).toBe(
    false,
  );
});
