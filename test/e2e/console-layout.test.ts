import type { Page } from 'playwright-core';
import { expect, test } from 'vitest';
import { DISPLAY_COLOURS } from '#src/components/simulator/draw-traces.ts';
import { blockingAxeViolations, saveScreenshot, screenshotPath } from '#test/helpers/axe.ts';
import { usePortal } from '#test/helpers/e2e-portal.ts';
import { readoutOverBeats, waitForProgress } from '#test/helpers/simulator-console.ts';

const portal = usePortal({ shared: true });

const DESKTOPS = [
  { width: 1366, height: 768 },
  { width: 1280, height: 720 },
];
const PHONE = { width: 390, height: 844 };

/** What the page drew on the console's canvas: each text with where it went, each stroke's colour and dash. */
interface CanvasRecord {
  texts: Record<string, { x: number; y: number; align: string; fill: string }>;
  strokes: string[];
}

declare global {
  interface Window {
    __canvasRecord?: CanvasRecord;
  }
}

/**
 * Watches the real drawing calls in Chromium (the canvas has no DOM to query): every fillText's text and
 * position (the last one for each text) and every distinct stroke colour with its dash pattern.
 */
function recordCanvasCalls(): void {
  const record: CanvasRecord = { texts: {}, strokes: [] };
  window.__canvasRecord = record;
  const proto = CanvasRenderingContext2D.prototype;
  const fillText = proto.fillText;
  proto.fillText = function (this: CanvasRenderingContext2D, text: string, x: number, y: number, ...rest: number[]) {
    record.texts[text] = { x, y, align: this.textAlign, fill: String(this.fillStyle) };
    return fillText.call(this, text, x, y, ...rest);
  };
  const stroke = proto.stroke;
  proto.stroke = function (this: CanvasRenderingContext2D, ...args: [Path2D?]) {
    const key = `${String(this.strokeStyle)}|${this.getLineDash().join(',')}`;
    if (!record.strokes.includes(key)) record.strokes.push(key);
    return (stroke as (...a: unknown[]) => void).apply(this, args);
  };
}

async function openConsole(viewport: { width: number; height: number }): Promise<Page> {
  const page = await portal.newPage();
  await page.setViewportSize(viewport);
  await page.addInitScript(recordCanvasCalls);
  const errors: string[] = [];
  page.on('pageerror', (e) => errors.push(e.message));
  await page.goto(`${portal.server.url}/simulator`);
  await page.getByText('Ready', { exact: true }).waitFor();
  expect(errors).toEqual([]);
  return page;
}

/**
 * Starts the run and waits until the readouts show measured beats and the traces have swept a while; with
 * `assisted`, until the device has learned the rhythm and a beat was assisted (the cuffs inflate).
 */
async function startAndRun(page: Page, assisted = false): Promise<void> {
  await page.getByRole('button', { name: 'Start', exact: true }).click();
  await page.getByText('Running', { exact: true }).waitFor();
  await readoutOverBeats(page, 'hr', 2);
  if (assisted) {
    await page.waitForFunction(
      () => {
        const headline = document.querySelector('.sim-feedback__headline')?.textContent ?? '';
        return headline !== '' && headline !== 'Not assisted';
      },
      undefined,
      { polling: 100, timeout: 30_000 },
    );
  }
  await waitForProgress(page, 20, 20);
}

type Box = { x: number; y: number; width: number; height: number };

/** Page-coordinate boxes (not moved by scrolling) of the first element matching each selector. */
async function boxes(page: Page, selectors: string[]): Promise<Record<string, Box>> {
  return page.evaluate((selectors) => {
    const out: Record<string, Box> = {};
    for (const selector of selectors) {
      const el = document.querySelector(selector);
      if (!el) throw new Error(`no ${selector}`);
      const r = el.getBoundingClientRect();
      out[selector] = { x: r.x + window.scrollX, y: r.y + window.scrollY, width: r.width, height: r.height };
    }
    return out;
  }, selectors);
}

