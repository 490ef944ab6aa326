/**
 * Command-line front end: run a scenario preset and print a per-beat table and a summary (or JSON).
 * The only file in sim/ that uses Node APIs; nothing imports it.
 *   npm run sim -- --scenario default-stable-angina --seed 1 --duration 60 --inflate 290 --deflate 700 --pressure 260
 */
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { idealTiming, parseScenario, SETTINGS_LIMITS, type SettingsPatch, simulate } from './index.ts';

const scenarioDir = join(dirname(fileURLToPath(import.meta.url)), '..', 'content', 'scenarios');

function usage(): string {
  const rows = [50, 70, 90, 110].map((hr) => {
    const t = idealTiming({ heartRateBpm: hr });
    return `    ${String(hr).padStart(3)} bpm   inflate ${String(t.inflateDelayMs).padStart(4)} ms   deflate ${String(t.deflateDelayMs).padStart(5)} ms   (QS2 ${t.weisslerQs2Ms.toFixed(0)} ms)`;
  });
  return [
    'Usage: npm run sim -- --scenario <id> [options]',
    '',
    '  --scenario <id>     preset in content/scenarios/<id>.json (required)',
    '  --seed <int>        random seed (default 1)',
    '  --duration <s>      simulated seconds, 1-3600 (default 60)',
    `  --inflate <ms>      detected R -> calf inflation, ${SETTINGS_LIMITS.inflateDelayMs.min}-${SETTINGS_LIMITS.inflateDelayMs.max}`,
    `  --deflate <ms>      detected R -> deflation, ${SETTINGS_LIMITS.deflateDelayMs.min}-${SETTINGS_LIMITS.deflateDelayMs.max}`,
    `  --pressure <mmHg>   cuff pressure, ${SETTINGS_LIMITS.pressureMmHg.min}-${SETTINGS_LIMITS.pressureMmHg.max} (default 0 = standby)`,
    `  --stage-delay <ms>  calf -> lower thigh -> upper thigh, ${SETTINGS_LIMITS.stageDelayMs.min}-${SETTINGS_LIMITS.stageDelayMs.max} (default 40)`,
    '  --adaptive          deflate a lead time before the predicted R; inflation scaled with rate',
    '  --json              print { beats, summary } as JSON',
    '',
    '  Ideal timing for the default patient at 260 mmHg (augmentation at the notch, cuffs empty 50 ms',
    '  before ejection):',
    ...rows,
  ].join('\n');
}

class UsageError extends Error {}

function numberArg(name: string, raw: string | undefined, min: number, max: number): number | undefined {
  if (raw === undefined) return undefined;
  const v = Number(raw);
  if (!Number.isFinite(v) || v < min || v > max) {
    throw new UsageError(`--${name}: "${raw}" is not a number between ${min} and ${max}`);
  }
  return v;
}

function main(argv: string[]): number {
  let values: Record<string, string | boolean | undefined>;
  try {
    values = parseArgs({
      args: argv,
      options: {
        scenario: { type: 'string' },
        seed: { type: 'string' },
        duration: { type: 'string' },
        inflate: { type: 'string' },
        deflate: { type: 'string' },
        pressure: { type: 'string' },
        'stage-delay': { type: 'string' },
        adaptive: { type: 'boolean' },
        json: { type: 'boolean' },
        help: { type: 'boolean', short: 'h' },
      },
      strict: true,
    }).values;
  } catch (e) {
    process.stderr.write(`Error: ${(e as Error).message}\nRun with --help for usage.\n`);
    return 2;
  }
  if (values.help) {
    process.stdout.write(`${usage()}\n`);
    return 0;
  }
  try {
    const id = values.scenario;
    if (typeof id !== 'string' || !/^[a-z0-9-]+$/.test(id)) {
      throw new UsageError('--scenario <id> is required (kebab-case id of a file in content/scenarios/)');
    }
    const file = join(scenarioDir, `${id}.json`);
    if (!existsSync(file)) throw new UsageError(`--scenario: no preset "${id}" (looked for ${file})`);
    const parsed = parseScenario(JSON.parse(readFileSync(file, 'utf8')));
    if (!parsed.ok) throw new UsageError(`scenario ${id} is invalid: ${parsed.errors.join('; ')}`);
    const str = (k: string): string | undefined => (typeof values[k] === 'string' ? (values[k] as string) : undefined);
    const seed = numberArg('seed', str('seed'), 0, 2 ** 32 - 1) ?? 1;
    if (!Number.isInteger(seed)) throw new UsageError('--seed: must be an integer');
    const durationS = numberArg('duration', str('duration'), 1, 3600) ?? 60;
    const L = SETTINGS_LIMITS;
    const settings: SettingsPatch = {};
    const inflate = numberArg('inflate', str('inflate'), L.inflateDelayMs.min, L.inflateDelayMs.max);
    const deflate = numberArg('deflate', str('deflate'), L.deflateDelayMs.min, L.deflateDelayMs.max);
    const pressure = numberArg('pressure', str('pressure'), L.pressureMmHg.min, L.pressureMmHg.max);
    const stage = numberArg('stage-delay', str('stage-delay'), L.stageDelayMs.min, L.stageDelayMs.max);
    if (inflate !== undefined) settings.inflateDelayMs = inflate;
    if (deflate !== undefined) settings.deflateDelayMs = deflate;
    if (pressure !== undefined) settings.pressureMmHg = pressure;
    if (stage !== undefined) settings.stageDelayMs = stage;
    if (values.adaptive) settings.adaptive = true;
    const result = simulate({ scenario: parsed.value, seed, durationMs: durationS * 1000, settings });
    if (values.json) {
      process.stdout.write(`${JSON.stringify({ beats: result.beats, summary: result.summary })}\n`);
      return 0;
    }
    printTable(result);
    return 0;
  } catch (e) {
    if (e instanceof UsageError) {
      process.stderr.write(`Error: ${e.message}\nRun with --help for usage.\n`);
      return 2;
    }
    throw e;
  }
}

