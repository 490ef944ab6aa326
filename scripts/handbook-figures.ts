/**
 * Renders the handbook's waveform figures from the simulator engine into content/figures/ (see
 * src/server/services/handbook-figures.ts). Deterministic: run it again after an engine change and commit
 * what changed; test/unit/src/server/services/handbook-figures.test.ts fails while the committed files differ.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { renderAllFigures } from '../src/server/services/handbook-figures.ts';

const dir = fileURLToPath(new URL('../content/figures', import.meta.url));
mkdirSync(dir, { recursive: true });
const started = performance.now();
for (const [file, svg] of renderAllFigures()) {
  writeFileSync(join(dir, file), svg);
  console.log(`wrote content/figures/${file}`);
}
console.log(`done in ${Math.round(performance.now() - started)} ms`);
