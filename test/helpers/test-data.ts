/**
 * Third-party data sets the tests read (the MIT-BIH records), which the repository does not hold. They live
 * in one directory named by `TEST_DATA_DIR`, laid out as `mitdb-100/` (WFDB files of record 100) and
 * `mitdb-extra/` (records 105 and 108 as `<rec>.i16` + `<rec>.beats`); it defaults to the git-ignored
 * `test/fixtures/data/`, which `npm run test-data:fetch` fills from PhysioNet.
 */
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const repoRoot = fileURLToPath(new URL('../..', import.meta.url));

/** The default home of the test data when `TEST_DATA_DIR` is not set. */
export const DEFAULT_TEST_DATA_DIR = path.join(repoRoot, 'test', 'fixtures', 'data');

export function testDataDir(): string {
  const configured = process.env.TEST_DATA_DIR?.trim();
  return configured ? path.resolve(configured) : DEFAULT_TEST_DATA_DIR;
}

/**
 * The absolute path of `relative` inside the test-data directory; throws one message saying both ways to
 * provide the data when it is missing.
 */
export function testDataPath(relative: string): string {
  const dir = testDataDir();
  const full = path.join(dir, relative);
  if (!existsSync(full)) {
    throw new Error(
      `Test data missing: ${full}\n` +
        'The MIT-BIH records are not part of the repository. Provide them either way:\n' +
        '  npm run test-data:fetch            downloads records 100, 105 and 108 from PhysioNet into test/fixtures/data/\n' +
        '  TEST_DATA_DIR=/path/to/data npm test   uses a copy laid out as mitdb-100/ and mitdb-extra/',
    );
  }
  return full;
}

/** One lead of a record in the `mitdb-extra` layout: samples in mV and the reference beats' sample indices. */
export interface ExtraRecord {
  sampleRateHz: number;
  millivolts: Float64Array;
  beatSamples: number[];
}

/** MIT-BIH sample rate and ADC gain, as stated in the records' headers. */
export const MITDB_SAMPLE_RATE_HZ = 360;
export const MITDB_GAIN_ADU_PER_MV = 200;

/**
 * Reads `mitdb-extra/<record>.i16` (little-endian int16 ADC units above baseline) and `<record>.beats`, or the
 * same pair from `folder` when given.
 */
export function readExtraRecord(record: string, folder?: string): ExtraRecord {
  const file = (ext: string): string =>
    folder === undefined
      ? testDataPath(path.join('mitdb-extra', `${record}.${ext}`))
      : path.join(folder, `${record}.${ext}`);
  const bytes = readFileSync(file('i16'));
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const millivolts = new Float64Array(bytes.byteLength >> 1);
  for (let i = 0; i < millivolts.length; i++) millivolts[i] = view.getInt16(2 * i, true) / MITDB_GAIN_ADU_PER_MV;
  const beatSamples = readFileSync(file('beats'), 'utf8')
    .split(/\r?\n/)
    .filter((line) => line.trim() !== '')
    .map((line) => Number(line));
  return { sampleRateHz: MITDB_SAMPLE_RATE_HZ, millivolts, beatSamples };
}
