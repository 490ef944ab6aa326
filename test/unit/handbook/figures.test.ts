import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { expect, test } from 'vitest';
import { FIGURES, renderAllFigures, renderFigure } from '#src/server/services/handbook-figures.ts';
import { DEFAULT_CONTENT_DIR } from '#src/server/services/handbook-import.ts';

const DIR = join(DEFAULT_CONTENT_DIR, 'figures');

test('the committed figures are what the engine draws now (run `npm run handbook:figures` after an engine change)', () => {
  const rendered = renderAllFigures();
  expect(
    readdirSync(DIR)
      .filter((f) => f.endsWith('.svg'))
      .sort(),
  ).toEqual([...rendered.keys()].sort());
  for (const [file, svg] of rendered) expect(readFileSync(join(DIR, file), 'utf8'), file).toBe(svg);
});

test('every figure has alt text and a long description that state what the engine measured', () => {
  for (const spec of FIGURES) {
    const { svg, alt, description } = renderFigure(spec);
    expect(svg).toContain('<title id="t">');
    expect(svg).toContain('<desc id="d">');
    expect(alt).toMatch(/peak D\/S \d\.\d\d, area D\/S \d\.\d\d/);
    expect(description.length).toBeGreaterThan(alt.length);
  }
});

test('each timing error is recognised by the engine as that error, and ideal timing as correct', () => {
  for (const spec of FIGURES) {
    const { alt } = renderFigure(spec);
    const expected = spec.inflateShiftMs === 0 && spec.deflateShiftMs === 0 ? 'ok' : spec.name;
    expect(alt, spec.name).toContain(`beats classified as ${expected}`);
  }
});
