import fc from 'fast-check';
import { expect, test } from 'vitest';
import { diffStats, lineDiff } from '#src/server/services/handbook-diff.ts';

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
