/**
 * Start-up work for the journal, run by scripts/serve.ts before the server listens (off the request path):
 * compiling the Vancouver and APA CSL styles takes about 2 s on first use (measured: first APA citation
 * 2000 ms cold, 22 ms after warming), which the first reader of an article page would otherwise wait for.
 * citation-js keeps compiled engines in its own module, which the built server shares with this one.
 */
import { warmCitationStyles } from '#src/lib/journal-metadata/citations.ts';
import { journalInfo } from './services/journal-articles.ts';

/** Compiles the citation styles; returns how long it took (ms). */
export function warmJournalCitations(origin: string): number {
  const started = performance.now();
  warmCitationStyles(journalInfo(origin));
  return performance.now() - started;
}
