/**
 * Worker thread for the journal's CSL citations (citation-pool.ts). citeproc's compiled Vancouver and APA
 * styles take about 2 s to build and about 110 MB of heap to keep; kept on the request thread, that heap
 * made each of its full garbage collections pause the server for 20-100 ms (issue 14). Loaded by path from
 * the repository (Node runs the .ts directly), like markdown-worker.ts.
 */
import { parentPort } from 'node:worker_threads';
import { type CitationStyle, formatCitation, warmCitationStyles } from '../lib/journal-metadata/citations.ts';
import type { ArticleMetadata, JournalInfo } from '../lib/journal-metadata/types.ts';

/** What the pool asks of the worker. */
export type CitationRequest =
  | { kind: 'warm'; journal: JournalInfo }
  | { kind: 'format'; article: ArticleMetadata; journal: JournalInfo; style: CitationStyle };

/** A request as sent, with the id its reply carries back. */
export type CitationTask = CitationRequest & { id: number };

export type CitationReply = { id: number; ok: true; value: string | null } | { id: number; ok: false; message: string };

parentPort?.on('message', (task: CitationTask) => {
  let reply: CitationReply;
  try {
    if (task.kind === 'warm') {
      warmCitationStyles(task.journal);
      reply = { id: task.id, ok: true, value: null };
    } else {
      reply = { id: task.id, ok: true, value: formatCitation(task.article, task.journal, task.style) };
    }
  } catch (error) {
    reply = { id: task.id, ok: false, message: error instanceof Error ? error.message : String(error) };
  }
  parentPort?.postMessage(reply);
});
