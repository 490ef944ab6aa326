import type { Page } from 'playwright-core';
import { expect, test } from 'vitest';
import { blockingAxeViolations, saveScreenshot, screenshotPath } from '#test/helpers/axe.ts';
import { demoAccount, usePortal } from '#test/helpers/e2e-portal.ts';
import { readoutOverBeats, waitForProgress } from '#test/helpers/simulator-console.ts';

const portal = usePortal({ viewport: { width: 1280, height: 720 } });

async function openConsole(viewport = { width: 1280, height: 720 }): Promise<Page> {
  const page = await portal.newPage();
  await page.setViewportSize(viewport);
  const errors: string[] = [];
  page.on('pageerror', (e) => errors.push(e.message));
  await page.goto(`${portal.server.url}/simulator`);
  await page.getByText('Ready', { exact: true }).waitFor();
  expect(errors).toEqual([]);
  return page;
}

/** A cheap fingerprint of the canvas: a sum over a sampled grid of pixels. */
async function canvasFingerprint(page: Page): Promise<number[]> {
  return page.locator('canvas.sim-canvas').evaluate((canvas: HTMLCanvasElement) => {
    const ctx = canvas.getContext('2d');
    if (!ctx) return [];
    const { data } = ctx.getImageData(0, 0, canvas.width, canvas.height);
    const columns = 16;
    const sums: number[] = [];
    for (let c = 0; c < columns; c++) {
      let s = 0;
      const x0 = Math.floor((c * canvas.width) / columns);
      for (let y = 0; y < canvas.height; y += 2) {
        for (let x = x0; x < x0 + canvas.width / columns; x += 2) s += data[(y * canvas.width + x) * 4 + 1] ?? 0;
      }
      sums.push(s);
    }
    return sums;
  });
}

async function readout(page: Page, id: string): Promise<number> {
  const text = await page.locator(`[data-readout="${id}"] .sim-readout__value`).textContent();
  return Number.parseFloat(text ?? '');
}

async function settingValue(page: Page, setting: string): Promise<number> {
  return Number.parseInt((await page.locator(`output[data-setting="${setting}"]`).textContent()) ?? '', 10);
}

/** Mean of a readout over `beats` distinct beats. */
async function meanReadoutOverBeats(page: Page, id: string, beats: number): Promise<number> {
  const values = await readoutOverBeats(page, id, beats);
  expect(values.length).toBe(beats);
  return values.reduce((a, b) => a + b, 0) / values.length;
}

test('the default scenario starts and the traces sweep: sampled canvas pixels change over time', async () => {
  const page = await openConsole();
  await page.getByRole('button', { name: 'Start', exact: true }).click();
  await page.getByText('Running', { exact: true }).waitFor();
  await waitForProgress(page, 40, 40);
  const first = await canvasFingerprint(page);
  await waitForProgress(page, 30, 30);
  const second = await canvasFingerprint(page);
  expect(first.length).toBe(16);
  const changedColumns = first.filter((v, i) => v !== second[i]).length;
  expect(changedColumns).toBeGreaterThan(0);
  const stats = await page.evaluate(() => window.__iecpaConsoleStats);
  expect(stats?.frames ?? 0).toBeGreaterThan(30);
  expect(stats?.chunks ?? 0).toBeGreaterThan(30);
  await page.close();
});

test('timing is adjusted with the keyboard: shortcut keys and the slider arrows step 5 and 20 ms', async () => {
  const page = await openConsole();
  const inflation = page.getByRole('slider', { name: /Inflation delay after R/ });
  const before = await settingValue(page, 'inflateDelayMs');
  await inflation.focus();
  await page.keyboard.press('q');
  expect(await settingValue(page, 'inflateDelayMs')).toBe(before + 5);
  await page.keyboard.press('Shift+Q');
  expect(await settingValue(page, 'inflateDelayMs')).toBe(before + 25);
  await page.keyboard.press('ArrowLeft');
  expect(await settingValue(page, 'inflateDelayMs')).toBe(before + 20);
  const deflation = await settingValue(page, 'deflateDelayMs');
  await page.keyboard.press('s');
  expect(await settingValue(page, 'deflateDelayMs')).toBe(deflation - 5);
  // Tab reaches the fine-step buttons; Enter presses them.
  await page.getByRole('button', { name: 'Deflation delay after R plus 5 ms' }).focus();
  await page.keyboard.press('Enter');
  expect(await settingValue(page, 'deflateDelayMs')).toBe(deflation);
  await page.close();
});

