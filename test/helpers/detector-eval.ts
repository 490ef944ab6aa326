/**
 * Runs the R-wave detector over an MIT-BIH lead and scores it as ANSI/AAMI EC57 does (a detection matches a
 * reference beat within 150 ms, one to one). Shared by the detector's tests and `npm run detector:report`,
 * so both report the same figures.
 */
import { existsSync, readdirSync } from 'node:fs';
import path from 'node:path';
import { createRDetector } from '../../sim/detect/index.ts';
import { type BeatMatch, matchBeats } from './beat-match.ts';
import { readExtraRecord, testDataDir } from './test-data.ts';
import { isBeatAnnotation, readMitAnnotationFile, readWfdbRecord } from './wfdb.ts';

/** EC57 lets a detector learn before scoring starts; we skip the first 10 s (5 min would be allowed). */
export const LEARNING_MS = 10_000;
/** After the last sample we feed 0.5 s of its value so a beat at the very end can still be decided. */
export const FLUSH_S = 0.5;
/** EC57 match window, ms. */
export const MATCH_WINDOW_MS = 150;

/** One ECG lead with its reference beats. */
export interface EcgLead {
  sampleRateHz: number;
  millivolts: Float64Array;
  /** Sample indices of the reference beat annotations. */
  beatSamples: number[];
}

export interface DetectorRun {
  /** Back-dated R peaks of the detections, ms from the start of the record. */
  detectedMs: number[];
  /** Decision latency (decision time - R peak) of the detections not made by search-back, ms. */
  latenciesMs: number[];
  /** Decision latency of every detection, search-back included, ms (parallel to `detectedMs`). */
  allLatenciesMs: number[];
}

export function runDetector(lead: Pick<EcgLead, 'sampleRateHz' | 'millivolts'>): DetectorRun {
  const fs = lead.sampleRateHz;
  const x = lead.millivolts;
  const detector = createRDetector(fs);
  const detectedMs: number[] = [];
  const latenciesMs: number[] = [];
  const allLatenciesMs: number[] = [];
  const total = x.length + Math.round(FLUSH_S * fs);
  for (let i = 0; i < total; i++) {
    if (detector.push(x[Math.min(i, x.length - 1)] as number)) {
      detectedMs.push((detector.lastPeakIndex * 1000) / fs);
      const latency = ((detector.sampleIndex - detector.lastPeakIndex) * 1000) / fs;
      allLatenciesMs.push(latency);
      if (!detector.lastWasSearchBack) latenciesMs.push(latency);
    }
  }
  return { detectedMs, latenciesMs, allLatenciesMs };
}

/** Matches detections to reference beats after the learning period. */
export function scoreRun(lead: EcgLead, run: DetectorRun): BeatMatch {
  const scored = (t: number): boolean => t >= LEARNING_MS;
  const referenceMs = lead.beatSamples.map((s) => (s * 1000) / lead.sampleRateHz).filter(scored);
  return matchBeats(referenceMs, run.detectedMs.filter(scored), MATCH_WINDOW_MS);
}

/** Lead `signalIndex` of a WFDB record (format 212 + .atr) with its beat annotations. */
export function readWfdbLead(folder: string, record: string, signalIndex = 0): EcgLead {
  const wfdb = readWfdbRecord(folder, record);
  const beats = readMitAnnotationFile(path.join(folder, `${record}.atr`)).filter(isBeatAnnotation);
  return {
    sampleRateHz: wfdb.header.sampleRateHz,
    millivolts: wfdb.millivolts(signalIndex),
    beatSamples: beats.map((a) => a.sample),
  };
}

/** A record found in the test data, loaded on demand (MLII lead where the header names it, else the first). */
export interface FoundRecord {
  name: string;
  load(): EcgLead;
}

/**
 * Every MIT-BIH record in the test-data directory: WFDB records (`<rec>.hea` + `.dat` + `.atr`) in any of
 * its folders, and `<rec>.i16` + `<rec>.beats` pairs (the `mitdb-extra` layout). Sorted by name; a record
 * present in both layouts is listed once.
 */
export function findRecords(dir = testDataDir()): FoundRecord[] {
  const found = new Map<string, FoundRecord>();
  if (!existsSync(dir)) return [];
  const folders = [
    dir,
    ...readdirSync(dir, { withFileTypes: true })
      .filter((e) => e.isDirectory())
      .map((e) => path.join(dir, e.name)),
  ];
  for (const folder of folders) {
    const files = new Set(readdirSync(folder));
    for (const file of files) {
      const hea = /^(.+)\.hea$/.exec(file);
      if (hea?.[1] && files.has(`${hea[1]}.atr`) && !found.has(hea[1])) {
        const name = hea[1];
        found.set(name, {
          name,
          load: () => {
            const header = readWfdbRecord(folder, name).header;
            const mlii = header.signals.findIndex((s) => s.description === 'MLII');
            return readWfdbLead(folder, name, Math.max(0, mlii));
          },
        });
      }
      const i16 = /^(.+)\.i16$/.exec(file);
      if (i16?.[1] && files.has(`${i16[1]}.beats`) && !found.has(i16[1])) {
        const name = i16[1];
        // readExtraRecord reads `mitdb-extra/` of the test-data directory; other folders are read the same way.
        found.set(name, { name, load: () => readExtraRecord(name, folder) });
      }
    }
  }
  return [...found.values()].sort((a, b) => a.name.localeCompare(b.name));
}
