import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { AxeBuilder } from '@axe-core/playwright';
import type { Page } from 'playwright-core';

/** Where the e2e run leaves its page screenshots (git-ignored test artefacts). */
export const SCREENSHOT_DIR = join(process.cwd(), 'test-results', 'screenshots');

/**
 * Whether whole-site checks also save a full-page screenshot of every page they visit (SCREENSHOTS=all, for
 * a visual review): off by default, as a screenshot costs more than the axe check every page still gets.
 */
export const SCREENSHOT_EVERY_PAGE = process.env.SCREENSHOTS === 'all';

/** Impacts that fail a page: they block people. Minor and moderate findings are left to review. */
const BLOCKING_IMPACTS = new Set(['serious', 'critical']);

/** The serious and critical axe violations on the page, one line each with the first offending elements. */
export async function blockingAxeViolations(page: Page): Promise<string[]> {
  const results = await new AxeBuilder({ page }).analyze();
  return results.violations
    .filter((violation) => BLOCKING_IMPACTS.has(violation.impact ?? ''))
    .map((violation) => {
      const targets = violation.nodes.slice(0, 3).map((node) => node.target.join(' '));
      return `${violation.impact} ${violation.id}: ${violation.help} (${targets.join(', ')})`;
    });
}

/** test-results/screenshots/<name>.png, with the folder made: for screenshots of a viewport or an element. */
export function screenshotPath(name: string): string {
  mkdirSync(SCREENSHOT_DIR, { recursive: true });
  return join(SCREENSHOT_DIR, `${name}.png`);
}

/** Saves a full-page screenshot as test-results/screenshots/<name>.png and returns its path. */
export async function saveScreenshot(page: Page, name: string): Promise<string> {
  const path = screenshotPath(name);
  await page.screenshot({ path, fullPage: true });
  return path;
}
