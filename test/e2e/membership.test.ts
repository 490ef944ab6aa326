import { readFileSync } from 'node:fs';
import { and, eq } from 'drizzle-orm';
import type { Page } from 'playwright-core';
import { expect, test } from 'vitest';
import { consents, mailOutbox, membershipApplications, memberships, users } from '#db/schema/index.ts';
import { demoPdfBytes } from '#scripts/demo-pdf.ts';
import { DEMO_PASSWORD } from '#scripts/demo-seed.ts';
import {
  demoAccount,
  demoSessionCookie,
  screenshotAndAxe,
  signInWithForm,
  usePortal,
} from '#test/helpers/e2e-portal.ts';
import { latestMailTo, linkIn, postForm, signInOverHttp } from '#test/helpers/portal-flows.ts';

const portal = usePortal();

const APPLICANT = {
  name: 'Noor Haddad',
  email: 'noor.haddad@example.org',
  password: 'counter pulse amman 7',
  city: 'Amman',
};
const ADMIN = demoAccount('admin@iecpa.test');

/** Screenshots the page and fails on any serious or critical axe finding. */
async function expectAccessible(page: Page, name: string): Promise<void> {
  expect(await screenshotAndAxe(page, `membership-${name}`), name).toEqual([]);
}

async function goto(page: Page, path: string): Promise<void> {
  const response = await page.goto(`${portal.server.url}${path}`, { waitUntil: 'networkidle' });
  expect(response?.status(), path).toBe(200);
}

/** What an anonymous visitor sees of the applicant in the public practitioner search and on their page. */
async function publicView(): Promise<{ listed: boolean; resultsText: string; profileText: string }> {
  const page = await portal.newPage();
  await goto(page, `/find-a-practitioner?q=${encodeURIComponent('Haddad')}`);
  const main = page.getByRole('main');
  const link = main.getByRole('link', { name: APPLICANT.name });
  const listed = (await link.count()) > 0;
  const resultsText = (await main.textContent()) ?? '';
  let profileText = '';
  if (listed) {
    await expectAccessible(page, 'public-search');
    await link.click();
    await page.waitForLoadState('networkidle');
    await page.getByRole('heading', { level: 1, name: APPLICANT.name }).waitFor();
    profileText = (await page.getByRole('main').textContent()) ?? '';
    await expectAccessible(page, 'public-profile');
  }
  await page.close();
  return { listed, resultsText, profileText };
}

