/**
 * Checks the exam content in content/exams/ against the item and exam format (iecpa-items/1,
 * iecpa-exam/1) before the importer sees it, and replays every engine item on the engine:
 *   ./node_modules/.bin/node scripts/exam-content-check.ts
 * For each engine item the beat's own class must equal `expect`, and the beat's timing errors must lie at
 * least MARGIN_MS inside the windows that give that class, so that a small engine change cannot flip the
 * key unnoticed (a borderline beat is reported as an error). Exits 1 on any error.
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { type BeatMetrics, DEFAULT_TIMING_WINDOWS, parseScenario, simulate, type TimingWindows } from '../sim/index.ts';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
/** Distance a beat's timing error must keep from the class boundary. */
const MARGIN_MS = 20;
/** Long enough for beat 50 at 50 beats/min, the slowest preset. */
const ENGINE_DURATION_MS = 70_000;

const CLASSES = ['early-inflation', 'late-inflation', 'early-deflation', 'late-deflation', 'ok'] as const;
const ASKS = ['fault', 'fix'] as const;
const TYPES = ['single', 'multiple', 'true-false', 'matching', 'numeric', 'engine'] as const;
const DIFFICULTIES = ['easy', 'medium', 'hard'] as const;
const SLUG = /^[a-z0-9]+(?:-[a-z0-9]+)*$/;
const REF = /^[a-z0-9-]{3,60}$/;

type Json = null | boolean | number | string | Json[] | { [key: string]: Json };
type Obj = { [key: string]: Json };

