import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { expect, test } from 'vitest';

function firstApaMs(warm: boolean): number {
  const out = execFileSync(process.execPath, ['test/helpers/first-apa-timing.ts', ...(warm ? ['warm'] : [])], {
    cwd: process.cwd(),
    encoding: 'utf8',
    env: { ...process.env, DATABASE_URL: 'file:unused.db' },
  });
  return (JSON.parse(out.trim().split('\n').at(-1) ?? '{}') as { firstApaMs: number }).firstApaMs;
}

/**
 * Compiling the CSL styles costs about 2 s the first time (issue 17's "cite this" box). The server compiles
 * them at start (scripts/serve.ts calls warmJournalCitations before it listens), so the first APA citation
 * a reader asks for costs what any later one does. Each measurement runs in a fresh process, the only way
 * to see a cold start; the warm first citation must take under a fifth of the cold one. The built server
 * imports citation-js from node_modules (it is external to the server bundle), so the styles serve.ts
 * compiles are the ones the pages use.
 */
test('the first APA citation after the server start-up warm-up does not pay the style compilation', {
  // Two fresh Node processes, each compiling the styles (2 s alone, much longer on a busy machine).
  timeout: 180_000,
}, () => {
  const cold = firstApaMs(false);
  const warm = firstApaMs(true);
  expect(cold, 'a cold first citation compiles the style').toBeGreaterThan(200);
  expect(warm).toBeLessThan(cold / 5);
  expect(readFileSync('scripts/serve.ts', 'utf8')).toMatch(/\n {2}warmJournalCitations\(/);
});