test('raising the treatment pressure from 150 to 260 mmHg raises the D/S readout', async () => {
  const page = await openConsole();
  await page.getByRole('button', { name: 'Start', exact: true }).click();
  await page.getByRole('slider', { name: /Treatment pressure/ }).focus();
  for (let i = 0; i < 6; i++) await page.keyboard.press('Shift+E');
  expect(await settingValue(page, 'pressureMmHg')).toBe(150);
  // Let the device settle at 150 mmHg for a few beats before measuring.
  await readoutOverBeats(page, 'ds', 5);
  const dsAt150 = await meanReadoutOverBeats(page, 'ds', 3);
  for (let i = 0; i < 4; i++) await page.keyboard.press('Shift+E');
  for (let i = 0; i < 2; i++) await page.keyboard.press('e');
  expect(await settingValue(page, 'pressureMmHg')).toBe(260);
  await readoutOverBeats(page, 'ds', 3);
  const dsAt260 = await meanReadoutOverBeats(page, 'ds', 3);
  expect(dsAt260).toBeGreaterThan(dsAt150);
  expect(await readout(page, 'pressure')).toBe(260);
  await page.screenshot({ path: screenshotPath('simulator-practice-running-1280x720') });
  await page.close();
}, 90_000);

test('practice mode gives per-beat feedback, freezes a beat with its reference overlay and summarises at Stop', async () => {
  const page = await openConsole();
  await page.getByRole('slider', { name: /Treatment pressure/ }).focus();
  for (let i = 0; i < 10; i++) await page.keyboard.press('Shift+E');
  // Inflate far too early, so the feedback has something to say.
  await page.getByRole('slider', { name: /Inflation delay after R/ }).focus();
  for (let i = 0; i < 5; i++) await page.keyboard.press('Shift+A');
  await page.getByRole('button', { name: 'Start', exact: true }).click();
  const feedback = page.getByTestId('feedback');
  await feedback
    .getByText(/Inflating \d+ ms early/)
    .first()
    .waitFor({ timeout: 20_000 });

  await page.keyboard.press('f');
  await page.getByRole('heading', { name: /Freeze-frame: beat \d+/ }).waitFor();
  await page.getByText('Frozen', { exact: true }).waitFor();
  await page.getByText('Unassisted reference pleth (dashed)').waitFor();
  await page.locator('.sim-console').screenshot({ path: screenshotPath('simulator-practice-freeze-frame-1280x720') });
  const frozenHeading = await page.getByRole('heading', { name: /Freeze-frame/ }).textContent();
  await page.getByRole('button', { name: 'Previous beat' }).click();
  expect(await page.getByRole('heading', { name: /Freeze-frame/ }).textContent()).not.toBe(frozenHeading);
  expect(await page.getByRole('cell', { name: /^\d\.\d\d$/ }).count()).toBeGreaterThan(0);
  expect(await blockingAxeViolations(page)).toEqual([]);

  await page.getByRole('button', { name: 'Stop' }).click();
  const summary = page.getByTestId('summary');
  await summary.getByRole('heading', { name: 'Session summary' }).waitFor({ timeout: 30_000 });
  await summary.getByRole('table', { name: /Beats by class/ }).waitFor();
  await summary.getByText(/Score \d+\.\d of 100/).waitFor();
  expect(await summary.getByRole('row', { name: /Early inflation/ }).textContent()).toMatch(
    /Early inflation\s*[1-9]\d*/,
  );
  await saveScreenshot(page, 'simulator-practice-summary-1280x720');
  await page.close();
}, 90_000);

test('the console fits a tablet in portrait and has no serious or critical axe violations', async () => {
  const page = await openConsole({ width: 768, height: 1024 });
  await page.getByRole('button', { name: 'Start', exact: true }).click();
  await page.getByText('Running', { exact: true }).waitFor();
  await waitForProgress(page, 30, 30);
  const overflow = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
  expect(overflow).toBeLessThanOrEqual(0);
  await saveScreenshot(page, 'simulator-practice-tablet-768x1024');
  expect(await blockingAxeViolations(page)).toEqual([]);
  await page.close();
});

