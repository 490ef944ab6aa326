import { eq } from 'drizzle-orm';
import type { Page } from 'playwright-core';
import { expect, test } from 'vitest';
import { users } from '#db/schema/index.ts';
import { DEFAULT_RUBRIC } from '#sim/index.ts';
import { formatShortDate, toIsoDate } from '#src/lib/dates.ts';
import { getScenario } from '#src/lib/scenario-presets.ts';
import { getPublished } from '#src/server/services/handbook.ts';
import { saveDraft } from '#src/server/services/handbook-authoring.ts';
import { savePractice } from '#src/server/services/simulator-practice.ts';
import { idealControlLog } from '#src/server/services/simulator-replay.ts';
import { demoAccount, demoSessionCookie, screenshotAndAxe, usePortal } from '#test/helpers/e2e-portal.ts';

const portal = usePortal();

async function expectAxeClean(page: Page, name: string): Promise<void> {
  expect(await screenshotAndAxe(page, `handbook-${name}`), name).toEqual([]);
}

const ADDED = 'Check the cuff hoses for cracks before every session.';

async function userIdOf(email: string): Promise<string> {
  const [row] = await portal.server.db.db.select({ id: users.id }).from(users).where(eq(users.email, email));
  if (!row) throw new Error(`no user ${email}`);
  return row.id;
}

/** Saves a practice session as the simulator would after Stop: the server replays and scores the log. */
async function savePracticeSession(email: string, scenarioId: string, good: boolean): Promise<number> {
  const scenario = getScenario(scenarioId);
  if (!scenario) throw new Error(`no scenario ${scenarioId}`);
  // 45 s holds the ratio past the first module's 30 s (and leaves 25 s of scored beats after the rubric's
  // grace period); a poor run stops inside the grace period (score 0).
  const durationMs = good ? 45_000 : 5_000;
  // Module 1 asks the run to start at 150 mmHg with the timing set: raised to the working pressure at 3 s.
  const [first, ...rest] = idealControlLog(scenario, DEFAULT_RUBRIC, durationMs);
  const startAt150 = first
    ? [
        { atMs: 0, patch: { ...first.patch, pressureMmHg: 150 } },
        { atMs: 3000, patch: { pressureMmHg: first.patch.pressureMmHg ?? 260 } },
        ...rest,
      ]
    : [];
  const controlLog = good ? startAt150 : [];
  const saved = await savePractice(portal.server.db.db, await userIdOf(email), {
    scenarioId,
    seed: 4,
    durationMs,
    controlLog,
  });
  if (!saved.ok) throw new Error(`practice not saved: ${saved.message}`);
  return saved.score;
}

/** Long flows on a machine shared with other test runs: several pages, axe runs and server replays each. */
const LONG_FLOW_MS = 150_000;

