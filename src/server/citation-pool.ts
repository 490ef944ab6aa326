/**
 * The journal's CSL citations, formatted in a worker thread kept for the purpose (citation-worker.ts), so
 * citeproc's compiled styles (about 110 MB) live in the worker's heap, not in the request thread's, whose
 * full collections they slowed (issue 14). The worker answers tasks in the order they were sent. A task not
 * answered within its budget ends the worker and fails every task it held; the next task starts a new
 * worker (which compiles the styles again, about 2 s, on first use).
 */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { Worker } from 'node:worker_threads';
import { type CitationStyle, formatCitation, warmCitationStyles } from '#src/lib/journal-metadata/citations.ts';
import type { ArticleMetadata, JournalInfo } from '#src/lib/journal-metadata/types.ts';
import type { CitationReply, CitationRequest, CitationTask } from './citation-worker.ts';

/** The longest one citation may take, compiling the styles included (2 s alone, more on a busy machine). */
export const CITATION_TIME_BUDGET_MS = 20_000;

interface Pending {
  /** The worker that holds the task. */
  worker: Worker;
  resolve: (value: string | null) => void;
  reject: (error: Error) => void;
  timer: NodeJS.Timeout;
}

let worker: Worker | null = null;
const pending = new Map<number, Pending>();
let nextId = 1;

function workerFile(): string | null {
  const path = join(process.cwd(), 'src', 'server', 'citation-worker.ts');
  return existsSync(path) ? path : null;
}

/** Ends a worker and fails what it held (not what a newer worker holds). */
function failAll(w: Worker, error: Error): void {
  if (worker === w) worker = null;
  void w.terminate();
  for (const [id, task] of pending) {
    if (task.worker !== w) continue;
    clearTimeout(task.timer);
    task.reject(error);
    pending.delete(id);
  }
}

function startWorker(path: string): Worker {
  const w = new Worker(path);
  w.on('message', (reply: CitationReply) => {
    const task = pending.get(reply.id);
    if (!task) return;
    pending.delete(reply.id);
    clearTimeout(task.timer);
    if (reply.ok) task.resolve(reply.value);
    else task.reject(new Error(reply.message));
  });
  w.on('error', (error) => failAll(w, error));
  w.on('exit', (code) => failAll(w, new Error(`the citation worker exited with code ${code}`)));
  // After the listeners: the worker alone does not keep the process alive (a pending task's timer does).
  w.unref();
  return w;
}

function send(path: string, body: CitationRequest, budgetMs: number): Promise<string | null> {
  worker ??= startWorker(path);
  const w = worker;
  const id = nextId++;
  return new Promise((resolve, reject) => {
    const timer = setTimeout(
      () => failAll(w, new Error(`Formatting the citation took longer than ${budgetMs / 1000} s.`)),
      budgetMs,
    );
    pending.set(id, { worker: w, resolve, reject, timer });
    w.postMessage({ ...body, id } satisfies CitationTask);
  });
}

/** One formatted reference (citations.ts formatCitation), from the worker. */
export async function formatCitationOffThread(
  article: ArticleMetadata,
  journal: JournalInfo,
  style: CitationStyle,
  budgetMs = CITATION_TIME_BUDGET_MS,
): Promise<string> {
  const path = workerFile();
  if (!path) return formatCitation(article, journal, style);
  return (await send(path, { kind: 'format', article, journal, style }, budgetMs)) ?? '';
}

/**
 * Starts the worker and compiles both styles in it; resolves when done. The server calls it at start
 * without waiting (scripts/serve.ts): a reader who comes sooner waits only for the rest of the warm-up.
 */
export async function warmCitationsOffThread(journal: JournalInfo, budgetMs = CITATION_TIME_BUDGET_MS): Promise<void> {
  const path = workerFile();
  if (!path) return warmCitationStyles(journal);
  await send(path, { kind: 'warm', journal }, budgetMs);
}

/** Ends the worker (tasks it held fail); the next task starts a new one. */
export function stopCitationWorker(): void {
  if (worker) failAll(worker, new Error('The citation worker was stopped.'));
}
