import { cpSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { eq } from 'drizzle-orm';
import type { Page, Response } from 'playwright-core';
import { beforeAll, expect, test } from 'vitest';
import { auditLog, exams, users } from '#db/schema/index.ts';
import { startAttempt, submitAttempt } from '#src/server/services/exam-attempts.ts';
import { importExamContent } from '#src/server/services/exam-content.ts';
import { getExamBySlug, recomputeStatistics, upsertExam } from '#src/server/services/exam-forms.ts';
import { blockingAxeViolations, screenshotPath } from '#test/helpers/axe.ts';
import { demoAccount, demoSessionCookie, usePortal } from '#test/helpers/e2e-portal.ts';
import { startShippedPracticeAttempt } from '#test/helpers/exams.ts';
import { postForm, signInOverHttp } from '#test/helpers/portal-flows.ts';

const portal = usePortal();

/** What must never reach the browser before submission: the fixture items' rationales and any key field. */
const SECRETS =
  /Counterpulsation pressurises the legs in diastole|The cuffs pressurise before the aortic valve|"key"|"rationale"/;

beforeAll(async () => {
  // The fixture bank (test/fixtures/exams) with the shipped scenarios: one single-answer and one engine item.
  const contentDir = mkdtempSync(join(tmpdir(), 'exam-e2e-'));
  cpSync(join(process.cwd(), 'test', 'fixtures', 'exams', 'exams'), join(contentDir, 'exams'), { recursive: true });
  cpSync(join(process.cwd(), 'content', 'scenarios'), join(contentDir, 'scenarios'), { recursive: true });
  const report = await importExamContent(portal.server.db.db, contentDir);
  rmSync(contentDir, { recursive: true, force: true });
  expect(report.refused).toEqual([]);
});

/** Every HTML and JSON body the page receives from the portal, read as it arrives. */
function recordBodies(page: Page): { bodies: string[]; settled: () => Promise<void> } {
  const bodies: string[] = [];
  const reading: Promise<void>[] = [];
  page.on('response', (response: Response) => {
    const type = response.headers()['content-type'] ?? '';
    if (!/html|json/.test(type) || response.status() >= 300) return;
    reading.push(
      response.text().then(
        (text) => void bodies.push(text),
        () => undefined,
      ),
    );
  });
  return { bodies, settled: async () => void (await Promise.all(reading)) };
}

/** Presses Space on a control reached by focus (keyboard only) and waits for the island's save. */
async function chooseWithKeyboard(page: Page, control: ReturnType<Page['getByRole']>): Promise<void> {
  const saved = page.waitForResponse((r) => r.url().includes('/api/trpc/exams.saveAnswer') && r.ok());
  await control.focus();
  await page.keyboard.press('Space');
  await saved;
}

test('a member takes the practice exam with the keyboard only, reloads and finds every answer, reviews and reads the result', async () => {
  const member = await portal.signedInPage(demoAccount('member@iecpa.test'));
  const seen = recordBodies(member);
  await member.goto(`${portal.server.url}/exams`);
  await member.getByRole('heading', { name: 'Fixture examination' }).waitFor();
  expect(await blockingAxeViolations(member)).toEqual([]);
  await member.getByRole('button', { name: /^Start.*Fixture examination/ }).focus();
  await member.keyboard.press('Enter');
  await member.waitForURL(/\/exams\/attempt\/[a-z0-9]+$/);
  const attemptUrl = member.url();
  await member.getByText('Nothing saved yet.').waitFor();

  // Each choice is saved by the island as it is given (no form post): a reload finds them.
  await chooseWithKeyboard(member, member.getByRole('radio', { name: 'In diastole' }));
  await member.getByText(/Last answer saved at \d\d:\d\d:\d\d UTC/).waitFor();
  await chooseWithKeyboard(member, member.getByRole('radio', { name: 'Early inflation' }));
  const engineQuestion = member.locator('fieldset', { has: member.getByRole('radio', { name: 'Early inflation' }) });
  await chooseWithKeyboard(member, engineQuestion.getByRole('checkbox', { name: /Flag question \d for review/ }));
  const flaggedNumber = ((await engineQuestion.locator('legend').textContent()) ?? '').match(/Question (\d)/)?.[1];

  await member.reload();
  expect(await member.getByRole('radio', { name: 'In diastole' }).isChecked()).toBe(true);
  expect(await member.getByRole('radio', { name: 'Early inflation' }).isChecked()).toBe(true);
  expect(await member.getByRole('checkbox', { name: `Flag question ${flaggedNumber} for review` }).isChecked()).toBe(
    true,
  );
  await member.getByText(/Last answer saved at/).waitFor();
  // The clock counts down against the server's deadline.
  const shown = await member.getByTestId('time-left').textContent();
  await member.waitForFunction(
    (before) => document.querySelector('[data-testid="time-left"]')?.textContent !== before,
    shown,
  );

  await lookAt(member, 'exam-attempt-all');

  // One question at a time, chosen by the candidate and remembered.
  await member.getByRole('button', { name: 'Show one question at a time' }).focus();
  await member.keyboard.press('Enter');
  await member.waitForURL(/view=one&q=1$/);
  await member.getByRole('button', { name: 'Next question' }).focus();
  await member.keyboard.press('Enter');
  await member.waitForURL(/view=one&q=2$/);
  // The navigator's marks and the count follow each acknowledged save at once, without a reload.
  const nav = member.getByRole('navigation', { name: 'Questions' });
  const flagTwo = member.getByRole('checkbox', { name: 'Flag question 2 for review' });
  const wasFlagged = await flagTwo.isChecked();
  await chooseWithKeyboard(member, flagTwo);
  const marks = (flagged: boolean) => new RegExp(`^2\\s*,\\s*answered${flagged ? '\\s*,\\s*flagged' : ''}$`);
  await nav.getByRole('link', { name: marks(!wasFlagged) }).waitFor();
  await member
    .getByTestId('progress')
    .getByText(wasFlagged ? '2 of 2 answered' : '2 of 2 answered, 2 flagged for review', { exact: true })
    .waitFor();
  await chooseWithKeyboard(member, flagTwo);
  await nav.getByRole('link', { name: marks(wasFlagged) }).waitFor();

  // Leaving while a save is unacknowledged warns (beforeunload); once it is acknowledged, nothing does.
  let release = (): void => undefined;
  const held = new Promise<void>((resolve) => {
    release = resolve;
  });
  await member.route('**/api/trpc/exams.saveAnswer**', async (route) => {
    await held;
    await route.continue();
  });
  const warned = member.waitForEvent('dialog');
  await flagTwo.focus();
  await member.keyboard.press('Space');
  const acknowledged = member.waitForResponse((r) => r.url().includes('/api/trpc/exams.saveAnswer') && r.ok());
  const clicking = nav.getByRole('link', { name: /^1\b/ }).click();
  const dialog = await warned;
  expect(dialog.type()).toBe('beforeunload');
  await dialog.dismiss();
  await clicking;
  expect(member.url()).toMatch(/view=one&q=2$/);
  release();
  await acknowledged;
  await member.unroute('**/api/trpc/exams.saveAnswer**');
  await nav.getByRole('link', { name: marks(!wasFlagged) }).waitFor();
  await chooseWithKeyboard(member, flagTwo);
  await member.goto(attemptUrl);
  await member.getByRole('button', { name: 'Show all questions' }).waitFor();
  expect(await member.locator('fieldset.question').count()).toBe(1);
  await lookAt(member, 'exam-attempt-one');

  await member.getByRole('button', { name: 'Review and submit' }).focus();
  await member.keyboard.press('Enter');
  await member.waitForURL(/view=review$/);
  const review = member.getByRole('region', { name: 'Review before you submit' });
  await review.getByText('2 of 2 questions answered.').waitFor();
  expect(await review.getByRole('link', { name: `Question ${flaggedNumber}` }).count()).toBe(1);
  await lookAt(member, 'exam-review');

  // A flagged question: submitting asks once more, stating the count.
  await member.getByRole('button', { name: 'Submit the attempt' }).focus();
  await member.keyboard.press('Enter');
  await member.getByRole('heading', { name: 'Submit with 1 question flagged for review?' }).waitFor();
  await lookAt(member, 'exam-submit-confirm');
  await member.getByRole('button', { name: 'Yes, submit the attempt' }).focus();
  await member.keyboard.press('Enter');
  await member.waitForURL(/\/exams\/result\/[a-z0-9]+$/);
  await seen.settled();
  // Until this point (the result of a practice exam shows rationales) no response carried a key or rationale.
  expect(seen.bodies.length).toBeGreaterThan(5);
  for (const body of seen.bodies) expect(body).not.toMatch(SECRETS);
  await member.getByText(/Passed/).waitFor();
  expect(await member.getByText('2.0 of 2 (100 %)', { exact: false }).isVisible()).toBe(true);
  await member.screenshot({ path: screenshotPath('exam-result-1280'), fullPage: true });
  expect(await blockingAxeViolations(member)).toEqual([]);
  await member.close();
}, 120_000);

test('without JavaScript every button posts and saves the questions on screen', async () => {
  const url = portal.server.url;
  const cookie = await signInOverHttp(url, 'member@iecpa.test', demoAccount('member@iecpa.test').password);
  const exam = await getExamBySlug(portal.server.db.db, 'fixture-exam');
  const started = await postForm(url, '/exams', { examId: exam?.id ?? '' }, cookie);
  expect(started.status).toBe(303);
  const attemptPath = started.headers.get('location') ?? '';
  const page = await (await fetch(`${url}${attemptPath}?view=all`, { headers: { Cookie: cookie } })).text();
  const ids = [...page.matchAll(/name="shown" value="([a-z0-9]+)"/g)].map((m) => m[1] as string);
  expect(ids).toHaveLength(2);
  const fields = new URLSearchParams();
  for (const id of ids) {
    fields.append('shown', id);
    // The first option of each question, and a flag on the first question.
    fields.append(`a-${id}`, page.match(new RegExp(`name="a-${id}" value="([a-z0-9-]+)"`))?.[1] ?? '');
  }
  fields.append(`f-${ids[0]}`, 'on');
  fields.append('action', 'review');
  const saved = await postForm(url, attemptPath, fields, cookie);
  expect(saved.status).toBe(303);
  expect(saved.headers.get('location')).toMatch(/view=review$/);
  const review = await (await fetch(`${url}${saved.headers.get('location')}`, { headers: { Cookie: cookie } })).text();
  expect(review).toContain('2 of 2 questions answered.');
  expect(review).toMatch(/Flagged for review<\/h3>\s*<ul[^>]*>\s*<li[^>]*><a[^>]*>Question 1<\/a>/);
  // Question 1 is flagged: the submit asks once more, stating the count; the confirmed post submits.
  const asked = await postForm(url, attemptPath, new URLSearchParams({ action: 'submit' }), cookie);
  expect(asked.status).toBe(200);
  expect(await asked.text()).toContain('Submit with 1 question flagged for review?');
  const submitted = await postForm(url, attemptPath, new URLSearchParams({ action: 'submit', confirm: '0:1' }), cookie);
  expect(submitted.status).toBe(303);
  expect(submitted.headers.get('location')).toMatch(/^\/exams\/result\//);
});

test('the time runs out: the page warns, the server submits what was saved and the member sees the result', async () => {
  const db = portal.server.db.db;
  const created = await upsertExam(
    db,
    null,
    {
      format: 'iecpa-exam/1',
      slug: 'short-exam',
      title: 'Short timed examination',
      bank: 'fixture-bank',
      practice: false,
      timeLimitMinutes: 1,
      attemptsAllowed: 1,
      passMark: { method: 'fixed', percent: 50 },
      release: 'immediate',
      eligibility: 'member-in-good-standing',
      blueprint: [
        { category: '01-physiology-of-counterpulsation', count: 1 },
        { category: '04-ecg-triggering-and-timing', count: 1 },
      ],
    },
    { publish: true },
  );
  expect(created.ok).toBe(true);
  // Shorter than any form allows, so the test waits seconds, not minutes.
  await db.update(exams).set({ timeLimitMs: 8_000 }).where(eq(exams.slug, 'short-exam'));

  const member = await portal.signedInPage(demoAccount('member@iecpa.test'));
  await member.goto(`${portal.server.url}/exams`);
  await member.getByRole('button', { name: /^Start.*Short timed examination/ }).focus();
  await member.keyboard.press('Enter');
  await member.waitForURL(/\/exams\/attempt\/[a-z0-9]+$/);
  await member.getByText(/One minute left/).waitFor();
  await chooseWithKeyboard(member, member.getByRole('radio', { name: 'In diastole' }));
  await member.getByText('Time is up. Your saved answers are being submitted.').waitFor({ timeout: 15_000 });
  await member.waitForURL(/\/exams\/result\/[a-z0-9]+$/, { timeout: 20_000 });
  await member.getByText(/Passed/).waitFor();
  expect(await member.getByText('1.0 of 2 (50 %)', { exact: false }).isVisible()).toBe(true);
  await member.close();
});

test('shipped questions show their Markdown and figures, and the feedback links the chapters they cite', async () => {
  const db = portal.server.db.db;
  // Every shipped item of the pleth module: bold words in stems, and a figure.
  const started = await startShippedPracticeAttempt(
    db,
    { slug: 'pleth-practice', title: 'Pleth practice', category: '05-pleth-and-ds-ratio', count: 15 },
    'li.wei@iecpa.test',
  );
  const page = await portal.newPage(await demoSessionCookie(portal.server.url, 'li.wei@iecpa.test'));
  await page.goto(`${portal.server.url}/exams/attempt/${started.attemptId}?view=all`);
  expect(await page.locator('.stem strong').count()).toBeGreaterThan(0);
  expect((await page.locator('.question').allTextContents()).join('\n')).not.toContain('**');
  const figure = page.locator('.question img').first();
  await figure.waitFor();
  await figure.evaluate((img: HTMLImageElement) => img.decode());
  expect(await figure.evaluate((img: HTMLImageElement) => img.naturalWidth)).toBeGreaterThan(0);
  await lookAt(page, 'exam-shipped-questions');

  // Nothing answered: every question comes back with its rationale and the chapters it cites.
  expect(await submitAttempt(db, started.userId, started.attemptId)).toEqual({ ok: true, graded: true });
  await page.goto(`${portal.server.url}/exams/result/${started.attemptId}`);
  expect(await page.getByRole('main').textContent()).not.toMatch(/\*\*|05-pleth-and-ds-ratio/);
  const links = await page
    .locator('main a[href^="/handbook/"]')
    .evaluateAll((as) => [...new Set(as.map((a) => a.getAttribute('href') ?? ''))]);
  expect(links.length).toBeGreaterThan(0);
  for (const href of links) expect([href, (await fetch(`${portal.server.url}${href}`)).status]).toEqual([href, 200]);
  await lookAt(page, 'exam-practice-feedback');
  await page.close();
});

/** Screenshots of the page at 1280 and 390 px (test-results/screenshots) and axe with nothing serious. */
async function lookAt(page: Page, name: string): Promise<void> {
  for (const [width, height] of [
    [1280, 900],
    [390, 844],
  ] as const) {
    await page.setViewportSize({ width, height });
    await page.screenshot({ path: screenshotPath(`${name}-${width}`), fullPage: true });
    // Nothing scrolls sideways (wide tables scroll inside their own region).
    expect(await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth)).toBeLessThanOrEqual(0);
  }
  await page.setViewportSize({ width: 1280, height: 900 });
  expect(await blockingAxeViolations(page)).toEqual([]);
}

test('an examiner reads the statistics and the item bank', async () => {
  const examiner = await portal.signedInPage(demoAccount('examiner@iecpa.test'));
  // Statistics are recomputed hourly; recompute them now.
  const exam = await getExamBySlug(portal.server.db.db, 'fixture-exam');
  await recomputeStatistics(portal.server.db.db, exam?.id as string);
  await examiner.goto(`${portal.server.url}/examiner/exams/fixture-exam/statistics`);
  await examiner.getByRole('heading', { name: 'Statistics: Fixture examination' }).waitFor();
  // The statistics act: every fixture item was answered right (facility 1), so both wait in the queue.
  const queue = examiner.getByRole('region', { name: 'Review queue table' });
  await queue.getByRole('row', { name: /^fx-physiology-001 facility above 0\.95/ }).waitFor();
  await examiner.getByRole('button', { name: 'Recompute the statistics now' }).click();
  await examiner.getByText('The statistics are recomputed from the graded first attempts.').waitFor();
  await lookAt(examiner, 'exam-statistics');
  await examiner.goto(`${portal.server.url}/examiner/items`);
  await examiner.getByRole('rowheader', { name: 'fx-timing-engine-001' }).waitFor();
  await examiner.screenshot({ path: screenshotPath('exam-items-1280'), fullPage: true });
  expect(await blockingAxeViolations(examiner)).toEqual([]);
  const exported = await examiner.request.get(`${portal.server.url}/examiner/items/export.json?bank=fixture-bank`);
  expect((await exported.json()).items.map((i: { ref: string }) => i.ref)).toEqual([
    'fx-physiology-001',
    'fx-timing-engine-001',
  ]);
  await examiner.close();
}, 120_000);

test('an examiner sets an Angoff pass mark, grants extra time, releases and voids attempts, and edits items', async () => {
  const db = portal.server.db.db;
  const created = await upsertExam(
    db,
    null,
    {
      format: 'iecpa-exam/1',
      slug: 'angoff-exam',
      title: 'Angoff examination',
      bank: 'fixture-bank',
      practice: false,
      timeLimitMinutes: 30,
      attemptsAllowed: 2,
      passMark: { method: 'angoff' },
      release: 'immediate',
      eligibility: 'member-in-good-standing',
      blueprint: [
        { category: '01-physiology-of-counterpulsation', count: 1 },
        { category: '04-ecg-triggering-and-timing', count: 1 },
      ],
    },
    { publish: false },
  );
  expect(created.ok).toBe(true);
  const url = portal.server.url;
  const examiner = await portal.signedInPage(demoAccount('examiner@iecpa.test'));
  examiner.setDefaultTimeout(15_000);

  await examiner.goto(`${url}/examiner`);
  await examiner.getByRole('link', { name: 'Theory exams' }).click();
  await examiner.getByRole('link', { name: 'Angoff examination', exact: true }).click();
  await examiner.getByRole('heading', { name: 'Angoff examination' }).waitFor();
  expect(await examiner.getByText('not set yet (modified Angoff panel)').count()).toBe(1);
  // No pass mark yet: publishing is refused with the reason.
  await examiner.getByRole('button', { name: 'Publish the exam' }).click();
  await examiner
    .getByText(/Set the pass mark first/)
    .first()
    .waitFor();

  // The Angoff panel: rate both live items; a bad rating saves nothing.
  await examiner.getByRole('link', { name: 'Angoff panel' }).click();
  await examiner.getByText(/No cut yet/).waitFor();
  await examiner.getByLabel('Your estimate for fx-physiology-001, percent').fill('60');
  await examiner.getByLabel('Your estimate for fx-timing-engine-001, percent').fill('170');
  await examiner.getByRole('button', { name: 'Save my ratings' }).click();
  await examiner.getByText('fx-timing-engine-001: give a percentage from 0 to 100.').first().waitFor();
  await examiner.getByText(/No cut yet/).waitFor();
  await examiner.getByLabel('Your estimate for fx-timing-engine-001, percent').fill('70');
  await examiner.getByRole('button', { name: 'Save my ratings' }).click();
  await examiner.getByText('Your ratings are saved.').waitFor();
  await examiner.getByText(/65 %: a minimally competent candidate is expected to score 1.3 of 2/).waitFor();
  // Each panellist by name, with their own estimate.
  const panel = examiner.getByRole('table', { name: 'The panel' });
  await panel.getByRole('row', { name: /You \(Emeka Examiner\) 2 of 2 65/ }).waitFor();
  await examiner.getByRole('columnheader', { name: 'You (Emeka Examiner) (%)' }).waitFor();
  await lookAt(examiner, 'exam-angoff');
  await examiner.getByRole('button', { name: 'Set the pass mark to 65 %' }).click();
  await examiner.getByText("The pass mark is set to the panel's cut.").waitFor();
  await examiner.getByText('Pass mark of the exam now: 65 %.').waitFor();

  // The exam page: publish, release after review, extra time by email (a bad email changes nothing).
  await examiner.goto(`${url}/examiner/exams/angoff-exam`);
  await examiner.getByRole('button', { name: 'Publish the exam' }).click();
  await examiner.getByText('The exam is published: members can take it.').waitFor();
  await examiner.getByLabel(/After an examiner's review/).check();
  await examiner.getByRole('button', { name: 'Save the release policy' }).click();
  await examiner.getByText('The release policy is saved.').waitFor();
  await examiner.getByLabel("Candidate's email").fill('nobody@iecpa.test');
  await examiner.getByLabel('Extra minutes').fill('10');
  await examiner.getByRole('button', { name: 'Grant extra time' }).click();
  await examiner.getByText('No account has that email address.').first().waitFor();
  await examiner.getByLabel("Candidate's email").fill('member@iecpa.test');
  await examiner.getByLabel('Extra minutes').fill('10');
  await examiner.getByRole('button', { name: 'Grant extra time' }).click();
  await examiner.getByText(/Extra time granted/).waitFor();
  await examiner.getByRole('rowheader', { name: /Maria Member/ }).waitFor();
  await lookAt(examiner, 'exam-settings');
  await examiner.close();

  // The member takes it with the extra time and submits; the result waits for the release.
  const member = await portal.signedInPage(demoAccount('member@iecpa.test'));
  member.setDefaultTimeout(15_000);
  await member.goto(`${url}/exams`);
  await member.getByRole('button', { name: /^Start.*Angoff examination/ }).click();
  await member.waitForURL(/\/exams\/attempt\/[a-z0-9]+/);
  await member.getByText(/Time left: 3\d min/).waitFor();
  await chooseWithKeyboard(member, member.getByRole('radio', { name: 'In diastole' }));
  await member.getByRole('button', { name: 'Review and submit' }).click();
  await member.getByRole('button', { name: 'Submit the attempt' }).click();
  await member.getByRole('heading', { name: 'Submit with 1 question unanswered?' }).waitFor();
  await member.getByRole('button', { name: 'Yes, submit the attempt' }).click();
  await member.getByText("The result is released after an examiner's review.", { exact: false }).waitFor();
  await member.close();

  const again = await portal.signedInPage(demoAccount('examiner@iecpa.test'));
  again.setDefaultTimeout(15_000);
  await again.goto(`${url}/examiner/exams/angoff-exam/attempts`);
  await again.getByText('1 graded result waiting.', { exact: false }).waitFor();
  await again.getByLabel('Outcome').selectOption('passed');
  await again.getByRole('button', { name: 'Filter' }).click();
  await again.waitForURL(/outcome=passed/);
  expect(await again.getByRole('rowheader', { name: /Maria Member/ }).count()).toBe(0);
  await again.getByLabel('Outcome').selectOption('awaiting-release');
  await again.getByRole('button', { name: 'Filter' }).click();
  await again.getByRole('rowheader', { name: /Maria Member/ }).waitFor();
  const csv = await again.request.get(`${url}/examiner/exams/angoff-exam/attempts.csv?outcome=awaiting-release`);
  expect(csv.ok()).toBe(true);
  expect(await csv.text()).toMatch(/"Maria Member","member@iecpa.test","1",/);
  await lookAt(again, 'exam-attempts');
  await again.getByRole('button', { name: /^Release the result of Maria Member/ }).click();
  await again.getByText('The result is released: the candidate can read it.').waitFor();

  // Void with a reason: an empty reason is refused, a real one is audited.
  await again.goto(`${url}/examiner/exams/angoff-exam/attempts`);
  await again.getByRole('table').locator('summary').first().click();
  await again.getByLabel('Reason (kept in the audit log)').fill('x');
  await again.getByRole('button', { name: 'Void this attempt' }).click();
  await again.getByText('Give the reason for voiding this attempt.').first().waitFor();
  await again.getByLabel('Reason (kept in the audit log)').fill('Candidate used notes');
  await again.getByRole('button', { name: 'Void this attempt' }).click();
  await again.getByText('The attempt is voided; the reason is in the audit log.').waitFor();
  const audit = await db.select().from(auditLog).where(eq(auditLog.action, 'exam.attempt-voided'));
  expect(audit.map((a) => a.details)).toEqual([expect.stringContaining('Candidate used notes')]);

  // A new true-false item through the form, then an edit to a delivered item: a new version.
  await again.goto(`${url}/examiner/items/new`);
  await again.getByLabel('Item type').selectOption('true-false');
  await again.getByRole('button', { name: 'Continue' }).click();
  await again.getByLabel('Ref', { exact: true }).fill('fx-tf-form-001');
  await again.getByLabel('Bank', { exact: true }).fill('fixture-bank');
  await again.getByLabel('Blueprint category (Level 1 module)').selectOption('01-physiology-of-counterpulsation');
  await again.getByLabel('Stem (the question)').fill('Counterpulsation inflates the cuffs in diastole.');
  await again.getByLabel('Rationale').fill('Inflation starts at the dicrotic notch.');
  await again.getByLabel('Handbook chapters').fill('01-physiology-of-counterpulsation');
  await again.getByRole('button', { name: 'Create the draft' }).click();
  // No key chosen: refused, nothing created, the field named and the text kept.
  await again.getByText('Choose whether the statement is true or false.').first().waitFor();
  expect(await again.getByLabel('Stem (the question)').inputValue()).toBe(
    'Counterpulsation inflates the cuffs in diastole.',
  );
  await again.getByLabel('True', { exact: true }).check();
  await again.getByRole('button', { name: 'Create the draft' }).click();
  await again.getByText('Created as a draft', { exact: false }).waitFor();
  await lookAt(again, 'exam-item-edit');

  // An engine item through the form: the engine refuses a bad setting in its own words, the preview
  // shows the frame and the engine's key, and the saved draft keeps them.
  await again.goto(`${url}/examiner/items/new?type=engine`);
  await again.getByLabel('Ref', { exact: true }).fill('fx-engine-form-001');
  await again.getByLabel('Bank', { exact: true }).fill('fixture-bank');
  await again.getByLabel('Blueprint category (Level 1 module)').selectOption('04-ecg-triggering-and-timing');
  await again.getByLabel('Stem (the question)').fill('What is the timing fault on the marked beat?');
  await again.getByLabel('Handbook chapters').fill('05-ecg-triggering-and-timing');
  await again.getByLabel('Seed').fill('7');
  await again.getByLabel('Inflation delay after the R wave (ms)').fill('77');
  await again.getByLabel('Deflation delay after the R wave (ms)').fill('704');
  await again.getByLabel('Cuff pressure (mmHg)').fill('320');
  await again.getByRole('button', { name: 'Preview the frame and key' }).click();
  await again
    .getByText(/The engine refuses this setting \(pressureMmHg: .*\): give 0 to 300\./)
    .first()
    .waitFor();
  await again.getByLabel('Cuff pressure (mmHg)').fill('260');
  await again.getByRole('button', { name: 'Preview the frame and key' }).click();
  await again.getByText(/Preview, not saved\. The engine classifies the marked beat as early-inflation/).waitFor();
  await again.getByRole('img', { name: /Console frame/ }).waitFor();
  await lookAt(again, 'exam-item-engine');
  await again.getByRole('button', { name: 'Create the draft' }).click();
  await again.getByText('Created as a draft', { exact: false }).waitFor();
  await again
    .getByText(
      /Version 1 as saved\. The engine classifies the marked beat as early-inflation: the key is “Early inflation”/,
    )
    .waitFor();

  await again.goto(`${url}/examiner/items`);
  await again.getByRole('link', { name: 'fx-physiology-001' }).click();
  await again.getByText(/This version has been delivered in an attempt/).waitFor();
  await again.getByLabel('Stem (the question)').fill('When do the leg cuffs inflate?');
  await again.getByRole('button', { name: 'Save the item' }).click();
  await again.getByText(/Saved as a new version/).waitFor();
  await again.getByText(/version 2, draft/).waitFor();

  // Closing an exam early asks first, stating the attempts in progress and what happens to them.
  const closing = await upsertExam(
    db,
    null,
    {
      format: 'iecpa-exam/1',
      slug: 'closing-exam',
      title: 'Closing examination',
      bank: 'fixture-bank',
      practice: true,
      timeLimitMinutes: 30,
      passMark: { method: 'fixed', percent: 50 },
      release: 'immediate',
      eligibility: 'member-in-good-standing',
      // The engine item is still live (the physiology item was just edited back to draft).
      blueprint: [{ category: '04-ecg-triggering-and-timing', count: 1 }],
    },
    { publish: true },
  );
  if (!closing.ok) throw new Error(closing.message);
  const [maria] = await db.select({ id: users.id }).from(users).where(eq(users.email, 'member@iecpa.test'));
  expect(
    await startAttempt(db, maria?.id as string, closing.id, { ipAddress: '127.0.0.1', userAgent: 'e2e' }),
  ).toMatchObject({ ok: true });
  await again.goto(`${url}/examiner/exams/closing-exam`);
  await again.getByRole('button', { name: 'Close the exam' }).click();
  await again.getByRole('heading', { name: 'Close Closing examination now?' }).waitFor();
  await again
    .getByText(
      /^1 attempt is in progress\. It goes on until its own deadline \(the last at .* UTC\) and is then submitted with what was saved/,
    )
    .waitFor();
  await lookAt(again, 'exam-close-confirm');
  await again.getByRole('button', { name: 'Yes, close the exam' }).click();
  await again.getByText('The exam is closed: no new attempts.').waitFor();
  await again.close();
}, 180_000);
