import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, expect, test } from 'vitest';
import { FIGURES, renderFigure } from '#src/server/services/handbook-figures.ts';
import { DEFAULT_CONTENT_DIR } from '#src/server/services/handbook-import.ts';

const DIR = join(DEFAULT_CONTENT_DIR, 'figures');
let rendered: { spec: (typeof FIGURES)[number]; figure: ReturnType<typeof renderFigure> }[] = [];

// Each figure is a 16 s engine run; render them once for all the tests (slow on a shared machine).
beforeAll(() => {
  rendered = FIGURES.map((spec) => ({ spec, figure: renderFigure(spec) }));
}, 120_000);

test('the committed figures are what the engine draws now (run `npm run handbook:figures` after an engine change)', () => {
  expect(
    readdirSync(DIR)
      .filter((f) => f.endsWith('.svg'))
      .sort(),
  ).toEqual(rendered.map(({ spec }) => `${spec.name}.svg`).sort());
  for (const { spec, figure } of rendered) {
    expect(readFileSync(join(DIR, `${spec.name}.svg`), 'utf8'), spec.name).toBe(figure.svg);
  }
});

test('every figure has alt text and a long description that state what the engine measured', () => {
  for (const { figure } of rendered) {
    expect(figure.svg).toContain('<title id="t">');
    expect(figure.svg).toContain('<desc id="d">');
    expect(figure.alt).toMatch(/peak D\/S \d\.\d\d, area D\/S \d\.\d\d/);
    expect(figure.description.length).toBeGreaterThan(figure.alt.length);
  }
});

test('the double-triggering figure shows a false trigger, and no other figure has one', () => {
  for (const { spec, figure } of rendered) {
    if (spec.name === 'double-triggering') expect(figure.facts.falseTriggers, spec.name).toBeGreaterThanOrEqual(1);
    else expect(figure.facts.falseTriggers, spec.name).toBe(0);
  }
});

test('each timing error is recognised by the engine as that error, and ideal timing as correct', () => {
  for (const { spec, figure } of rendered.filter(({ spec }) => !spec.electrodeMotion)) {
    const expected = spec.inflateShiftMs === 0 && spec.deflateShiftMs === 0 ? 'ok' : spec.name;
    expect(figure.alt, spec.name).toContain(`beats classified as ${expected}.`);
  }
});
