/**
 * Minimal reader for PhysioNet WFDB records: the header (.hea), format-212 signal files and MIT-format
 * annotation files (.atr), as documented in the WFDB Programmer's Guide (Moody, PhysioNet) and the
 * header(5), signal(5) and annot(5) manual pages.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';

export interface WfdbSignalSpec {
  fileName: string;
  format: number;
  /** ADC units per mV. */
  gainAduPerMv: number;
  /** ADC value that corresponds to 0 mV. */
  baselineAdu: number;
  initialValueAdu: number;
  /** 16-bit checksum of all samples of the signal, as stored in the header. */
  checksum: number;
  description: string;
}

export interface WfdbHeader {
  recordName: string;
  signalCount: number;
  sampleRateHz: number;
  sampleCount: number;
  signals: WfdbSignalSpec[];
}

export interface WfdbAnnotation {
  /** Sample index. */
  sample: number;
  /** Annotation type code (ecgcodes.h: 1 = NORMAL, 5 = PVC, 8 = APC, 28 = RHYTHM, ...). */
  code: number;
  subtype: number;
  channel: number;
  num: number;
  aux: string | null;
}

export function readWfdbHeader(headerPath: string): WfdbHeader {
  const lines = readFileSync(headerPath, 'utf8')
    .split(/\r?\n/)
    .map((l) => l.trim())
    .filter((l) => l !== '' && !l.startsWith('#'));
  const recordLine = lines[0];
  if (recordLine === undefined) throw new Error(`${headerPath}: empty header`);
  const [recordName = '', signalCountText = '0', rateText = '250', countText = '0'] = recordLine.split(/\s+/);
  const signalCount = Number(signalCountText);
  const signals: WfdbSignalSpec[] = [];
  for (let i = 0; i < signalCount; i++) {
    const fields = (lines[1 + i] ?? '').split(/\s+/);
    const [fileName = '', formatText = '', gainText = '200', , zeroText = '0', initText = '0', checksumText = '0'] =
      fields;
    // Gain may carry a baseline in parentheses and units: "200(1024)/mV".
    const gainMatch = /^([0-9.eE+-]+)(?:\(([-0-9]+)\))?/.exec(gainText);
    const gain = gainMatch ? Number(gainMatch[1]) : 200;
    const baseline = gainMatch?.[2] !== undefined ? Number(gainMatch[2]) : Number(zeroText);
    signals.push({
      fileName,
      format: Number.parseInt(formatText, 10),
      gainAduPerMv: gain === 0 ? 200 : gain,
      baselineAdu: baseline,
      initialValueAdu: Number(initText),
      checksum: Number(checksumText),
      description: fields.slice(8).join(' '),
    });
  }
  return {
    recordName,
    signalCount,
    sampleRateHz: Number.parseFloat(rateText.split('/')[0] ?? '250'),
    sampleCount: Number(countText),
    signals,
  };
}

/** Decode a format-212 file holding `signalCount` interleaved signals; returns raw ADC values per signal. */
export function decodeFormat212(bytes: Uint8Array, signalCount: number, sampleCount: number): Int16Array[] {
  const out = Array.from({ length: signalCount }, () => new Int16Array(sampleCount));
  const total = sampleCount * signalCount;
  let byte = 0;
  for (let k = 0; k < total; k += 2) {
    const b0 = bytes[byte] ?? 0;
    const b1 = bytes[byte + 1] ?? 0;
    const b2 = bytes[byte + 2] ?? 0;
    byte += 3;
    let s0 = b0 | ((b1 & 0x0f) << 8);
    let s1 = b2 | ((b1 & 0xf0) << 4);
    if (s0 & 0x800) s0 -= 0x1000;
    if (s1 & 0x800) s1 -= 0x1000;
    (out[k % signalCount] as Int16Array)[Math.floor(k / signalCount)] = s0;
    if (k + 1 < total) (out[(k + 1) % signalCount] as Int16Array)[Math.floor((k + 1) / signalCount)] = s1;
  }
  return out;
}

export interface WfdbRecord {
  header: WfdbHeader;
  /** Raw ADC values per signal. */
  adu: Int16Array[];
  /** Signal `index` in mV. */
  millivolts(index: number): Float64Array;
}