test('a new user applies with a PDF, an admin approves, the member is listed and hides their city from the public', {
  timeout: 240_000,
}, async () => {
  const { server } = portal;
  const page = await portal.newPage();

  // Registration and email confirmation.
  await goto(page, '/membership');
  await expectAccessible(page, 'categories');
  await goto(page, '/register');
  await page.getByLabel('Full name').fill(APPLICANT.name);
  await page.getByLabel('Email address').fill(APPLICANT.email);
  await page.getByLabel('Password', { exact: true }).fill(APPLICANT.password);
  await page.getByLabel('Country of practice').selectOption('JO');
  await page.getByLabel('Profession').selectOption('physician');
  await page.getByLabel('I have read and accept the IECPA code of ethics').check();
  await page.getByRole('button', { name: 'Create account' }).click();
  await page.getByText('Check your email').waitFor();
  await page.goto(linkIn(await latestMailTo(server.db, APPLICANT.email), '/verify-email'));
  await page.getByRole('button', { name: 'Confirm my email address' }).click();
  await page.getByText('Email confirmed').waitFor();
  await signInWithForm(page, server.url, APPLICANT);

  // The application, with a PDF licence copy.
  await goto(page, '/membership/apply?category=practitioner');
  await expectAccessible(page, 'apply');
  // The form starts from the profession and country given at registration.
  expect(await page.getByLabel('Profession').inputValue()).toBe('physician');
  expect(await page.getByLabel('Country where you practise').inputValue()).toBe('JO');
  await page.getByLabel('Membership category').selectOption('practitioner');
  await page.getByLabel('Profession').selectOption('physician');
  await page.getByLabel('Licence or registration number').fill('JMC-20931');
  await page.getByLabel('Issuing body').fill('Jordan Medical Council');
  await page.getByLabel('Institution, practice or company').fill('Amman Heart Clinic');
  await page.getByLabel('Country where you practise').selectOption('JO');
  await page.getByLabel('Years of ECP practice').fill('6');
  await page.getByLabel('Number of ECP treatments you have delivered or supervised').fill('420');
  await page.getByLabel('Languages you work in').fill('Arabic, English');
  // Saved as a draft, the application is where the status page points (there is no membership yet).
  await page.getByRole('button', { name: 'Save draft' }).click();
  await page.getByText('Your application is saved as a draft').waitFor();
  await goto(page, '/membership/status');
  expect(await page.getByRole('main').textContent()).toContain('nothing has been sent to the membership committee');
  await page.getByRole('main').getByRole('link', { name: 'Continue your application' }).click();
  await page.waitForURL((url) => url.pathname === '/membership/apply');
  expect(await page.getByLabel('Licence or registration number').inputValue()).toBe('JMC-20931');
  // A file over the limit: the portal's page says so, and Back returns to the form as it was.
  await page.getByLabel('Add a document').setInputFiles({
    name: 'scan.pdf',
    mimeType: 'application/pdf',
    buffer: Buffer.alloc(6 * 1024 * 1024, 0x20),
  });
  await page.getByRole('button', { name: 'Save draft' }).click();
  await page.getByRole('heading', { name: 'The form is too large to send' }).waitFor();
  expect(await page.getByRole('main').textContent()).toContain('5 MiB in all, files included');
  await page.goBack();
  await page.waitForURL((url) => url.pathname === '/membership/apply');
  expect(await page.getByLabel('Licence or registration number').inputValue()).toBe('JMC-20931');
  await page.getByLabel('Add a document').setInputFiles({
    name: 'licence.pdf',
    mimeType: 'application/pdf',
    buffer: Buffer.from(demoPdfBytes()),
  });
  // Accepted at registration: the application says so instead of asking again (once per version).
  await page.getByText(/You accepted the IECPA code of ethics, version/).waitFor();
  expect(await page.getByLabel(/I have read and accept the IECPA code of ethics/).count()).toBe(0);
  expect(await page.getByText(/required: at least 1 before you submit; 0 uploaded/).count()).toBe(1);
  await page.getByRole('button', { name: 'Submit application' }).click();
  await page.waitForURL((url) => url.pathname === '/membership/application');
  await page.waitForLoadState('networkidle');
  expect(await page.getByRole('main').getByRole('link', { name: 'licence.pdf' }).count()).toBe(1);
  await expectAccessible(page, 'application-submitted');

  // An administrator, past the second factor, approves it from the queue.
  const admin = await portal.newPage();
  await signInWithForm(admin, server.url, ADMIN);
  await goto(admin, '/admin/applications');
  await expectAccessible(admin, 'admin-queue');
  await admin.getByRole('main').getByRole('link', { name: APPLICANT.name }).click();
  await admin.waitForLoadState('networkidle');
  await expectAccessible(admin, 'admin-application');
  // The membership's status in words, as everywhere else, not its database code ("pending").
  const membershipTerm = admin.locator('dt', { hasText: /^Membership$/ });
  expect(await membershipTerm.locator('xpath=following-sibling::dd[1]').textContent()).toBe(
    'Pending (application under review)',
  );
  await admin.getByRole('button', { name: 'Approve' }).click();
  await admin.getByText(/^Approved\. The membership number IECPA-\d{4}-\d{5} has been mailed/).waitFor();
  await expectAccessible(admin, 'admin-approved');
  const [user] = await server.db.db.select({ id: users.id }).from(users).where(eq(users.email, APPLICANT.email));
  const [membership] = await server.db.db
    .select()
    .from(memberships)
    .where(eq(memberships.userId, user?.id ?? ''));
  expect(membership?.status).toBe('active');
  const number = membership?.number ?? '';
  expect(number).toMatch(/^IECPA-\d{4}-\d{5}$/);
  expect(await latestMailTo(server.db, APPLICANT.email)).toContain(number);
  await admin.close();

  // The new member sees the number and opts in to the directory with a public city.
  await page.context().clearCookies();
  await signInWithForm(page, server.url, APPLICANT);
  await goto(page, '/membership/status');
  expect(await page.getByRole('main').textContent()).toContain(number);
  await expectAccessible(page, 'status');
  await goto(page, '/account/profile');
  await expectAccessible(page, 'profile');
  await page.getByRole('checkbox', { name: /List me in the IECPA directory/ }).check();
  await page.getByRole('textbox', { name: /^City/ }).fill(APPLICANT.city);
  await page.getByLabel('Country', { exact: true }).selectOption('JO');
  await page.getByLabel('Who sees your practice location').selectOption('public');
  await page.getByLabel('Languages you treat patients in').fill('Arabic, English');
  await page.getByLabel('Who sees your languages').selectOption('public');
  await page.getByRole('button', { name: 'Save profile' }).click();
  await page.getByText('Profile saved').waitFor();

  const listed = await publicView();
  expect(listed.listed, 'listed in the public search').toBe(true);
  expect(listed.resultsText).toContain(APPLICANT.city);
  expect(listed.profileText).toContain(APPLICANT.city);

  // The member hides the practice location: it disappears for anonymous visitors.
  await signInWithForm(page, server.url, APPLICANT);
  await goto(page, '/account/profile');
  await page.getByLabel('Who sees your practice location').selectOption('hidden');
  await page.getByRole('button', { name: 'Save profile' }).click();
  await page.getByText('Profile saved').waitFor();
  await expectAccessible(page, 'profile-city-hidden');
  await page.close();

  const hidden = await publicView();
  expect(hidden.listed, 'still listed by name').toBe(true);
  expect(hidden.resultsText).not.toContain(APPLICANT.city);
  expect(hidden.profileText).not.toContain(APPLICANT.city);
  const byCity = await portal.newPage();
  await goto(byCity, `/find-a-practitioner?city=${APPLICANT.city}`);
  expect(await byCity.getByRole('main').getByRole('link', { name: APPLICANT.name }).count()).toBe(0);
  await byCity.close();
});

