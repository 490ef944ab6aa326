/**
 * Markdown work off the request thread, with a time budget (markdown-worker.ts). One worker is kept warm
 * and does one task at a time; a task over its budget has its worker terminated (a new one starts for
 * the next task) and is refused with MarkdownTooSlowError, so no text can hold a thread for long.
 */
import { createHash } from 'node:crypto';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { Worker } from 'node:worker_threads';
import { type CleanableType, type CleanOutcome, stripIdentifyingMetadata } from './document-metadata.ts';
import { type BrokenLink, findBrokenLinks, type RenderedMarkdown, renderMarkdown } from './markdown.ts';
import type { MarkdownTask } from './markdown-worker.ts';
import type { EditionChapter } from './services/handbook-pdf-layout.ts';

/** The longest a task may take (a 200 kB chapter at the limits takes 2-6 s on a busy 2-core machine). */
export const MARKDOWN_TIME_BUDGET_MS = 10_000;

export class MarkdownTooSlowError extends Error {
  constructor(budgetMs: number) {
    super(
      `This text took longer than ${budgetMs / 1000} s to process, so it was not accepted. Split long chapters, or remove runs of unmatched brackets and emphasis marks.`,
    );
    this.name = 'MarkdownTooSlowError';
  }
}

function workerFile(): string | null {
  const path = join(process.cwd(), 'src', 'server', 'markdown-worker.ts');
  return existsSync(path) ? path : null;
}

let worker: Worker | null = null;
let queue: Promise<unknown> = Promise.resolve();

function warmWorker(path: string): Worker {
  if (!worker) {
    worker = new Worker(path);
    worker.unref();
    worker.once('exit', () => {
      worker = null;
    });
  }
  return worker;
}

async function runTask<T>(task: MarkdownTask, budgetMs: number, here: () => T | Promise<T>): Promise<T> {
  const path = workerFile();
  if (!path) return here();
  const run = async (): Promise<T> => {
    const w = warmWorker(path);
    return new Promise<T>((resolve, reject) => {
      const timer = setTimeout(() => {
        cleanup();
        void w.terminate();
        worker = null;
        reject(new MarkdownTooSlowError(budgetMs));
      }, budgetMs);
      const onMessage = (m: { ok: true; value: T } | { ok: false; message: string }) => {
        cleanup();
        if (m.ok) resolve(m.value);
        else reject(new Error(m.message));
      };
      const onError = (error: Error) => {
        cleanup();
        worker = null;
        reject(error);
      };
      const cleanup = () => {
        clearTimeout(timer);
        w.off('message', onMessage);
        w.off('error', onError);
      };
      w.on('message', onMessage);
      w.once('error', onError);
      w.postMessage(task);
    });
  };
  // One task at a time: the next waits for the previous to settle, whatever its outcome.
  const result = queue.then(run, run);
  queue = result.catch(() => undefined);
  return result;
}

/** renderMarkdown in the worker, within `budgetMs`. */
export function renderMarkdownOffThread(
  markdown: string,
  budgetMs = MARKDOWN_TIME_BUDGET_MS,
): Promise<RenderedMarkdown> {
  return runTask({ kind: 'render', markdown }, budgetMs, () => renderMarkdown(markdown));
}

/** findBrokenLinks in the worker, within `budgetMs`. */
export function findBrokenLinksOffThread(
  markdown: string,
  anchorsBySlug: ReadonlyMap<string, ReadonlySet<string>>,
  ownSlug: string | null,
  budgetMs = MARKDOWN_TIME_BUDGET_MS,
): Promise<BrokenLink[]> {
  const anchors = new Map([...anchorsBySlug].map(([slug, set]) => [slug, new Set(set)]));
  return runTask({ kind: 'broken-links', markdown, anchorsBySlug: anchors, ownSlug }, budgetMs, () =>
    findBrokenLinks(markdown, anchorsBySlug, ownSlug),
  );
}

/**
 * stripIdentifyingMetadata in the worker (parsing and rewriting a 5 MiB PDF or Word file would hold the
 * request thread), within `budgetMs`.
 */
export function stripIdentifyingMetadataOffThread(
  bytes: Uint8Array,
  type: CleanableType,
  budgetMs = MARKDOWN_TIME_BUDGET_MS,
): Promise<CleanOutcome> {
  return runTask<CleanOutcome>({ kind: 'clean-document', bytes, type }, budgetMs, () =>
    stripIdentifyingMetadata(bytes, type),
  );
}

/** Rendered published revisions (immutable once published), newest use last; bounded. */
const publishedCache = new Map<string, RenderedMarkdown>();
const PUBLISHED_CACHE_MAX = 200;

/**
 * A published revision's HTML: rendered once, off the request thread, then served from memory (a published
 * revision never changes). Reading a chapter never holds the event loop for the parse.
 */
export async function renderPublished(revisionId: string, markdown: string): Promise<RenderedMarkdown> {
  const cached = publishedCache.get(revisionId);
  if (cached) {
    publishedCache.delete(revisionId);
    publishedCache.set(revisionId, cached);
    return cached;
  }
  const rendered = await renderMarkdownOffThread(markdown);
  publishedCache.set(revisionId, rendered);
  if (publishedCache.size > PUBLISHED_CACHE_MAX) {
    const oldest = publishedCache.keys().next().value;
    if (oldest !== undefined) publishedCache.delete(oldest);
  }
  return rendered;
}

/**
 * A short Markdown text stored once and shown often (an exam question's stem, a rationale): its HTML,
 * rendered off the request thread and kept by the text's hash with the published revisions.
 */
export async function renderStoredText(markdown: string): Promise<string> {
  const key = `text:${createHash('sha256').update(markdown).digest('base64url')}`;
  return (await renderPublished(key, markdown)).html;
}

/** Laying out the whole edition takes longer than a preview: its own, larger budget. */
export const EDITION_PDF_TIME_BUDGET_MS = 60_000;

/** The handbook edition's PDF, laid out in the worker. */
export function buildEditionPdfOffThread(chapters: EditionChapter[], now: number): Promise<Uint8Array<ArrayBuffer>> {
  return runTask({ kind: 'edition-pdf', chapters, now }, EDITION_PDF_TIME_BUDGET_MS, () => {
    throw new Error('the Markdown worker file is missing');
  }).then((bytes) => new Uint8Array(bytes as Uint8Array<ArrayBuffer>));
}
