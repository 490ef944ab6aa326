import { readFileSync } from 'node:fs';
import { expect, test } from 'vitest';
import { CURRENT_ETHICS_VERSION } from '#src/lib/ethics.ts';

/** The `version` field of a Markdown file's YAML front matter (quoted or not). */
function frontMatterVersion(markdown: string): string | null {
  const frontMatter = /^---\r?\n([\s\S]*?)\r?\n---/.exec(markdown)?.[1] ?? '';
  const line = /^version:\s*(.+?)\s*$/m.exec(frontMatter)?.[1];
  return line ? line.replace(/^(['"])(.*)\1$/, '$2') : null;
}

test('records acceptance of the same code-of-ethics version that the published page shows', () => {
  const page = readFileSync(new URL('../../../../content/pages/ethics.md', import.meta.url), 'utf8');
  expect(frontMatterVersion(page)).toBe(CURRENT_ETHICS_VERSION);
});
