/**
 * Start-up work for the journal, started by scripts/serve.ts as the server starts: compiling the Vancouver
 * and APA CSL styles takes about 2 s on first use (measured: first APA citation 2000 ms cold, 22 ms after
 * warming), which the first reader of an article page would otherwise wait for. The styles are compiled and
 * kept in the citation worker (src/server/citation-pool.ts), where article pages have them formatted.
 */
import { warmCitationsOffThread } from './citation-pool.ts';
import { journalInfo } from './services/journal-articles.ts';

/** Compiles the citation styles in the citation worker; resolves with how long it took (ms). */
export async function warmJournalCitations(origin: string): Promise<number> {
  const started = performance.now();
  await warmCitationsOffThread(journalInfo(origin));
  return performance.now() - started;
}
