/**
 * Sample-by-sample ECG: beats are drawn ahead by the rhythm, rendered once into a ring buffer just before
 * their first wave starts (per-beat cost), and each sample reads and clears one slot (per-sample cost: one
 * read plus the enabled artefacts).
 */
import type { Rng } from '../rng.ts';
import { ARTEFACT_DEFAULTS, createArtefactSource } from './artefacts.ts';
import { createFibrillatoryWaves } from './fibrillatory-waves.ts';
import { createBeatWaves, fillBeatWaves, GAUSSIAN_SUPPORT_SIGMAS, waveLeadMs } from './morphology.ts';
import { createRhythm, type DrawnBeat } from './rhythm.ts';
import type { ArtefactDef, EcgDef, EcgGenerator, ElectricalBeat, RhythmDef } from './types.ts';

/** Default R-wave height, mV (lead II R is typically 0.5-1.5 mV; Surawicz & Knilans, Chou's ECG, ch. 1). */
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

export function createEcgGenerator(def: EcgDef, rng: Rng, sampleRateHz: number): EcgGenerator {
  if (!(sampleRateHz > 0)) throw new RangeError(`sampleRateHz must be positive, got ${sampleRateHz}`);
  const dtMs = 1000 / sampleRateHz;
  // Separate streams, so switching noise on or off does not move the beats.
  const rhythmRng = rng.fork();
  const artefactRng = rng.fork();
  const atrialRng = rng.fork();

  const rAmplitudeMv = def.rAmplitudeMv ?? DEFAULT_R_AMPLITUDE_MV;
  const meanRrMs = 60000 / Math.max(30, def.rhythm.heartRateBpm);
  const firstRTimeMs = FIRST_BEAT_MIN_MS + rhythmRng.next() * meanRrMs;
  const rhythm = createRhythm(def.rhythm, rhythmRng, firstRTimeMs);
  const artefacts = createArtefactSource({ ...ARTEFACT_DEFAULTS, ...def.artefacts }, artefactRng, sampleRateHz);
  const fibrillatoryWaves = createFibrillatoryWaves(atrialRng, sampleRateHz);

  const ringSize = nextPowerOfTwo(Math.ceil(RING_SPAN_S * sampleRateHz));
  const ringMask = ringSize - 1;
  const ring = new Float64Array(ringSize);

  const waves = createBeatWaves();
  let pending: DrawnBeat = rhythm.drawNextBeat();
  let renderIndex = 0;
  prepare();

  const ready: (ElectricalBeat | null)[] = new Array(READY_CAPACITY).fill(null);
  let readyHead = 0;
  let readyCount = 0;

  let index = -1;
  let leadOff = false;
  let leadOffResidualMv = 0;
  const leadOffDecay = Math.exp(-dtMs / LEAD_OFF_SETTLE_MS);
  let lastOutputMv = 0;

  function prepare(): void {
    fillBeatWaves(waves, pending.kind, pending.rrMs, rAmplitudeMv);
    renderIndex = Math.floor((pending.rTimeMs - waveLeadMs(waves)) / dtMs);
  }

  function renderPending(): void {
    const lastWritable = index + ringSize - 1;
    for (let w = 0; w < waves.count; w++) {
      const centreMs = pending.rTimeMs + (waves.centreMs[w] as number);
      const sigmaMs = waves.sigmaMs[w] as number;
      const heightMv = waves.heightMv[w] as number;
      const from = Math.max(index, Math.ceil((centreMs - GAUSSIAN_SUPPORT_SIGMAS * sigmaMs) / dtMs));
      const to = Math.min(lastWritable, Math.floor((centreMs + GAUSSIAN_SUPPORT_SIGMAS * sigmaMs) / dtMs));
      const inv2Var = 1 / (2 * sigmaMs * sigmaMs);
      for (let i = from; i <= to; i++) {
        const d = i * dtMs - centreMs;
        ring[i & ringMask] = (ring[i & ringMask] as number) + heightMv * Math.exp(-d * d * inv2Var);
      }
    }
    const slot = (readyHead + readyCount) % READY_CAPACITY;
    ready[slot] = { rTimeMs: pending.rTimeMs, kind: pending.kind, rrMs: pending.rrMs };
    if (readyCount < READY_CAPACITY) readyCount++;
    else readyHead = (readyHead + 1) % READY_CAPACITY;
    pending = rhythm.drawNextBeat();
    prepare();
  }

  function nextSample(): number {
    index++;
    while (index >= renderIndex) renderPending();
    const slot = index & ringMask;
    let v = ring[slot] as number;
    ring[slot] = 0;
    v += artefacts.sampleMv(index);
    const rhythmDef = rhythm.def;
    if (rhythmDef.atrialFibrillation) v += fibrillatoryWaves.sampleMv(rhythmDef.afFibrillatoryWaveMv);
    if (leadOff) {
      leadOffResidualMv *= leadOffDecay;
      v = LEAD_OFF_OFFSET_MV + leadOffResidualMv;
    }
    lastOutputMv = v;
    return v;
  }

  function takeBeat(): ElectricalBeat | null {
    if (readyCount === 0) return null;
    const beat = ready[readyHead] as ElectricalBeat;
    if (beat.rTimeMs > index * dtMs) return null;
    ready[readyHead] = null;
    readyHead = (readyHead + 1) % READY_CAPACITY;
    readyCount--;
    return beat;
  }

  /**
   * A rhythm change applies from the next beat whose waves have not started: the drawn-ahead beat is drawn
   * again, unless under the new rhythm it would already have had to start (then it stands as drawn).
   */
  function setRhythm(patch: Partial<RhythmDef>): void {
    rhythm.setRhythm(patch);
    const original = pending;
    const originalRenderIndex = renderIndex;
    pending = rhythm.redrawLastBeat();
    prepare();
    if (renderIndex <= index) {
      rhythm.revertRedraw();
      pending = original;
      prepare();
      renderIndex = originalRenderIndex;
    }
  }

  return {
    sampleRateHz,
    get timeMs(): number {
      return index * dtMs;
    },
    nextSample,
    takeBeat,
    setHeartRate(bpm: number): void {
      setRhythm({ heartRateBpm: bpm });
    },
    setRhythm,
    setArtefacts(patch: Partial<ArtefactDef>): void {
      artefacts.set(patch);
    },
    setLeadOff(on: boolean): void {
      if (on && !leadOff) leadOffResidualMv = lastOutputMv - LEAD_OFF_OFFSET_MV;
      leadOff = on;
    },
  };
}