test('the admin members page charts members by status, category and country, finds the new member and exports CSV', async () => {
  const { server } = portal;
  const page = await portal.newPage();
  await signInWithForm(page, server.url, ADMIN);
  await goto(page, '/admin/members');
  for (const title of ['Members by status', 'Members by category', 'Members by country']) {
    const chart = page.getByRole('img', { name: title });
    expect(await chart.count(), title).toBe(1);
    expect(await page.getByRole('table', { name: `${title} (figures)` }).count(), title).toBe(1);
  }
  const statusTable = page.getByRole('table', { name: 'Members by status (figures)' });
  const activeCount = Number(
    await statusTable
      .getByRole('row', { name: /^Active/ })
      .getByRole('cell')
      .textContent(),
  );
  expect(activeCount).toBeGreaterThan(0);
  expect(await page.getByRole('img', { name: 'Members by status' }).getAttribute('aria-describedby')).toBeTruthy();
  await expectAccessible(page, 'admin-members');

  await page.getByLabel('Name, email or number').fill('Haddad');
  await page.getByRole('button', { name: 'Show members' }).click();
  await page.waitForLoadState('networkidle');
  const row = page.getByRole('main').getByRole('row', { name: new RegExp(APPLICANT.name) });
  expect(await row.count()).toBe(1);
  expect(await row.getByRole('link', { name: APPLICANT.name }).getAttribute('href')).toMatch(/^\/admin\/members\/\w+/);
  await expectAccessible(page, 'admin-members-search');

  // The export form carries the filter; its fields are chosen by ticking.
  await page.getByLabel('Email', { exact: true }).uncheck();
  await page.getByLabel('City', { exact: true }).check();
  const [download] = await Promise.all([
    page.waitForEvent('download'),
    page.getByRole('button', { name: 'Download CSV' }).click(),
  ]);
  const csvPath = await download.path();
  const csv = readFileSync(csvPath, 'utf8');
  expect(csv.split('\r\n')[0]).toBe('\uFEFF"number","name","status","category","country","city"');
  expect(csv).toContain(`"${APPLICANT.name}","active","Practitioner","JO","${APPLICANT.city}"`);
  expect(csv.trim().split('\r\n')).toHaveLength(2);

  // Bad filters and no fields: a clear message, no file.
  const noFields = await page.request.get(`${server.url}/admin/members.csv?q=Haddad`);
  expect(noFields.status()).toBe(400);
  expect(await noFields.text()).toContain('Tick at least one field to export.');
  const badStatus = await page.request.get(`${server.url}/admin/members.csv?status=retired&field=name`);
  expect(badStatus.status()).toBe(400);
  expect(await badStatus.text()).toContain('Choose a status from the list.');
  const badPage = await page.goto(`${server.url}/admin/members?status=retired`);
  expect(badPage?.status()).toBe(400);
  await page
    .getByRole('alert')
    .getByText(/Choose a status from the list\. The list below shows every member instead\./)
    .waitFor();
  await page.close();
});

