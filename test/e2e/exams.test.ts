import { cpSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect, test } from 'vitest';
import { importExamContent } from '#src/server/services/exam-content.ts';
import { getExamBySlug, recomputeStatistics } from '#src/server/services/exam-forms.ts';
import { blockingAxeViolations, screenshotPath } from '#test/helpers/axe.ts';
import { demoAccount, usePortal } from '#test/helpers/e2e-portal.ts';

const portal = usePortal();

test('a member takes the practice exam with the keyboard, reloads and finds the answers, and reads the result; an examiner reads the statistics', async () => {
  // The fixture bank (test/fixtures/exams) with the shipped scenarios: one single-answer and one engine item.
  const contentDir = mkdtempSync(join(tmpdir(), 'exam-e2e-'));
  cpSync(join(process.cwd(), 'test', 'fixtures', 'exams', 'exams'), join(contentDir, 'exams'), { recursive: true });
  cpSync(join(process.cwd(), 'content', 'scenarios'), join(contentDir, 'scenarios'), { recursive: true });
  const report = await importExamContent(portal.server.db.db, contentDir);
  rmSync(contentDir, { recursive: true, force: true });
  expect(report.refused).toEqual([]);

  const member = await portal.signedInPage(demoAccount('member@iecpa.test'));
  await member.goto(`${portal.server.url}/exams`);
  await member.getByRole('heading', { name: 'Fixture examination' }).waitFor();
  expect(await blockingAxeViolations(member)).toEqual([]);
  await member.getByRole('button', { name: /Start or resume.*Fixture examination/ }).focus();
  await member.keyboard.press('Enter');
  await member.waitForURL(/\/exams\/attempt\/[a-z0-9]+$/);
  const attemptUrl = member.url();

  // Keyboard only: focus the first radio of each question, choose with the arrow keys and space.
  await member.getByRole('radio', { name: 'In diastole' }).focus();
  await member.keyboard.press('Space');
  await member.getByRole('radio', { name: 'Early inflation' }).focus();
  await member.keyboard.press('Space');
  await member.getByRole('button', { name: 'Save answers' }).focus();
  await member.keyboard.press('Enter');
  await member.waitForURL(/saved=1$/);
  await member.setViewportSize({ width: 1280, height: 900 });
  await member.screenshot({ path: screenshotPath('exam-attempt-1280'), fullPage: true });
  await member.setViewportSize({ width: 390, height: 844 });
  await member.screenshot({ path: screenshotPath('exam-attempt-390'), fullPage: true });
  await member.setViewportSize({ width: 1280, height: 900 });
  expect(await blockingAxeViolations(member)).toEqual([]);

  await member.goto(attemptUrl);
  expect(await member.getByRole('radio', { name: 'In diastole' }).isChecked()).toBe(true);
  expect(await member.getByRole('radio', { name: 'Early inflation' }).isChecked()).toBe(true);
  expect(await member.getByText(/Last answer saved at/).isVisible()).toBe(true);
  expect(await member.content()).not.toMatch(/Counterpulsation pressurises the legs in diastole/);

  await member.getByRole('button', { name: 'Save and submit' }).focus();
  await member.keyboard.press('Enter');
  await member.waitForURL(/\/exams\/result\/[a-z0-9]+$/);
  await member.getByText(/Passed/).waitFor();
  expect(await member.getByText('2.0 of 2 (100 %)', { exact: false }).isVisible()).toBe(true);
  await member.screenshot({ path: screenshotPath('exam-result-1280'), fullPage: true });
  expect(await blockingAxeViolations(member)).toEqual([]);
  await member.close();

  const examiner = await portal.signedInPage(demoAccount('examiner@iecpa.test'));
  // Statistics are recomputed hourly; recompute them now.
  const exam = await getExamBySlug(portal.server.db.db, 'fixture-exam');
  await recomputeStatistics(portal.server.db.db, exam?.id as string);
  await examiner.goto(`${portal.server.url}/examiner/exams/fixture-exam/statistics`);
  await examiner.getByRole('heading', { name: 'Statistics: Fixture examination' }).waitFor();
  await examiner.screenshot({ path: screenshotPath('exam-statistics-1280'), fullPage: true });
  expect(await blockingAxeViolations(examiner)).toEqual([]);
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
});
