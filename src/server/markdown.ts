/**
 * Markdown for the handbook and curriculum: educators' text rendered to HTML that is safe to put in a page.
 *
 * Safety comes from three layers: raw HTML in the Markdown is dropped (remark-rehype without
 * allowDangerousHtml), rehype-sanitize's GitHub-style allow-list removes anything else not on it (event
 * handlers, style, script, iframe, svg), and URLs keep only the http(s)/mailto protocols or relative paths
 * (so javascript:, vbscript: and data: links and images are removed in any casing or encoding).
 */
import rehypeSanitize, { defaultSchema, type Options as SanitizeSchema } from 'rehype-sanitize';
import rehypeStringify from 'rehype-stringify';
import remarkGfm from 'remark-gfm';
import remarkParse from 'remark-parse';
import remarkRehype from 'remark-rehype';
import { unified } from 'unified';

/** The mdast/hast node shape this module needs (the packages' own types are transitive dependencies). */
interface TreeNode {
  type: string;
  value?: string;
  depth?: number;
  url?: string;
  children?: TreeNode[];
  data?: { hProperties?: Record<string, unknown>; id?: string };
  position?: { start: { line: number; column: number } };
}

export interface Heading {
  depth: number;
  id: string;
  text: string;
}

export interface RenderedMarkdown {
  html: string;
  headings: Heading[];
}

/**
 * The sanitiser's allow-list: GitHub's, with heading ids kept as written (no `user-content-` prefix) so
 * that `#anchor` links and the table of contents work; ids are only allowed on headings and come from
 * `slugify`, never from the author's HTML (which is dropped before this step).
 */
const SANITIZE_SCHEMA: SanitizeSchema = {
  ...defaultSchema,
  clobberPrefix: '',
  clobber: [],
  protocols: { href: ['http', 'https', 'mailto'], src: ['http', 'https'], cite: ['http', 'https'] },
  attributes: {
    ...defaultSchema.attributes,
    ...Object.fromEntries(['h1', 'h2', 'h3', 'h4', 'h5', 'h6'].map((h) => [h, ['id']])),
  },
};

/** The plain text of a node and its descendants. */
export function nodeText(node: TreeNode): string {
  if (typeof node.value === 'string') return node.value;
  return (node.children ?? []).map(nodeText).join('');
}

/** Node types (mdast, with GFM tables) whose texts are separate: list items, table cells, quoted paragraphs. */
const BLOCK_TYPES = new Set([
  'paragraph',
  'heading',
  'blockquote',
  'list',
  'listItem',
  'table',
  'tableRow',
  'tableCell',
  'code',
]);

/**
 * A node's text with a line break between blocks and at hard line breaks, where nodeText runs them together
 * ("alarm.The safe"): what the handbook's search index and its snippets read.
 */
function blockText(node: TreeNode): string {
  if (typeof node.value === 'string') return node.value;
  if (node.type === 'break') return '\n';
  const children = node.children ?? [];
  const separator = children.some((child) => BLOCK_TYPES.has(child.type)) ? '\n' : '';
  return children.map(blockText).join(separator);
}

/** A heading's anchor: lower case letters and digits joined by hyphens (GitHub's rule for ASCII text). */
export function slugify(text: string): string {
  return text
    .trim()
    .toLowerCase()
    .replace(/[^\p{L}\p{N}\s_-]/gu, '')
    .replace(/\s/g, '-');
}

function walk(node: TreeNode, visit: (node: TreeNode) => void): void {
  visit(node);
  for (const child of node.children ?? []) walk(child, visit);
}

/** Gives every heading an id (deduplicated with -1, -2, … as GitHub does) and lists them. */
function assignHeadingIds(tree: TreeNode): Heading[] {
  const seen = new Map<string, number>();
  const headings: Heading[] = [];
  walk(tree, (node) => {
    if (node.type !== 'heading') return;
    const text = nodeText(node).trim();
    const base = slugify(text) || 'section';
    const count = seen.get(base) ?? 0;
    seen.set(base, count + 1);
    const id = count === 0 ? base : `${base}-${count}`;
    node.data = { ...node.data, hProperties: { ...node.data?.hProperties, id } };
    headings.push({ depth: node.depth ?? 1, id, text });
  });
  return headings;
}

/**
 * Limits on the structures that make Markdown parsing super-linear. micromark resolves brackets and
 * emphasis delimiters by scanning back over the open ones of the same paragraph, so a paragraph of
 * thousands of unmatched `[`, `*`, `_` or `~` costs time that grows with the square of their number or
 * worse (measured: 32 KB of `*_` took 38 s, 16 KB of `[` then `*a` 1.7 s); nesting (`> > > …`, indented
 * lists) recurses once per level (10 KB of `> ` overflowed the stack). Real chapters stay far inside
 * these limits (the first edition's busiest paragraph has under 60 such characters).
 */
export const MARKDOWN_LIMITS = {
  /** Bracket and emphasis characters in one paragraph (a block between blank lines). */
  delimitersPerBlock: 400,
  /** Block quote markers at the start of one line. */
  quoteDepth: 8,
  /** Leading spaces of a line (list nesting: 2-4 spaces a level). */
  indentSpaces: 32,
} as const;

