/**
 * Worker thread for Markdown work (previews, broken links on save, published chapters, the handbook PDF):
 * parsing a 200 kB chapter takes seconds, which on the request thread would stall every other request. Loaded by path
 * from the repository (Node runs the .ts directly); markdown.ts needs only npm packages.
 */
import { parentPort } from 'node:worker_threads';
import { type CleanableType, stripIdentifyingMetadata } from './document-metadata.ts';
import { findBrokenLinks, renderMarkdown } from './markdown.ts';
import { type EditionChapter, editionPdf } from './services/handbook-pdf-layout.ts';

export type MarkdownTask =
  | { kind: 'render'; markdown: string }
  | {
      kind: 'broken-links';
      markdown: string;
      anchorsBySlug: Map<string, Set<string>>;
      ownSlug: string | null;
    }
  | { kind: 'edition-pdf'; chapters: EditionChapter[]; now: number }
  | { kind: 'clean-document'; bytes: Uint8Array; type: CleanableType };

async function run(task: MarkdownTask): Promise<unknown> {
  if (task.kind === 'render') return renderMarkdown(task.markdown);
  if (task.kind === 'edition-pdf') return editionPdf(task.chapters, task.now);
  if (task.kind === 'clean-document') return stripIdentifyingMetadata(task.bytes, task.type);
  return findBrokenLinks(task.markdown, task.anchorsBySlug, task.ownSlug);
}

parentPort?.on('message', async (task: MarkdownTask) => {
  try {
    parentPort?.postMessage({ ok: true, value: await run(task) });
  } catch (error) {
    parentPort?.postMessage({ ok: false, message: error instanceof Error ? error.message : String(error) });
  }
});
