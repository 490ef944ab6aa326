import path from 'node:path';
import { expect, test } from 'vitest';
import { testDataPath } from '#test/helpers/test-data.ts';
import {
  decodeFormat212,
  isBeatAnnotation,
  readMitAnnotationFile,
  readMitAnnotations,
  readWfdbRecord,
  toExtraLayout,
  wfdbChecksum,
} from '#test/helpers/wfdb.ts';

/** Record 100's folder in the test data (fails with how to provide the data when it is missing). */
const mitdbFolder = (): string => testDataPath('mitdb-100');

function words(...values: number[]): Uint8Array {
  const bytes = new Uint8Array(values.length * 2);
  values.forEach((v, i) => {
    bytes[2 * i] = v & 0xff;
    bytes[2 * i + 1] = (v >> 8) & 0xff;
  });
  return bytes;
}

test('reads the header of MIT-BIH record 100', () => {
  const { header } = readWfdbRecord(mitdbFolder(), '100');
  expect(header.sampleRateHz).toBe(360);
  expect(header.sampleCount).toBe(650000);
  expect(header.signals.map((s) => s.description)).toEqual(['MLII', 'V5']);
  expect(header.signals[0]).toMatchObject({ format: 212, gainAduPerMv: 200, baselineAdu: 1024 });
});

test('decodes format 212 so that both signals match the header checksums and initial values', () => {
  const record = readWfdbRecord(mitdbFolder(), '100');
  record.header.signals.forEach((spec, i) => {
    const raw = record.adu[i] as Int16Array;
    expect(raw[0]).toBe(spec.initialValueAdu);
    expect(wfdbChecksum(raw)).toBe(spec.checksum);
  });
});

test('converts ADC units to millivolts with the header gain and baseline', () => {
  const record = readWfdbRecord(mitdbFolder(), '100');
  expect(record.millivolts(0)[0]).toBeCloseTo((995 - 1024) / 200, 12);
});

test('decodes negative 12-bit samples from format 212 bytes', () => {
  // s0 = -1 (0xfff), s1 = -2048 (0x800): b0 = 0xff, b1 = low nibble 0xf | high nibble 0x8, b2 = 0x00.
  const [a, b] = decodeFormat212(new Uint8Array([0xff, 0x8f, 0x00]), 2, 1);
  expect(a?.[0]).toBe(-1);
  expect(b?.[0]).toBe(-2048);
});

test('counts the 2273 beats of record 100 and leaves out its rhythm annotation', () => {
  const annotations = readMitAnnotationFile(path.join(mitdbFolder(), '100.atr'));
  const beats = annotations.filter(isBeatAnnotation);
  expect(beats).toHaveLength(2273);
  expect(beats.filter((a) => a.code === 1)).toHaveLength(2239);
  expect(beats.filter((a) => a.code === 8)).toHaveLength(33);
  expect(beats.filter((a) => a.code === 5)).toHaveLength(1);
  const rhythm = annotations.filter((a) => a.code === 28);
  expect(rhythm).toHaveLength(1);
  expect(rhythm[0]?.aux).toBe('(N');
  expect(beats.every((a, i) => i === 0 || a.sample > (beats[i - 1]?.sample ?? 0))).toBe(true);
});

test('applies SKIP, NUM, CHN and AUX words of an MIT annotation file', () => {
  const bytes = words(
    (1 << 10) | 100, // N at 100
    59 << 10, // SKIP by 0x00010000 + 5 = 65541
    0x0001,
    0x0005,
    (5 << 10) | 10, // V at 100 + 65541 + 10
    (60 << 10) | 3, // NUM 3 for that V
    (62 << 10) | 1, // CHN 1 for that V
    (63 << 10) | 3, // AUX of 3 bytes, padded to 4
    0x6261, // 'ab'
    0x0063, // 'c', pad
    (28 << 10) | 1, // rhythm at +1
    0,
  );
  const annotations = readMitAnnotations(bytes);
  expect(annotations.map((a) => [a.code, a.sample])).toEqual([
    [1, 100],
    [5, 65651],
    [28, 65652],
  ]);
  expect(annotations[1]).toMatchObject({ num: 3, channel: 1, aux: 'abc' });
  expect(annotations[2]).toMatchObject({ num: 3, channel: 1, aux: null });
  expect(annotations.filter(isBeatAnnotation)).toHaveLength(2);
});

test('converts a record to the mitdb-extra layout the fetch script writes (MLII above baseline, beat samples)', () => {
  const record = readWfdbRecord(mitdbFolder(), '100');
  const annotations = readMitAnnotationFile(path.join(mitdbFolder(), '100.atr'));
  const converted = toExtraLayout(record, annotations);
  expect(converted.lead).toBe('MLII');
  expect(converted.i16.byteLength).toBe(650000 * 2);
  const view = new DataView(converted.i16.buffer);
  // The header's initial value of MLII is 995 with baseline 1024.
  expect(view.getInt16(0, true)).toBe(995 - 1024);
  const mv = record.millivolts(0);
  for (const i of [0, 1234, 400000, 649999]) expect(view.getInt16(2 * i, true) / 200).toBeCloseTo(mv[i] as number, 12);
  const beats = converted.beats.trim().split('\n').map(Number);
  expect(beats).toHaveLength(2273);
  expect(beats).toEqual(annotations.filter(isBeatAnnotation).map((a) => a.sample));
});
