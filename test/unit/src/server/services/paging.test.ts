import { expect, test } from 'vitest';
import { pageWindow } from '#src/server/services/paging.ts';

test('pageWindow keeps the requested page within 1..pageCount and skips the rows before it', () => {
  expect(pageWindow(0, 25, 1)).toEqual({ page: 1, pageCount: 1, offset: 0 });
  expect(pageWindow(0, 25, 3)).toEqual({ page: 1, pageCount: 1, offset: 0 });
  expect(pageWindow(51, 25, 2)).toEqual({ page: 2, pageCount: 3, offset: 25 });
  expect(pageWindow(51, 25, 99)).toEqual({ page: 3, pageCount: 3, offset: 50 });
  expect(pageWindow(50, 25, 0)).toEqual({ page: 1, pageCount: 2, offset: 0 });
});
