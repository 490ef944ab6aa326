import type { Page } from 'playwright-core';
import { expect, test } from 'vitest';
import { saveScreenshot } from '#test/helpers/axe.ts';
import { demoAccount, demoSessionCookie, screenshotAndAxe, usePortal } from '#test/helpers/e2e-portal.ts';
import { decodePdfQr } from '#test/helpers/pdf-qr.ts';

// Its own portal: the journey suspends the demo holder's credential.
const portal = usePortal();

async function get(path: string, cookie?: string): Promise<Response> {
  return fetch(portal.server.url + path, { redirect: 'manual', headers: cookie ? { cookie } : {} });
}

/** Screenshots at 1280 and 390 px wide, and axe at each: the list of blocking violations (empty when clean). */
async function bothWidths(page: Page, name: string): Promise<string[]> {
  await page.setViewportSize({ width: 1280, height: 900 });
  const wide = await screenshotAndAxe(page, `${name}-1280`);
  await page.setViewportSize({ width: 390, height: 844 });
  const narrow = await screenshotAndAxe(page, `${name}-390`);
  await page.setViewportSize({ width: 1280, height: 900 });
  return [...wide, ...narrow];
}

async function verifyBadge(page: Page, badgeText: string): Promise<{ heading: string; why: string }> {
  await page.goto(`${portal.server.url}/registry/verify`);
  await page.getByLabel('Badge (JSON or JWS)').fill(badgeText);
  await page.getByRole('button', { name: 'Verify' }).click();
  const result = page.getByTestId('badge-verification');
  await result.waitFor();
  return {
    heading: (await result.getByRole('heading').textContent()) ?? '',
    why: (await page.getByTestId('badge-why').textContent()) ?? '',
  };
}

