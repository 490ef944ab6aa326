export { ARTEFACT_DEFAULTS } from './artefacts.ts';
export { createEcgGenerator, DEFAULT_R_AMPLITUDE_MV } from './generator.ts';
export { MAX_QRS_ONSET_BEFORE_R_MS, qrsOnsetBeforeRMs, qs2Ms, qtMs } from './morphology.ts';
export { MAX_HEART_RATE_BPM, MIN_HEART_RATE_BPM, RHYTHM_DEFAULTS } from './rhythm.ts';
export type { ArtefactDef, BeatKind, EcgDef, EcgGenerator, ElectricalBeat, RhythmDef } from './types.ts';
