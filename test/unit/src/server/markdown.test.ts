import { expect, test } from 'vitest';
import { findBrokenLinks, markdownToPlainText, renderMarkdown, slugify } from '#src/server/markdown.ts';
import { expectInert, XSS_PAYLOADS } from '#test/helpers/xss-corpus.ts';

test('the corpus holds at least 20 payloads', () => {
  expect(XSS_PAYLOADS.length).toBeGreaterThanOrEqual(20);
});

test.each(XSS_PAYLOADS)('renders inert: %s', (payload) => {
  const { html } = renderMarkdown(`Text before.\n\n${payload}\n\nText after.`);
  expectInert(html);
  // The safe text around the payload survives.
  expect(html).toContain('Text before.');
  expect(html).toContain('Text after.');
});

test('keeps ordinary links, images, tables and emphasis', () => {
  const { html } = renderMarkdown(
    '**Bold** and [a link](https://example.org/x) and [internal](/handbook/the-equipment#cuffs).\n\n' +
      '![A cuff](https://example.org/cuff.png)\n\n| a | b |\n|---|---|\n| 1 | 2 |',
  );
  expect(html).toContain('<strong>Bold</strong>');
  expect(html).toContain('<a href="https://example.org/x">a link</a>');
  expect(html).toContain('<a href="/handbook/the-equipment#cuffs">internal</a>');
  expect(html).toContain('<img src="https://example.org/cuff.png" alt="A cuff">');
  expect(html).toContain('<td>2</td>');
});

test('gives headings ids for anchors and lists them, deduplicating repeats', () => {
  const { html, headings } = renderMarkdown('## The D/S ratio\n\ntext\n\n### Pitfalls\n\n## Pitfalls');
  expect(headings).toEqual([
    { depth: 2, id: 'the-ds-ratio', text: 'The D/S ratio' },
    { depth: 3, id: 'pitfalls', text: 'Pitfalls' },
    { depth: 2, id: 'pitfalls-1', text: 'Pitfalls' },
  ]);
  expect(html).toContain('<h2 id="the-ds-ratio">The D/S ratio</h2>');
  expect(html).toContain('<h2 id="pitfalls-1">Pitfalls</h2>');
});

test('slugify keeps letters and digits in any script and joins words with hyphens', () => {
  expect(slugify('ECG triggering & timing (R-wave)')).toBe('ecg-triggering--timing-r-wave');
  expect(slugify('Ödem der Beine')).toBe('ödem-der-beine');
});

test('plain text drops the Markdown syntax', () => {
  expect(markdownToPlainText('## Title\n\nSome **bold** [link](https://x.example) text.')).toBe(
    'Title\nSome bold link text.',
  );
});

test('plain text keeps list items, table cells and quoted paragraphs apart (search snippets read them)', () => {
  const text = markdownToPlainText(
    '- Cuffs deflate.\n- The alarm sounds.\n\n| Error | Sign |\n|---|---|\n| Late | Low D/S |\n\n> First.\n>\n> Second.\n\nLine one  \nline two',
  );
  expect(text.split(/\s+/)).toEqual(
    ['Cuffs', 'deflate.', 'The', 'alarm', 'sounds.', 'Error', 'Sign', 'Late', 'Low', 'D/S', 'First.', 'Second.'].concat(
      ['Line', 'one', 'line', 'two'],
    ),
  );
});

const ANCHORS = new Map([
  ['the-equipment', new Set(['cuffs', 'the-compressor'])],
  ['ecg-triggering-and-timing', new Set(['the-r-wave'])],
]);

test('finds no broken links when every chapter and heading exists', () => {
  const md =
    '## Here\n\nSee [cuffs](/handbook/the-equipment#cuffs), [timing](/handbook/ecg-triggering-and-timing) and [here](#here).';
  expect(findBrokenLinks(md, ANCHORS, 'this-chapter')).toEqual([]);
});

test('reports a broken chapter link, a broken heading link and a broken own anchor with their lines', () => {
  const md = [
    '## Intro',
    '',
    'See [nothing](/handbook/no-such-chapter).',
    '',
    'And [a heading](/handbook/the-equipment#no-such-heading) and',
    '[this](#missing-here).',
    '',
    '[external](https://example.org) and [site page](/ethics) are not checked.',
  ].join('\n');
  const broken = findBrokenLinks(md, ANCHORS, 'this-chapter');
  expect(broken).toEqual([
    expect.objectContaining({ url: '/handbook/no-such-chapter', line: 3, column: 5 }),
    expect.objectContaining({ url: '/handbook/the-equipment#no-such-heading', line: 5, column: 5 }),
    expect.objectContaining({ url: '#missing-here', line: 6, column: 1 }),
  ]);
  expect(broken[0]?.reason).toContain('no handbook chapter');
});

test('a link to the document itself uses the headings of the text being edited', () => {
  const md = '## New section\n\nSee [it](/handbook/the-equipment#new-section).';
  expect(findBrokenLinks(md, ANCHORS, 'the-equipment')).toEqual([]);
});
