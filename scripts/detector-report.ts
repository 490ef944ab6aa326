/**
 * R-wave detector figures per MIT-BIH record found in the test data (`TEST_DATA_DIR`, default
 * test/fixtures/data/): Se, +P, false and missed beats and decision latency, matched as the detector's tests
 * match them (ANSI/AAMI EC57: 150 ms window, the first 10 s for learning).
 *
 *   npm run detector:report                 every record found
 *   npm run detector:report -- 105 108      only these records
 *   npm run detector:report -- --list 108   also list each false (FP) and missed (FN) beat with its time
 */
import { findRecords, LEARNING_MS, MATCH_WINDOW_MS, runDetector, scoreRun } from '../test/helpers/detector-eval.ts';
import { testDataDir } from '../test/helpers/test-data.ts';

const args = process.argv.slice(2);
const list = args.includes('--list');
const wanted = args.filter((a) => !a.startsWith('--'));
const unknown = args.filter((a) => a.startsWith('--') && a !== '--list');
if (unknown.length > 0) {
  console.error(`Unknown option ${unknown.join(' ')}; usage: detector-report [--list] [record ...]`);
  process.exit(2);
}

const records = findRecords().filter((r) => wanted.length === 0 || wanted.includes(r.name));
if (records.length === 0) {
  console.error(
    `No MIT-BIH records${wanted.length > 0 ? ` named ${wanted.join(', ')}` : ''} in ${testDataDir()} ` +
      '(set TEST_DATA_DIR, or run npm run test-data:fetch).',
  );
  process.exit(1);
}

const pct = (x: number): string => (100 * x).toFixed(2).padStart(6);
const clock = (ms: number): string => {
  const s = ms / 1000;
  return `${Math.floor(s / 60)}:${(s % 60).toFixed(3).padStart(6, '0')}`;
};

console.log(`record  beats     TP   FN   FP   Se %   +P %  latency median/p99/max ms`);
let tp = 0;
let fn = 0;
let fp = 0;
for (const record of records) {
  const lead = record.load();
  const run = runDetector(lead);
  const m = scoreRun(lead, run);
  tp += m.truePositives;
  fn += m.falseNegatives;
  fp += m.falsePositives;
  const sorted = [...run.latenciesMs].sort((a, b) => a - b);
  const at = (q: number): string => (sorted[Math.floor(q * (sorted.length - 1))] ?? Number.NaN).toFixed(0);
  console.log(
    `${record.name.padEnd(6)} ${String(m.truePositives + m.falseNegatives).padStart(6)} ${String(m.truePositives).padStart(6)} ` +
      `${String(m.falseNegatives).padStart(4)} ${String(m.falsePositives).padStart(4)} ${pct(m.sensitivity)} ` +
      `${pct(m.positivePredictivity)}  ${at(0.5)}/${at(0.99)}/${at(1)}`,
  );
  if (list) {
    // The same greedy one-to-one matching as matchBeats, keeping which beats and detections are unmatched.
    const ref = lead.beatSamples.map((s) => (s * 1000) / lead.sampleRateHz).filter((t) => t >= LEARNING_MS);
    const det = run.detectedMs.map((t, i) => ({ t, i })).filter((d) => d.t >= LEARNING_MS);
    const used = new Set<number>();
    let j = 0;
    for (const r of ref) {
      while (j < det.length && (det[j]?.t as number) < r - MATCH_WINDOW_MS) j++;
      if (j < det.length && (det[j]?.t as number) <= r + MATCH_WINDOW_MS) {
        used.add(j);
        j++;
      } else {
        const prev = ref[ref.indexOf(r) - 1];
        console.log(`    FN ${clock(r)}  RR before ${prev === undefined ? '-' : (r - prev).toFixed(0)} ms`);
      }
    }
    det.forEach((d, k) => {
      if (used.has(k)) return;
      const after = ref.find((r) => r > d.t);
      const before = [...ref].reverse().find((r) => r <= d.t);
      console.log(
        `    FP ${clock(d.t)}  ${before === undefined ? '-' : (d.t - before).toFixed(0)} ms after a beat, ` +
          `${after === undefined ? '-' : (after - d.t).toFixed(0)} ms before the next; latency ${(run.allLatenciesMs[d.i] as number).toFixed(0)} ms`,
      );
    });
  }
}
if (records.length > 1) {
  const se = tp / (tp + fn);
  const ppv = tp / (tp + fp);
  console.log(
    `total  ${String(tp + fn).padStart(6)} ${String(tp).padStart(6)} ${String(fn).padStart(4)} ${String(fp).padStart(4)} ${pct(se)} ${pct(ppv)}`,
  );
}
