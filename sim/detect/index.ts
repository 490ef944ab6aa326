export type { RDetector, RDetectorDef } from './r-detector.ts';
export { createRDetector, R_DETECTOR_DEFAULTS } from './r-detector.ts';
