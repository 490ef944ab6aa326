import { expect, test } from 'vitest';
import { demoSessionCookie, usePortal } from '#test/helpers/e2e-portal.ts';

const portal = usePortal({ shared: true });

async function get(path: string, cookie?: string): Promise<Response> {
  return fetch(portal.server.url + path, { redirect: 'manual', headers: cookie ? { cookie } : {} });
}

test('the members-only PDFs send a visitor to sign in and tell an applicant why not, with no file', async () => {
  for (const path of ['/handbook/export.pdf', '/curriculum/level-1/certificate.pdf']) {
    const visitor = await get(path);
    expect(visitor.status, path).toBe(303);
    expect(visitor.headers.get('location'), path).toBe(`/sign-in?next=${encodeURIComponent(path)}`);
    const applicant = await get(path, await demoSessionCookie(portal.server.url, 'applicant@iecpa.test'));
    expect(applicant.status, path).toBe(403);
    expect(applicant.headers.get('content-type'), path).toContain('text/plain');
    expect(await applicant.text(), path).toMatch(/member/i);
  }
});

test('a member downloads the handbook PDF; the certificate waits for the level and refuses a level that is not there', async () => {
  const member = await demoSessionCookie(portal.server.url, 'member@iecpa.test');
  const edition = await get('/handbook/export.pdf', member);
  expect(edition.status).toBe(200);
  expect(edition.headers.get('content-type')).toBe('application/pdf');
  expect(edition.headers.get('content-disposition')).toContain('attachment');
  expect(new TextDecoder().decode((await edition.arrayBuffer()).slice(0, 5))).toBe('%PDF-');
  const early = await get('/curriculum/level-1/certificate.pdf', member);
  expect(early.status).toBe(403);
  expect(await early.text()).toContain('every module of the level is complete');
  const missing = await get('/curriculum/level-9/certificate.pdf', member);
  expect(missing.status).toBe(404);
  expect(await missing.text()).toBe('That level does not exist.');
});
