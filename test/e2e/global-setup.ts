import { execFileSync } from 'node:child_process';
import { findChromium } from '#test/helpers/chromium.ts';

/** Builds the site once for all e2e files and fails early, with the fix, when no Chromium is installed. */
export default function setup(): void {
  findChromium();
  execFileSync(process.execPath, ['node_modules/astro/bin/astro.mjs', 'build'], {
    stdio: ['ignore', 'ignore', 'inherit'],
    env: { ...process.env, ASTRO_TELEMETRY_DISABLED: '1' },
  });
}
