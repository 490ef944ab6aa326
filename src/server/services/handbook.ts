/**
 * The handbook and curriculum as readers see them: published chapters and modules, levels, full-text
 * search; and the one place that makes a revision the published one (with its search index row).
 */
import { and, asc, desc, eq, isNotNull, sql } from 'drizzle-orm';
import type { DbOrTx } from '#db/client.ts';
import { curriculumLevels, type DocumentKind, handbookDocuments, handbookRevisions } from '#db/schema/index.ts';
import { headingIds, markdownToPlainText } from '../markdown.ts';
import type { ChapterFrontMatter, ModuleFrontMatter } from './handbook-content.ts';

export interface PublishedDocument<F> {
  documentId: string;
  kind: DocumentKind;
  slug: string;
  revision: number;
  revisionId: string;
  publishedAt: number;
  frontMatter: F;
  body: string;
}

/** The columns of a document joined to its published revision. */
const PUBLISHED_COLUMNS = {
  documentId: handbookDocuments.id,
  slug: handbookDocuments.slug,
  revision: handbookRevisions.revision,
  revisionId: handbookRevisions.id,
  publishedAt: handbookRevisions.publishedAt,
  frontMatter: handbookRevisions.frontMatter,
  body: handbookRevisions.bodyMarkdown,
};

interface PublishedRow {
  documentId: string;
  slug: string;
  revision: number;
  revisionId: string;
  publishedAt: number | null;
  frontMatter: string;
  body: string;
}

function toPublished<F>(row: PublishedRow, kind: DocumentKind): PublishedDocument<F> {
  return { ...row, kind, publishedAt: row.publishedAt ?? 0, frontMatter: JSON.parse(row.frontMatter) as F };
}

/** The published revision of one chapter or module, or null when there is none. */
export async function getPublished(
  db: DbOrTx,
  kind: 'chapter',
  slug: string,
): Promise<PublishedDocument<ChapterFrontMatter> | null>;
export async function getPublished(
  db: DbOrTx,
  kind: 'module',
  slug: string,
): Promise<PublishedDocument<ModuleFrontMatter> | null>;
export async function getPublished(
  db: DbOrTx,
  kind: DocumentKind,
  slug: string,
): Promise<PublishedDocument<ChapterFrontMatter | ModuleFrontMatter> | null> {
  const rows = await db
    .select(PUBLISHED_COLUMNS)
    .from(handbookDocuments)
    .innerJoin(handbookRevisions, eq(handbookRevisions.id, handbookDocuments.publishedRevisionId))
    .where(and(eq(handbookDocuments.kind, kind), eq(handbookDocuments.slug, slug)))
    .limit(1);
  const row = rows[0];
  return row ? toPublished<ChapterFrontMatter | ModuleFrontMatter>(row, kind) : null;
}

/**
 * The published chapter an exam item cites. Items cite a chapter by its file name in `content/handbook/`
 * (`05-ecg-triggering-and-timing`), the handbook serves it at its front-matter slug
 * (`ecg-triggering-and-timing`): either is accepted. Null when no published chapter matches.
 */
export async function chapterForReference(db: DbOrTx, ref: string): Promise<{ slug: string; title: string } | null> {
  for (const slug of new Set([ref, ref.replace(/^\d+-/, '')])) {
    const chapter = await getPublished(db, 'chapter', slug);
    if (chapter) return { slug: chapter.slug, title: chapter.frontMatter.title };
  }
  return null;
}

/**
 * The title of the Level 1 module an exam category names (`04-ecg-triggering-and-timing`, the module file
 * name; the module's slug is `l1-ecg-triggering-and-timing`), without "Module n:". Null when none matches.
 */
export async function moduleTitleForCategory(db: DbOrTx, category: string): Promise<string | null> {
  for (const slug of new Set([category, `l1-${category.replace(/^\d+-/, '')}`])) {
    const found = await getPublished(db, 'module', slug);
    if (found) return found.frontMatter.title.replace(/^Module \d+:\s*/, '');
  }
  return null;
}

