/**
 * Run as a script in a fresh Node process: `node test/helpers/first-apa-timing.ts [warm]`. With `warm`, it
 * first runs the server's start-up warm-up (warmJournalCitations, as scripts/serve.ts does) to its end; then
 * it times the first APA citation of an article, formatted in the citation worker as article pages have it,
 * and prints {"firstApaMs": …} as JSON.
 */
import assert from 'node:assert/strict';
import { formatCitationOffThread } from '#src/server/citation-pool.ts';
import { warmJournalCitations } from '#src/server/journal-warmup.ts';
import { JOURNAL, ORIGINAL_RESEARCH } from './journal-fixtures.ts';

if (process.argv[2] === 'warm') await warmJournalCitations(JOURNAL.origin);
const started = performance.now();
const citation = await formatCitationOffThread(ORIGINAL_RESEARCH, JOURNAL, 'apa');
// A timing of an empty or failed citation would measure nothing.
assert.match(citation, new RegExp(ORIGINAL_RESEARCH.authors[0]?.surname ?? '-'));
console.log(JSON.stringify({ firstApaMs: performance.now() - started }));