const DELIMITER = /[[\]*_~`!<]/g;

/**
 * What makes `markdown` too costly to parse, as messages with the line they start on; empty when it is
 * within MARKDOWN_LIMITS. Linear in the length of the text.
 */
export function markdownComplexityProblems(markdown: string): string[] {
  const problems: string[] = [];
  const lines = markdown.split('\n');
  let blockStart = 0;
  let delimiters = 0;
  let reported = false;
  lines.forEach((line, i) => {
    if (line.trim() === '') {
      blockStart = i + 1;
      delimiters = 0;
      reported = false;
      return;
    }
    delimiters += line.match(DELIMITER)?.length ?? 0;
    if (delimiters > MARKDOWN_LIMITS.delimitersPerBlock && !reported) {
      problems.push(
        `Line ${blockStart + 1}: this paragraph has more than ${MARKDOWN_LIMITS.delimitersPerBlock} brackets and emphasis marks ([ ] * _ ~ \` ! <). Split it with blank lines or remove unmatched marks.`,
      );
      reported = true;
    }
    const quotes = /^(?:\s*>)*/.exec(line)?.[0].replace(/[^>]/g, '').length ?? 0;
    if (quotes > MARKDOWN_LIMITS.quoteDepth) {
      problems.push(
        `Line ${i + 1}: quotes are nested ${quotes} deep; at most ${MARKDOWN_LIMITS.quoteDepth} are allowed.`,
      );
    }
    const indent = /^[ \t]*/.exec(line)?.[0].replace(/\t/g, '    ').length ?? 0;
    if (indent > MARKDOWN_LIMITS.indentSpaces) {
      problems.push(
        `Line ${i + 1}: it is indented ${indent} spaces (lists nested too deep); at most ${MARKDOWN_LIMITS.indentSpaces} are allowed.`,
      );
    }
  });
  return problems.slice(0, 10);
}

const parser = unified().use(remarkParse).use(remarkGfm);

/** Parses Markdown to its syntax tree (with GFM tables, footnotes, strikethrough and autolinks). */
export function parseMarkdown(markdown: string): TreeNode {
  const tree = parser.parse(markdown) as unknown as TreeNode;
  return parser.runSync(tree as never) as unknown as TreeNode;
}

/** Markdown to sanitised HTML, with the headings for a table of contents. */
export function renderMarkdown(markdown: string): RenderedMarkdown {
  const tree = parseMarkdown(markdown);
  const headings = assignHeadingIds(tree);
  const processor = unified()
    .use(remarkRehype, { allowDangerousHtml: false })
    .use(rehypeSanitize, SANITIZE_SCHEMA)
    .use(rehypeStringify);
  const hast = processor.runSync(tree as never);
  const html = processor.stringify(hast as never);
  return { html: String(html), headings };
}

/** The text of a Markdown document without its syntax, for the search index. */
export function markdownToPlainText(markdown: string): string {
  const tree = parseMarkdown(markdown);
  const blocks: string[] = [];
  for (const child of tree.children ?? []) blocks.push(blockText(child));
  return blocks
    .join('\n')
    .replace(/\n{3,}/g, '\n\n')
    .trim();
}

/** The anchors a document offers to links: its headings' ids. */
export function headingIds(markdown: string): Set<string> {
  return new Set(assignHeadingIds(parseMarkdown(markdown)).map((h) => h.id));
}

export interface BrokenLink {
  url: string;
  line: number;
  column: number;
  reason: string;
}

/**
 * Internal links that lead nowhere: `/handbook/<slug>` must name a chapter and `#anchor` (alone or after a
 * chapter) a heading in it. `anchorsBySlug` holds every chapter's anchors; `ownSlug` is the document being
 * checked (its own anchors are taken from `markdown`, so a link to a heading added in this edit works).
 */
export function findBrokenLinks(
  markdown: string,
  anchorsBySlug: ReadonlyMap<string, ReadonlySet<string>>,
  ownSlug: string | null,
): BrokenLink[] {
  const tree = parseMarkdown(markdown);
  const ownAnchors = new Set(assignHeadingIds(tree).map((h) => h.id));
  const broken: BrokenLink[] = [];
  walk(tree, (node) => {
    if ((node.type !== 'link' && node.type !== 'definition') || !node.url) return;
    const at = { line: node.position?.start.line ?? 0, column: node.position?.start.column ?? 0 };
    const reason = internalLinkProblem(node.url, anchorsBySlug, ownSlug, ownAnchors);
    if (reason) broken.push({ url: node.url, ...at, reason });
  });
  return broken;
}

function internalLinkProblem(
  url: string,
  anchorsBySlug: ReadonlyMap<string, ReadonlySet<string>>,
  ownSlug: string | null,
  ownAnchors: ReadonlySet<string>,
): string | null {
  if (url.startsWith('#')) {
    const anchor = decodeURIComponent(url.slice(1));
    return ownAnchors.has(anchor) ? null : `There is no heading "#${anchor}" in this document.`;
  }
  const match = /^\/handbook\/([^#?/]+)\/?(?:#(.*))?$/.exec(url);
  if (!match) {
    return url.startsWith('/handbook/') ? 'Links into the handbook have the form /handbook/<chapter>#<heading>.' : null;
  }
  const slug = match[1] ?? '';
  const anchor = match[2] === undefined ? null : decodeURIComponent(match[2]);
  const anchors = slug === ownSlug ? ownAnchors : anchorsBySlug.get(slug);
  if (!anchors) return `There is no handbook chapter "${slug}".`;
  if (anchor !== null && !anchors.has(anchor)) return `Chapter "${slug}" has no heading "#${anchor}".`;
  return null;
}
