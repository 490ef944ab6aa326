/**
 * Sample-by-sample ECG: beats are drawn ahead by the rhythm, rendered once into a ring buffer just before
 * their first wave starts (per-beat cost), and each sample reads and clears one slot (per-sample cost: one
 * read plus the enabled artefacts).
 */
import type { Rng } from '../rng.ts';
import { ARTEFACT_DEFAULTS, type ArtefactSource, createArtefactSource } from './artefacts.ts';
import { createFibrillatoryWaves, type FibrillatoryWaves } from './fibrillatory-waves.ts';
import { type BeatWaves, createBeatWaves, fillBeatWaves, GAUSSIAN_SUPPORT_SIGMAS, waveLeadMs } from './morphology.ts';
import { createRhythm, type DrawnBeat, type Rhythm } from './rhythm.ts';
import type { ArtefactDef, EcgDef, EcgGenerator, ElectricalBeat, RhythmDef } from './types.ts';

/**
 * Default R-wave height, mV (lead II R is typically 0.5-1.5 mV; Surawicz & Knilans, Chou's Electrocardiography
 * in Clinical Practice, 6th ed., 2008).
 */
export const DEFAULT_R_AMPLITUDE_MV = 1;
/**
 * Lead-off: the open input lets the front end's AC coupling discharge; the trace settles with this time
 * constant to a small residual offset and stays flat (no beats can be seen).
 */
const LEAD_OFF_SETTLE_MS = 150;
const LEAD_OFF_OFFSET_MV = 0.05;
/** The ring buffer holds this much signal ahead of now, s (a beat spans < 1.5 s even at 30 bpm). */
const RING_SPAN_S = 4;
/** Earliest first R peak, ms: leaves room for the P wave of the first beat at 30 bpm. */
const FIRST_BEAT_MIN_MS = 600;
/** Beats rendered but not yet taken are kept up to this number (older ones are dropped). */
const READY_CAPACITY = 64;

function nextPowerOfTwo(n: number): number {
  let p = 1;
  while (p < n) p *= 2;
  return p;
}

/** Add height * exp(-(t - centre)^2 / (2 sigma^2)) to ring slots from..to, without exp per sample. */
function addGaussian(
  ring: Float64Array,
  ringMask: number,
  from: number,
  to: number,
  dtMs: number,
  centreMs: number,
  sigmaMs: number,
  heightMv: number,
): void {
  // g(t + dt) = g(t) r(t), r(t + dt) = r(t) q: the ratio of successive Gaussian samples is itself geometric.
  const k = 1 / (2 * sigmaMs * sigmaMs);
  const t0 = from * dtMs - centreMs;
  let g = heightMv * Math.exp(-t0 * t0 * k);
  let r = Math.exp(-(2 * t0 * dtMs + dtMs * dtMs) * k);
  const q = Math.exp(-2 * dtMs * dtMs * k);
  for (let i = from; i <= to; i++) {
    ring[i & ringMask] = (ring[i & ringMask] as number) + g;
    g *= r;
    r *= q;
  }
}

/** Generator state. Class fields (not closure variables) so V8 updates doubles in place, allocation-free. */
class SampledEcg implements EcgGenerator {
  readonly sampleRateHz: number;
  private readonly dtMs: number;
  private readonly rAmplitudeMv: number;
  private readonly rhythm: Rhythm;
  private readonly artefacts: ArtefactSource;
  private readonly fibrillatoryWaves: FibrillatoryWaves;
  private readonly ring: Float64Array;
  private readonly ringSize: number;
  private readonly ringMask: number;
  private readonly waves: BeatWaves = createBeatWaves();
  private pending: DrawnBeat;
  private renderIndex = 0;
  private readonly ready: (ElectricalBeat | null)[] = new Array(READY_CAPACITY).fill(null);
  private readyHead = 0;
  private readyCount = 0;
  private index = -1;
  private leadOff = false;
  private leadOffResidualMv = 0;
  private readonly leadOffDecay: number;
  private lastOutputMv = 0;