function f(v: number | null, digits = 0): string {
  return v === null || !Number.isFinite(v) ? '-' : v.toFixed(digits);
}

function printTable(result: ReturnType<typeof simulate>): void {
  const head = ['#', 'R ms', 'RR', 'kind', 'sys', 'dia pk', 'EDP', 'MAP', 'CO', 'D/S', 'infl err', 'defl err', 'class'];
  const widths = [4, 8, 5, 6, 5, 6, 5, 5, 5, 5, 8, 8, 16];
  const line = (cells: string[]): string => cells.map((c, i) => c.padStart(widths[i] ?? 6)).join(' ');
  const out: string[] = [line(head)];
  for (const b of result.beats) {
    out.push(
      line([
        String(b.index),
        f(b.rTimeMs),
        f(b.rrMs),
        b.kind,
        f(b.systolicPeakMmHg),
        f(b.diastolicPeakMmHg),
        f(b.endDiastolicMmHg),
        f(b.meanMmHg),
        f(b.cardiacOutputLPerMin, 2),
        f(b.dsPeakRatio, 2),
        f(b.inflationErrorMs),
        f(b.deflationErrorMs),
        b.beatClass,
      ]),
    );
  }
  const s = result.summary;
  out.push('', `Summary: ${s.beatCount} beats, ${s.assistedBeatCount} assisted, mean HR ${f(s.meanHeartRateBpm)} bpm`);
  out.push(
    `  classes: ${Object.entries(s.classCounts)
      .map(([k, v]) => `${k} ${v}`)
      .join(', ')}`,
  );
  if (s.assisted) {
    out.push(
      `  assisted: MAP ${f(s.assisted.meanMapMmHg)} mmHg, D/S median ${f(s.assisted.medianDsPeakRatio, 2)} (area ${f(s.assisted.meanDsAreaRatio, 2)}), CO ${f(s.assisted.meanCardiacOutputLPerMin, 2)} L/min`,
    );
  }
  if (s.reference) {
    out.push(
      `  unassisted (same beats): MAP ${f(s.reference.meanMapMmHg)} mmHg, ${f(s.reference.meanSystolicPeakMmHg)}/${f(s.reference.meanEndDiastolicMmHg)} mmHg, D/S ${f(s.reference.medianDsPeakRatio, 2)}, CO ${f(s.reference.meanCardiacOutputLPerMin, 2)} L/min`,
    );
  }
  if (s.changes) {
    out.push(
      `  change: MAP ${f(s.changes.mapPct, 1)} %, DPTI ${f(s.changes.dptiPct, 1)} %, CO ${f(s.changes.cardiacOutputPct, 1)} %, EDP ${f(s.changes.endDiastolicMmHg, 1)} mmHg, systolic ${f(s.changes.systolicPeakMmHg, 1)} mmHg`,
    );
  }
  out.push(
    `  R detection: Se ${f(100 * s.detection.sensitivity, 2)} %, +P ${f(100 * s.detection.positivePredictivity, 2)} % (${s.detection.matched}/${s.detection.trueBeats})`,
  );
  out.push(
    `  alarms: ${s.alarms.length === 0 ? 'none' : s.alarms.map((a) => `${a.code} at ${f(a.raisedAtMs / 1000, 1)} s`).join(', ')}`,
  );
  process.stdout.write(`${out.join('\n')}\n`);
}

process.exitCode = main(process.argv.slice(2));