test(
  'an educator edits a chapter, a second educator approves and publishes, the member sees the new revision',
  async () => {
    const author = await portal.signedInPage(demoAccount('educator@iecpa.test'));
    await author.goto(`${portal.server.url}/educator/edit/chapter/the-equipment`);
    const live = author.getByRole('region', { name: 'Live preview' });
    await live.getByText('Up to date').waitFor();
    await expectAxeClean(author, 'editor');
    const editor = author.getByLabel('Chapter or module text');
    await editor.fill(`${await editor.inputValue()}\n\n## Daily checks\n\n${ADDED}\n`);
    // The live preview follows the typing (rendered by the server's sanitiser); hiding the page saves the
    // draft on the server at once (the 10 s interval is exercised by the last test).
    await live.getByRole('heading', { name: 'Daily checks' }).waitFor();
    await author.evaluate(() => window.dispatchEvent(new Event('pagehide')));
    await author
      .getByTestId('autosave-status')
      .getByText(/^Saved \d/)
      .waitFor();
    await expectAxeClean(author, 'editor-live-preview');
    // With JavaScript the live preview is the only one: the no-JS Preview button is hidden.
    expect(await author.getByRole('button', { name: 'Preview', exact: true }).count()).toBe(0);
    // Without JavaScript the Preview button renders the same text on the server, shown once.
    const noScript = await portal.newPage(await demoSessionCookie(portal.server.url, 'educator@iecpa.test'));
    const cdp = await noScript.context().newCDPSession(noScript);
    await cdp.send('Emulation.setScriptExecutionDisabled', { value: true });
    await noScript.goto(`${portal.server.url}/educator/edit/chapter/the-equipment`);
    const noScriptEditor = noScript.getByLabel('Chapter or module text');
    await noScriptEditor.fill(`${await noScriptEditor.inputValue()}\n\n## Daily checks\n\n${ADDED}\n`);
    await noScript.getByRole('button', { name: 'Preview', exact: true }).click();
    const fallback = noScript.getByRole('region', { name: 'Preview (not saved)' });
    await fallback.waitFor();
    expect(await fallback.getByRole('heading', { name: 'Daily checks' }).isVisible()).toBe(true);
    expect(await noScript.getByRole('heading', { name: 'Daily checks' }).count()).toBe(1);
    expect(await noScript.getByRole('region', { name: 'Live preview' }).count()).toBe(0);
    await noScript.close();
    await author.getByRole('button', { name: 'Save draft' }).click();
    await author.getByText('Saved as draft revision 2.').waitFor();
    await author.getByRole('button', { name: 'Submit revision 2 for review' }).click();
    await author.getByText('Revision 2 is submitted for review by another educator.').waitFor();
    expect(await author.getByText('You cannot review your own revision.').isVisible()).toBe(true);
    // The workflow status reads as words, not as its stored identifier ('in-review').
    expect(await author.getByRole('main').textContent()).toContain('(in review, by Eduardo Educator)');
    await author.close();

    const reviewer = await portal.signedInPage(demoAccount('educator2@iecpa.test'));
    await reviewer.goto(`${portal.server.url}/educator`);
    await reviewer.getByRole('link', { name: 'The equipment' }).first().click();
    await reviewer.getByRole('link', { name: 'See what changed since the published revision' }).click();
    await reviewer.getByRole('heading', { name: 'Revision 1 compared with revision 2' }).waitFor();
    expect(await reviewer.getByRole('cell', { name: ADDED }).isVisible()).toBe(true);
    await expectAxeClean(reviewer, 'history-diff');
    await reviewer.goto(`${portal.server.url}/educator/edit/chapter/the-equipment`);
    await reviewer.getByRole('button', { name: 'Approve revision 2' }).click();
    await reviewer.getByText('Revision 2 is approved and can be published.').waitFor();
    await reviewer.getByLabel('Change note').fill('Added the daily hose check.');
    await reviewer.getByRole('button', { name: 'Publish revision 2' }).click();
    await reviewer.getByText('Revision 2 is published.').waitFor();
    await reviewer.close();

    const member = await portal.signedInPage(demoAccount('member@iecpa.test'));
    await member.goto(`${portal.server.url}/handbook/the-equipment`);
    expect(await member.getByTestId('revision').textContent()).toBe('Revision 2');
    expect(await member.getByText(ADDED).isVisible()).toBe(true);
    expect(
      await member
        .getByRole('navigation', { name: 'Contents' })
        .getByRole('link', { name: 'Daily checks' })
        .isVisible(),
    ).toBe(true);
    await expectAxeClean(member, 'chapter');
    await member.getByRole('link', { name: 'What changed in this revision' }).click();
    await member.getByRole('heading', { name: 'Revision 1 compared with revision 2' }).waitFor();
    expect(await member.getByText('Added the daily hose check.').isVisible()).toBe(true);
    // Readers see the rendered words added, not the Markdown source ("## Daily checks").
    expect(await member.locator('ins', { hasText: ADDED }).isVisible()).toBe(true);
    expect(await member.locator('ins', { hasText: 'Daily checks' }).isVisible()).toBe(true);
    expect(await member.getByText('## Daily checks').count()).toBe(0);
    await member.screenshot({ path: 'test-results/screenshots/handbook-changes-rendered-diff.png', fullPage: true });
    await expectAxeClean(member, 'changes');
    await member.close();
  },
  LONG_FLOW_MS,
);

