import { existsSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type BrowserContext, type BrowserServer, chromium } from 'playwright-core';

/**
 * The test machines have no internet: without these flags Chromium keeps trying to reach it (updates,
 * sync, component downloads) and start-up and pages slow down. CI runs as root, hence --no-sandbox.
 */
export const CHROMIUM_FLAGS = [
  '--no-sandbox',
  '--disable-gpu',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--no-first-run',
];

/** CHROMIUM_PATH, else /usr/bin/chromium; a clear error saying how to install one otherwise. */
export function findChromium(): string {
  const candidates = [process.env.CHROMIUM_PATH, '/usr/bin/chromium', '/usr/bin/chromium-browser'].filter(
    (p): p is string => Boolean(p),
  );
  const found = candidates.find((p) => existsSync(p));
  if (!found) {
    throw new Error(
      'No Chromium found for the end-to-end tests. Install one (Debian: apt-get install -y chromium) or set CHROMIUM_PATH.',
    );
  }
  return found;
}

export interface LaunchedBrowser {
  context: BrowserContext;
  close(): Promise<void>;
}

/** A headless Chromium with a fresh, throw-away profile. */
export async function launchChromium(viewport = { width: 1280, height: 800 }): Promise<LaunchedBrowser> {
  const profile = await mkdtemp(join(tmpdir(), 'iecpa-chromium-'));
  const context = await chromium.launchPersistentContext(profile, {
    executablePath: findChromium(),
    headless: true,
    args: CHROMIUM_FLAGS,
    viewport,
  });
  return {
    context,
    async close() {
      await context.close();
      await rm(profile, { recursive: true, force: true });
    },
  };
}

/**
 * One headless Chromium for the whole e2e run, for test files to connect to (connectChromium): launching a
 * browser per file costs seconds each time.
 */
export async function launchChromiumServer(): Promise<BrowserServer> {
  return chromium.launchServer({ executablePath: findChromium(), headless: true, args: CHROMIUM_FLAGS });
}

/**
 * A fresh context (its own cookies and storage) in the run's shared Chromium (launchChromiumServer). Over
 * such a connection a download has no local path (Download.path throws; saveAs works).
 */
export async function connectChromium(
  wsEndpoint: string,
  viewport = { width: 1280, height: 800 },
): Promise<LaunchedBrowser> {
  const browser = await chromium.connect(wsEndpoint);
  const context = await browser.newContext({ viewport });
  return {
    context,
    async close() {
      await context.close();
      await browser.close();
    },
  };
}
