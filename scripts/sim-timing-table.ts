/**
 * Timing-error table (issue 12; sim/README "Timing errors at four heart rates"): ideal timing and each of
 * the four classic timing errors at 50, 70, 100 and 120 bpm, plus 70-bpm settings kept at 120 bpm and a
 * borderline late deflation (valves opening before ejection, cuffs emptying during it), with the console's
 * readouts, the rubric score and the alarms. Prints the markdown table and writes it between
 * the TIMING-TABLE markers of sim/README.md. `npm run sim:timing-table [-- --no-write]`.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import {
  BORDERLINE_LATE_DEFLATION_SHIFT_RR,
  idealTiming,
  runTimingCase,
  STUDY_RATES_BPM,
  TIMING_CASES,
  type TimingReadouts,
  timingTableMarkdown,
} from '../sim/index.ts';

const rows: TimingReadouts[] = [];
for (const hr of STUDY_RATES_BPM) {
  for (const c of TIMING_CASES) rows.push(runTimingCase(hr, c));
}
const at70 = idealTiming({ heartRateBpm: 70, pressureMmHg: 260 });
const stale = runTimingCase(120, 'ideal', { inflateDelayMs: at70.inflateDelayMs, deflateDelayMs: at70.deflateDelayMs });

const borderline = STUDY_RATES_BPM.map((hr) => {
  const ideal = idealTiming({ heartRateBpm: hr, pressureMmHg: 260 });
  const deflateDelayMs = Math.round(ideal.deflateDelayMs + (BORDERLINE_LATE_DEFLATION_SHIFT_RR * 60000) / hr);
  return runTimingCase(hr, 'ideal', { inflateDelayMs: ideal.inflateDelayMs, deflateDelayMs });
});
const borderlineLabel = `deflation +${BORDERLINE_LATE_DEFLATION_SHIFT_RR} RR`;

const table = [
  timingTableMarkdown(rows),
  '',
  'Settings of 70 bpm kept at 120 bpm:',
  '',
  timingTableMarkdown([{ ...stale, case: 'ideal' }]).replace('| 120 | ideal |', '| 120 | 70-bpm settings |'),
  '',
  `Borderline late deflation (ideal deflation delay + ${BORDERLINE_LATE_DEFLATION_SHIFT_RR} RR: at 100-120 bpm the valves open before ejection and the cuffs empty during it):`,
  '',
  timingTableMarkdown(borderline).replaceAll('| ideal |', `| ${borderlineLabel} |`),
].join('\n');
console.log(table);

if (!process.argv.includes('--no-write')) {
  const path = join('sim', 'README.md');
  const start = '<!-- TIMING-TABLE:START (npm run sim:timing-table) -->';
  const end = '<!-- TIMING-TABLE:END -->';
  const readme = readFileSync(path, 'utf8');
  const i = readme.indexOf(start);
  const j = readme.indexOf(end);
  if (i < 0 || j < i) throw new Error(`sim/README.md has no ${start} ... ${end} section`);
  writeFileSync(path, `${readme.slice(0, i + start.length)}\n\n${table}\n\n${readme.slice(j)}`);
  console.log('\nWritten into sim/README.md');
}