  constructor(def: EcgDef, rng: Rng, sampleRateHz: number) {
    if (!(sampleRateHz > 0)) throw new RangeError(`sampleRateHz must be positive, got ${sampleRateHz}`);
    this.sampleRateHz = sampleRateHz;
    this.dtMs = 1000 / sampleRateHz;
    // Separate streams, so switching noise on or off does not move the beats.
    const rhythmRng = rng.fork();
    const artefactRng = rng.fork();
    const atrialRng = rng.fork();
    this.rAmplitudeMv = def.rAmplitudeMv ?? DEFAULT_R_AMPLITUDE_MV;
    const meanRrMs = 60000 / Math.max(30, def.rhythm.heartRateBpm);
    const firstRTimeMs = FIRST_BEAT_MIN_MS + rhythmRng.next() * meanRrMs;
    this.rhythm = createRhythm(def.rhythm, rhythmRng, firstRTimeMs);
    this.artefacts = createArtefactSource({ ...ARTEFACT_DEFAULTS, ...def.artefacts }, artefactRng, sampleRateHz);
    this.fibrillatoryWaves = createFibrillatoryWaves(atrialRng, sampleRateHz);
    this.ringSize = nextPowerOfTwo(Math.ceil(RING_SPAN_S * sampleRateHz));
    this.ringMask = this.ringSize - 1;
    this.ring = new Float64Array(this.ringSize);
    this.leadOffDecay = Math.exp(-this.dtMs / LEAD_OFF_SETTLE_MS);
    this.pending = this.rhythm.drawNextBeat();
    this.prepare();
  }

  get timeMs(): number {
    return this.index * this.dtMs;
  }

  private prepare(): void {
    fillBeatWaves(this.waves, this.pending.kind, this.pending.rrMs, this.rAmplitudeMv);
    this.renderIndex = Math.floor((this.pending.rTimeMs - waveLeadMs(this.waves)) / this.dtMs);
  }

  private renderPending(): void {
    const { waves, pending, dtMs } = this;
    const lastWritable = this.index + this.ringSize - 1;
    for (let w = 0; w < waves.count; w++) {
      const centreMs = pending.rTimeMs + (waves.centreMs[w] as number);
      const sigmaMs = waves.sigmaMs[w] as number;
      const from = Math.max(this.index, Math.ceil((centreMs - GAUSSIAN_SUPPORT_SIGMAS * sigmaMs) / dtMs));
      const to = Math.min(lastWritable, Math.floor((centreMs + GAUSSIAN_SUPPORT_SIGMAS * sigmaMs) / dtMs));
      addGaussian(this.ring, this.ringMask, from, to, dtMs, centreMs, sigmaMs, waves.heightMv[w] as number);
    }
    const slot = (this.readyHead + this.readyCount) % READY_CAPACITY;
    this.ready[slot] = { rTimeMs: pending.rTimeMs, kind: pending.kind, rrMs: pending.rrMs };
    if (this.readyCount < READY_CAPACITY) this.readyCount++;
    else this.readyHead = (this.readyHead + 1) % READY_CAPACITY;
    this.pending = this.rhythm.drawNextBeat();
    this.prepare();
  }

  nextSample(): number {
    const index = ++this.index;
    while (index >= this.renderIndex) this.renderPending();
    const slot = index & this.ringMask;
    this.artefacts.advance(index);
    let v = (this.ring[slot] as number) + this.artefacts.valueMv;
    this.ring[slot] = 0;
    const rhythmDef = this.rhythm.def;
    if (rhythmDef.atrialFibrillation) {
      this.fibrillatoryWaves.advance();
      v += rhythmDef.afFibrillatoryWaveMv * this.fibrillatoryWaves.value;
    }
    if (this.leadOff) {
      this.leadOffResidualMv *= this.leadOffDecay;
      v = LEAD_OFF_OFFSET_MV + this.leadOffResidualMv;
    }
    this.lastOutputMv = v;
    return v;
  }

  takeBeat(aheadMs = 0): ElectricalBeat | null {
    if (this.readyCount === 0) return null;
    const beat = this.ready[this.readyHead] as ElectricalBeat;
    if (beat.rTimeMs > this.index * this.dtMs + aheadMs) return null;
    this.ready[this.readyHead] = null;
    this.readyHead = (this.readyHead + 1) % READY_CAPACITY;
    this.readyCount--;
    return beat;
  }

  setHeartRate(bpm: number): void {
    this.setRhythm({ heartRateBpm: bpm });
  }

  /**
   * A rhythm change applies from the next beat whose waves have not started: the drawn-ahead beat is drawn
   * again, unless under the new rhythm it would already have had to start (then it stands as drawn).
   */
  setRhythm(patch: Partial<RhythmDef>): void {
    this.rhythm.setRhythm(patch);
    const original = this.pending;
    this.pending = this.rhythm.redrawLastBeat();
    this.prepare();
    if (this.renderIndex <= this.index) {
      this.rhythm.revertRedraw();
      this.pending = original;
      this.prepare();
    }
  }

  setArtefacts(patch: Partial<ArtefactDef>): void {
    this.artefacts.set(patch);
  }

  setLeadOff(on: boolean): void {
    if (on && !this.leadOff) this.leadOffResidualMv = this.lastOutputMv - LEAD_OFF_OFFSET_MV;
    this.leadOff = on;
  }
}

export function createEcgGenerator(def: EcgDef, rng: Rng, sampleRateHz: number): EcgGenerator {
  return new SampledEcg(def, rng, sampleRateHz);
}
