/**
 * The single-item form of the item bank: what its fields hold (one flat record of field name to text, named
 * after the item format's paths so the service's field errors land on their fields), and the conversion
 * between it and the item format (src/server/exams/item-format.ts), which validates.
 */
import { DIFFICULTIES, type ItemSource, type ItemType, LEVEL_1_CATEGORIES } from '#src/server/exams/item-format.ts';

/** The item types written in this form (every type: an engine item's frame and key come from the engine). */
export const FORM_ITEM_TYPES = ['single', 'multiple', 'true-false', 'matching', 'numeric', 'engine'] as const;
export type FormItemType = (typeof FORM_ITEM_TYPES)[number];
export const ITEM_TYPE_LABELS: Record<ItemType, string> = {
  single: 'Single best answer',
  multiple: 'Multiple response',
  'true-false': 'True or false',
  matching: 'Matching',
  numeric: 'Numeric with tolerance',
  engine: 'Engine item (frozen console frame)',
};
/** The engine item's settings fields, in the order shown, with their labels. */
export const ENGINE_SETTINGS = [
  ['inflateDelayMs', 'Inflation delay after the R wave (ms)'],
  ['deflateDelayMs', 'Deflation delay after the R wave (ms)'],
  ['pressureMmHg', 'Cuff pressure (mmHg)'],
] as const;
/** A new engine item starts from the default scenario at a working pressure (the examiner changes the rest). */
const ENGINE_DEFAULTS: ItemFormValues = {
  'engine.scenario': 'default-stable-angina',
  'engine.seed': '1',
  'engine.settings.inflateDelayMs': '260',
  'engine.settings.deflateDelayMs': '700',
  'engine.settings.pressureMmHg': '260',
  'engine.beatIndex': '20',
  'engine.ask': 'fault',
};

/** Rows the form offers; rows left empty are dropped. */
export const ROWS = { options: 6, prompts: 6, choices: 8 } as const;
export { DIFFICULTIES, LEVEL_1_CATEGORIES };

export type ItemFormValues = Record<string, string>;

export function isFormItemType(value: string | null | undefined): value is FormItemType {
  return (FORM_ITEM_TYPES as readonly string[]).includes(value ?? '');
}

/** Row ids: the item's own where it has them, else the first default not taken. */
function rowIds(existing: readonly string[], count: number, defaults: (n: number) => string): string[] {
  const ids = [...existing];
  for (let n = 0; ids.length < count; n++) if (!ids.includes(defaults(n))) ids.push(defaults(n));
  return ids.slice(0, Math.max(count, existing.length));
}
const LETTERS = (n: number) => (n < 26 ? String.fromCharCode(97 + n) : `o${n}`);

/** The fields of a new item of `type`. */
export function emptyValues(type: FormItemType): ItemFormValues {
  const values: ItemFormValues = { type, language: 'en', difficulty: 'medium', references: '', tags: '' };
  if (type === 'single' || type === 'multiple') {
    rowIds([], ROWS.options, LETTERS).forEach((id, i) => {
      values[`options.${i}.id`] = id;
    });
    if (type === 'multiple') values.scoring = 'all-or-nothing';
  }
  if (type === 'engine') Object.assign(values, ENGINE_DEFAULTS);
  if (type === 'matching') {
    rowIds([], ROWS.prompts, (n) => `p${n + 1}`).forEach((id, i) => {
      values[`prompts.${i}.id`] = id;
    });
    rowIds([], ROWS.choices, (n) => `c${n + 1}`).forEach((id, i) => {
      values[`choices.${i}.id`] = id;
    });
  }
  return values;
}

/** The fields showing an item as it is. */
export function valuesFromSource(source: ItemSource): ItemFormValues {
  const values: ItemFormValues = {
    type: source.type,
    ref: source.ref,
    category: source.category,
    difficulty: source.difficulty,
    language: source.language,
    stem: source.stem,
    rationale: source.rationale ?? '',
    references: source.references.join(' '),
    tags: source.tags.join(' '),
    'image.src': source.image?.src ?? '',
    'image.alt': source.image?.alt ?? '',
  };
  switch (source.type) {
    case 'single':
    case 'multiple': {
      const ids = rowIds(
        source.options.map((o) => o.id),
        ROWS.options,
        LETTERS,
      );
      ids.forEach((id, i) => {
        values[`options.${i}.id`] = id;
        values[`options.${i}.text`] = source.options[i]?.text ?? '';
      });
      values.key = source.key.join(',');
      if (source.type === 'multiple') values.scoring = source.scoring;
      break;
    }
    case 'true-false':
      values.key = String(source.key);
      break;
    case 'numeric':
      values['key.value'] = String(source.key.value);
      values['key.tolerance'] = String(source.key.tolerance);
      values['key.unit'] = source.key.unit;
      break;
    case 'matching': {
      const prompts = rowIds(
        source.prompts.map((p) => p.id),
        ROWS.prompts,
        (n) => `p${n + 1}`,
      );
      prompts.forEach((id, i) => {
        values[`prompts.${i}.id`] = id;
        values[`prompts.${i}.text`] = source.prompts[i]?.text ?? '';
        values[`match.${i}`] = source.key[id] ?? '';
      });
      rowIds(
        source.choices.map((c) => c.id),
        ROWS.choices,
        (n) => `c${n + 1}`,
      ).forEach((id, i) => {
        values[`choices.${i}.id`] = id;
        values[`choices.${i}.text`] = source.choices[i]?.text ?? '';
      });
      break;
    }
    case 'engine':
      values['engine.scenario'] = source.engine.scenario;
      values['engine.seed'] = String(source.engine.seed);
      for (const [name] of ENGINE_SETTINGS) values[`engine.settings.${name}`] = String(source.engine.settings[name]);
      values['engine.beatIndex'] = String(source.engine.beatIndex);
      values['engine.ask'] = source.engine.ask;
      break;
  }
  return values;
}