function isObj(v: Json | undefined): v is Obj {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function slugsIn(dir: string): Set<string> {
  return new Set(
    readdirSync(join(root, dir))
      .filter((f) => f.endsWith('.md'))
      .map((f) => f.slice(0, -3)),
  );
}

const categories = slugsIn('content/curriculum/level-1');
const chapters = slugsIn('content/handbook');

/** Errors of options/prompts/choices: 3-6 (or at least `min`) entries with unique ids and text. */
function listErrors(list: Json | undefined, name: string, min: number, max: number): string[] {
  if (!Array.isArray(list)) return [`${name} must be an array`];
  const errors: string[] = [];
  if (list.length < min || list.length > max) errors.push(`${name} must have ${min}-${max} entries`);
  const ids = new Set<string>();
  for (const o of list) {
    if (!isObj(o) || typeof o.id !== 'string' || typeof o.text !== 'string' || o.text.trim() === '') {
      errors.push(`${name}: each entry needs an id and a text`);
      continue;
    }
    if (ids.has(o.id)) errors.push(`${name}: duplicate id ${o.id}`);
    ids.add(o.id);
    if (/all of the above|none of the above/i.test(o.text)) errors.push(`${name}: "${o.text}" (NBME: avoid)`);
  }
  return errors;
}

function idsOf(list: Json | undefined): Set<string> {
  return new Set(Array.isArray(list) ? list.filter(isObj).map((o) => String(o.id)) : []);
}

/** Why the beat is not clearly in `expect`'s windows, or null when it is. */
function marginError(beat: BeatMetrics, expect: string, w: TimingWindows): string | null {
  const inf = beat.inflationErrorMs;
  const def = beat.deflationErrorMs ?? Number.NEGATIVE_INFINITY;
  if (inf === null) return 'beat not assisted';
  const m = MARGIN_MS;
  const infOk = inf >= w.inflationEarlyMs + m && inf <= w.inflationLateMs - m;
  const defNotLate = def <= w.deflationLateMs - m;
  const clear: Record<string, boolean> = {
    'late-deflation': def >= w.deflationLateMs + m,
    'early-inflation': defNotLate && inf <= w.inflationEarlyMs - m,
    'late-inflation': defNotLate && inf >= w.inflationLateMs + m,
    'early-deflation': infOk && def <= w.deflationEarlyMs - m,
    ok: infOk && defNotLate && def >= w.deflationEarlyMs + m,
  };
  return clear[expect]
    ? null
    : `borderline for ${expect}: inflation error ${inf.toFixed(0)} ms, deflation error ${def.toFixed(0)} ms`;
}

const scenarioCache = new Map<string, unknown>();
function loadScenario(id: string): unknown {
  const cached = scenarioCache.get(id);
  if (cached !== undefined) return cached;
  const file = join(root, 'content', 'scenarios', `${id}.json`);
  if (!existsSync(file)) throw new Error(`unknown scenario ${id}`);
  const parsed = parseScenario(JSON.parse(readFileSync(file, 'utf8')));
  if (!parsed.ok) throw new Error(`scenario ${id}: ${parsed.errors.join('; ')}`);
  scenarioCache.set(id, parsed.value);
  return parsed.value;
}

function engineErrors(item: Obj): string[] {
  const e = item.engine;
  if (!isObj(e)) return ['engine must be an object'];
  const errors: string[] = [];
  if (!ASKS.includes(e.ask as (typeof ASKS)[number])) errors.push('engine.ask must be fault or fix');
  if (!CLASSES.includes(item.expect as (typeof CLASSES)[number])) errors.push('expect must be a beat class');
  if ('options' in item || 'key' in item) errors.push('engine items carry no options or key');
  const s = e.settings;
  if (!isObj(s) || typeof e.scenario !== 'string' || typeof e.seed !== 'number' || typeof e.beatIndex !== 'number') {
    return [...errors, 'engine needs scenario, seed, settings and beatIndex'];
  }
  const settings = {
    inflateDelayMs: Number(s.inflateDelayMs),
    deflateDelayMs: Number(s.deflateDelayMs),
    pressureMmHg: Number(s.pressureMmHg),
  };
  let beats: BeatMetrics[];
  try {
    beats = simulate({
      scenario: loadScenario(e.scenario),
      seed: e.seed,
      durationMs: ENGINE_DURATION_MS,
      settings,
    }).beats;
  } catch (err) {
    return [...errors, `engine run failed: ${(err as Error).message}`];
  }
  const beat = beats[e.beatIndex];
  if (beat === undefined) return [...errors, `no beat ${e.beatIndex} in ${ENGINE_DURATION_MS} ms`];
  if (beat.beatClass !== item.expect) errors.push(`engine says ${beat.beatClass}, expect says ${String(item.expect)}`);
  else {
    const m = marginError(beat, String(item.expect), DEFAULT_TIMING_WINDOWS);
    if (m !== null) errors.push(m);
  }
  return errors;
}

function itemErrors(item: Obj): string[] {
  const errors: string[] = [];
  const type = item.type as (typeof TYPES)[number];
  if (!TYPES.includes(type)) return [`unknown type ${String(item.type)}`];
  if (!categories.has(String(item.category))) errors.push(`unknown category ${String(item.category)}`);
  if (item.language !== 'en') errors.push('language must be en');
  if (!DIFFICULTIES.includes(item.difficulty as (typeof DIFFICULTIES)[number])) errors.push('bad difficulty');
  if (typeof item.stem !== 'string' || item.stem.trim() === '') errors.push('stem is required');
  if (type !== 'engine' && (typeof item.rationale !== 'string' || item.rationale.trim() === '')) {
    errors.push('rationale is required');
  }
  const refs = item.references;
  if (!Array.isArray(refs) || refs.length === 0) errors.push('at least one reference');
  else for (const r of refs) if (!chapters.has(String(r))) errors.push(`unknown handbook chapter ${String(r)}`);
  const tags = item.tags ?? [];
  if (!Array.isArray(tags) || tags.length > 10 || !tags.every((t) => typeof t === 'string' && SLUG.test(t))) {
    errors.push('tags: 0-10 lower-case slugs');
  }
  if ('image' in item) {
    const img = item.image;
    if (!isObj(img) || typeof img.src !== 'string' || !/^content\/figures\/[\w.-]+\.svg$/.test(img.src)) {
      errors.push('image.src must be content/figures/<file>.svg');
    } else if (!existsSync(join(root, img.src))) errors.push(`no such figure ${img.src}`);
    if (!isObj(img) || typeof img.alt !== 'string' || img.alt.trim().length < 20) {
      errors.push('image.alt is required and must describe the figure');
    }
  }
  const key = item.key;
  switch (type) {
    case 'single':
    case 'multiple': {
      errors.push(...listErrors(item.options, 'options', 3, 6));
      const ids = idsOf(item.options);
      if (!Array.isArray(key) || !key.every((k) => ids.has(String(k))) || new Set(key).size !== key.length) {
        errors.push('key must list distinct option ids');
      } else if (type === 'single' && key.length !== 1) errors.push('single: exactly one key');
      else if (type === 'multiple' && key.length < 2) errors.push('multiple: at least two keys');
      if (type === 'multiple' && item.scoring !== 'all-or-nothing' && item.scoring !== 'partial') {
        errors.push('multiple: scoring must be all-or-nothing or partial');
      }
      break;
    }
    case 'true-false':
      if (typeof key !== 'boolean') errors.push('true-false: key must be true or false');
      if ('options' in item) errors.push('true-false: no options');
      break;
    case 'matching': {
      errors.push(...listErrors(item.prompts, 'prompts', 3, 6));
      const prompts = idsOf(item.prompts);
      errors.push(...listErrors(item.choices, 'choices', prompts.size, 12));
      const choices = idsOf(item.choices);
      if (!isObj(key) || Object.keys(key).length !== prompts.size) errors.push('matching: one key per prompt');
      else {
        for (const [p, c] of Object.entries(key)) {
          if (!prompts.has(p) || !choices.has(String(c))) errors.push(`matching: bad pair ${p} -> ${String(c)}`);
        }
      }
      break;
    }
    case 'numeric':
      if (
        !isObj(key) ||
        typeof key.value !== 'number' ||
        typeof key.tolerance !== 'number' ||
        key.tolerance < 0 ||
        typeof key.unit !== 'string' ||
        key.unit === ''
      ) {
        errors.push('numeric: key {value, tolerance >= 0, unit}');
      }
      break;
    case 'engine':
      errors.push(...engineErrors(item));
      break;
  }
  return errors;
}

function main(): number {
  let failures = 0;
  const fail = (where: string, msg: string): void => {
    failures++;
    console.error(`${where}: ${msg}`);
  };
  const bankFile = join(root, 'content', 'exams', 'items', 'level-1.json');
  const bank = JSON.parse(readFileSync(bankFile, 'utf8')) as Json;
  if (!isObj(bank) || bank.format !== 'iecpa-items/1' || !Array.isArray(bank.items)) {
    fail(bankFile, 'not an iecpa-items/1 file');
    return 1;
  }
  const seen = new Set<string>();
  const perCategory = new Map<string, number>();
  const perType = new Map<string, number>();
  const engineKinds = new Set<string>();
  for (const [i, raw] of bank.items.entries()) {
    if (!isObj(raw)) {
      fail(`items[${i}]`, 'not an object');
      continue;
    }
    const ref = String(raw.ref);
    const where = `items[${i}] ${ref}`;
    if (!REF.test(ref)) fail(where, 'ref must match [a-z0-9-]{3,60}');
    if (seen.has(ref)) fail(where, 'duplicate ref');
    seen.add(ref);
    for (const msg of itemErrors(raw)) fail(where, msg);
    perCategory.set(String(raw.category), (perCategory.get(String(raw.category)) ?? 0) + 1);
    perType.set(String(raw.type), (perType.get(String(raw.type)) ?? 0) + 1);
    if (raw.type === 'engine' && isObj(raw.engine)) {
      engineKinds.add(String(raw.expect));
      engineKinds.add(`ask:${String(raw.engine.ask)}`);
    }
  }
  for (const k of [...CLASSES, ...ASKS.map((a) => `ask:${a}`)]) {
    if (!engineKinds.has(k)) fail(bankFile, `no engine item covers ${k}`);
  }

  for (const exam of ['level-1-theory', 'level-1-practice', 'level-1-knowledge-check']) {
    const file = join(root, 'content', 'exams', `${exam}.json`);
    const e = JSON.parse(readFileSync(file, 'utf8')) as Json;
    if (!isObj(e) || e.format !== 'iecpa-exam/1' || e.slug !== exam || e.bank !== 'level-1') {
      fail(file, 'not an iecpa-exam/1 file for bank level-1 with its own slug');
      continue;
    }
    const blueprint = Array.isArray(e.blueprint) ? e.blueprint.filter(isObj) : [];
    let total = 0;
    for (const row of blueprint) {
      const count = Number(row.count);
      total += count;
      const available = perCategory.get(String(row.category)) ?? 0;
      if (!categories.has(String(row.category))) fail(file, `unknown category ${String(row.category)}`);
      if (count > available) fail(file, `${String(row.category)} draws ${count} of ${available} items`);
    }
    console.log(`${exam}: ${total} items drawn, ${e.timeLimitMinutes} min`);
  }

  console.log(`${bank.items.length} items; by type ${JSON.stringify(Object.fromEntries(perType))}`);
  console.log(`by category ${JSON.stringify(Object.fromEntries([...perCategory].sort()))}`);
  console.log(failures === 0 ? 'OK' : `${failures} error(s)`);
  return failures === 0 ? 0 : 1;
}

process.exitCode = main();
