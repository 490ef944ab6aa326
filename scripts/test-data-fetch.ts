/**
 * Fills the test-data directory (TEST_DATA_DIR, default test/fixtures/data/) with the MIT-BIH Arrhythmia
 * Database records the detector tests use, from the database's public home on PhysioNet:
 *   mitdb-100/    record 100 as published (100.hea, 100.dat, 100.atr)
 *   mitdb-extra/  records 105 and 108, MLII lead as <rec>.i16 and beat annotations as <rec>.beats
 * Every downloaded file is checked against PhysioNet's published SHA-256 list before it is used.
 * Data: Moody GB, Mark RG, IEEE Eng Med Biol 20(3):45-50 (2001); Goldberger AL et al., Circulation
 * 101(23):e215-e220 (2000). Open Data Commons Attribution 1.0.
 */
import { createHash } from 'node:crypto';
import { copyFileSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { testDataDir } from '#test/helpers/test-data.ts';
import { readMitAnnotationFile, readWfdbRecord, toExtraLayout } from '#test/helpers/wfdb.ts';

const BASE_URL = 'https://physionet.org/files/mitdb/1.0.0/';
const RECORDS = ['100', '105', '108'] as const;
const ATTRIBUTION =
  'Source: MIT-BIH Arrhythmia Database v1.0.0 on PhysioNet (https://physionet.org/content/mitdb/1.0.0/).\n' +
  'Moody GB, Mark RG. The impact of the MIT-BIH Arrhythmia Database. IEEE Eng Med Biol 20(3):45-50, 2001.\n' +
  'Goldberger AL et al. PhysioBank, PhysioToolkit and PhysioNet. Circulation 101(23):e215-e220, 2000.\n' +
  'License: Open Data Commons Attribution 1.0; keep this attribution with any copy.\n';

async function download(name: string): Promise<Uint8Array> {
  const response = await fetch(new URL(name, BASE_URL), { signal: AbortSignal.timeout(120_000) });
  if (!response.ok) throw new Error(`${name}: HTTP ${response.status} from ${BASE_URL}`);
  return new Uint8Array(await response.arrayBuffer());
}

function parseChecksums(text: string): Map<string, string> {
  const sums = new Map<string, string>();
  for (const line of text.split(/\r?\n/)) {
    const match = /^([0-9a-f]{64})\s+\*?(.+)$/.exec(line.trim());
    if (match) sums.set(match[2] as string, match[1] as string);
  }
  return sums;
}

async function downloadChecked(name: string, sums: Map<string, string>): Promise<Uint8Array> {
  const expected = sums.get(name);
  if (!expected) throw new Error(`${name} is not in PhysioNet's SHA256SUMS.txt`);
  const bytes = await download(name);
  const actual = createHash('sha256').update(bytes).digest('hex');
  if (actual !== expected) throw new Error(`${name}: SHA-256 ${actual}, expected ${expected}`);
  return bytes;
}

async function main(): Promise<void> {
  const target = testDataDir();
  console.log(`Fetching MIT-BIH records ${RECORDS.join(', ')} from ${BASE_URL} into ${target}`);
  const sums = parseChecksums(new TextDecoder().decode(await download('SHA256SUMS.txt')));
  const staging = mkdtempSync(path.join(tmpdir(), 'mitdb-'));
  try {
    for (const record of RECORDS) {
      for (const ext of ['hea', 'dat', 'atr']) {
        writeFileSync(path.join(staging, `${record}.${ext}`), await downloadChecked(`${record}.${ext}`, sums));
      }
      console.log(`  ${record}: downloaded and checked`);
    }
    const hundred = path.join(target, 'mitdb-100');
    mkdirSync(hundred, { recursive: true });
    for (const ext of ['hea', 'dat', 'atr']) {
      copyFileSync(path.join(staging, `100.${ext}`), path.join(hundred, `100.${ext}`));
    }
    writeFileSync(path.join(hundred, 'README.md'), `# MIT-BIH record 100 (both leads, WFDB format)\n\n${ATTRIBUTION}`);
    const extra = path.join(target, 'mitdb-extra');
    mkdirSync(extra, { recursive: true });
    for (const record of ['105', '108']) {
      const converted = toExtraLayout(
        readWfdbRecord(staging, record),
        readMitAnnotationFile(path.join(staging, `${record}.atr`)),
      );
      writeFileSync(path.join(extra, `${record}.i16`), converted.i16);
      writeFileSync(path.join(extra, `${record}.beats`), converted.beats);
    }
    writeFileSync(
      path.join(extra, 'README.md'),
      '# MIT-BIH records 105 and 108 (lead MLII)\n\n' +
        '`<rec>.i16`: little-endian int16 ADC units above the baseline, 360 Hz, 200 adu/mV.\n' +
        '`<rec>.beats`: sample indices of the reference beat annotations (ANSI/AAMI EC57 beat codes).\n\n' +
        ATTRIBUTION,
    );
    console.log(`Done: ${target}`);
  } finally {
    rmSync(staging, { recursive: true, force: true });
  }
}

main().catch((error: unknown) => {
  console.error(`test-data:fetch failed: ${error instanceof Error ? error.message : String(error)}`);
  console.error('Without internet access, copy the data and set TEST_DATA_DIR to it instead.');
  process.exitCode = 1;
});