/** The console's parts that must not move when the run starts. */
const STEADY_PARTS = [
  '.sim-toolbar',
  '.sim-canvas',
  '.sim-legend',
  '.sim-readouts',
  '.sim-controls',
  '.sim-controls .sim-group:nth-of-type(1)',
  '.sim-controls .sim-group:nth-of-type(2)',
  '#sim-inflate',
  '#sim-pressure',
];

/** The toolbar's items all share one line: each starts above the point where every other one ends. */
async function toolbarOnOneLine(page: Page): Promise<boolean> {
  return page.locator('.sim-toolbar').evaluate((toolbar) => {
    const rects = [...toolbar.children].map((child) => child.getBoundingClientRect());
    return Math.max(...rects.map((r) => r.top)) < Math.min(...rects.map((r) => r.bottom));
  });
}

/** The readouts whose value or unit runs past the readouts panel's edges (their data-readout ids). */
async function overflowingReadouts(page: Page): Promise<string[]> {
  return page.evaluate(() => {
    const panel = document.querySelector('.sim-readouts');
    const box = panel?.getBoundingClientRect();
    if (!panel || !box) return ['no readouts panel'];
    const inner = { left: box.left + panel.clientLeft, right: box.left + panel.clientLeft + panel.clientWidth };
    return [...document.querySelectorAll('.sim-readout')]
      .filter((readout) =>
        [...readout.querySelectorAll('.sim-readout__value, .sim-readout__unit')].some((part) => {
          const r = part.getBoundingClientRect();
          return r.right > inner.right || r.left < inner.left;
        }),
      )
      .map((readout) => readout.getAttribute('data-readout') ?? '?');
  });
}

for (const viewport of DESKTOPS) {
  const size = `${viewport.width}x${viewport.height}`;
  test(`at ${size} the traces and the timing and pressure controls fit one screen, and nothing moves on Start`, async () => {
    const page = await openConsole(viewport);
    // The console's toolbar scrolled to the top of the window, as a practitioner working on it would.
    await page.locator('.sim-toolbar').evaluate((el) => el.scrollIntoView({ block: 'start' }));
    // Treatment pressure up to 200 mmHg with its shortcut (Shift+E: +25), so the cuff traces show.
    for (let i = 0; i < 8; i++) await page.keyboard.press('Shift+E');
    await expect(page.locator('output[data-setting="pressureMmHg"]').textContent()).resolves.toBe('200');
    const before = await boxes(page, STEADY_PARTS);
    expect(await toolbarOnOneLine(page)).toBe(true);

    await startAndRun(page, true);
    const after = await boxes(page, STEADY_PARTS);
    expect(after).toEqual(before);
    expect(await toolbarOnOneLine(page)).toBe(true);
    expect(await overflowingReadouts(page)).toEqual([]);

    // Everything in view together while running: the whole display and both control groups.
    const canvas = await page.locator('.sim-canvas').boundingBox();
    if (!canvas) throw new Error('no canvas');
    expect(canvas.y).toBeGreaterThanOrEqual(0);
    expect(canvas.y + canvas.height).toBeLessThanOrEqual(viewport.height);
    for (const name of ['Timing', 'Pressure and cuffs']) {
      const group = await page.locator('.sim-controls').getByRole('group', { name, exact: true }).boundingBox();
      if (!group) throw new Error(`no ${name} group`);
      expect(group.y, name).toBeGreaterThanOrEqual(0);
      expect(group.y + group.height, name).toBeLessThanOrEqual(viewport.height);
    }
    await page.screenshot({ path: screenshotPath(`console-running-${size}`) });
    await saveScreenshot(page, `console-running-${size}-full`);
    expect(await blockingAxeViolations(page)).toEqual([]);
    await page.close();
  });
}

