import fc from 'fast-check';
import { describe, expect, test } from 'vitest';
import {
  diffStats,
  lineDiff,
  renderedDiff,
  renderedTextBlocks,
  wordDiff,
  wordStats,
} from '#src/server/services/handbook-diff.ts';

test('identical texts give only unchanged rows', () => {
  const rows = lineDiff('a\nb\nc', 'a\nb\nc');
  expect(rows.map((r) => r.kind)).toEqual(['same', 'same', 'same']);
  expect(diffStats(rows)).toEqual({ added: 0, removed: 0 });
});

test('pairs a replaced line as changed and keeps line numbers on both sides', () => {
  const rows = lineDiff('one\ntwo\nthree', 'one\n2\nthree\nfour');
  expect(rows).toEqual([
    { kind: 'same', oldLine: 1, oldText: 'one', newLine: 1, newText: 'one' },
    { kind: 'changed', oldLine: 2, oldText: 'two', newLine: 2, newText: '2' },
    { kind: 'same', oldLine: 3, oldText: 'three', newLine: 3, newText: 'three' },
    { kind: 'added', oldLine: null, oldText: null, newLine: 4, newText: 'four' },
  ]);
});

test('finds the longest common subsequence, not just a common prefix', () => {
  const rows = lineDiff('x\na\nb\nc\ny', 'a\nq\nb\nc\nz');
  const same = rows.filter((r) => r.kind === 'same').map((r) => r.oldText);
  expect(same).toEqual(['a', 'b', 'c']);
});

test('an empty old text is all additions and an empty new text all removals', () => {
  expect(lineDiff('', 'a\nb').map((r) => r.kind)).toEqual(['added', 'added']);
  expect(lineDiff('a\nb', '').map((r) => r.kind)).toEqual(['removed', 'removed']);
});

test('rebuilds both texts from the rows for any pair of texts', () => {
  const lines = fc.array(fc.constantFrom('a', 'b', 'c', 'd', ''), { maxLength: 30 });
  fc.assert(
    fc.property(lines, lines, (oldLines, newLines) => {
      const oldText = oldLines.join('\n');
      const newText = newLines.join('\n');
      const rows = lineDiff(oldText, newText);
      const rebuiltOld = rows.filter((r) => r.oldText !== null).map((r) => r.oldText);
      const rebuiltNew = rows.filter((r) => r.newText !== null).map((r) => r.newText);
      expect(rebuiltOld.join('\n')).toBe(oldText === '' ? '' : oldText.replace(/\n$/, ''));
      expect(rebuiltNew.join('\n')).toBe(newText === '' ? '' : newText.replace(/\n$/, ''));
    }),
  );
});

describe('rendered diff for readers', () => {
  test('takes the visible text of each block, decoding entities and dropping tags', () => {
    const html =
      '<h2 id="a">Cuffs &amp; hoses</h2><p>Inflate at the <strong>dicrotic</strong> notch.<br>Then wait.</p>' +
      '<ul><li>One &#8211; two</li><li>Three&nbsp;four</li></ul>';
    expect(renderedTextBlocks(html)).toEqual([
      'Cuffs & hoses',
      'Inflate at the dicrotic notch.',
      'Then wait.',
      'One – two',
      'Three four',
    ]);
  });

  test('marks the words removed and added inside a changed paragraph', () => {
    expect(wordDiff('Deflate before the R wave.', 'Deflate 40 ms before the next R wave.')).toEqual([
      { kind: 'same', text: 'Deflate' },
      { kind: 'added', text: '40 ms' },
      { kind: 'same', text: 'before the' },
      { kind: 'added', text: 'next' },
      { kind: 'same', text: 'R wave.' },
    ]);
    expect(wordDiff('Inflate early.', 'Inflate late.')).toEqual([
      { kind: 'same', text: 'Inflate' },
      { kind: 'removed', text: 'early.' },
      { kind: 'added', text: 'late.' },
    ]);
  });

  test('pairs blocks, counts words, and shows whole paragraphs added or removed', () => {
    const before = '<p>Keep.</p><p>Old sentence here.</p><p>Gone entirely.</p>';
    const after = '<p>Keep.</p><p>New sentence here.</p>';
    const blocks = renderedDiff(before, after);
    expect(blocks.map((b) => b.kind)).toEqual(['same', 'changed', 'removed']);
    expect(blocks[2]?.runs).toEqual([{ kind: 'removed', text: 'Gone entirely.' }]);
    expect(wordStats(blocks)).toEqual({ added: 1, removed: 3 });
    expect(renderedDiff(before, before).every((b) => b.kind === 'same')).toBe(true);
  });
});
