import { expect, test } from 'vitest';
import { matchBeats } from '#test/helpers/beat-match.ts';

test('matches every beat when detections are within the window', () => {
  const m = matchBeats([1000, 2000, 3000], [1040, 1900, 3149]);
  expect(m).toEqual({
    truePositives: 3,
    falseNegatives: 0,
    falsePositives: 0,
    sensitivity: 1,
    positivePredictivity: 1,
  });
});

test('counts a detection outside the window as one false negative and one false positive', () => {
  const m = matchBeats([1000, 2000], [1000, 2151]);
  expect(m).toMatchObject({ truePositives: 1, falseNegatives: 1, falsePositives: 1 });
  expect(m.sensitivity).toBe(0.5);
  expect(m.positivePredictivity).toBe(0.5);
});

test('lets one detection match only one reference beat', () => {
  const m = matchBeats([1000, 1200], [1100]);
  expect(m).toMatchObject({ truePositives: 1, falseNegatives: 1, falsePositives: 0 });
});

test('counts a double detection of one beat as a false positive', () => {
  const m = matchBeats([1000], [990, 1010]);
  expect(m).toMatchObject({ truePositives: 1, falseNegatives: 0, falsePositives: 1 });
});

test('finds the largest matching when a detection lies in two windows', () => {
  // Pairing 1110 with the nearer beat 1200 would leave beat 1000 unmatched.
  const m = matchBeats([1000, 1200], [1110, 1190]);
  expect(m).toMatchObject({ truePositives: 2, falseNegatives: 0, falsePositives: 0 });
});

test('honours a custom window and unsorted input', () => {
  expect(matchBeats([2000, 1000], [1060, 2000], 50)).toMatchObject({ truePositives: 1, falsePositives: 1 });
});

test('reports perfect scores for empty lists', () => {
  expect(matchBeats([], [])).toMatchObject({ sensitivity: 1, positivePredictivity: 1 });
  expect(matchBeats([1000], [])).toMatchObject({
    sensitivity: 0,
    positivePredictivity: 1,
    falseNegatives: 1,
  });
});