test('at 1280x720 an alarm shows at the top of the readouts and moves nothing', async () => {
  const viewport = DESKTOPS[1] ?? PHONE;
  const page = await openConsole(viewport);
  await page.locator('.sim-toolbar').evaluate((el) => el.scrollIntoView({ block: 'start' }));
  // Treatment pressure 250 mmHg and inflation 100 ms too early: harmful timing on every beat, which alarms.
  for (let i = 0; i < 10; i++) await page.keyboard.press('Shift+E');
  for (let i = 0; i < 5; i++) await page.keyboard.press('Shift+A');
  const before = await boxes(page, STEADY_PARTS);
  await startAndRun(page);
  const alarm = page.locator('.sim-readouts .sim-alarms li').first();
  await alarm.waitFor({ timeout: 45_000 });
  expect(await boxes(page, STEADY_PARTS)).toEqual(before);
  expect(
    await page
      .locator('.sim-readouts')
      .getByText(/^\d+ alarms?$/)
      .isVisible(),
  ).toBe(true);
  // The alarm's first line is inside the panel's visible area, above the readouts.
  const [panel, first] = await Promise.all([page.locator('.sim-readouts').boundingBox(), alarm.boundingBox()]);
  if (!panel || !first) throw new Error('no alarm box');
  expect(first.y).toBeGreaterThanOrEqual(panel.y);
  expect(first.y + 20).toBeLessThanOrEqual(panel.y + panel.height);
  await page.screenshot({ path: screenshotPath('console-alarm-1280x720') });
  expect(await blockingAxeViolations(page)).toEqual([]);
  await page.close();
});

