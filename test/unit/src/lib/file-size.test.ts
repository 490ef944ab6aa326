import { expect, test } from 'vitest';
import { fileSizeLabel } from '#src/lib/file-size.ts';

test('fileSizeLabel gives bytes below 1 KiB, whole KiB below 1 MiB and MiB with one decimal above', () => {
  expect(fileSizeLabel(0)).toBe('0 bytes');
  expect(fileSizeLabel(1023)).toBe('1023 bytes');
  expect(fileSizeLabel(1024)).toBe('1 KiB');
  expect(fileSizeLabel(1536)).toBe('2 KiB');
  expect(fileSizeLabel(1024 * 1024 - 1)).toBe('1024 KiB');
  expect(fileSizeLabel(1024 * 1024)).toBe('1.0 MiB');
  expect(fileSizeLabel(5 * 1024 * 1024)).toBe('5.0 MiB');
});
