import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { expect, test } from 'vitest';
import type { EvidenceRow } from '#sim/index.ts';
import { DEFAULT_RUBRIC } from '#sim/index.ts';
import { DEFAULT_EXERCISE_MIN_SCORE, moduleFrontMatter, splitSource } from '#src/server/services/handbook-content.ts';
import {
  exerciseMinScore,
  exerciseShortfalls,
  longestHoldMs,
  meetsExercise,
} from '#src/server/services/handbook-progress.ts';
import { type HoldBeat, holdBeats } from '#src/server/services/simulator-practice.ts';

const EXERCISE = { scenario: 'default-stable-angina', target: 'Hold a D/S ratio of 1.2.', minDsRatio: 1.2 };

test('an exercise without a score target uses the pass mark of the rubric practice sessions are scored with', () => {
  expect(DEFAULT_EXERCISE_MIN_SCORE).toBe(DEFAULT_RUBRIC.passMark);
  expect(exerciseMinScore(EXERCISE)).toBe(DEFAULT_RUBRIC.passMark);
  expect(exerciseMinScore({ ...EXERCISE, minScore: 85 })).toBe(85);
});

test('a session meets the exercise only when both its score and its median D/S ratio reach the targets', () => {
  const session = {
    score: 70,
    medianDsPeakRatio: 1.2,
    savedAt: 0,
    durationMs: 60_000,
    beats: null,
    titration: null,
    failures: [],
  };
  expect(meetsExercise(session, EXERCISE)).toBe(true);
  expect(meetsExercise({ ...session, score: 69.9 }, EXERCISE)).toBe(false);
  expect(meetsExercise({ ...session, medianDsPeakRatio: 1.19 }, EXERCISE)).toBe(false);
  // No assisted beats: no ratio was measured, so the exercise is not done whatever the score.
  expect(meetsExercise({ ...session, score: 100, medianDsPeakRatio: null }, EXERCISE)).toBe(false);
  expect(meetsExercise(session, { ...EXERCISE, minScore: 80 })).toBe(false);
});

test('a session that broke a rule of the practice rubric does not count, whatever its score and ratio', () => {
  const failure = 'Repeated late deflation: 12 consecutive beats with cuffs still pressurised at ejection (limit 5).';
  const session = {
    score: 70,
    medianDsPeakRatio: 1.36,
    savedAt: 0,
    durationMs: 60_000,
    beats: null,
    titration: null,
    failures: [failure],
  };
  expect(exerciseShortfalls(session, EXERCISE)).toEqual([`The run failed the rubric: ${failure}`]);
  expect(meetsExercise({ ...session, failures: [] }, EXERCISE)).toBe(true);
});

/** Beats every 800 ms from `fromMs`, each with the D/S ratio given and timing correct unless marked 0. */
function beatsAt(fromMs: number, ratios: number[], timing: (0 | 1)[] = []): HoldBeat[] {
  return ratios.map((ds, i) => [fromMs + i * 800, ds, timing[i] ?? 1]);
}

test('a hold runs from the first qualifying beat to the beat that breaks it, or to the end of the session', () => {
  const beats = beatsAt(2000, [0.9, 1.3, 1.25, 1.2, 1.1, 1.4, 1.4]);
  // 1.3, 1.25, 1.2 from 2800 to the 1.1 at 5200; then 1.4, 1.4 from 6000 to the end at 8000.
  expect(longestHoldMs({ beats, durationMs: 8000 }, 1.2)).toBe(2400);
  expect(longestHoldMs({ beats, durationMs: 9000 }, 1.2)).toBe(3000);
  expect(longestHoldMs({ beats, durationMs: 8000 }, 1.0)).toBe(8000 - 2800);
  expect(longestHoldMs({ beats, durationMs: 8000 }, 2)).toBe(0);
  // A beat timed wrongly breaks the hold whatever its ratio.
  const mistimed = beatsAt(2000, [1.3, 1.3, 1.3, 1.3], [1, 1, 0, 1]);
  expect(longestHoldMs({ beats: mistimed, durationMs: 5200 }, 1.2)).toBe(1600);
  // Sessions saved before beats were recorded held nothing that can be shown.
  expect(longestHoldMs({ beats: null, durationMs: 60_000 }, 1.2)).toBe(0);
});

/** An evidence row of a replay: assisted, timed right and at `ds` unless told otherwise. */
function evidence(rTimeMs: number, ds: number, opts: { declined?: boolean; deflationOk?: boolean } = {}): EvidenceRow {
  const declined = opts.declined ?? false;
  return {
    index: rTimeMs,
    rTimeMs,
    scored: !declined,
    excludedBecause: declined ? 'device-declined' : null,
    deviceDeclined: declined,
    beatClass: declined ? 'not-assisted' : 'ok',
    inflationErrorMs: 0,
    deflationErrorMs: 0,
    dsPeakRatio: ds,
    pressureSetpointMmHg: 260,
    inflationOk: !declined,
    deflationOk: !declined && (opts.deflationOk ?? true),
    augmentationOk: ds >= 1.2,
    pressureOk: true,
  };
}

