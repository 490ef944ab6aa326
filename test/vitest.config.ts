// @ts-check
import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vitest/config';
import { BaseSequencer, type TestSpecification } from 'vitest/node';

const root = fileURLToPath(new URL('..', import.meta.url));

/**
 * Test files run at once, in every project. Vitest's default on two cores is one (cores - 1), and a project
 * with fileParallelism off is put in a group of its own that runs after the rest: the suite then ran file by
 * file. The e2e files mostly wait (on a browser, a server, a real-time simulation), so they run beside the
 * CPU-bound unit and integration files in one group. VITEST_MAX_WORKERS overrides it.
 */
const MAX_WORKERS = 3;

/**
 * Orders the files of all projects together. Vitest's own order runs each project's files after the
 * previous project's, so a long unit file started last and ran alone at the end. With the durations of the
 * last run: failed first, then longest first (every project mixed). Without them (a fresh clone): the
 * projects interleaved, so e2e files, which mostly wait, run beside CPU-bound unit and integration files.
 */
class InterleavedSequencer extends BaseSequencer {
  override async sort(files: TestSpecification[]): Promise<TestSpecification[]> {
    const ordered = await super.sort(files);
    const last = ordered.map((spec) => this.ctx.cache.getTestSpecificationResult(spec));
    if (last.every((result) => result !== undefined)) {
      return ordered
        .map((spec, i) => ({ spec, failed: last[i]?.failed ? 1 : 0, duration: last[i]?.duration ?? 0 }))
        .sort((a, b) => b.failed - a.failed || b.duration - a.duration)
        .map(({ spec }) => spec);
    }
    const byProject = new Map<string, TestSpecification[]>();
    for (const spec of ordered) {
      const list = byProject.get(spec.project.name) ?? [];
      list.push(spec);
      byProject.set(spec.project.name, list);
    }
    const lists = [...byProject.values()];
    const interleaved: TestSpecification[] = [];
    for (let i = 0; interleaved.length < ordered.length; i++) {
      for (const list of lists) {
        const spec = list[i];
        if (spec) interleaved.push(spec);
      }
    }
    return interleaved;
  }
}

export default defineConfig({
  root,
  test: {
    sequence: { sequencer: InterleavedSequencer },
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
