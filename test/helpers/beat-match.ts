/**
 * One-to-one beat matching as in ANSI/AAMI EC57: a detection matches a reference beat when within
 * `windowMs` (150 ms) of it; each reference and each detection is used at most once.
 */
export interface BeatMatch {
  truePositives: number;
  falseNegatives: number;
  falsePositives: number;
  /** TP / (TP + FN); 1 when there is nothing to detect. */
  sensitivity: number;
  /** TP / (TP + FP); 1 when nothing was detected. */
  positivePredictivity: number;
}

/**
 * Both lists sorted, each reference beat takes the earliest unused detection within its window. All windows
 * have the same width, so their ends are in the same order as the beats, and this greedy choice gives a
 * maximum one-to-one matching (the interval-scheduling exchange argument).
 */
export function matchBeats(referenceMs: number[], detectedMs: number[], windowMs = 150): BeatMatch {
  const ref = [...referenceMs].sort((a, b) => a - b);
  const det = [...detectedMs].sort((a, b) => a - b);
  let truePositives = 0;
  let j = 0;
  for (const r of ref) {
    while (j < det.length && (det[j] as number) < r - windowMs) j++;
    if (j >= det.length) break;
    if ((det[j] as number) <= r + windowMs) {
      truePositives++;
      j++;
    }
  }
  const falseNegatives = ref.length - truePositives;
  const falsePositives = det.length - truePositives;
  return {
    truePositives,
    falseNegatives,
    falsePositives,
    sensitivity: ref.length === 0 ? 1 : truePositives / ref.length,
    positivePredictivity: det.length === 0 ? 1 : truePositives / det.length,
  };
}
