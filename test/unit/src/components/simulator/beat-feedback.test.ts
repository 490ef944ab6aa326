import { expect, test } from 'vitest';
import { DEFAULT_TIMING_WINDOWS } from '#sim/index.ts';
import { type FeedbackBeat, feedbackForBeat } from '#src/components/simulator/beat-feedback.ts';

const beat = (patch: Partial<FeedbackBeat>): FeedbackBeat => ({
  beatClass: 'ok',
  inflationErrorMs: 0,
  deflationErrorMs: -60,
  notAssistedReason: null,
  dsPeakRatio: 1.4,
  assisted: true,
  ...patch,
});

test('says "Inflating 60 ms early" and to raise the inflation delay when augmentation arrives 60 ms before the notch', () => {
  const f = feedbackForBeat(beat({ beatClass: 'early-inflation', inflationErrorMs: -60 }), DEFAULT_TIMING_WINDOWS);
  expect(f.headline).toBe('Inflating 60 ms early');
  expect(f.advice).toContain('raise the inflation delay');
  expect(f.tone).toBe('warning');
});

test('says inflating late with the error in whole ms and to lower the inflation delay', () => {
  const f = feedbackForBeat(beat({ beatClass: 'late-inflation', inflationErrorMs: 84.6 }), DEFAULT_TIMING_WINDOWS);
  expect(f.headline).toBe('Inflating 85 ms late');
  expect(f.advice).toContain('lower the inflation delay');
});

test('says deflating late by how long the cuffs stay full into ejection', () => {
  const f = feedbackForBeat(beat({ beatClass: 'late-deflation', deflationErrorMs: 35 }), DEFAULT_TIMING_WINDOWS);
  expect(f.headline).toBe('Deflating 35 ms late');
  expect(f.advice).toContain('lower the deflation delay');
});

test('measures early deflation from the edge of the deflation window', () => {
  // Cuffs empty 230 ms before ejection; the window allows 150 ms, so 80 ms too early.
  const f = feedbackForBeat(beat({ beatClass: 'early-deflation', deflationErrorMs: -230 }), DEFAULT_TIMING_WINDOWS);
  expect(f.headline).toBe('Deflating 80 ms early');
  expect(f.advice).toContain('230 ms before ejection');
  expect(f.advice).toContain('raise the deflation delay');
});

test('praises a good beat, placing augmentation relative to the notch, and asks for pressure when D/S is low', () => {
  const good = feedbackForBeat(beat({ inflationErrorMs: -12, deflationErrorMs: -70 }), DEFAULT_TIMING_WINDOWS);
  expect(good.headline).toBe('Timing good');
  expect(good.advice).toBe('Augmentation arrives 12 ms before the dicrotic notch; cuffs empty 70 ms before ejection.');
  expect(good.tone).toBe('good');
  const weak = feedbackForBeat(beat({ inflationErrorMs: 0, dsPeakRatio: 0.9 }), DEFAULT_TIMING_WINDOWS);
  expect(weak.advice).toContain('at the dicrotic notch');
  expect(weak.advice).toContain('D/S is below 1.2: raise the pressure.');
});

test('explains why a beat was not assisted from the device reason', () => {
  const f = feedbackForBeat(
    beat({ beatClass: 'not-assisted', assisted: false, notAssistedReason: 'standby', inflationErrorMs: null }),
    DEFAULT_TIMING_WINDOWS,
  );
  expect(f.headline).toBe('Not assisted');
  expect(f.advice).toContain('raise the treatment pressure');
  const unknown = feedbackForBeat(
    beat({ beatClass: 'not-assisted', assisted: false, notAssistedReason: 'something-new' }),
    DEFAULT_TIMING_WINDOWS,
  );
  expect(unknown.advice).toBe('The device did not assist this beat.');
});

test('names every error of a beat, the most harmful first (issue 13: one card named only the late deflation)', () => {
  const f = feedbackForBeat(
    beat({ beatClass: 'late-deflation', inflationErrorMs: -72, deflationErrorMs: 17 }),
    DEFAULT_TIMING_WINDOWS,
  );
  expect(f.headline).toBe('Deflating 17 ms late; inflating 72 ms early');
  expect(f.advice).toContain('lower the deflation delay');
  expect(f.advice).toContain('raise the inflation delay');
  expect(f.tone).toBe('warning');
  const both = feedbackForBeat(
    beat({ beatClass: 'late-inflation', inflationErrorMs: 90, deflationErrorMs: -230 }),
    DEFAULT_TIMING_WINDOWS,
  );
  expect(both.headline).toBe('Inflating 90 ms late; deflating 80 ms early');
});
