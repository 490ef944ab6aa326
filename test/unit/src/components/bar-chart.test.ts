import { expect, test } from 'vitest';
import { barChartLayout, describeBars, topBars } from '#src/components/bar-chart.ts';

test('scales bars to the largest value, which fills the bar area', () => {
  const layout = barChartLayout(
    [
      { label: 'Active', value: 10 },
      { label: 'Grace', value: 5 },
    ],
    { width: 300, valueWidth: 50 },
  );
  expect(layout.rows.map((r) => r.barWidth)).toEqual([250, 125]);
  expect(layout.rows[0]?.valueX).toBe(250 + 6);
});

test('draws no bar for zero and a visible stub for a tiny count', () => {
  const layout = barChartLayout([
    { label: 'Many', value: 10_000 },
    { label: 'One', value: 1 },
    { label: 'None', value: 0 },
  ]);
  expect(layout.rows[1]?.barWidth).toBe(2);
  expect(layout.rows[2]?.barWidth).toBe(0);
});

test('all zeros draw no bars and no division by zero', () => {
  const layout = barChartLayout([{ label: 'Resigned', value: 0 }]);
  expect(layout.rows[0]?.barWidth).toBe(0);
  expect(Number.isFinite(layout.rows[0]?.valueX)).toBe(true);
});

test('stacks rows one row height apart, each label above its bar, and sizes the chart to them', () => {
  const layout = barChartLayout(
    ['a', 'b', 'c'].map((label) => ({ label, value: 1 })),
    { rowHeight: 40, barHeight: 14 },
  );
  expect(layout.rows.map((r) => r.labelY)).toEqual([15, 55, 95]);
  for (const row of layout.rows) {
    expect(row.barY).toBeGreaterThan(row.labelY);
    expect(row.barY + 14).toBeLessThanOrEqual(row.labelY - 15 + 40);
  }
  expect(layout.height).toBe(120);
});

test('cuts long labels with an ellipsis and keeps the full label', () => {
  const [row] = barChartLayout([{ label: 'Institutional (ECP centre) with a long name', value: 1 }], {
    maxLabelChars: 10,
  }).rows;
  expect(row?.shownLabel).toBe('Instituti…');
  expect([...(row?.shownLabel ?? '')]).toHaveLength(10);
  expect(row?.label).toBe('Institutional (ECP centre) with a long name');
});

test('sums the bars past the first few into one, named with how many it holds', () => {
  const bars = [5, 4, 3, 2, 1].map((value, i) => ({ label: `C${i}`, value }));
  expect(topBars(bars, 2, (n) => `${n} other countries`)).toEqual([
    { label: 'C0', value: 5 },
    { label: 'C1', value: 4 },
    { label: '3 other countries', value: 6 },
  ]);
  // Summing one bar into "1 other" would hide a name for nothing.
  expect(topBars(bars, 4, (n) => `${n} other`)).toHaveLength(5);
});

test('describes the figures in one sentence', () => {
  expect(
    describeBars([
      { label: 'Active', value: 3 },
      { label: 'Lapsed', value: 0 },
    ]),
  ).toBe('Active: 3; Lapsed: 0.');
  expect(describeBars([])).toBe('No data.');
});
