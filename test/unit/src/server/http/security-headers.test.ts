import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { expect, test } from 'vitest';
import { FRAME_ANCESTORS, securityHeaders, withFrameAncestors } from '#src/server/http/security-headers.ts';

test("a rendered page's CSP header gains frame-ancestors once", () => {
  const page = new Response('<p>hi</p>', {
    headers: { 'Content-Security-Policy': "default-src 'self'; script-src 'self';" },
  });
  const once = withFrameAncestors(page);
  expect(once.headers.get('content-security-policy')).toBe(`default-src 'self'; script-src 'self'; ${FRAME_ANCESTORS}`);
  expect(withFrameAncestors(once).headers.get('content-security-policy')).toBe(
    `default-src 'self'; script-src 'self'; ${FRAME_ANCESTORS}`,
  );
});

test('a response without a CSP of its own keeps the one every response gets', () => {
  const plain = new Response('ok');
  expect(withFrameAncestors(plain).headers.has('content-security-policy')).toBe(false);
  expect(securityHeaders(false)['Content-Security-Policy']).toContain(FRAME_ANCESTORS);
});

test('a response with immutable headers (as fetch returns them) is copied, not thrown on', async () => {
  const server = createServer((_req, res) => {
    res.setHeader('Content-Security-Policy', "default-src 'self'");
    res.end('<p>x</p>');
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  try {
    const { port } = server.address() as AddressInfo;
    const fetched = await fetch(`http://127.0.0.1:${port}/`);
    expect(() => fetched.headers.set('x-test', '1')).toThrow();
    const answered = withFrameAncestors(fetched);
    expect(answered.headers.get('content-security-policy')).toBe(`default-src 'self'; ${FRAME_ANCESTORS}`);
    expect(await answered.text()).toBe('<p>x</p>');
  } finally {
    await new Promise((resolve) => server.close(resolve));
  }
});
