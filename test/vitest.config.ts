// @ts-check
import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vitest/config';

const root = fileURLToPath(new URL('..', import.meta.url));

/**
 * Test files run at once, in every project. Vitest's default on two cores is one (cores - 1), and a project
 * with fileParallelism off is put in a group of its own that runs after the rest: the suite then ran file by
 * file. The e2e files mostly wait (on a browser, a server, a real-time simulation), so they run beside the
 * CPU-bound unit and integration files in one group. VITEST_MAX_WORKERS overrides it.
 */
const MAX_WORKERS = 3;

export default defineConfig({
  root,
  test: {
    projects: [
      {
        test: {
          name: 'unit',
          maxWorkers: MAX_WORKERS,
          include: ['test/unit/**/*.test.ts'],
          environment: 'node',
        },
      },
      {
        test: {
          name: 'integration',
          maxWorkers: MAX_WORKERS,
          include: ['test/integration/**/*.test.ts'],
          environment: 'node',
          globalSetup: ['test/integration/global-setup.ts'],
          setupFiles: ['test/setup-console.ts'],
          testTimeout: 20_000,
        },
      },
      {
        test: {
          name: 'e2e',
          include: ['test/e2e/**/*.test.ts'],
          environment: 'node',
          globalSetup: ['test/e2e/global-setup.ts'],
          testTimeout: 60_000,
          hookTimeout: 240_000,
          // Each file has its own server and database, or only reads the shared one (usePortal).
          maxWorkers: MAX_WORKERS,
        },
      },
    ],
  },
});
