import { eq } from 'drizzle-orm';
import { expect, test } from 'vitest';
import { simulatorAttempts, users } from '#db/schema/index.ts';
import { blockingAxeViolations } from '#test/helpers/axe.ts';
import { demoSessionCookie, usePortal } from '#test/helpers/e2e-portal.ts';
import { startShippedPracticeAttempt } from '#test/helpers/exams.ts';

/** A phone in portrait (iPhone 12 to 15: 390 CSS pixels). */
const portal = usePortal({ viewport: { width: 390, height: 844 }, shared: true });

/** One page of every kind, as the person who sees it: none may make the page scroll sideways on a phone. */
const PAGES: { who: string | null; paths: string[] }[] = [
  {
    who: null,
    paths: [
      '/',
      '/about-ecp',
      '/mission',
      '/ethics',
      '/history',
      '/membership',
      '/find-a-practitioner?q=angina',
      '/register',
      '/sign-in',
      '/forgot-password',
      '/simulator',
      '/curriculum',
    ],
  },
  {
    who: 'member@iecpa.test',
    paths: [
      '/account',
      '/account/profile',
      '/account/security',
      '/account/data',
      '/membership/status',
      '/members?q=angina',
      '/handbook',
      '/handbook/the-equipment',
      '/curriculum/level-1',
      '/curriculum/level-1/l1-physiology-of-counterpulsation',
      '/cpd',
      '/simulator/practice',
      '/simulator/assessments',
    ],
  },
  { who: 'applicant@iecpa.test', paths: ['/membership/apply', '/membership/application'] },
  {
    who: 'educator@iecpa.test',
    paths: [
      '/educator',
      '/educator/edit/chapter/the-equipment',
      '/educator/history/chapter/the-equipment',
      '/educator/images',
    ],
  },
  { who: 'examiner@iecpa.test', paths: ['/examiner', '/examiner/assessments', '/examiner/attempts'] },
  {
    who: 'admin@iecpa.test',
    paths: [
      '/admin/members',
      '/admin/applications',
      '/admin/closures',
      '/admin/categories',
      '/admin/users',
      '/admin/outbox',
    ],
  },
];

test('no page scrolls sideways on a 390 px phone, for visitors, members, applicants, educators, examiners and admins', async () => {
  const problems: string[] = [];
  for (const { who, paths } of PAGES) {
    const page = await portal.newPage(who ? await demoSessionCookie(portal.server.url, who) : undefined);
    for (const path of paths) {
      const response = await page.goto(`${portal.server.url}${path}`);
      const status = response?.status() ?? 0;
      if (status >= 400) problems.push(`${who ?? 'visitor'} ${path}: HTTP ${status}`);
      const overflowPx = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
      if (overflowPx > 0) problems.push(`${who ?? 'visitor'} ${path}: ${overflowPx} px wider than the screen`);
    }
    await page.close();
  }
  expect(problems).toEqual([]);
}, 120_000);

test('on a phone, the admin pages’ wide tables can be scrolled from the keyboard (axe: no unfocusable scrolling region)', async () => {
  const page = await portal.newPage(await demoSessionCookie(portal.server.url, 'admin@iecpa.test'));
  const problems: string[] = [];
  // The scheduled-jobs table on /admin is the one wider than a phone with the demo data (axe checks one page
  // in seconds here; the other admin tables are marked up the same way).
  for (const path of ['/admin']) {
    await page.goto(`${portal.server.url}${path}`);
    const findings = await blockingAxeViolations(page);
    problems.push(...findings.map((finding) => `${path}: ${finding}`));
  }
  await page.close();
  expect(problems).toEqual([]);
}, 120_000);

test("an exam's matching question and a simulator result fit a phone: long options and wide tables stay inside", async () => {
  const db = portal.server.db.db;
  // Every item of one category, so the draw holds its matching question (options are whole sentences: a
  // select is as wide as its longest option, and widened the exam page to 590 px).
  const started = await startShippedPracticeAttempt(
    db,
    {
      slug: 'phone-layout-exam',
      title: 'Phone layout examination',
      category: '01-physiology-of-counterpulsation',
      count: 10,
    },
    'li.wei@iecpa.test',
  );
  const [attempt] = await db
    .select({ id: simulatorAttempts.id })
    .from(simulatorAttempts)
    .innerJoin(users, eq(users.id, simulatorAttempts.candidateId))
    .where(eq(users.email, 'certified@iecpa.test'));

  const problems: string[] = [];
  const visits: [string, string][] = [
    ['li.wei@iecpa.test', `/exams/attempt/${started.attemptId}`],
    ['certified@iecpa.test', `/simulator/attempts/${attempt?.id}`],
  ];
  for (const [who, path] of visits) {
    const page = await portal.newPage(await demoSessionCookie(portal.server.url, who));
    const saves: string[] = [];
    page.on('request', (request) => {
      if (request.url().includes('exams.saveAnswer')) saves.push(request.postData() ?? '');
    });
    const response = await page.goto(`${portal.server.url}${path}`);
    if ((response?.status() ?? 0) >= 400) problems.push(`${path}: HTTP ${response?.status()}`);
    if (path.startsWith('/exams')) {
      if ((await page.locator('select').count()) === 0) problems.push(`${path}: no matching question`);
      // Opening the page answers nothing: an unanswered matching question showed "Choose…" and was saved empty.
      await page.locator('astro-island:not([ssr])').first().waitFor({ state: 'attached' });
      await page.waitForLoadState('networkidle');
      if (saves.length > 0) problems.push(`${path}: ${saves.length} answers saved on opening: ${saves.join(' ')}`);
    }
    const overflowPx = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
    if (overflowPx > 0) problems.push(`${who} ${path}: ${overflowPx} px wider than the screen`);
    await page.close();
  }
  expect(problems).toEqual([]);
}, 60_000);
