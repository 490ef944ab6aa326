import { eq } from 'drizzle-orm';
import { expect, test, vi } from 'vitest';
import { simulatorAssessments, simulatorAttempts } from '#db/schema/index.ts';
import { toDateTimeLocalUtc } from '#src/server/services/simulator-format.ts';
import { blockingAxeViolations, saveScreenshot, screenshotPath } from '#test/helpers/axe.ts';
import { demoAccount, usePortal } from '#test/helpers/e2e-portal.ts';
import { readoutOverBeats } from '#test/helpers/simulator-console.ts';

const portal = usePortal();

test('an examiner previews and publishes an assessment; a member runs it and reads the server-scored result', async () => {
  const examiner = await portal.signedInPage(demoAccount('examiner@iecpa.test'));
  await examiner.goto(`${portal.server.url}/examiner/assessments/new`);
  await examiner.getByLabel('Title').fill('Short timing check');
  await examiner.getByLabel('Duration (seconds)').fill('30');
  await examiner.getByLabel('Grace at the start (s)').fill('8');
  await examiner.getByLabel('Cooldown between attempts (minutes)').fill('0');
  await examiner.getByLabel('Opens').fill(toDateTimeLocalUtc(Date.now() - 120_000));

  await examiner.getByRole('button', { name: 'Preview run' }).click();
  await examiner.getByRole('heading', { name: 'Preview run' }).waitFor();
  expect(await examiner.getByText(/A model operator on seed 1/).textContent()).toMatch(/\d+(\.\d)? \/ 100/);
  // The preview keeps what was typed.
  expect(await examiner.getByLabel('Title').inputValue()).toBe('Short timing check');
  await saveScreenshot(examiner, 'examiner-assessment-preview');
  expect(await blockingAxeViolations(examiner)).toEqual([]);

  await examiner.getByRole('button', { name: 'Save draft' }).click();
  await examiner.getByText('The assessment is saved').waitFor();
  await examiner.getByRole('button', { name: 'Publish' }).click();
  await examiner.getByText('The assessment is published.').waitFor();
  await examiner.close();

  // A second sitting published for next week: the candidate sees it coming, with its dates and pass mark.
  const db = portal.server.db.db;
  const [published] = await db
    .select()
    .from(simulatorAssessments)
    .where(eq(simulatorAssessments.title, 'Short timing check'));
  if (!published) throw new Error('the published assessment is not stored');
  const nextWeek = Date.now() + 7 * 24 * 3600_000;
  await db.insert(simulatorAssessments).values({
    ...published,
    id: `${published.id}-next`,
    title: 'Short timing check, second sitting',
    opensAt: nextWeek,
  });

  const member = await portal.signedInPage(demoAccount('member@iecpa.test'));
  await member.goto(`${portal.server.url}/simulator/assessments`);
  await member.getByRole('heading', { name: 'Short timing check', exact: true }).waitFor();
  expect(await member.getByText('Attempts used: 0 of 3.').isVisible()).toBe(true);
  // The candidate knows beforehand what fails a run whatever its score.
  expect(await member.getByTestId('fails-outright').textContent()).toBe(
    'A run fails whatever its score on cuff pressure above 300 mmHg; 5 late deflations or early inflations in a row; inflation or deflation within its window on fewer than 25 % of the scored beats.',
  );
  const coming = member.getByTestId('upcoming-assessment');
  expect(await coming.getByRole('heading').textContent()).toBe('Short timing check, second sitting');
  expect(await coming.textContent()).toMatch(/Pass mark: \d+ \/ 100\. Opens .*date\. 3 attempts allowed\./);
  await saveScreenshot(member, 'candidate-assessments-open-and-upcoming');
  expect(await blockingAxeViolations(member)).toEqual([]);
  await member.getByRole('button', { name: 'Start an attempt at Short timing check' }).click();
  await member.waitForURL(/\/simulator\/attempts\/[a-z0-9]+\/run$/);
  const attemptId = new URL(member.url()).pathname.split('/')[3] ?? '';

  const start = member.getByRole('button', { name: 'Start', exact: true });
  await start.waitFor();
  await member.waitForFunction(() => {
    const b = [...document.querySelectorAll('button')].find((x) => x.textContent?.trim() === 'Start');
    return b !== undefined && !b.disabled;
  });
  await start.click();
  for (let i = 0; i < 5; i++) {
    await member
      .getByRole('button', { name: /^Treatment pressure plus \d+ mmHg$/ })
      .last()
      .click();
  }
  // While the run goes on the console reports it to the server (issue 14): wait for the changes to arrive.
  await vi.waitFor(
    async () => {
      const [r] = await portal.server.db.db.select().from(simulatorAttempts).where(eq(simulatorAttempts.id, attemptId));
      expect(r?.runStartedAt).not.toBeNull();
      expect(JSON.parse(r?.checkpointLogJson ?? '[]').length).toBeGreaterThan(0);
    },
    { timeout: 20_000, interval: 200 },
  );
  await member.evaluate(() => window.scrollTo(0, 0));
  await member.screenshot({ path: screenshotPath('simulator-assessment-mode') });
  // No early submission: the server refuses one before the run's time is up, so the button waits for it.
  expect(await member.getByRole('button', { name: 'Submit', exact: true }).isDisabled()).toBe(true);

  // The run submits itself when its 30 s are up.
  await member.waitForURL(`${portal.server.url}/simulator/attempts/${attemptId}`, { timeout: 60_000 });
  // The outcome leads the result, the score follows.
  await member.getByRole('heading', { name: /^(Passed|Failed)$/ }).waitFor();
  const [row] = await portal.server.db.db.select().from(simulatorAttempts).where(eq(simulatorAttempts.id, attemptId));
  expect(row?.score).not.toBeNull();
  // The log scored begins with everything the checkpoints reported during the run.
  const reported = JSON.parse(row?.checkpointLogJson ?? '[]') as unknown[];
  expect(reported.length).toBeGreaterThan(0);
  expect((JSON.parse(row?.controlLogJson ?? '[]') as unknown[]).slice(0, reported.length)).toEqual(reported);
  expect((row?.submittedAt ?? 0) - (row?.runStartedAt ?? 0)).toBeGreaterThanOrEqual(30_000);
  expect(await member.locator('h2.outcome').textContent()).toBe(row?.passed ? 'Passed' : 'Failed');
  expect(await member.locator('.score strong').textContent()).toBe(`${row?.score} / 100`);
  expect(await member.getByRole('heading', { name: 'Beat by beat' }).isVisible()).toBe(true);
  await saveScreenshot(member, 'simulator-attempt-result');
  expect(await blockingAxeViolations(member)).toEqual([]);

  await member.goto(`${portal.server.url}/simulator/assessments`);
  expect(await member.getByText('Attempts used: 1 of 3.').isVisible()).toBe(true);
  await member.close();

  // The examiner finds the attempt, exports the list and leaves a note the candidate then reads.
  const reviewer = await portal.signedInPage(demoAccount('examiner@iecpa.test'));
  await reviewer.goto(`${portal.server.url}/examiner/attempts`);
  await reviewer.getByLabel('Outcome').selectOption(row?.passed ? 'passed' : 'failed');
  await reviewer.getByRole('button', { name: 'Filter' }).click();
  await reviewer.getByRole('cell', { name: 'Maria Member' }).waitFor();
  expect(await blockingAxeViolations(reviewer)).toEqual([]);
  const href = await reviewer.getByRole('link', { name: 'Download these attempts as CSV' }).getAttribute('href');
  const csv = await reviewer.request.get(`${portal.server.url}${href}`);
  expect(csv.headers()['content-disposition']).toMatch(
    /^attachment; filename="simulator-attempts-\d{4}-\d{2}-\d{2}\.csv"$/,
  );
  expect(await csv.text()).toContain(`"${attemptId}"`);
  await reviewer.goto(`${portal.server.url}/simulator/attempts/${attemptId}`);
  await reviewer.getByLabel('Add a note').waitFor();
  await reviewer.getByLabel('Add a note').fill('Pressure never reached the treatment range.');
  await reviewer.getByLabel('On beat number').fill('12');
  await reviewer.getByRole('button', { name: 'Save note' }).click();
  await reviewer.getByText('Your note is saved.').waitFor();
  expect(await blockingAxeViolations(reviewer)).toEqual([]);
  await reviewer.close();

  const candidate = await portal.signedInPage(demoAccount('member@iecpa.test'));
  await candidate.goto(`${portal.server.url}/simulator/attempts/${attemptId}`);
  expect(await candidate.getByText('Pressure never reached the treatment range.').first().isVisible()).toBe(true);
  expect(await candidate.getByText('Integrity flags').count()).toBe(0);
  // The noted beat is replayed from the seed and the log: four panels of waveforms with a text caption.
  const figure = candidate.locator('figure.replay');
  expect(await figure.locator('polyline').count()).toBe(6);
  expect(await figure.locator('figcaption').textContent()).toContain('Beat 12 at');
  await figure.screenshot({ path: screenshotPath('simulator-attempt-beat-replay') });
  expect(await blockingAxeViolations(candidate)).toEqual([]);
  await candidate.close();
}, 180_000);