test('at 390 px the running console does not scroll sideways and the readout units stay inside their panel', async () => {
  const page = await openConsole(PHONE);
  const before = await boxes(page, STEADY_PARTS);
  await startAndRun(page);
  expect(await boxes(page, STEADY_PARTS)).toEqual(before);
  expect(await page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(PHONE.width);
  expect(await overflowingReadouts(page)).toEqual([]);
  await saveScreenshot(page, 'console-running-390x844-full');
  for (const part of ['.sim-display', '.sim-controls']) {
    await page.locator(part).evaluate((el) => el.scrollIntoView({ block: 'start' }));
    await page.screenshot({ path: screenshotPath(`console-running-390x844${part.replace('.sim', '')}`) });
  }
  expect(await blockingAxeViolations(page)).toEqual([]);
  await page.close();
});

test('each control shows its keyboard shortcut beside it and names it in aria-keyshortcuts; the keys work', async () => {
  const page = await openConsole(DESKTOPS[1] ?? PHONE);
  // Nothing collapsed: the shortcuts are on the controls, and the switch that turns them off is in view.
  expect(await page.locator('.sim-console details').count()).toBe(0);
  await expect(page.getByRole('checkbox', { name: /Single-key shortcuts/ }).isVisible()).resolves.toBe(true);
  const cases = [
    { slider: /Inflation delay after R/, setting: 'inflateDelayMs', up: 'Q', down: 'A', fine: 5, coarse: 20 },
    { slider: /Deflation delay after R/, setting: 'deflateDelayMs', up: 'W', down: 'S', fine: 5, coarse: 20 },
    { slider: /Treatment pressure/, setting: 'pressureMmHg', up: 'E', down: 'D', fine: 5, coarse: 25 },
  ];
  for (const c of cases) {
    const setting = page.locator('.sim-setting').filter({ has: page.getByRole('slider', { name: c.slider }) });
    // The keys are printed on the control, visible.
    const kbd = setting.locator('kbd');
    expect(await kbd.allTextContents()).toEqual(expect.arrayContaining([c.down, c.up]));
    for (const k of await kbd.all()) expect(await k.isVisible()).toBe(true);
    // …and announced: the slider has all four, each step button its own.
    const slider = page.getByRole('slider', { name: c.slider });
    expect(await slider.getAttribute('aria-keyshortcuts')).toBe(`${c.up} ${c.down} Shift+${c.up} Shift+${c.down}`);
    for (const [sign, step, keys] of [
      ['plus', c.fine, c.up],
      ['minus', c.fine, c.down],
      ['plus', c.coarse, `Shift+${c.up}`],
      ['minus', c.coarse, `Shift+${c.down}`],
    ] as const) {
      const button = setting.getByRole('button', { name: new RegExp(` ${sign} ${step} `) });
      expect(await button.getAttribute('aria-keyshortcuts'), `${c.setting} ${sign} ${step}`).toBe(keys);
      // The key named does what the button does.
      const value = async () =>
        Number.parseInt((await page.locator(`output[data-setting="${c.setting}"]`).textContent()) ?? '', 10);
      const was = await value();
      await page.locator('h1').click();
      await page.keyboard.press(keys);
      const moved = (await value()) - was;
      await button.click();
      expect((await value()) - was - moved, `${keys} and the button step alike`).toBe(moved);
      expect(Math.abs(moved), `${keys} on ${c.setting}`).toBeGreaterThan(0);
    }
  }
  // Freeze and the beat steps show their keys too.
  for (const [name, keys] of [
    ['Freeze', 'F'],
    ['Previous beat', ','],
    ['Next beat', '.'],
  ] as const) {
    const button = page.getByRole('button', { name, exact: true });
    expect(await button.getAttribute('aria-keyshortcuts')).toBe(keys);
    expect(await button.locator('kbd').textContent()).toBe(keys);
  }
  // With single-key shortcuts off (WCAG 2.1.4) the hints and aria-keyshortcuts go, and the keys do nothing.
  await page.getByRole('checkbox', { name: /Single-key shortcuts/ }).uncheck();
  expect(await page.locator('.sim-controls kbd, .sim-freeze kbd').count()).toBe(0);
  expect(await page.locator('.sim-console [aria-keyshortcuts]').count()).toBe(0);
  const pressure = page.locator('output[data-setting="pressureMmHg"]');
  const was = await pressure.textContent();
  await page.locator('h1').click();
  await page.keyboard.press('E');
  expect(await pressure.textContent()).toBe(was);
  expect(await blockingAxeViolations(page)).toEqual([]);
  await page.close();
});

/** WCAG 2.2 relative luminance of an sRGB colour #rrggbb (https://www.w3.org/TR/WCAG22/#dfn-relative-luminance). */
function luminance(hex: string): number {
  const channel = (i: number): number => {
    const c = Number.parseInt(hex.slice(1 + 2 * i, 3 + 2 * i), 16) / 255;
    return c <= 0.04045 ? c / 12.92 : ((c + 0.055) / 1.055) ** 2.4;
  };
  return 0.2126 * channel(0) + 0.7152 * channel(1) + 0.0722 * channel(2);
}

/** WCAG 2.2 contrast ratio (https://www.w3.org/TR/WCAG22/#dfn-contrast-ratio). */
function contrast(a: string, b: string): number {
  const [hi, lo] = [luminance(a), luminance(b)].sort((x, y) => y - x) as [number, number];
  return (hi + 0.05) / (lo + 0.05);
}

/** The hue of an sRGB colour #rrggbb, degrees (the HSL hue angle). */
function hue(hex: string): number {
  const [r, g, b] = [1, 3, 5].map((i) => Number.parseInt(hex.slice(i, i + 2), 16) / 255) as [number, number, number];
  const max = Math.max(r, g, b);
  const d = max - Math.min(r, g, b);
  if (d === 0) return 0;
  const h = max === r ? ((g - b) / d) % 6 : max === g ? (b - r) / d + 2 : (r - g) / d + 4;
  return (h * 60 + 360) % 360;
}

test('the cuff panel has an mmHg scale, and its three traces differ in line style and stand out from the display', async () => {
  const page = await openConsole(DESKTOPS[1] ?? PHONE);
  await startAndRun(page);
  const record = await page.evaluate(() => window.__canvasRecord);
  if (!record) throw new Error('nothing recorded');
  const canvas = await page.locator('.sim-canvas').boundingBox();
  if (!canvas) throw new Error('no canvas');

  // Ticks at 0, 100, 200 and 300 mmHg labelled on the cuff panel's axis, under its title, evenly spaced.
  const title = Object.entries(record.texts).find(([text]) => text.startsWith('Cuff pressure'));
  expect(title?.[0]).toMatch(/mmHg/);
  const ticks = ['300', '200', '100', '0'].map((label) => {
    const drawn = record.texts[label];
    if (!drawn) throw new Error(`no ${label} mmHg tick label`);
    return drawn;
  });
  const ys = ticks.map((t) => t.y);
  expect(ys[0]).toBeGreaterThan(title?.[1].y ?? Number.POSITIVE_INFINITY);
  expect(ys.at(-1)).toBeLessThanOrEqual(canvas.height);
  const gaps = ys.slice(1).map((y, i) => y - (ys[i] ?? 0));
  for (const gap of gaps) {
    expect(gap).toBeGreaterThan(10);
    expect(Math.abs(gap - (gaps[0] ?? 0))).toBeLessThanOrEqual(1);
  }
  for (const t of ticks) expect(t.fill).toBe(DISPLAY_COLOURS.label);

  // The three cuff traces: drawn in the colours the code declares, each with its own dash pattern
  // (solid, dashed, dotted), each >= 3:1 against the display's background (WCAG 1.4.11 non-text contrast).
  const cuffs = [
    { name: 'Calf', colour: DISPLAY_COLOURS.calf, style: 'solid' },
    { name: 'Lower thigh', colour: DISPLAY_COLOURS.lowerThigh, style: 'dashed' },
    { name: 'Upper thigh', colour: DISPLAY_COLOURS.upperThigh, style: 'dotted' },
  ];
  const dashes = cuffs.map((cuff) => {
    const drawn = record.strokes.filter((s) => s.startsWith(`${cuff.colour}|`)).map((s) => s.split('|')[1]);
    expect(drawn, cuff.name).toHaveLength(1);
    return drawn[0];
  });
  expect(dashes[0]).toBe('');
  expect(new Set(dashes).size).toBe(3);
  const [dash, dot] = [dashes[1], dashes[2]].map((d) => (d ?? '').split(',').map(Number));
  expect(dash?.[0] ?? 0, 'dashes are longer than dots').toBeGreaterThan(dot?.[0] ?? 0);
  // Not "close" colours either (issue 13): hues at least 60 degrees apart around the colour wheel.
  for (const [i, a] of cuffs.entries()) {
    for (const b of cuffs.slice(i + 1)) {
      const apart = Math.abs(hue(a.colour) - hue(b.colour));
      expect(Math.min(apart, 360 - apart), `${a.name} and ${b.name}`).toBeGreaterThanOrEqual(60);
    }
  }
  for (const cuff of cuffs) {
    expect(contrast(cuff.colour, DISPLAY_COLOURS.background), cuff.name).toBeGreaterThanOrEqual(3);
    expect(contrast(DISPLAY_COLOURS.label, DISPLAY_COLOURS.background)).toBeGreaterThanOrEqual(4.5);
  }

  // The legend says which is which, with a sample of each line in its colour and style on the display's
  // background.
  for (const cuff of cuffs) {
    const item = page.locator('.sim-legend li').filter({ hasText: cuff.name });
    expect(await item.textContent()).toMatch(new RegExp(cuff.style));
    const sample = await item.locator('.swatch').evaluate((el) => {
      const style = getComputedStyle(el);
      const chip = getComputedStyle(el.parentElement ?? el);
      return { style: style.borderTopStyle, colour: style.borderTopColor, background: chip.backgroundColor };
    });
    const rgb = (hex: string): string =>
      `rgb(${[1, 3, 5].map((i) => Number.parseInt(hex.slice(i, i + 2), 16)).join(', ')})`;
    expect(sample).toEqual({
      style: cuff.style,
      colour: rgb(cuff.colour),
      background: rgb(DISPLAY_COLOURS.background),
    });
  }
  await page.close();
});
