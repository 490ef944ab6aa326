import { expect, test } from 'vitest';
import { createPublicPageCache, MAX_AGE_MS } from '#src/server/http/public-page-cache.ts';

const T0 = Date.UTC(2030, 0, 1);

function page(body: string, headers: Record<string, string> = {}, status = 200): Response {
  return new Response(body, {
    status,
    headers: { 'Content-Type': 'text/html; charset=utf-8', 'Cache-Control': 'public, no-cache', ...headers },
  });
}

test('a public page is served from memory while the generation holds, with its age; a new one renders again', async () => {
  const cache = createPublicPageCache();
  const sent = await cache.store('/registry', 7, page('<p>one</p>'), T0);
  expect(await sent.text()).toBe('<p>one</p>');
  const hit = cache.lookup('/registry', 7, null, T0 + 2500);
  expect(hit?.status).toBe(200);
  expect(hit?.headers.get('Age')).toBe('2');
  expect(hit?.headers.get('Cache-Control')).toBe('public, no-cache');
  expect(await hit?.text()).toBe('<p>one</p>');
  // A second copy from the same stored bytes is whole too.
  expect(await cache.lookup('/registry', 7, null, T0)?.text()).toBe('<p>one</p>');
  expect(cache.lookup('/registry', 8, null, T0)).toBeNull();
  expect(cache.lookup('/registry', 8, null, T0)).toBeNull();
  expect(cache.size().entries).toBe(0);
});

test('a copy older than the longest age is dropped even when nothing was written', async () => {
  const cache = createPublicPageCache();
  await cache.store('/', 1, page('home'), T0);
  expect(cache.lookup('/', 1, null, T0 + MAX_AGE_MS)).not.toBeNull();
  expect(cache.lookup('/', 1, null, T0 + MAX_AGE_MS + 1)).toBeNull();
});

test('private, failed, cookie-setting and unmarked responses are passed on and never kept', async () => {
  const cache = createPublicPageCache();
  const cases: [string, Response][] = [
    ['/private', page('mine', { 'Cache-Control': 'private, no-store' })],
    ['/unmarked', new Response('plain', { headers: { 'Content-Type': 'text/html' } })],
    ['/missing', page('not here', {}, 404)],
    ['/cookie', page('hello', { 'Set-Cookie': 'a=b; Path=/' })],
  ];
  for (const [key, response] of cases) {
    const sent = await cache.store(key, 1, response, T0);
    expect(sent.status).toBe(response.status);
    expect(cache.lookup(key, 1, null, T0)).toBeNull();
  }
  expect(cache.size()).toEqual({ entries: 0, bytes: 0 });
});

test('a stored page with an ETag answers a matching If-None-Match with 304 and no body', async () => {
  const cache = createPublicPageCache();
  await cache.store('/registry/IECPA-1', 3, page('record', { ETag: '"v1"' }), T0);
  const notModified = cache.lookup('/registry/IECPA-1', 3, '"v1"', T0);
  expect(notModified?.status).toBe(304);
  expect(notModified?.headers.get('ETag')).toBe('"v1"');
  expect(await notModified?.text()).toBe('');
  expect(cache.lookup('/registry/IECPA-1', 3, '"v0"', T0)?.status).toBe(200);
});

test('memory stays bounded: endless distinct keys only evict the least recently used', async () => {
  const cache = createPublicPageCache();
  const body = 'x'.repeat(1000);
  await cache.store('/kept', 1, page(body), T0);
  for (let i = 0; i < 2000; i++) {
    await cache.store(`/registry?q=${i}`, 1, page(body), T0);
    if (i % 100 === 0) cache.lookup('/kept', 1, null, T0);
  }
  expect(cache.size().entries).toBeLessThanOrEqual(500);
  expect(cache.lookup('/kept', 1, null, T0)).not.toBeNull();
  expect(cache.lookup('/registry?q=0', 1, null, T0)).toBeNull();
  // A page above the size limit is sent but not kept.
  const big = await cache.store('/big', 1, page('y'.repeat(600 * 1024)), T0);
  expect((await big.text()).length).toBe(600 * 1024);
  expect(cache.lookup('/big', 1, null, T0)).toBeNull();
});