test(
  'a member completes a module and the progress bar moves',
  async () => {
    const slug = 'l1-physiology-of-counterpulsation';
    const published = await getPublished(portal.server.db.db, 'module', slug);
    if (!published) throw new Error('module not imported');
    const page = await portal.signedInPage(demoAccount('member@iecpa.test'));

    await page.goto(`${portal.server.url}/curriculum/level-1`);
    expect(await page.getByTestId('progress-percent').textContent()).toBe('0%');
    await expectAxeClean(page, 'level-before');

    for (const chapter of new Set(published.frontMatter.reading.map((r) => r.chapter))) {
      await page.goto(`${portal.server.url}/handbook/${chapter}`);
      await page.getByRole('button', { name: 'Mark this chapter as read' }).click();
      await page.getByText('You have marked this chapter as read.').waitFor();
    }

    await page.goto(`${portal.server.url}/curriculum/level-1/${slug}`);
    // The pool holds more figure questions than a draw leaves out, so every draw shows an engine-drawn strip.
    const figure = page.locator('.quiz-figure img').first();
    await figure.scrollIntoViewIfNeeded();
    expect(await figure.getAttribute('alt')).toMatch(/^Console strip/);
    await expect.poll(() => figure.evaluate((img: HTMLImageElement) => img.naturalWidth)).toBeGreaterThan(0);
    await expectAxeClean(page, 'module');
    // On a phone the strip shrinks to the column instead of widening the page.
    await page.setViewportSize({ width: 390, height: 844 });
    const box = await figure.boundingBox();
    expect((box?.x ?? 0) + (box?.width ?? Number.POSITIVE_INFINITY)).toBeLessThanOrEqual(390);
    await expectAxeClean(page, 'module-390');
    await page.setViewportSize({ width: 1280, height: 800 });
    // The page shows the questions drawn for this attempt: answer those (each drawn question appears once).
    let answered = 0;
    for (const question of published.frontMatter.quiz) {
      if ((await page.locator(`[name="q:${question.id}"]`).count()) === 0) continue;
      for (const optionId of question.correct) await page.locator(`#q-${question.id}-${optionId}`).check();
      answered++;
    }
    expect(answered).toBe(Math.min(10, published.frontMatter.quiz.length));
    await page.getByRole('button', { name: 'Submit answers' }).click();
    await page.getByText('Quiz passed').waitFor();
    expect(await page.getByTestId('quiz-score').textContent()).toContain('(100%)');
    const exercise = published.frontMatter.simulatorExercise;
    if (!exercise) throw new Error('the module should have a simulator exercise');
    expect(await page.getByText('Module completed').count()).toBe(0);

    // The exercise opens the simulator on its scenario; a session below the target does not complete it.
    await page.getByRole('link', { name: 'Open the exercise in the simulator' }).click();
    await page.waitForURL(`${portal.server.url}/simulator?scenario=${exercise.scenario}`);
    expect(await page.getByLabel('Scenario').inputValue()).toBe(exercise.scenario);
    const poorScore = await savePracticeSession('member@iecpa.test', exercise.scenario, false);
    await page.goto(`${portal.server.url}/curriculum/level-1/${slug}`);
    const status = page.getByTestId('exercise-status');
    expect(await status.textContent()).toContain('Not done yet.');
    expect(await status.textContent()).toContain(`score ${Math.round(poorScore)} (target 70)`);
    expect(await page.getByTestId('module-completed').count()).toBe(0);

    const goodScore = await savePracticeSession('member@iecpa.test', exercise.scenario, true);
    await page.reload();
    expect(await status.textContent()).toContain('Done');
    expect(await status.textContent()).toContain(`score ${Math.round(goodScore)} (target 70)`);
    expect(await page.getByTestId('exercise-hold').textContent()).toMatch(
      new RegExp(`ratio in your sessions: \\d+ s \\(target ${exercise.holdSeconds} s\\)`),
    );
    await page.getByTestId('module-completed').waitFor();
    await expectAxeClean(page, 'module-exercise-done');

    await page.goto(`${portal.server.url}/curriculum/level-1`);
    const percent = await page.getByTestId('progress-percent').textContent();
    expect(Number.parseInt(percent ?? '0', 10)).toBeGreaterThan(0);
    expect(await page.getByTestId(`state-${slug}`).textContent()).toBe('Completed');
    await expectAxeClean(page, 'level-after');

    await page.goto(`${portal.server.url}/cpd`);
    expect(await page.getByTestId('cpd-approved').textContent()).toBe(String(published.frontMatter.cpdCredits));
    // Dated in words as every table is ("4 Dec 2026"), not as the database stores it.
    const activityDate = page.getByRole('table').locator('time').first();
    expect(await activityDate.getAttribute('datetime')).toBe(toIsoDate(Date.now()));
    expect(await activityDate.textContent()).toBe(formatShortDate(Date.now()));
    await expectAxeClean(page, 'cpd');
    await page.close();
  },
  LONG_FLOW_MS,
);

