import { expect, test } from 'vitest';
import { frontDoorAnswer } from '#src/server/http/request-line.ts';

test('pages take GET, HEAD and POST; the API answers its own methods', () => {
  for (const method of ['GET', 'HEAD', 'POST']) {
    for (const target of ['/', '/account', '/journal/articles/x/pdf?download=1', '/_astro/site.css']) {
      expect(frontDoorAnswer(method, target), `${method} ${target}`).toBeNull();
    }
  }
  for (const method of ['GET', 'POST', 'PUT', 'DELETE', 'OPTIONS', 'PATCH']) {
    expect(frontDoorAnswer(method, '/api/trpc/account.me?batch=1'), method).toBeNull();
    expect(frontDoorAnswer(method, '/api/health'), method).toBeNull();
  }
  expect(frontDoorAnswer(undefined, undefined)).toBeNull();
  // An encoded slash or a non-ASCII letter, validly encoded, is the page's to judge.
  expect(frontDoorAnswer('GET', '/registry/IECPA%2F1')).toBeNull();
  expect(frontDoorAnswer('GET', '/members?q=%C3%A9')).toBeNull();
});

test('other methods on pages get 405 with Allow; OPTIONS gets the list', () => {
  for (const method of ['PUT', 'DELETE', 'PATCH', 'PROPFIND', 'TRACE', 'TRACK', 'MKCOL']) {
    expect(frontDoorAnswer(method, '/account'), method).toEqual({
      status: 405,
      message: `${method} is not served here: pages take GET, HEAD and POST.`,
      allow: 'GET, HEAD, POST',
    });
  }
  expect(frontDoorAnswer('OPTIONS', '/')).toEqual({ status: 204, message: '', allow: 'GET, HEAD, POST' });
  for (const method of ['TRACE', 'TRACK', 'CONNECT']) {
    expect(frontDoorAnswer(method, '/api/health')?.status, method).toBe(405);
  }
});

test('a path that is not percent-encoded UTF-8 gets 400, whatever the method', () => {
  for (const target of ['/%ff', '/%E0%A4%A', '/handbook/%zz', '/100%', '/api/trpc/%ff', '/a%00%c3?x=1']) {
    for (const method of ['GET', 'POST']) {
      expect(frontDoorAnswer(method, target)?.status, `${method} ${target}`).toBe(400);
    }
  }
  // The query string is the page's to read (URLSearchParams decodes leniently).
  expect(frontDoorAnswer('GET', '/verify?number=%ff')).toBeNull();
});
