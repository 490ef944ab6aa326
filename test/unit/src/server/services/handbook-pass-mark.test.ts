import { expect, test } from 'vitest';
import { passMarkReason } from '#src/server/services/handbook-progress.ts';

test('the pass-mark reasoning states the binomial chance of passing by guessing for the draw', () => {
  // 5 four-option questions at 80 %: 4 needed; P = 5 (1/4)^4 (3/4) + (1/4)^5 = 1/64.
  expect(passMarkReason(0.8, 5)).toContain('4 of the 5 questions');
  expect(passMarkReason(0.8, 5)).toContain('once in 64 attempts');
  expect(passMarkReason(0.8, 5)).toContain('one slip is allowed');
  // 10 questions: 8 needed; P = 45 p^8 q^2 + 10 p^9 q + p^10 = 4.158e-4, about 1 in 2,405.
  expect(passMarkReason(0.8, 10)).toContain('once in 2,405 attempts');
  expect(passMarkReason(0.8, 10)).toContain('2 slips are allowed');
  expect(passMarkReason(0.8, 0)).toBe('The pass mark is 80 %.');
});