test('premature beats the device declines, and the beat each interrupts, neither break nor count as a hold', () => {
  const rows = [
    evidence(1000, 1.4),
    evidence(1800, 1.4),
    // The early R of the premature beat cuts this one's deflation short: "late deflation", not the operator's.
    evidence(2600, 2.1, { deflationOk: false }),
    evidence(3000, 0.6, { declined: true }),
    evidence(4100, 1.4),
    evidence(4900, 1.1),
  ];
  expect(holdBeats(rows)).toEqual([
    [1000, 1.4, 1],
    [1800, 1.4, 1],
    [4100, 1.4, 1],
    [4900, 1.1, 1],
  ]);
  expect(longestHoldMs({ beats: holdBeats(rows), durationMs: 6000 }, 1.2)).toBe(3900);
  // A beat timed wrongly with no premature beat after it still breaks the hold.
  const mistimed = [evidence(1000, 1.4), evidence(1800, 1.4, { deflationOk: false }), evidence(2600, 1.4)];
  expect(holdBeats(mistimed).map((b) => b[2])).toEqual([1, 0, 1]);
});

test('an exercise with a hold needs the ratio held that long, beyond score and median', () => {
  const holding = { ...EXERCISE, holdSeconds: 30 };
  const base = { score: 90, medianDsPeakRatio: 1.3, savedAt: 0, durationMs: 40_000, titration: null, failures: [] };
  // 36 beats at 1.3 from 2 s: held from 2 s to the end at 40 s = 38 s.
  expect(meetsExercise({ ...base, beats: beatsAt(2000, new Array(36).fill(1.3)) }, holding)).toBe(true);
  // A dip at 20.4 s splits it into 18.4 s and 18.8 s.
  const dipped = beatsAt(2000, new Array(36).fill(1.3));
  dipped[23] = [dipped[23]?.[0] ?? 0, 1.0, 1];
  expect(meetsExercise({ ...base, beats: dipped }, holding)).toBe(false);
  expect(meetsExercise({ ...base, beats: null }, holding)).toBe(false);
  expect(meetsExercise({ ...base, beats: null }, EXERCISE)).toBe(true);
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
  expect(moduleFrontMatter.safeParse({ ...base, simulatorExercise: { ...EXERCISE, holdSeconds: 60 } }).success).toBe(
    true,
  );
  for (const holdSeconds of [0, 1.5, 601, '30']) {
    expect(moduleFrontMatter.safeParse({ ...base, simulatorExercise: { ...EXERCISE, holdSeconds } }).success).toBe(
      false,
    );
  }
});

const TITRATE = {
  ...EXERCISE,
  pressure: { startMaxMmHg: 150, targetMmHg: 260, maxStepMmHg: 40, checkedBeatsBeforeStep: 5 },
};
const sessionWith = (titration: Parameters<typeof meetsExercise>[0]['titration']) => ({
  score: 80,
  medianDsPeakRatio: 1.3,
  savedAt: 0,
  durationMs: 90_000,
  beats: null,
  titration,
  failures: [],
});

test('an exercise with pressure targets counts a session only when its recorded titration meets them as written', () => {
  const stepped = sessionWith({
    startMmHg: 150,
    startAtMs: 0,
    maxMmHg: 260,
    steps: [
      { atMs: 8000, fromMmHg: 150, toMmHg: 190, heldMs: 8000, checkedBeats: 8 },
      { atMs: 16000, fromMmHg: 190, toMmHg: 230, heldMs: 8000, checkedBeats: 8 },
      { atMs: 24000, fromMmHg: 230, toMmHg: 260, heldMs: 8000, checkedBeats: 8 },
    ],
  });
  expect(exerciseShortfalls(stepped, TITRATE)).toEqual([]);
  const stoppedAt250 = sessionWith({ ...stepped.titration!, maxMmHg: 250 });
  expect(exerciseShortfalls(stoppedAt250, TITRATE)).toEqual([
    'The pressure reached 250 mmHg, short of the target of 260 mmHg.',
  ]);
  const jumped = sessionWith({ startMmHg: 250, startAtMs: 0, maxMmHg: 260, steps: [] });
  expect(meetsExercise(jumped, TITRATE)).toBe(false);
  expect(exerciseShortfalls(jumped, TITRATE)).toEqual(['Started at 250 mmHg, above the start pressure of 150 mmHg.']);
  // Sessions saved before titration was recorded cannot show it, and say so.
  expect(exerciseShortfalls(sessionWith(null), TITRATE)).toEqual([
    'This session was saved before pressure steps were recorded: practise it again.',
  ]);
  // Without pressure targets the titration is not looked at.
  expect(meetsExercise(jumped, EXERCISE)).toBe(true);
});

test('the shortfalls name the score, the ratio and the hold a session missed', () => {
  const s = { ...sessionWith(null), score: 50, medianDsPeakRatio: 1.1 };
  expect(exerciseShortfalls(s, { ...EXERCISE, holdSeconds: 30 })).toEqual([
    'The score was 50, below the target of 70.',
    'The median D/S ratio was 1.10, below 1.2.',
    'The D/S ratio of 1.2 with correct timing was held 0 s, short of 30 s.',
  ]);
});

test('level 1 modules 1 and 5 name the pressure targets their exercises state', () => {
  for (const [file, pressure] of [
    ['01-physiology-of-counterpulsation.md', { startMaxMmHg: 150 }],
    ['05-pleth-and-ds-ratio.md', { startMaxMmHg: 150, targetMmHg: 260, maxStepMmHg: 40, checkedBeatsBeforeStep: 5 }],
  ] as const) {
    const source = readFileSync(join(process.cwd(), 'content', 'curriculum', 'level-1', file), 'utf8');
    const parsed = splitSource(source);
    if (!parsed.ok) throw new Error(parsed.message);
    const fm = moduleFrontMatter.parse(parsed.value.frontMatter);
    expect(fm.simulatorExercise?.pressure).toEqual(pressure);
  }
});
