/**
 * Worker thread for Markdown work on text an educator just sent (preview, broken links on save): parsing a
 * 200 kB chapter takes seconds, which on the request thread would stall every other request. Loaded by path
 * from the repository (Node runs the .ts directly); markdown.ts needs only npm packages.
 */
import { parentPort } from 'node:worker_threads';
import { findBrokenLinks, renderMarkdown } from './markdown.ts';

export type MarkdownTask =
  | { kind: 'render'; markdown: string }
  | {
      kind: 'broken-links';
      markdown: string;
      anchorsBySlug: Map<string, Set<string>>;
      ownSlug: string | null;
    };

parentPort?.on('message', (task: MarkdownTask) => {
  try {
    const value =
      task.kind === 'render'
        ? renderMarkdown(task.markdown)
        : findBrokenLinks(task.markdown, task.anchorsBySlug, task.ownSlug);
    parentPort?.postMessage({ ok: true, value });
  } catch (error) {
    parentPort?.postMessage({ ok: false, message: error instanceof Error ? error.message : String(error) });
  }
});