test(
  'the editor saves unsaved text on the server, offers it back after a reload, and is told of a newer draft',
  async () => {
    const page = await portal.signedInPage(demoAccount('educator@iecpa.test'));
    const here = `${portal.server.url}/educator/edit/chapter/special-patient-groups`;
    await page.goto(here);
    const editor = page.getByLabel('Chapter or module text');
    const original = await editor.inputValue();
    await editor.fill(`${original}\nA paragraph typed but never saved.\n`);
    const status = page.getByTestId('autosave-status');
    // The interval save comes 10 s after the change; on a loaded machine (the whole suite on two cores) the
    // island's hydration and the request add several seconds more.
    await status.getByText(/^Saved \d/).waitFor({ timeout: 40_000 });
    await page.reload();
    expect(await editor.inputValue()).toBe(original);
    await page.getByText('The server kept text you had not saved as a draft').waitFor();
    await expectAxeClean(page, 'editor-offer');
    await page.getByRole('button', { name: 'Restore unsaved text' }).click();
    expect(await editor.inputValue()).toContain('A paragraph typed but never saved.');
    await expectAxeClean(page, 'editor-restore');

    // Another educator saves a draft meanwhile; the next autosave (here: the tab is hidden) is refused and says so.
    const base = Number(await page.locator('input[name="baseRevision"]').inputValue());
    const other = await saveDraft(portal.server.db.db, await userIdOf('educator2@iecpa.test'), {
      kind: 'chapter',
      slug: 'special-patient-groups',
      baseRevision: base,
      source: `${original}\nThe other educator's paragraph.\n`,
    });
    expect(other.ok).toBe(true);
    await editor.fill(`${await editor.inputValue()}More text.\n`);
    await page.evaluate(() => window.dispatchEvent(new Event('pagehide')));
    await status.getByText(/^Not saved: Elif Educator saved a newer draft/).waitFor();
    expect(await editor.inputValue()).toContain('More text.');
    await expectAxeClean(page, 'editor-autosave-conflict');
    // "Save draft" shows both texts; nothing was overwritten.
    await page.getByRole('button', { name: 'Save draft' }).click();
    await page.getByText('Someone saved while you were editing').waitFor();
    expect(await editor.inputValue()).toContain('More text.');
    await page.close();
  },
  LONG_FLOW_MS,
);