export function readWfdbRecord(folder: string, recordName: string): WfdbRecord {
  const header = readWfdbHeader(path.join(folder, `${recordName}.hea`));
  const first = header.signals[0];
  if (!first) throw new Error(`${recordName}: no signals`);
  if (header.signals.some((s) => s.format !== 212 || s.fileName !== first.fileName)) {
    throw new Error(`${recordName}: only a single format-212 file is supported`);
  }
  const bytes = new Uint8Array(readFileSync(path.join(folder, first.fileName)));
  const adu = decodeFormat212(bytes, header.signalCount, header.sampleCount);
  return {
    header,
    adu,
    millivolts(index: number): Float64Array {
      const spec = header.signals[index];
      const raw = adu[index];
      if (!spec || !raw) throw new RangeError(`signal ${index} does not exist`);
      const mv = new Float64Array(raw.length);
      for (let i = 0; i < raw.length; i++) mv[i] = ((raw[i] as number) - spec.baselineAdu) / spec.gainAduPerMv;
      return mv;
    },
  };
}

/** WFDB pseudo-annotation codes (annot(5)). */
const SKIP = 59;
const NUM = 60;
const SUB = 61;
const CHN = 62;
const AUX = 63;

/** Decode an MIT-format annotation file. */
export function readMitAnnotations(bytes: Uint8Array): WfdbAnnotation[] {
  const annotations: WfdbAnnotation[] = [];
  const word = (at: number): number => (bytes[at] ?? 0) | ((bytes[at + 1] ?? 0) << 8);
  let at = 0;
  let time = 0;
  let num = 0;
  let channel = 0;
  let current: WfdbAnnotation | null = null;
  while (at + 1 < bytes.length) {
    const w = word(at);
    at += 2;
    const code = w >> 10;
    const value = w & 0x3ff;
    if (code === 0 && value === 0) break;
    if (code === SKIP) {
      // 32-bit interval in the next two words, high 16 bits first.
      const high = word(at);
      const low = word(at + 2);
      at += 4;
      time += (high << 16) | low | 0;
    } else if (code === NUM) {
      num = value > 511 ? value - 1024 : value;
      if (current) current.num = num;
    } else if (code === SUB) {
      if (current) current.subtype = value > 511 ? value - 1024 : value;
    } else if (code === CHN) {
      channel = value;
      if (current) current.channel = channel;
    } else if (code === AUX) {
      const text = new TextDecoder('latin1').decode(bytes.subarray(at, at + value));
      at += value + (value & 1);
      if (current) current.aux = text.replace(/\0+$/, '');
    } else {
      time += value;
      current = { sample: time, code, subtype: 0, channel, num, aux: null };
      annotations.push(current);
    }
  }
  return annotations;
}

export function readMitAnnotationFile(filePath: string): WfdbAnnotation[] {
  return readMitAnnotations(new Uint8Array(readFileSync(filePath)));
}

/**
 * Codes of the beat annotations counted as beats by ANSI/AAMI EC57 (ecgcodes.h): N 1, L 2, R 3, a 4, V 5,
 * F 6, J 7, A 8, S 9, E 10, j 11, / 12, Q 13, B 25, ? 30, e 34, n 35, f 38, r 41.
 */
export const BEAT_CODES: ReadonlySet<number> = new Set([
  1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 25, 30, 34, 35, 38, 41,
]);

export function isBeatAnnotation(a: WfdbAnnotation): boolean {
  return BEAT_CODES.has(a.code);
}

/** 16-bit checksum of samples as stored in WFDB headers (sum modulo 2^16, as a signed 16-bit value). */
export function wfdbChecksum(samples: Int16Array): number {
  let sum = 0;
  for (let i = 0; i < samples.length; i++) sum = (sum + (samples[i] as number)) & 0xffff;
  return sum >= 0x8000 ? sum - 0x10000 : sum;
}

/**
 * A record's MLII lead in the `mitdb-extra` layout: int16 ADC units relative to the signal's baseline
 * (little-endian bytes), and the sample indices of its beat annotations, one per line.
 */
export function toExtraLayout(
  record: WfdbRecord,
  annotations: WfdbAnnotation[],
): { i16: Uint8Array; beats: string; lead: string } {
  const index = record.header.signals.findIndex((s) => s.description === 'MLII');
  if (index < 0) throw new Error(`${record.header.recordName}: no MLII lead`);
  const spec = record.header.signals[index] as WfdbSignalSpec;
  const raw = record.adu[index] as Int16Array;
  const bytes = new Uint8Array(raw.length * 2);
  const view = new DataView(bytes.buffer);
  for (let i = 0; i < raw.length; i++) view.setInt16(2 * i, (raw[i] as number) - spec.baselineAdu, true);
  const beats = annotations.filter(isBeatAnnotation).map((a) => `${a.sample}\n`);
  return { i16: bytes, beats: beats.join(''), lead: spec.description };
}
