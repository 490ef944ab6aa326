/**
 * Run as a script in a fresh Node process: `node test/helpers/first-apa-timing.ts [warm]`. With `warm`, it
 * first runs the server's start-up warm-up (warmJournalCitations, as scripts/serve.ts does); then it times
 * the first APA citation of an article and prints {"firstApaMs": …} as JSON.
 */
import { formatCitation } from '#src/lib/journal-metadata/citations.ts';
import { warmJournalCitations } from '#src/server/journal-warmup.ts';
import { JOURNAL, ORIGINAL_RESEARCH } from './journal-fixtures.ts';

if (process.argv[2] === 'warm') warmJournalCitations(JOURNAL.origin);
const started = performance.now();
formatCitation(ORIGINAL_RESEARCH, JOURNAL, 'apa');
console.log(JSON.stringify({ firstApaMs: performance.now() - started }));