/** Every published document of a kind, with its front matter (bodies included: the handbook is small). */
async function listPublished<F>(db: DbOrTx, kind: DocumentKind): Promise<PublishedDocument<F>[]> {
  const rows = await db
    .select(PUBLISHED_COLUMNS)
    .from(handbookDocuments)
    .innerJoin(handbookRevisions, eq(handbookRevisions.id, handbookDocuments.publishedRevisionId))
    .where(and(eq(handbookDocuments.kind, kind), isNotNull(handbookDocuments.publishedRevisionId)));
  return rows.map((row) => toPublished<F>(row, kind));
}

export async function listPublishedChapters(db: DbOrTx): Promise<PublishedDocument<ChapterFrontMatter>[]> {
  const chapters = await listPublished<ChapterFrontMatter>(db, 'chapter');
  return chapters.sort(
    (a, b) =>
      a.frontMatter.partOrder - b.frontMatter.partOrder ||
      a.frontMatter.order - b.frontMatter.order ||
      a.slug.localeCompare(b.slug),
  );
}

export async function listPublishedModules(db: DbOrTx): Promise<PublishedDocument<ModuleFrontMatter>[]> {
  const modules = await listPublished<ModuleFrontMatter>(db, 'module');
  return modules.sort(
    (a, b) =>
      a.frontMatter.level - b.frontMatter.level ||
      a.frontMatter.order - b.frontMatter.order ||
      a.slug.localeCompare(b.slug),
  );
}

export interface Part {
  title: string;
  chapters: { slug: string; title: string; summary: string; revision: number; publishedAt: number }[];
}

/** The handbook's table of contents: parts in order, each with its chapters in order. */
export async function handbookOverview(db: DbOrTx): Promise<Part[]> {
  const parts: Part[] = [];
  for (const chapter of await listPublishedChapters(db)) {
    const fm = chapter.frontMatter;
    let part = parts.at(-1);
    if (!part || part.title !== fm.part) {
      part = { title: fm.part, chapters: [] };
      parts.push(part);
    }
    part.chapters.push({
      slug: chapter.slug,
      title: fm.title,
      summary: fm.summary,
      revision: chapter.revision,
      publishedAt: chapter.publishedAt,
    });
  }
  return parts;
}

export interface Level {
  level: number;
  slug: string;
  title: string;
  summary: string;
}

export async function listLevels(db: DbOrTx): Promise<Level[]> {
  return db.select().from(curriculumLevels).orderBy(asc(curriculumLevels.level));
}

export async function getLevelBySlug(db: DbOrTx, slug: string): Promise<Level | null> {
  const rows = await db.select().from(curriculumLevels).where(eq(curriculumLevels.slug, slug)).limit(1);
  return rows[0] ?? null;
}

/** Heading anchors per revision id: revisions never change, so parsing each once is enough. */
const anchorsByRevision = new Map<string, Set<string>>();

/** Every published chapter's heading anchors, for the internal link checker. */
export async function chapterAnchors(db: DbOrTx): Promise<Map<string, Set<string>>> {
  const chapters = await listPublished<ChapterFrontMatter>(db, 'chapter');
  return new Map(
    chapters.map((c) => {
      let anchors = anchorsByRevision.get(c.revisionId);
      if (!anchors) {
        anchors = headingIds(c.body);
        anchorsByRevision.set(c.revisionId, anchors);
      }
      return [c.slug, anchors];
    }),
  );
}

/** Rewrites a document's row in the search index from the revision being published. */
async function indexForSearch(
  db: DbOrTx,
  doc: { id: string; kind: DocumentKind; slug: string },
  title: string,
  body: string,
): Promise<void> {
  await db.run(sql`delete from handbook_search where document_id = ${doc.id}`);
  await db.run(
    sql`insert into handbook_search (document_id, kind, slug, title, body) values (${doc.id}, ${doc.kind}, ${doc.slug}, ${title}, ${markdownToPlainText(body)})`,
  );
}

