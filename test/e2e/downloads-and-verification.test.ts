import { eq } from 'drizzle-orm';
import { expect, test } from 'vitest';
import { levelCertificates, users } from '#db/schema/index.ts';
import { demoSessionCookie, screenshotAndAxe, usePortal } from '#test/helpers/e2e-portal.ts';

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
    // The site's refusal page, not a file and not a bare line of text: why, and the way to the membership.
    expect(applicant.headers.get('content-type'), path).toContain('text/html');
    const html = await applicant.text();
    expect(html, path).toContain('for members in good standing');
    expect(html, path).toContain('href="/membership/status"');
    expect(html, path).toContain('Skip to main content');
  }
  const page = await portal.newPage(await demoSessionCookie(portal.server.url, 'applicant@iecpa.test'));
  await page.goto(`${portal.server.url}/handbook/export.pdf`);
  await page.getByRole('link', { name: 'See your membership' }).waitFor();
  expect(await screenshotAndAxe(page, 'download-refused-members-only')).toEqual([]);
  await page.close();
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
  const missingHtml = await missing.text();
  expect(missingHtml).toContain('<p class="lead">That level does not exist.</p>');
  expect(missingHtml).toContain('href="/curriculum"');
});

test('anyone verifies a certificate number without an account: valid, mistyped, unknown', async () => {
  const db = portal.server.db.db;
  const [member] = await db
    .select({ id: users.id, name: users.name })
    .from(users)
    .where(eq(users.email, 'member@iecpa.test'));
  if (!member) throw new Error('no demo member');
  // Only this file writes certificates on the shared portal; a run issues this number once.
  const number = 'IECPA-L1-7K3QW-9ZPXM';
  await db
    .insert(levelCertificates)
    .values({ number, userId: member.id, level: 1, completedAt: Date.UTC(2026, 10, 2), issuedAt: Date.now() })
    .onConflictDoNothing();

  const page = await portal.newPage();
  await page.goto(`${portal.server.url}/verify/${number}`);
  const result = page.getByTestId('verification');
  expect(await result.getByRole('heading').textContent()).toBe('Valid certificate');
  expect(await result.textContent()).toContain(member.name);
  expect(await result.textContent()).toContain('2 November 2026');
  expect(await screenshotAndAxe(page, 'verify-certificate-valid')).toEqual([]);

  // Typed from paper, in lower case with O for 0: the form finds it too.
  await page.getByLabel('Certificate number').fill(' iecpa-l1-7k3qw-9zpxm ');
  await page.getByRole('button', { name: 'Check' }).click();
  await page.waitForURL(/\/verify\?number=/);
  expect(await page.getByTestId('verification').getByRole('heading').textContent()).toBe('Valid certificate');

  const unknown = await get('/verify/IECPA-L1-00000-00000');
  expect(unknown.status).toBe(404);
  expect(await unknown.text()).toContain('No certificate with this number');
  const payload = `<script>alert(1)</script>${'x'.repeat(500)}`;
  const junk = await get(`/verify?number=${encodeURIComponent(payload)}`);
  expect(junk.status).toBe(404);
  // What was typed comes back only as text (the field's value), never as markup that runs.
  let dialogs = 0;
  page.on('dialog', (dialog) => {
    dialogs++;
    void dialog.dismiss();
  });
  await page.goto(`${portal.server.url}/verify?number=${encodeURIComponent(payload)}`);
  expect(await page.locator('script', { hasText: 'alert(1)' }).count()).toBe(0);
  expect(await page.getByLabel('Certificate number').inputValue()).toBe(payload.slice(0, 64));
  expect(dialogs).toBe(0);
  await page.goto(`${portal.server.url}/verify/not-a-number`);
  expect(await screenshotAndAxe(page, 'verify-certificate-unknown')).toEqual([]);
  await page.close();
});