test('the console fits a phone (390 px) without scrolling sideways', async () => {
  const page = await openConsole({ width: 390, height: 844 });
  const overflow = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
  await saveScreenshot(page, 'simulator-practice-phone-390x844');
  expect(overflow).toBeLessThanOrEqual(0);
  await page.close();
});

test('every preset scenario runs in the console without an error', async () => {
  const page = await openConsole();
  const errors: string[] = [];
  page.on('pageerror', (e) => errors.push(e.message));
  const picker = page.getByLabel('Scenario');
  const ids = await picker
    .locator('option')
    .evaluateAll((options) => options.map((o) => (o as HTMLOptionElement).value));
  expect(ids.length).toBe(8);
  for (const id of ids) {
    await picker.selectOption(id);
    await page.getByText('Ready', { exact: true }).waitFor();
    await page.getByRole('button', { name: 'Start', exact: true }).click();
    await page.getByText('Running', { exact: true }).waitFor();
    await waitForProgress(page, 30, 10);
    await page.getByRole('button', { name: 'Stop' }).click();
    await page.getByText('Stopped', { exact: true }).waitFor({ timeout: 30_000 });
    expect(await page.locator('.sim-message--error').count()).toBe(0);
  }
  expect(errors).toEqual([]);
  await page.close();
}, 120_000);

test('a hidden tab pauses the run and a visible one resumes it', async () => {
  const page = await openConsole();
  await page.getByRole('button', { name: 'Start', exact: true }).click();
  await page.getByText('Running', { exact: true }).waitFor();
  await page.evaluate(() => {
    Object.defineProperty(document, 'hidden', { configurable: true, get: () => true });
    document.dispatchEvent(new Event('visibilitychange'));
  });
  await page.getByText('Paused (tab hidden)').waitFor();
  await page.evaluate(() => {
    Object.defineProperty(document, 'hidden', { configurable: true, get: () => false });
    document.dispatchEvent(new Event('visibilitychange'));
  });
  await page.getByText('Running', { exact: true }).waitFor();
  await page.close();
});

test("a signed-in member's practice run is saved at Stop, listed, and can be practised again on the same seed", async () => {
  const page = await portal.signedInPage(demoAccount('member@iecpa.test'));
  // Before any session the list (members only) says what to do, without asking a signed-in member to sign in.
  await page.goto(`${portal.server.url}/simulator/practice`);
  const empty = page.getByText('No saved sessions yet.');
  expect(await empty.textContent()).toBe(
    'No saved sessions yet. Practise on the simulator and press Stop to save one.',
  );
  await empty.getByRole('link', { name: 'simulator' }).click();
  await page.waitForURL((url) => url.pathname === '/simulator');
  await page.getByText('Your practice sessions are saved to your record when you press Stop.').waitFor();
  await page.getByLabel('Seed').fill('4242');
  await page.keyboard.press('Tab');
  await page.getByText('Ready', { exact: true }).waitFor();
  await page.getByRole('button', { name: 'Start', exact: true }).click();
  await page.getByText('Running', { exact: true }).waitFor();
  await readoutOverBeats(page, 'ds', 2);
  await page.getByRole('button', { name: 'Stop' }).click();
  await page.getByText('Practice session saved to your record.').waitFor({ timeout: 30_000 });
  await page.getByTestId('summary').waitFor();
  await page.getByRole('button', { name: 'Start again' }).click();
  await page.getByText('Running', { exact: true }).waitFor();

  await page.getByRole('link', { name: 'See your saved sessions' }).click();
  const row = page.getByRole('row', { name: /Stable angina.*4242/ });
  await row.waitFor();
  // With a saved session the list's table scrolls inside its box on a phone; the page does not.
  await page.setViewportSize({ width: 390, height: 844 });
  expect(await page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(390);
  await page.setViewportSize({ width: 1280, height: 800 });
  await row.getByRole('link', { name: /Practise this again/ }).click();
  await page.getByText('Ready', { exact: true }).waitFor();
  expect(await page.getByLabel('Seed').inputValue()).toBe('4242');
  await page.close();
});