test('a bulk renewal reminder is confirmed with its count and a second send mails nobody again', async () => {
  const { server } = portal;
  const page = await portal.newPage();
  await signInWithForm(page, server.url, ADMIN);
  await goto(page, '/admin/members?country=JO');
  await page.getByRole('button', { name: 'Prepare a reminder for this list…' }).click();
  await page.waitForLoadState('networkidle');
  await page.getByText('Send the reminder to 1 member?').waitFor();
  await expectAccessible(page, 'admin-reminder-confirm');
  await page.getByRole('button', { name: 'Send to 1 member' }).click();
  await page.getByText('Renewal reminder sent to 1 member.').waitFor();
  await expectAccessible(page, 'admin-reminder-sent');

  // The same confirmation posted again (a double click, a reload): nobody is mailed a second time.
  const cookie = (await page.context().cookies()).map((c) => `${c.name}=${c.value}`).join('; ');
  const again = await postForm(
    server.url,
    '/admin/members?country=JO',
    { q: '', status: '', category: '', country: 'JO', expectedRenewable: '1' },
    cookie,
  );
  expect(again.status).toBe(303);
  const location = again.headers.get('location') ?? '';
  expect(location).toContain('reminded=0');
  await goto(page, location.replace(/#.*$/, ''));
  await page.getByText(/No reminder was sent\. 1 member had been reminded in the last 24 hours/).waitFor();
  const reminders = await server.db.db
    .select({ subject: mailOutbox.subject })
    .from(mailOutbox)
    .where(eq(mailOutbox.toAddress, APPLICANT.email));
  expect(reminders.filter((m) => m.subject === 'Your IECPA membership: time to renew')).toHaveLength(1);
  await page.close();
});

test('the members page and its CSV are refused to a member who is not an administrator', async () => {
  const cookie = await signInOverHttp(portal.server.url, 'member@iecpa.test', DEMO_PASSWORD);
  for (const path of ['/admin/members', '/admin/members.csv?field=email']) {
    const response = await fetch(`${portal.server.url}${path}`, { headers: { Cookie: cookie }, redirect: 'manual' });
    expect(response.status, path).toBe(403);
    expect(response.headers.get('content-disposition'), path).toBeNull();
    const body = await response.text();
    expect(body, path).toContain('Your account does not hold the role this page needs.');
    // The page's main part: the account menu shows the member's own address.
    expect(body.slice(body.indexOf('<main'), body.indexOf('</main>')), path).not.toContain('@');
  }
  const anonymous = await fetch(`${portal.server.url}/admin/members.csv?field=email`, { redirect: 'manual' });
  expect(anonymous.status).toBe(303);
  expect(anonymous.headers.get('location')).toMatch(/^\/sign-in/);
});

test('when the committee asks for more information, the status page says the applicant is the one to act', async () => {
  const { server } = portal;
  const [applicant] = await server.db.db
    .select({ id: users.id })
    .from(users)
    .where(eq(users.email, 'applicant@iecpa.test'));
  const [application] = await server.db.db
    .select({ id: membershipApplications.id })
    .from(membershipApplications)
    .where(eq(membershipApplications.userId, applicant?.id ?? ''));
  const statusText = async (cookie: string) => {
    const response = await fetch(`${server.url}/membership/status`, { headers: { Cookie: cookie } });
    expect(response.status).toBe(200);
    return response.text();
  };
  const applicantCookie = await signInOverHttp(server.url, 'applicant@iecpa.test', DEMO_PASSWORD);
  expect(await statusText(applicantCookie)).toContain('Your application is being reviewed');

  const adminCookie = await demoSessionCookie(server.url, ADMIN.email);
  const asked = await postForm(
    server.url,
    `/admin/applications/${application?.id}`,
    { action: 'request-info', message: 'Please add your registration certificate.' },
    adminCookie,
  );
  expect(asked.status).toBe(303);
  const html = await statusText(applicantCookie);
  expect(html).toContain('The membership committee needs more information');
  expect(html).toContain('href="/membership/application"');
  expect(html).not.toContain('Your application is being reviewed');

  // A refused decision on the page the last success landed on shows the refusal, not that success again.
  const refused = await postForm(
    server.url,
    `/admin/applications/${application?.id}?done=info-requested`,
    { action: 'reject', message: '' },
    adminCookie,
  );
  expect(refused.status).toBe(400);
  expect(await refused.text()).not.toContain('Your question has been mailed');
  const [member] = await server.db.db.select({ id: users.id }).from(users).where(eq(users.email, 'member@iecpa.test'));
  const noReference = await postForm(
    server.url,
    `/admin/members/${member?.id}?done=payment`,
    { action: 'payment', reference: '' },
    adminCookie,
  );
  expect(noReference.status).toBe(400);
  const page = await noReference.text();
  expect(page).toContain('Enter the payment reference');
  expect(page).not.toContain('The payment is recorded');
});

test('a member who has not accepted the current code of ethics accepts it on its page; an unticked box is refused', async () => {
  const member = demoAccount('member@iecpa.test');
  const [row] = await portal.server.db.db.select({ id: users.id }).from(users).where(eq(users.email, member.email));
  if (!row) throw new Error('no demo member');
  // As after a new version of the code: no acceptance of the current one on record.
  await portal.server.db.db
    .delete(consents)
    .where(and(eq(consents.userId, row.id), eq(consents.document, 'code-of-ethics')));
  const page = await portal.signedInPage(member);
  await goto(page, '/membership/ethics');
  await expect.poll(() => page.getByTestId('ethics-status').textContent()).toContain('You have not accepted version');
  await expectAccessible(page, 'ethics-to-accept');

  await page.getByRole('button', { name: 'Accept the code of ethics' }).click();
  await page.getByText('Tick the box to accept the code of ethics.').first().waitFor();
  await expectAccessible(page, 'ethics-unticked');

  await page.getByLabel(/I have read and accept version/).check();
  await page.getByRole('button', { name: 'Accept the code of ethics' }).click();
  await page.waitForURL((url) => url.search === '?accepted=1');
  expect(await page.getByRole('main').textContent()).toContain('your acceptance of version');
  expect(await page.getByTestId('ethics-status').textContent()).toContain('You accepted version');
  await expectAccessible(page, 'ethics-accepted');
  const recorded = await portal.server.db.db
    .select()
    .from(consents)
    .where(and(eq(consents.userId, row.id), eq(consents.document, 'code-of-ethics')));
  expect(recorded).toHaveLength(1);
  await page.close();
});
