import { expect, test } from 'vitest';
import { formatCitation } from '#src/lib/journal-metadata/citations.ts';
import { formatCitationOffThread, stopCitationWorker, warmCitationsOffThread } from '#src/server/citation-pool.ts';
import { JOURNAL, ORIGINAL_RESEARCH } from '#test/helpers/journal-fixtures.ts';

// Each test may compile the CSL styles in a fresh worker (about 2 s, much more on a busy machine).
const SLOW = { timeout: 120_000 };

test('the citation worker formats exactly what the library formats in the thread', SLOW, async () => {
  await warmCitationsOffThread(JOURNAL);
  const other = { ...ORIGINAL_RESEARCH, id: 'second', title: 'A second study of counterpulsation' };
  // Sent together, each answer reaches its own caller.
  const [vancouver, apa, otherApa] = await Promise.all([
    formatCitationOffThread(ORIGINAL_RESEARCH, JOURNAL, 'vancouver'),
    formatCitationOffThread(ORIGINAL_RESEARCH, JOURNAL, 'apa'),
    formatCitationOffThread(other, JOURNAL, 'apa'),
  ]);
  expect(vancouver).toBe(formatCitation(ORIGINAL_RESEARCH, JOURNAL, 'vancouver'));
  expect(apa).toBe(formatCitation(ORIGINAL_RESEARCH, JOURNAL, 'apa'));
  expect(otherApa).toBe(formatCitation(other, JOURNAL, 'apa'));
  expect(otherApa).toContain('A second study of counterpulsation');
  expect(apa).not.toBe(vancouver);
});

test('a citation over its time budget is refused, and the next one gets a new worker', SLOW, async () => {
  const fresh = { ...ORIGINAL_RESEARCH, id: 'never-formatted', updatedAt: Date.now() };
  // A new worker compiles the styles first (about 2 s): 1 ms is too little, so the task fails, and the
  // worker with it.
  stopCitationWorker();
  const late = formatCitationOffThread(fresh, JOURNAL, 'apa', 1);
  // Queued behind it in the same worker: it fails too, with a reason, instead of waiting for ever.
  const queued = formatCitationOffThread(ORIGINAL_RESEARCH, JOURNAL, 'vancouver');
  await expect(late).rejects.toThrow('took longer than');
  await expect(queued).rejects.toThrow('took longer than');
  expect(await formatCitationOffThread(fresh, JOURNAL, 'apa')).toBe(formatCitation(fresh, JOURNAL, 'apa'));
});
