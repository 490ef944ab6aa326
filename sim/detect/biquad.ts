/**
 * Second-order IIR sections designed for any sample rate (bilinear transform with pre-warping, as in
 * R. Bristow-Johnson's "Cookbook formulae for audio EQ biquad filter coefficients"). Pan & Tompkins' integer
 * filters only have their intended corners at 200 Hz; these keep 5-15 Hz at 360 or 500 Hz.
 */

/** Coefficients normalised so a0 = 1: y[n] = b0 x[n] + b1 x[n-1] + b2 x[n-2] - a1 y[n-1] - a2 y[n-2]. */
export interface BiquadCoefficients {
  b0: number;
  b1: number;
  b2: number;
  a1: number;
  a2: number;
}

/** Butterworth: maximally flat pass band (Q = 1/sqrt(2) for a second-order section). */
const BUTTERWORTH_Q = Math.SQRT1_2;

function design(cutoffHz: number, sampleRateHz: number, kind: 'low' | 'high'): BiquadCoefficients {
  if (!(cutoffHz > 0 && cutoffHz < sampleRateHz / 2)) {
    throw new RangeError(`cutoff ${cutoffHz} Hz must lie between 0 and Nyquist (${sampleRateHz / 2} Hz)`);
  }
  const w0 = (2 * Math.PI * cutoffHz) / sampleRateHz;
  const cos = Math.cos(w0);
  const alpha = Math.sin(w0) / (2 * BUTTERWORTH_Q);
  const a0 = 1 + alpha;
  const b0 = kind === 'low' ? (1 - cos) / 2 : (1 + cos) / 2;
  const b1 = kind === 'low' ? 1 - cos : -(1 + cos);
  return { b0: b0 / a0, b1: b1 / a0, b2: b0 / a0, a1: (-2 * cos) / a0, a2: (1 - alpha) / a0 };
}

export function designButterworthLowPass(cutoffHz: number, sampleRateHz: number): BiquadCoefficients {
  return design(cutoffHz, sampleRateHz, 'low');
}

export function designButterworthHighPass(cutoffHz: number, sampleRateHz: number): BiquadCoefficients {
  return design(cutoffHz, sampleRateHz, 'high');
}

/** Complex value of b0 + b1 z^-1 + b2 z^-2 at z = e^{jw}, as [re, im]. */
function polynomialAt(c0: number, c1: number, c2: number, w: number): [number, number] {
  return [c0 + c1 * Math.cos(w) + c2 * Math.cos(2 * w), -c1 * Math.sin(w) - c2 * Math.sin(2 * w)];
}

/** Magnitude of the section's response at `frequencyHz`. */
export function magnitudeAt(c: BiquadCoefficients, frequencyHz: number, sampleRateHz: number): number {
  const w = (2 * Math.PI * frequencyHz) / sampleRateHz;
  const [nr, ni] = polynomialAt(c.b0, c.b1, c.b2, w);
  const [dr, di] = polynomialAt(1, c.a1, c.a2, w);
  return Math.hypot(nr, ni) / Math.hypot(dr, di);
}

/** Filter a whole array (start at rest); for design-time calibration, not for the per-sample path. */
export function applyBiquad(c: BiquadCoefficients, input: Float64Array): Float64Array {
  const out = new Float64Array(input.length);
  let x1 = 0;
  let x2 = 0;
  let y1 = 0;
  let y2 = 0;
  for (let i = 0; i < input.length; i++) {
    const x = input[i] as number;
    const y = c.b0 * x + c.b1 * x1 + c.b2 * x2 - c.a1 * y1 - c.a2 * y2;
    x2 = x1;
    x1 = x;
    y2 = y1;
    y1 = y;
    out[i] = y;
  }
  return out;
}
