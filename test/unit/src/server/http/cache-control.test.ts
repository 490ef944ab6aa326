import { expect, test } from 'vitest';
import { isPublicResponse, pageCacheControl } from '#src/server/http/cache-control.ts';

test('visitors may be served from a shared cache when the page allows it; signed-in pages never', () => {
  expect(pageCacheControl(false, 60)).toBe('public, max-age=60');
  expect(pageCacheControl(false, 0)).toBe('public, no-cache');
  expect(pageCacheControl(false, undefined)).toBe('private, no-store');
  expect(pageCacheControl(true, 60)).toBe('private, no-store');
});

test('only a response marked public counts as one any visitor may be given', () => {
  const withHeader = (value: string | null) =>
    new Response('x', { headers: value === null ? {} : { 'Cache-Control': value } });
  expect(isPublicResponse(withHeader('public, no-cache'))).toBe(true);
  expect(isPublicResponse(withHeader('Public, max-age=60'))).toBe(true);
  expect(isPublicResponse(withHeader('private, no-store'))).toBe(false);
  expect(isPublicResponse(withHeader('no-store, public'))).toBe(false);
  expect(isPublicResponse(withHeader(null))).toBe(false);
});
