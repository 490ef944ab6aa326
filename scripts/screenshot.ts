/**
 * Screenshot a page in the system Chromium and check it with axe.
 *
 *   node scripts/screenshot.ts <url> <out.png> [--width 1280] [--height 800] [--full]
 *        [--cookie name=value]... [--click <css selector>]...
 *
 * --cookie sets a cookie for the page's origin before loading (e.g. a session, to see a signed-in page);
 * --click clicks elements before the screenshot (e.g. 'summary' to open a disclosure menu).
 * Prints axe violations with their impact and exits with 1 when any is serious or critical, so it can guard
 * a page in a script. Chromium is found and launched by test/helpers/chromium.ts, as in the e2e tests
 * (CHROMIUM_PATH, else /usr/bin/chromium; everything that phones home switched off, since the machines have
 * no internet; a fresh, throw-away profile).
 */
import { parseArgs } from 'node:util';
import { AxeBuilder } from '@axe-core/playwright';
import { launchChromium } from '#test/helpers/chromium.ts';

/** Impacts that fail the run; minor and moderate findings are printed but do not fail. */
const BLOCKING_IMPACTS = new Set(['serious', 'critical']);

interface ScreenshotOptions {
  url: string;
  outPath: string;
  width: number;
  height: number;
  fullPage: boolean;
  cookies: { name: string; value: string }[];
  clickSelectors: string[];
}

const USAGE =
  'Usage: node scripts/screenshot.ts <url> <out.png> [--width 1280] [--height 800] [--full] ' +
  '[--cookie name=value]... [--click <selector>]...';

function parseCookie(text: string): { name: string; value: string } {
  const equals = text.indexOf('=');
  if (equals < 1) throw new Error(`--cookie expects name=value, got "${text}". ${USAGE}`);
  return { name: text.slice(0, equals), value: text.slice(equals + 1) };
}

function parseOptions(argv: string[]): ScreenshotOptions {
  const { values, positionals } = parseArgs({
    args: argv,
    allowPositionals: true,
    options: {
      width: { type: 'string', default: '1280' },
      height: { type: 'string', default: '800' },
      full: { type: 'boolean', default: false },
      cookie: { type: 'string', multiple: true, default: [] },
      click: { type: 'string', multiple: true, default: [] },
    },
  });
  const [url, outPath] = positionals;
  const width = Number(values.width);
  const height = Number(values.height);
  if (!url || !outPath || !Number.isInteger(width) || !Number.isInteger(height) || width < 1 || height < 1) {
    throw new Error(USAGE);
  }
  return {
    url,
    outPath,
    width,
    height,
    fullPage: values.full,
    cookies: values.cookie.map(parseCookie),
    clickSelectors: values.click,
  };
}

async function run(options: ScreenshotOptions): Promise<number> {
  // The same launch as the e2e tests (CHROMIUM_FLAGS, findChromium, a throw-away profile).
  const browser = await launchChromium({ width: options.width, height: options.height });
  const { context } = browser;
  try {
    if (options.cookies.length > 0) {
      const origin = new URL(options.url).origin;
      await context.addCookies(options.cookies.map((cookie) => ({ ...cookie, url: origin })));
    }
    const page = context.pages()[0] ?? (await context.newPage());
    // networkidle: server islands are fetched after load; the screenshot should show their content.
    const response = await page.goto(options.url, { waitUntil: 'networkidle' });
    console.log(`${response?.status() ?? 'no response'} ${options.url} (${options.width}x${options.height})`);
    for (const selector of options.clickSelectors) {
      await page.locator(selector).first().click();
    }
    await page.screenshot({ path: options.outPath, fullPage: options.fullPage });
    console.log(`saved ${options.outPath}`);

    const results = await new AxeBuilder({ page }).analyze();
    let blocking = 0;
    for (const violation of results.violations) {
      const impact = violation.impact ?? 'unknown';
      if (BLOCKING_IMPACTS.has(impact)) blocking += 1;
      console.log(`axe ${impact}: ${violation.id}: ${violation.help} (${violation.nodes.length} nodes)`);
      for (const node of violation.nodes.slice(0, 5)) {
        console.log(`    ${node.target.join(' ')}`);
      }
    }
    console.log(`axe: ${results.violations.length} violations, ${blocking} serious or critical`);
    return blocking > 0 ? 1 : 0;
  } finally {
    await browser.close();
  }
}

try {
  process.exitCode = await run(parseOptions(process.argv.slice(2)));
} catch (error) {
  console.error(error instanceof Error ? error.message : error);
  process.exitCode = 2;
}