/**
 * Rebuilds every published document's row in the search index from its published revision: at each start,
 * so that a change to how text is indexed (markdownToPlainText) reaches documents published before it.
 * Returns how many documents were indexed.
 */
export async function reindexPublishedForSearch(db: DbOrTx): Promise<number> {
  const rows = await db
    .select({
      id: handbookDocuments.id,
      kind: handbookDocuments.kind,
      slug: handbookDocuments.slug,
      body: handbookRevisions.bodyMarkdown,
      frontMatter: handbookRevisions.frontMatter,
    })
    .from(handbookDocuments)
    .innerJoin(handbookRevisions, eq(handbookRevisions.id, handbookDocuments.publishedRevisionId));
  for (const row of rows) {
    const { title } = JSON.parse(row.frontMatter) as { title: string };
    await indexForSearch(db, row, title, row.body);
  }
  return rows.length;
}

/**
 * Makes a revision the one readers see: marks it published, points the document at it and indexes it.
 * Call inside the transaction that checked the workflow rules.
 */
export async function makePublished(
  tx: DbOrTx,
  doc: { id: string; kind: DocumentKind; slug: string },
  revision: { id: string; title: string; body: string },
  publishedBy: string | null,
  changeNote: string,
  now: number,
): Promise<void> {
  await tx
    .update(handbookRevisions)
    .set({ status: 'published', publishedAt: now, publishedBy, changeNote })
    .where(eq(handbookRevisions.id, revision.id));
  await tx.update(handbookDocuments).set({ publishedRevisionId: revision.id }).where(eq(handbookDocuments.id, doc.id));
  await indexForSearch(tx, doc, revision.title, revision.body);
}

export interface SearchHit {
  kind: DocumentKind;
  slug: string;
  title: string;
  /** HTML: the matching passage, escaped, with matches in <mark>. */
  snippetHtml: string;
}

const MARK_OPEN = '\u0002';
const MARK_CLOSE = '\u0003';

function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}

/** The user's words as an FTS5 query: each word quoted (so no operator or syntax error), all required. */
export function toFtsQuery(query: string): string | null {
  const words = query.match(/[\p{L}\p{N}]+/gu)?.slice(0, 12) ?? [];
  if (words.length === 0) return null;
  return words.map((w) => `"${w}"`).join(' ');
}

/** Full-text search across published chapters and modules, best matches first. */
export async function searchPublished(db: DbOrTx, query: string, limit = 20): Promise<SearchHit[]> {
  const match = toFtsQuery(query);
  if (!match) return [];
  const rows = await db.all<{ kind: DocumentKind; slug: string; title: string; snippet: string }>(
    sql`select kind, slug, title, snippet(handbook_search, 4, ${MARK_OPEN}, ${MARK_CLOSE}, '…', 24) as snippet
        from handbook_search where handbook_search match ${match} order by bm25(handbook_search, 0, 0, 0, 5, 1) limit ${limit}`,
  );
  return rows.map((row) => ({
    kind: row.kind,
    slug: row.slug,
    title: row.title,
    snippetHtml: escapeHtml(row.snippet).replaceAll(MARK_OPEN, '<mark>').replaceAll(MARK_CLOSE, '</mark>'),
  }));
}

/** The newest revision number of a document (0 when it has none). */
export async function latestRevisionNumber(db: DbOrTx, documentId: string): Promise<number> {
  const rows = await db
    .select({ revision: handbookRevisions.revision })
    .from(handbookRevisions)
    .where(eq(handbookRevisions.documentId, documentId))
    .orderBy(desc(handbookRevisions.revision))
    .limit(1);
  return rows[0]?.revision ?? 0;
}
