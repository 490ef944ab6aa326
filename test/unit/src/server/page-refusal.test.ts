import { expect, test } from 'vitest';
import { isRefusalRewrite, REFUSAL_PAGE_PATH, refusePage } from '#src/server/page-refusal.ts';

function fakePage(request: Request) {
  const rewrites: Request[] = [];
  const locals = { user: null, session: null } as App.Locals;
  return {
    rewrites,
    astro: {
      locals,
      request,
      url: new URL(request.url),
      rewrite: async (to: Request) => {
        rewrites.push(to);
        return new Response('rendered');
      },
    },
  };
}

test('a refusal keeps its status and message for the refusal page and asks for it with a GET and no body', async () => {
  const posted = new Request('http://portal.test/simulator/attempts/x', {
    method: 'POST',
    headers: { Cookie: 'session=a.b', 'Content-Type': 'application/x-www-form-urlencoded', 'Accept-Language': 'en' },
    body: 'text=hello',
  });
  await posted.text();
  const { astro, rewrites } = fakePage(posted);
  expect(isRefusalRewrite(astro.locals)).toBe(false);
  await refusePage(astro, 404, 'That attempt does not exist or is not yours.');
  expect(astro.locals.pageRefusal).toEqual({ status: 404, message: 'That attempt does not exist or is not yours.' });
  expect(isRefusalRewrite(astro.locals)).toBe(true);
  const [to] = rewrites;
  expect(to?.method).toBe('GET');
  expect(new URL(to?.url ?? '').pathname).toBe(REFUSAL_PAGE_PATH);
  expect(to?.headers.get('cookie')).toBe('session=a.b');
  expect(to?.headers.get('accept-language')).toBe('en');
  expect(to?.headers.has('content-type')).toBe(false);
});

test('a refusal must carry a 4xx status', () => {
  for (const status of [200, 303, 399, 500, 404.5, Number.NaN]) {
    const { astro, rewrites } = fakePage(new Request('http://portal.test/x'));
    expect(() => refusePage(astro, status, 'no'), String(status)).toThrow(RangeError);
    expect(astro.locals.pageRefusal).toBeUndefined();
    expect(rewrites).toEqual([]);
  }
});
