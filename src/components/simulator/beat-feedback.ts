import type { BeatMetrics, TimingWindows } from '#sim/index.ts';

/** The fields of a beat the feedback reads (what the worker posts for each beat). */
export type FeedbackBeat = Pick<
  BeatMetrics,
  'beatClass' | 'inflationErrorMs' | 'deflationErrorMs' | 'notAssistedReason' | 'dsPeakRatio' | 'assisted'
>;

export interface BeatFeedback {
  /** One short line, e.g. "Inflating 60 ms early". */
  headline: string;
  /** What the numbers mean and what to change. */
  advice: string;
  tone: 'good' | 'warning' | 'neutral';
}

/** D/S peak ratio a beat should reach: the clinical target of Front Physiol 2021;12:656224 (>= 1.2). */
export const DS_TARGET = 1.2;

const NOT_ASSISTED: Record<string, string> = {
  learning: 'The device is still learning the rhythm (it needs a few regular beats).',
  arrhythmia: 'Irregular beat: the device does not assist a beat whose interval differs from the recent median.',
  standby: 'Pressure is below the assist threshold: raise the treatment pressure to start assisting.',
  'not-detected': 'The R wave was not detected in time, so the cuffs stayed empty.',
  'no-inflation': 'The cuffs did not inflate on this beat.',
  'lost-ecg': 'ECG lost: the cuffs are deflated until R waves are detected again.',
};

function ms(value: number): string {
  return `${Math.round(Math.abs(value))} ms`;
}

/**
 * Feedback on one beat from the engine's classification and its timing errors (inflation error =
 * augmentation arrival minus aortic valve closure; deflation error = cuffs empty minus next ejection onset).
 * The advice names the setting to change and which way, as taught for balloon-pump timing. `windows` are
 * the engine's DEFAULT_TIMING_WINDOWS, sent by the worker (main-thread code imports only types from sim/).
 */
export function feedbackForBeat(beat: FeedbackBeat, windows: TimingWindows): BeatFeedback {
  const inf = beat.inflationErrorMs;
  const def = beat.deflationErrorMs;
  if (beat.beatClass === 'not-assisted') {
    return {
      headline: 'Not assisted',
      advice: NOT_ASSISTED[beat.notAssistedReason ?? ''] ?? 'The device did not assist this beat.',
      tone: 'neutral',
    };
  }
  const errors = timingErrors(inf, def, windows);
  if (errors.length === 0) {
    return {
      headline: 'Timing good',
      advice: `Augmentation arrives ${relativeToNotch(inf)}; cuffs empty ${ms(def ?? 0)} before ejection.${
        beat.dsPeakRatio < DS_TARGET ? ` D/S is below ${DS_TARGET}: raise the pressure.` : ''
      }`,
      tone: 'good',
    };
  }
  // Every error of the beat, the most harmful first (the engine's classification names only that one).
  const headline = errors.map((e, i) => (i === 0 ? e.headline : lowerFirst(e.headline))).join('; ');
  return { headline, advice: errors.map((e) => e.advice).join(' '), tone: 'warning' };
}

interface TimingError {
  headline: string;
  advice: string;
}

/**
 * Each timing error of an assisted beat against the windows, in the engine's order of harm (sim
 * classifyBeat: late deflation, early inflation, late inflation, early deflation). Inflation cannot be both
 * early and late, nor deflation; one of each can coexist.
 */
export function timingErrors(inf: number | null, def: number | null, windows: TimingWindows): TimingError[] {
  const out: TimingError[] = [];
  if (def !== null && def > windows.deflationLateMs) {
    out.push({
      headline: `Deflating ${ms(def)} late`,
      advice: 'The cuffs are still pressurised when ejection starts, raising afterload: lower the deflation delay.',
    });
  }
  if (inf !== null && inf < windows.inflationEarlyMs) {
    out.push({
      headline: `Inflating ${ms(inf)} early`,
      advice: 'Augmentation arrives before the dicrotic notch and collides with ejection: raise the inflation delay.',
    });
  } else if (inf !== null && inf > windows.inflationLateMs) {
    out.push({
      headline: `Inflating ${ms(inf)} late`,
      advice:
        'Augmentation arrives after the dicrotic notch, so the diastolic peak is lower: lower the inflation delay.',
    });
  }
  if (def !== null && def < windows.deflationEarlyMs) {
    out.push({
      headline: `Deflating ${ms(def - windows.deflationEarlyMs)} early`,
      advice: `The cuffs are empty ${ms(def)} before ejection, so the augmentation is short and end-diastolic pressure is not lowered: raise the deflation delay.`,
    });
  }
  return out;
}

function lowerFirst(text: string): string {
  return text.charAt(0).toLowerCase() + text.slice(1);
}

function relativeToNotch(value: number | null): string {
  if (value === null) return 'at an unmeasured time';
  const r = Math.round(value);
  return r > 0
    ? `${r} ms after the dicrotic notch`
    : r < 0
      ? `${-r} ms before the dicrotic notch`
      : 'at the dicrotic notch';
}
