import { execFileSync } from 'node:child_process';
import { rmSync } from 'node:fs';
import { join } from 'node:path';
import { findChromium } from '#test/helpers/chromium.ts';

/**
 * Builds the site once for all e2e files, into a folder of this run's own (so concurrent runs on one machine
 * cannot overwrite each other's build), and fails early, with the fix, when no Chromium is installed.
 * Test workers inherit IECPA_DIST_DIR, which test/helpers/server.ts passes on to scripts/serve.ts.
 */
export default function setup(): () => void {
  findChromium();
  const distDir = join(process.cwd(), 'test-results', `dist-${process.pid}`);
  process.env.IECPA_DIST_DIR = distDir;
  execFileSync(process.execPath, ['node_modules/astro/bin/astro.mjs', 'build'], {
    stdio: ['ignore', 'ignore', 'inherit'],
    env: { ...process.env, ASTRO_TELEMETRY_DISABLED: '1' },
  });
  return () => rmSync(distDir, { recursive: true, force: true });
}
