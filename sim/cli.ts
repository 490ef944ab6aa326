/**
 * Command-line front end: run a scenario preset and print a per-beat table and a summary (or JSON).
 * The only file in sim/ that uses Node APIs; nothing imports it.
 *   npm run sim -- --scenario default-stable-angina --seed 1 --duration 60 --inflate 290 --deflate 700 --pressure 260
 */
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import {
  idealTiming,
  parseScenario,
  SEED_MAX,
  SETTINGS_LIMITS,
  type SettingsPatch,
  seedError,
  settingsPatchErrors,
  simulate,
} from './index.ts';

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
    `  --seed <int>        random seed, 0-${SEED_MAX} (default 1)`,
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

/** Options that take a value. */
const VALUE_OPTIONS = ['scenario', 'seed', 'duration', 'inflate', 'deflate', 'pressure', 'stage-delay'] as const;

/** The device setting each option sets (their ranges and checks are the engine's: sim/validate.ts). */
const SETTING_OPTIONS = {
  inflate: 'inflateDelayMs',
  deflate: 'deflateDelayMs',
  pressure: 'pressureMmHg',
  'stage-delay': 'stageDelayMs',
} as const satisfies Record<string, keyof typeof SETTINGS_LIMITS>;

/**
 * `--pressure -5` would read "-5" as an option ("argument is ambiguous"); a value option followed by a
 * negative number is joined to it (`--pressure=-5`) so the value reaches the range check.
 */
function joinNegativeValues(argv: string[]): string[] {
  const out: string[] = [];
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i] as string;
    const next = argv[i + 1];
    const name = arg.startsWith('--') ? arg.slice(2) : '';
    if (
      (VALUE_OPTIONS as readonly string[]).includes(name) &&
      next !== undefined &&
      /^-(\d|\.\d|Infinity)/.test(next)
    ) {
      out.push(`${arg}=${next}`);
      i++;
    } else {
      out.push(arg);
    }
  }
  return out;
}

/** The option's text as a number ("" and non-numeric text are refused, not read as 0). */
function numberArg(name: string, raw: string, range: string): number {
  const v = raw.trim() === '' ? Number.NaN : Number(raw);
  if (Number.isNaN(v)) throw new UsageError(`--${name}: "${raw}" is not a number between ${range}`);
  return v;
}

function main(argv: string[]): number {
  let values: Record<string, string | boolean | undefined>;
  try {
    values = parseArgs({
      args: joinNegativeValues(argv),
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
    const rawSeed = str('seed');
    const seed = rawSeed === undefined ? 1 : numberArg('seed', rawSeed, `0 and ${SEED_MAX}`);
    if (seedError(seed) !== null)
      throw new UsageError(`--seed: "${rawSeed}" is not an integer between 0 and ${SEED_MAX}`);
    const rawDuration = str('duration');
    const durationS = rawDuration === undefined ? 60 : numberArg('duration', rawDuration, '1 and 3600');
    if (!(durationS >= 1 && durationS <= 3600)) {
      throw new UsageError(`--duration: "${rawDuration}" is not a number between 1 and 3600`);
    }
    const settings: Record<string, number | boolean> = {};
    for (const [option, field] of Object.entries(SETTING_OPTIONS)) {
      const raw = str(option);
      if (raw === undefined) continue;
      const { min, max } = SETTINGS_LIMITS[field];
      const value = numberArg(option, raw, `${min} and ${max}`);
      // The engine's own check (the one place settings are validated) decides; the CLI names the option.
      if (settingsPatchErrors({ [field]: value }).length > 0) {
        throw new UsageError(`--${option}: "${raw}" is not a number between ${min} and ${max}`);
      }
      settings[field] = value;
    }
    if (values.adaptive) settings.adaptive = true;
    const result = simulate({
      scenario: parsed.value,
      seed,
      durationMs: durationS * 1000,
      settings: settings as SettingsPatch,
    });
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
