import type { Page } from 'playwright-core';
import { afterAll, beforeAll, expect, test } from 'vitest';
import { DEMO_PASSWORD } from '#db/seed.ts';
import { getPublished } from '#src/server/services/handbook.ts';
import { blockingAxeViolations, saveScreenshot } from '#test/helpers/axe.ts';
import { type LaunchedBrowser, launchChromium } from '#test/helpers/chromium.ts';
import { submitSignIn } from '#test/helpers/portal-flows.ts';
import { type RunningServer, startServer } from '#test/helpers/server.ts';

let server: RunningServer;
let browser: LaunchedBrowser;

beforeAll(async () => {
  server = await startServer();
  browser = await launchChromium();
});

afterAll(async () => {
  await browser?.close();
  await server?.stop();
});

async function signedInPage(email: string): Promise<Page> {
  await browser.context.clearCookies();
  const page = await browser.context.newPage();
  await submitSignIn(page, server.url, email, DEMO_PASSWORD);
  await page.waitForURL(`${server.url}/account`);
  return page;
}

async function expectAxeClean(page: Page, name: string): Promise<void> {
  await saveScreenshot(page, `handbook-${name}`);
  expect(await blockingAxeViolations(page), name).toEqual([]);
}

const ADDED = 'Check the cuff hoses for cracks before every session.';

test('an educator edits a chapter, a second educator approves and publishes, the member sees the new revision', async () => {
  const author = await signedInPage('educator@iecpa.test');
  await author.goto(`${server.url}/educator/edit/chapter/the-equipment`);
  await expectAxeClean(author, 'editor');
  const editor = author.getByLabel('Chapter or module text');
  await editor.fill(`${await editor.inputValue()}\n\n## Daily checks\n\n${ADDED}\n`);
  await author.getByRole('button', { name: 'Preview' }).click();
  await author.getByRole('heading', { name: 'Preview (not saved)' }).waitFor();
  expect(await author.getByRole('heading', { name: 'Daily checks' }).isVisible()).toBe(true);
  await author.getByRole('button', { name: 'Save draft' }).click();
  await author.getByText('Saved as draft revision 2.').waitFor();
  await author.getByRole('button', { name: 'Submit revision 2 for review' }).click();
  await author.getByText('Revision 2 is submitted for review by another educator.').waitFor();
  expect(await author.getByText('You cannot review your own revision.').isVisible()).toBe(true);
  await author.close();

  const reviewer = await signedInPage('educator2@iecpa.test');
  await reviewer.goto(`${server.url}/educator`);
  await reviewer.getByRole('link', { name: 'The equipment' }).first().click();
  await reviewer.getByRole('link', { name: 'See what changed since the published revision' }).click();
  await reviewer.getByRole('heading', { name: 'Revision 1 compared with revision 2' }).waitFor();
  expect(await reviewer.getByRole('cell', { name: ADDED }).isVisible()).toBe(true);
  await expectAxeClean(reviewer, 'history-diff');
  await reviewer.goto(`${server.url}/educator/edit/chapter/the-equipment`);
  await reviewer.getByRole('button', { name: 'Approve revision 2' }).click();
  await reviewer.getByText('Revision 2 is approved and can be published.').waitFor();
  await reviewer.getByLabel('Change note').fill('Added the daily hose check.');
  await reviewer.getByRole('button', { name: 'Publish revision 2' }).click();
  await reviewer.getByText('Revision 2 is published.').waitFor();
  await reviewer.close();

  const member = await signedInPage('member@iecpa.test');
  await member.goto(`${server.url}/handbook/the-equipment`);
  expect(await member.getByTestId('revision').textContent()).toBe('Revision 2');
  expect(await member.getByText(ADDED).isVisible()).toBe(true);
  expect(
    await member.getByRole('navigation', { name: 'Contents' }).getByRole('link', { name: 'Daily checks' }).isVisible(),
  ).toBe(true);
  await expectAxeClean(member, 'chapter');
  await member.getByRole('link', { name: 'What changed in this revision' }).click();
  await member.getByRole('heading', { name: 'Revision 1 compared with revision 2' }).waitFor();
  expect(await member.getByText('Added the daily hose check.').isVisible()).toBe(true);
  expect(await member.getByRole('cell', { name: ADDED }).isVisible()).toBe(true);
  await expectAxeClean(member, 'changes');
  await member.close();
});

test('a member completes a module and the progress bar moves', async () => {
  const slug = 'l1-physiology-of-counterpulsation';
  const published = await getPublished(server.db.db, 'module', slug);
  if (!published) throw new Error('module not imported');
  const page = await signedInPage('member@iecpa.test');

  await page.goto(`${server.url}/curriculum/level-1`);
  expect(await page.getByTestId('progress-percent').textContent()).toBe('0%');
  await expectAxeClean(page, 'level-before');

  for (const chapter of new Set(published.frontMatter.reading.map((r) => r.chapter))) {
    await page.goto(`${server.url}/handbook/${chapter}`);
    await page.getByRole('button', { name: 'Mark this chapter as read' }).click();
    await page.getByText('You have marked this chapter as read.').waitFor();
  }

  await page.goto(`${server.url}/curriculum/level-1/${slug}`);
  await expectAxeClean(page, 'module');
  for (const question of published.frontMatter.quiz) {
    for (const optionId of question.correct) await page.locator(`#q-${question.id}-${optionId}`).check();
  }
  await page.getByRole('button', { name: 'Submit answers' }).click();
  await page.getByText('Quiz passed').waitFor();
  expect(await page.getByTestId('quiz-score').textContent()).toContain('(100%)');
  await page.getByRole('button', { name: 'I have completed the simulator exercise' }).click();
  await page.getByText('Module completed').waitFor();

  await page.goto(`${server.url}/curriculum/level-1`);
  const percent = await page.getByTestId('progress-percent').textContent();
  expect(Number.parseInt(percent ?? '0', 10)).toBeGreaterThan(0);
  expect(await page.getByTestId(`state-${slug}`).textContent()).toBe('Completed');
  await expectAxeClean(page, 'level-after');

  await page.goto(`${server.url}/cpd`);
  expect(await page.getByTestId('cpd-approved').textContent()).toBe(String(published.frontMatter.cpdCredits));
  await expectAxeClean(page, 'cpd');
  await page.close();
});

test('the editor keeps unsaved text in the browser and offers it back after a reload', async () => {
  const page = await signedInPage('educator@iecpa.test');
  await page.goto(`${server.url}/educator/edit/chapter/special-patient-groups`);
  const editor = page.getByLabel('Chapter or module text');
  const original = await editor.inputValue();
  await editor.fill(`${original}\nA paragraph typed but never saved.\n`);
  await page.getByText('Copy kept in this browser').waitFor();
  await page.reload();
  expect(await editor.inputValue()).toBe(original);
  await page.getByRole('button', { name: 'Restore unsaved text' }).click();
  expect(await editor.inputValue()).toContain('A paragraph typed but never saved.');
  await expectAxeClean(page, 'editor-restore');
  await page.close();
});
