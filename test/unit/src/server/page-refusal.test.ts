import { expect, test } from 'vitest';
import { isRefusalRewrite, REFUSAL_PAGE_PATH, refusePage, showRefusal } from '#src/server/page-refusal.ts';

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

test('a refusal before any page (the middleware) and one with its own way on carry everything to the page', async () => {
  const locals = { user: null, session: null } as App.Locals;
  const refusal = { status: 415, message: 'The page expected a form.', refusedForm: true };
  expect(showRefusal(locals, refusal)).toBe(REFUSAL_PAGE_PATH);
  expect(locals.pageRefusal).toEqual(refusal);
  expect(() => showRefusal({ user: null, session: null } as App.Locals, { status: 500, message: 'x' })).toThrow(
    RangeError,
  );

  const { astro } = fakePage(new Request('http://portal.test/handbook/export.pdf'));
  const wayOn = { href: '/membership/status', label: 'See your membership' };
  await refusePage(astro, 403, 'For members.', wayOn);
  expect(astro.locals.pageRefusal).toEqual({ status: 403, message: 'For members.', wayOn });
});