/** The posted fields (the multiple-response key's ticked boxes joined by commas). */
export function valuesFromForm(data: FormData): ItemFormValues {
  const values: ItemFormValues = {};
  for (const [name, value] of data.entries()) {
    if (typeof value !== 'string') continue;
    values[name] = name in values ? `${values[name]},${value}` : value;
  }
  return values;
}

const words = (text: string | undefined) =>
  (text ?? '')
    .split(/[\s,]+/)
    .map((w) => w.trim())
    .filter((w) => w !== '');

export interface FormItem {
  /** The item to validate (the service's schema decides), or null when a field is not even readable. */
  source: unknown;
  /** Errors found before validation (numbers that are not numbers), by field name. */
  errors: Record<string, string>;
  /** The form field of a schema path (rows left empty are dropped, so "options.1" may be the third row). */
  fieldOf: (path: string) => string;
}

/** The item the fields describe, for the service to validate. */
export function sourceFromValues(values: ItemFormValues, type: FormItemType): FormItem {
  const errors: Record<string, string> = {};
  const rowOf = new Map<string, number[]>();
  const rows = (kind: 'options' | 'prompts' | 'choices') => {
    const kept: { id: string; text: string; row: number }[] = [];
    for (let i = 0; `${kind}.${i}.id` in values; i++) {
      const text = (values[`${kind}.${i}.text`] ?? '').trim();
      if (text !== '') kept.push({ id: values[`${kind}.${i}.id`] ?? '', text, row: i });
    }
    rowOf.set(
      kind,
      kept.map((k) => k.row),
    );
    return kept;
  };
  const number = (name: string): number | undefined => {
    const raw = (values[name] ?? '').trim().replace(',', '.');
    const n = Number(raw);
    if (raw === '' || !Number.isFinite(n)) {
      errors[name] = 'Enter a number.';
      return undefined;
    }
    return n;
  };
  const imageSrc = (values['image.src'] ?? '').trim();
  const imageAlt = (values['image.alt'] ?? '').trim();
  const source: Record<string, unknown> = {
    ref: (values.ref ?? '').trim(),
    type,
    category: values.category ?? '',
    language: (values.language ?? '').trim(),
    difficulty: values.difficulty ?? '',
    stem: values.stem ?? '',
    rationale: values.rationale ?? '',
    references: words(values.references),
    tags: words(values.tags),
  };
  if (imageSrc !== '' || imageAlt !== '') source.image = { src: imageSrc, alt: imageAlt };
  switch (type) {
    case 'single':
    case 'multiple': {
      source.options = rows('options').map(({ id, text }) => ({ id, text }));
      source.key = words(values.key);
      if (type === 'multiple') source.scoring = values.scoring ?? '';
      break;
    }
    case 'true-false':
      if (values.key !== 'true' && values.key !== 'false')
        errors.key = 'Choose whether the statement is true or false.';
      source.key = values.key === 'true';
      break;
    case 'numeric':
      source.key = {
        value: number('key.value'),
        tolerance: number('key.tolerance'),
        unit: (values['key.unit'] ?? '').trim(),
      };
      break;
    case 'matching': {
      const prompts = rows('prompts');
      source.prompts = prompts.map(({ id, text }) => ({ id, text }));
      source.choices = rows('choices').map(({ id, text }) => ({ id, text }));
      source.key = Object.fromEntries(
        prompts
          .filter(({ row }) => (values[`match.${row}`] ?? '') !== '')
          .map(({ id, row }) => [id, values[`match.${row}`]]),
      );
      break;
    }
    case 'engine': {
      // No expectation: the engine's class of the beat becomes the key. No rationale: the class's own.
      source.engine = engineSpecFromValues(values, number);
      if ((values.rationale ?? '').trim() === '') delete source.rationale;
      break;
    }
  }
  const fieldOf = (path: string): string => {
    const m = /^(options|prompts|choices)\.(\d+)(\..*)?$/.exec(path);
    if (m) {
      const row = rowOf.get(m[1] as string)?.[Number(m[2])];
      return row === undefined ? (m[1] as string) : `${m[1]}.${row}${m[3] === '.id' ? '.text' : (m[3] ?? '.text')}`;
    }
    if (type === 'true-false' && path === 'key') return 'key';
    return path;
  };
  return { source, errors, fieldOf };
}

/** The engine spec the engine fields describe (numbers that are not numbers are reported through `number`). */
export function engineSpecFromValues(
  values: ItemFormValues,
  number: (name: string) => number | undefined,
): Record<string, unknown> {
  return {
    scenario: values['engine.scenario'] ?? '',
    seed: number('engine.seed'),
    settings: Object.fromEntries(ENGINE_SETTINGS.map(([name]) => [name, number(`engine.settings.${name}`)])),
    beatIndex: number('engine.beatIndex'),
    ask: values['engine.ask'] ?? '',
  };
}

/** The engine spec of the fields alone (the preview), with the fields that are not numbers. */
export function engineSpecOnly(values: ItemFormValues): {
  spec: Record<string, unknown>;
  errors: Record<string, string>;
} {
  const errors: Record<string, string> = {};
  const number = (name: string): number | undefined => {
    const raw = (values[name] ?? '').trim().replace(',', '.');
    const n = Number(raw);
    if (raw === '' || !Number.isFinite(n)) {
      errors[name] = 'Enter a number.';
      return undefined;
    }
    return n;
  };
  return { spec: engineSpecFromValues(values, number), errors };
}
