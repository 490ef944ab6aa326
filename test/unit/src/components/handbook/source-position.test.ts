import { expect, test } from 'vitest';
import { headingsBefore } from '#src/components/handbook/source-position.ts';

const SOURCE = [
  '---',
  'title: T',
  '# a YAML comment, not a heading',
  '---',
  '',
  'Intro.',
  '',
  '## First',
  '',
  'Text.',
  '',
  '```bash',
  '# a shell comment, not a heading',
  '```',
  '',
  '### Second',
  '',
  '#hashtag is not a heading',
  '',
  '## Third',
  '',
  'End.',
].join('\n');

function offsetOf(needle: string): number {
  const at = SOURCE.indexOf(needle);
  if (at < 0) throw new Error(`no ${needle}`);
  return at;
}

test('counts the headings above the caret, not front matter comments or code', () => {
  expect(headingsBefore(SOURCE, 0)).toBe(0);
  expect(headingsBefore(SOURCE, offsetOf('Intro.'))).toBe(0);
  expect(headingsBefore(SOURCE, offsetOf('Text.'))).toBe(1);
  expect(headingsBefore(SOURCE, offsetOf('# a shell comment'))).toBe(1);
  expect(headingsBefore(SOURCE, offsetOf('#hashtag'))).toBe(2);
  expect(headingsBefore(SOURCE, offsetOf('End.'))).toBe(3);
  expect(headingsBefore(SOURCE, SOURCE.length)).toBe(3);
});

test('a caret on a heading line counts that heading', () => {
  expect(headingsBefore(SOURCE, offsetOf('## Third') + 4)).toBe(3);
});

test('an unclosed fence hides the headings after it, as Markdown renders them as code', () => {
  const source = '---\ntitle: T\n---\n\n## One\n\n~~~\n## Not a heading\n';
  expect(headingsBefore(source, source.length)).toBe(1);
});
