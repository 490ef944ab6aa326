import { describe, expect, test } from 'vitest';
import {
  emptyValues,
  engineSpecOnly,
  type FORM_ITEM_TYPES,
  sourceFromValues,
  valuesFromSource,
} from '#src/pages/examiner/items/_item-form.ts';
import { type ItemSource, itemDraftSchema, itemSourceSchema } from '#src/server/exams/item-format.ts';

const common = {
  ref: 'form-item-001',
  category: '04-ecg-triggering-and-timing' as const,
  language: 'en',
  difficulty: 'medium' as const,
  stem: 'A stem.',
  rationale: 'A rationale.',
  references: ['05-ecg-triggering-and-timing'],
  tags: ['timing'],
};

const SOURCES: ItemSource[] = [
  {
    ...common,
    type: 'single',
    options: [
      { id: 'a', text: 'One' },
      { id: 'b', text: 'Two' },
      { id: 'c', text: 'Three' },
    ],
    key: ['b'],
  },
  {
    ...common,
    type: 'multiple',
    options: [
      { id: 'x', text: 'One' },
      { id: 'y', text: 'Two' },
      { id: 'z', text: 'Three' },
    ],
    key: ['x', 'z'],
    scoring: 'partial',
  },
  { ...common, type: 'true-false', key: false },
  { ...common, type: 'numeric', key: { value: 332, tolerance: 15, unit: 'ms' } },
  {
    ...common,
    type: 'matching',
    prompts: [
      { id: 'p1', text: 'Early inflation' },
      { id: 'p2', text: 'Late deflation' },
      { id: 'p3', text: 'Correct timing' },
    ],
    choices: [
      { id: 'c1', text: 'Inflate later' },
      { id: 'c2', text: 'Deflate earlier' },
      { id: 'c3', text: 'No change' },
    ],
    key: { p1: 'c1', p2: 'c2', p3: 'c3' },
    image: { src: 'content/figures/ideal-timing.svg', alt: 'An ECG strip.' },
  },
];

describe('the single-item form', () => {
  test('every form type shows an item and reads it back unchanged', () => {
    for (const source of SOURCES) {
      const type = source.type as (typeof FORM_ITEM_TYPES)[number];
      const built = sourceFromValues(valuesFromSource(source), type);
      expect(built.errors).toEqual({});
      expect(itemSourceSchema.parse(built.source)).toEqual(source);
    }
  });

  test('a figure that is not one of the handbook figures is refused on its field', () => {
    const source = SOURCES.find((s) => 'image' in s) as (typeof SOURCES)[number];
    const missing = { ...source, image: { src: 'content/figures/no-such-figure.svg', alt: 'A strip.' } };
    const parsed = itemSourceSchema.safeParse(missing);
    expect(parsed.success).toBe(false);
    expect(parsed.error?.issues.map((i) => [i.path.join('.'), i.message])).toEqual([
      ['image.src', expect.stringContaining("Use one of the handbook's figures: content/figures/")],
    ]);
  });

  test('empty rows are dropped, and an error on a kept row lands on the row the examiner wrote', () => {
    const values = emptyValues('single');
    Object.assign(values, { ...common, references: 'a-chapter', tags: '' });
    values['options.0.text'] = 'One';
    values['options.2.text'] = 'Three';
    values['options.4.text'] = 'Five';
    values.key = 'e';
    const built = sourceFromValues(values, 'single');
    expect((built.source as { options: { id: string }[] }).options.map((o) => o.id)).toEqual(['a', 'c', 'e']);
    expect(built.fieldOf('options.2.text')).toBe('options.4.text');
    expect(built.fieldOf('options')).toBe('options');
  });

  test('numbers that are not numbers, and a true/false item without its key, are named before validation', () => {
    const numeric = { ...emptyValues('numeric'), 'key.value': 'about 300', 'key.tolerance': '' };
    expect(sourceFromValues(numeric, 'numeric').errors).toEqual({
      'key.value': 'Enter a number.',
      'key.tolerance': 'Enter a number.',
    });
    expect(sourceFromValues(emptyValues('true-false'), 'true-false').errors).toEqual({
      key: 'Choose whether the statement is true or false.',
    });
  });

  test('an engine item reads back without an expectation (the engine supplies the key) or an empty rationale', () => {
    const engine = {
      scenario: 'default-stable-angina',
      seed: 7,
      settings: { inflateDelayMs: 77, deflateDelayMs: 704, pressureMmHg: 260 },
      beatIndex: 20,
      ask: 'fault' as const,
    };
    const { rationale: _none, ...rest } = common;
    const source: ItemSource = { ...rest, type: 'engine', engine, expect: 'early-inflation' };
    const built = sourceFromValues(valuesFromSource(source), 'engine');
    expect(built.errors).toEqual({});
    const { expect: _key, ...draft } = source;
    expect(itemDraftSchema.parse(built.source)).toEqual(draft);
    expect(built.fieldOf('engine.settings.pressureMmHg')).toBe('engine.settings.pressureMmHg');
    // A new engine item starts from values the engine accepts.
    expect(engineSpecOnly(emptyValues('engine')).errors).toEqual({});
    const typed = { ...emptyValues('engine'), 'engine.seed': 'seven', 'engine.settings.pressureMmHg': '' };
    expect(engineSpecOnly(typed).errors).toEqual({
      'engine.seed': 'Enter a number.',
      'engine.settings.pressureMmHg': 'Enter a number.',
    });
  });
});