test('the demo holder is certified, downloads the PDF and badge; anyone verifies both; an admin suspends; both verify as suspended', async () => {
  // An anonymous visitor finds the demo holder in the registry.
  const visitor = await portal.newPage();
  await visitor.goto(`${portal.server.url}/registry`);
  expect(await bothWidths(visitor, 'registry-search-empty')).toEqual([]);
  await visitor.getByLabel('Name or credential number').fill('carla');
  await visitor.getByRole('button', { name: 'Search' }).click();
  await visitor.waitForURL(/\/registry\?q=carla/);
  const results = visitor.getByTestId('registry-results');
  expect(await results.textContent()).toContain('Carla Certified');
  expect(await results.getByTestId('registry-status').textContent()).toBe('Certified');
  expect(await bothWidths(visitor, 'registry-search-results')).toEqual([]);

  // The holder's page: every requirement met, the credential, the maintenance bar.
  const holder = await portal.signedInPage(demoAccount('certified@iecpa.test'));
  await holder.goto(`${portal.server.url}/credentials`);
  const credential = holder.getByTestId('credential');
  expect(await credential.getByTestId('credential-status').textContent()).toContain('Certified');
  const number = ((await credential.getByTestId('credential-number').textContent()) ?? '').trim();
  expect(number).toMatch(/^IECPA-CR-[0-9A-Z]{5}-[0-9A-Z]{5}$/);
  expect(await holder.locator('progress').count()).toBe(1);
  expect(await holder.getByTestId('credential-progress').getByText('Missing:').count()).toBe(0);
  expect(await bothWidths(holder, 'credentials-holder')).toEqual([]);

  // The yearly knowledge check, a maintenance step: started here, taken on the exam pages (ten questions
  // drawn on the server), and a result that prescribes reading instead of a pass or fail.
  expect(await holder.getByTestId('credential-outlook').textContent()).toContain('Still needed');
  const step = holder.getByTestId('knowledge-check');
  expect(await step.textContent()).toContain('not done yet');
  await step.getByRole('button', { name: "Start this year's knowledge check" }).click();
  await holder.waitForURL(/\/exams\/attempt\//);
  expect(await holder.locator('fieldset.question').count()).toBe(10);
  await holder.getByRole('button', { name: 'Review and submit' }).first().click();
  await holder.getByRole('button', { name: 'Submit the attempt' }).click();
  // Nothing was answered: the exam pages ask once more, as for any exam, before the check is submitted.
  const confirm = holder.getByRole('button', { name: 'Yes, submit the attempt' });
  await confirm.waitFor();
  expect(await holder.locator('#confirm-heading').textContent()).toMatch(/Submit with \d+ questions?\s+unanswered/);
  await confirm.click();
  await holder.waitForURL(/\/credentials\/knowledge-check\//);
  expect(await holder.getByTestId('check-completed').textContent()).toContain('cannot be failed');
  expect(await holder.getByTestId('reading').getByRole('link').count()).toBeGreaterThan(0);
  expect(await bothWidths(holder, 'credentials-knowledge-check-result')).toEqual([]);
  await holder.goto(`${portal.server.url}/credentials`);
  expect(await holder.getByTestId('knowledge-check').textContent()).toContain('done on');
  expect(await bothWidths(holder, 'credentials-holder-check-done')).toEqual([]);

  // The PDF: its QR code, decoded from the page, is the registry record's address.
  const cookie = await demoSessionCookie(portal.server.url, 'certified@iecpa.test');
  const pdf = await get(`/credentials/${number}/certificate.pdf`, cookie);
  expect(pdf.status).toBe(200);
  expect(pdf.headers.get('content-type')).toBe('application/pdf');
  const qr = await decodePdfQr(new Uint8Array(await pdf.arrayBuffer()));
  expect(qr).toBe(`${portal.server.url}/registry/${number}`);
  const badgeResponse = await get(`/credentials/${number}/badge.json`, cookie);
  expect(badgeResponse.status).toBe(200);
  const badgeText = await badgeResponse.text();
  expect(JSON.parse(badgeText).type).toBe('EnvelopedVerifiableCredential');
  // Nobody else gets them.
  expect(
    (
      await get(
        `/credentials/${number}/certificate.pdf`,
        await demoSessionCookie(portal.server.url, 'member@iecpa.test'),
      )
    ).status,
  ).toBe(404);
  expect((await get(`/credentials/${number}/badge.json`)).status).toBe(303);

  // Anyone verifies: the QR's page and the badge. (The file's tabs share one browser context: sign-ins in
  // other tabs are cleared, so the visitor is anonymous again.)
  await visitor.context().clearCookies();
  await visitor.goto(qr as string);
  expect(await visitor.getByRole('banner').getByRole('link', { name: 'Sign in' }).count()).toBe(1);
  expect(await visitor.getByTestId('registry-record').getByRole('heading').textContent()).toBe('Certified');
  expect(await bothWidths(visitor, 'registry-record-certified')).toEqual([]);
  expect(await verifyBadge(visitor, badgeText)).toMatchObject({ heading: 'Valid' });
  expect(await bothWidths(visitor, 'registry-verify-valid')).toEqual([]);
  const tampered = badgeText.replace(
    /,([A-Za-z0-9_-])([A-Za-z0-9_-]*\.)/,
    (_, c: string, rest: string) => `,${c === 'e' ? 'f' : 'e'}${rest}`,
  );
  expect((await verifyBadge(visitor, tampered)).heading).toMatch(/^Not valid/);

  // The admin suspends, with a reason (none: refused, nothing changes).
  const admin = await portal.signedInPage(demoAccount('admin@iecpa.test'));
  await admin.goto(`${portal.server.url}/admin/credentials`);
  await admin.getByRole('link', { name: 'Carla Certified' }).click();
  await admin.waitForURL(/\/admin\/credentials\/[a-z0-9]+$/);
  expect(await bothWidths(admin, 'admin-credential')).toEqual([]);
  await admin.getByRole('button', { name: 'Suspend the credential' }).click();
  await admin.getByText('Give the reason in at least 10 characters.').first().waitFor();
  expect(await admin.getByTestId('admin-credential-status').textContent()).toBe('Certified');
  await admin.getByLabel('Kind of reason (shown publicly)').first().selectOption('conduct');
  await admin.locator('#suspend-reason').fill('Complaint about treatment records under review');
  await admin.getByRole('button', { name: 'Suspend the credential' }).click();
  await admin.waitForURL(/done=suspended/);
  expect(await admin.getByTestId('admin-credential-status').textContent()).toContain('Suspended');

  // Both now verify as suspended: the QR's page, the JSON, the badge issued before the suspension.
  await visitor.context().clearCookies();
  await visitor.goto(qr as string);
  expect(await visitor.getByRole('banner').getByRole('link', { name: 'Sign in' }).count()).toBe(1);
  expect(await visitor.getByTestId('registry-record').getByRole('heading').textContent()).toBe('Suspended');
  expect(await visitor.getByTestId('registry-record').textContent()).toContain('professional conduct');
  expect(await visitor.getByTestId('registry-record').textContent()).not.toContain('treatment records');
  // A suspended credential is valid until no date and has no maintenance to take part in.
  expect(await visitor.getByTestId('registry-record').textContent()).not.toMatch(/Valid until|Maintenance/);
  expect(await bothWidths(visitor, 'registry-record-suspended')).toEqual([]);
  const json = await get(`/registry/${number}.json`);
  expect(json.headers.get('cache-control')).toBe('public, no-cache');
  expect(await json.json()).toMatchObject({
    number,
    found: true,
    status: 'suspended',
    certifiedNow: false,
    validUntil: null,
    participatingInMaintenance: null,
  });
  expect(await verifyBadge(visitor, badgeText)).toMatchObject({ heading: 'Suspended' });
  await saveScreenshot(visitor, 'registry-verify-suspended-1280');
  for (const page of [visitor, holder, admin]) await page.close();
}, 300_000);

test('the registry takes any text without an error page and sends cache headers', async () => {
  for (const q of [
    '"',
    "' OR 1=1 --",
    'NEAR(a b)',
    '*',
    '%_\\',
    '😀 Zoë',
    'x'.repeat(10_240),
    '<script>alert(1)</script>',
  ]) {
    const response = await get(`/registry?q=${encodeURIComponent(q)}`);
    expect(response.status, q.slice(0, 20)).toBe(200);
    const html = await response.text();
    // Typed text comes back only as the field's value (an attribute, where it is inert), never as markup.
    const raw = html.split('<script>alert(1)</script>').length - 1;
    expect(raw).toBe(html.split('value="<script>alert(1)</script>"').length - 1);
    expect(html).not.toContain('Maria Member');
  }
  const search = await get('/registry?q=carla');
  expect(search.headers.get('cache-control')).toBe('public, max-age=60');
  expect((await get('/registry/IECPA-CR-00000-00000.json')).status).toBe(404);
  expect((await get('/registry/not-a-number')).status).toBe(404);
  // A level-certificate number goes to /verify, a credential number typed at /verify to the registry.
  expect((await get('/registry/IECPA-L1-7K3QW-9ZPXM')).headers.get('location')).toBe('/verify/IECPA-L1-7K3QW-9ZPXM');
  expect((await get('/verify/iecpa-cr-00000-0000o')).headers.get('location')).toBe('/registry/IECPA-CR-00000-00000');
  // The issuer's keys and status lists are public.
  const did = await (await get('/.well-known/did.json')).json();
  expect(did.id).toBe(`did:web:${encodeURIComponent(new URL(portal.server.url).host)}`);
  const list = await get('/credentials/status/revocation');
  expect(list.headers.get('content-type')).toBe('application/vc+jwt');
  expect((await list.text()).split('.')).toHaveLength(3);
});

test('visitors get a stored copy of a public page until anything is written; signed-in people never do', async () => {
  const record = await get('/registry?q=carla');
  expect(record.headers.get('vary')).toBe('Cookie');
  expect(await record.text()).toContain('Carla Certified');
  const again = await get('/registry?q=carla');
  expect(again.headers.get('age')).toMatch(/^\d+$/);
  expect(await again.text()).toContain('Carla Certified');

  // A write by another connection (as another server process or the scheduled jobs make): the next visitor
  // gets a fresh render that shows it.
  await portal.server.db.client.execute({
    sql: "UPDATE users SET name = 'Carla Certified-Ruiz' WHERE email = ?",
    args: ['certified@iecpa.test'],
  });
  const fresh = await get('/registry?q=carla');
  expect(fresh.headers.get('age')).toBeNull();
  expect(await fresh.text()).toContain('Carla Certified-Ruiz');

  // A signed-in member is rendered their own page each time, never a visitor's copy and never stored.
  const cookie = await demoSessionCookie(portal.server.url, 'member@iecpa.test');
  for (let i = 0; i < 2; i++) {
    const mine = await get('/registry?q=carla', cookie);
    expect(mine.headers.get('cache-control')).toBe('private, no-store');
    expect(mine.headers.get('age')).toBeNull();
    expect(await mine.text()).toContain('Maria Member');
  }
  const visitorAgain = await get('/registry?q=carla');
  expect(await visitorAgain.text()).not.toContain('Maria Member');
});
