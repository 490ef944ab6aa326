import { expect, test } from 'vitest';
import { LeanRequest, withLeanRequests } from '#src/server/http/lean-request.ts';

test('a request built with a signal answers with that very signal, so no follower is registered', () => {
  const controller = new AbortController();
  const request = new LeanRequest('http://127.0.0.1/account?x=1', {
    method: 'POST',
    headers: { 'content-type': 'text/plain', cookie: 'a=b' },
    body: 'hello',
    signal: controller.signal,
  });
  // The platform's Request follows the signal with one of its own (through a FinalizationRegistry).
  expect(new Request('http://127.0.0.1/', { signal: controller.signal }).signal).not.toBe(controller.signal);
  expect(request.signal).toBe(controller.signal);
  expect(request.signal.aborted).toBe(false);
  controller.abort();
  expect(request.signal.aborted).toBe(true);
  expect(request.method).toBe('POST');
  expect(request.url).toBe('http://127.0.0.1/account?x=1');
  expect(request.headers.get('cookie')).toBe('a=b');
});

test('the body, and everything else a Request offers, works as with the platform class', async () => {
  const request = new LeanRequest('http://127.0.0.1/', {
    method: 'POST',
    body: 'a=1&b=2',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    signal: new AbortController().signal,
  });
  expect((await request.clone().formData()).get('b')).toBe('2');
  expect(await request.text()).toBe('a=1&b=2');
  expect(request instanceof Request).toBe(true);
});

test('built from another request or without a signal, it is the platform request unchanged', () => {
  const original = new Request('http://127.0.0.1/x', { method: 'PUT', headers: { a: '1' } });
  const copy = new LeanRequest('http://127.0.0.1/y', original);
  expect(copy.method).toBe('PUT');
  expect(copy.headers.get('a')).toBe('1');
  expect(copy.signal).toBeInstanceOf(AbortSignal);
  expect(new LeanRequest('http://127.0.0.1/').signal.aborted).toBe(false);
});

test('withLeanRequests stands in for Request only while it runs, and puts the platform one back after a throw', () => {
  const Platform = globalThis.Request;
  const made = withLeanRequests(() => new Request('http://127.0.0.1/', { signal: new AbortController().signal }));
  expect(made).toBeInstanceOf(LeanRequest);
  expect(globalThis.Request).toBe(Platform);
  // instanceof Request keeps its meaning inside: a platform request is one.
  withLeanRequests(() => expect(new Platform('http://127.0.0.1/') instanceof Request).toBe(true));
  expect(() =>
    withLeanRequests(() => {
      throw new Error('boom');
    }),
  ).toThrow('boom');
  expect(globalThis.Request).toBe(Platform);
});
