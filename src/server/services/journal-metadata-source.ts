/**
 * The journal's rows as `ArticleMetadata` (src/lib/journal-metadata/types.ts), the one shape every metadata
 * format reads (citation tags, Vancouver/APA, BibTeX, RIS, the feed, JATS, Crossref, OAI-PMH Dublin Core),
 * and the paged query an OAI-PMH harvest walks: published articles ordered by (updatedAt, id), so a
 * resumption token is just the last (updatedAt, id) seen and a page costs one indexed range read whatever
 * the harvest's length.
 */
import { and, asc, count, eq, gt, gte, lte, or, type SQL } from 'drizzle-orm';
import type { DbOrTx } from '#db/client.ts';
import { type JournalArticleType, journalArticles } from '#db/schema/index.ts';
import { toIsoDate } from '#src/lib/dates.ts';
import type { ArticleMetadata, JournalInfo } from '#src/lib/journal-metadata/types.ts';
import { getEnv } from '../env.ts';
import { type ArticleView, getArticle, journalInfo, withLinks } from './journal-articles.ts';

/** The portal's public origin (SITE_URL): what every absolute link in the metadata starts with. */
export function siteOrigin(): string {
  return new URL(getEnv().SITE_URL).origin;
}

export function articleUrl(origin: string, id: string): string {
  return `${origin}/journal/articles/${id}`;
}

/** An article view as the metadata formats' shape. */
export function toArticleMetadata(article: ArticleView, journal: JournalInfo): ArticleMetadata {
  const url = articleUrl(journal.origin, article.id);
  const competing = [
    article.competingInterests,
    article.deviceManufacturerTies && `Ties to device manufacturers: ${article.deviceManufacturerTies}`,
  ]
    .filter(Boolean)
    .join(' ');
  const original = article.original;
  return {
    id: article.id,
    doi: article.doi,
    url,
    ...(article.hasPdf ? { pdfUrl: `${url}/pdf` } : {}),
    type: article.type,
    title: article.title,
    language: article.language,
    abstract: article.abstract,
    keywords: article.keywords,
    authors: article.authors,
    translators: article.translators,
    receivedOn: toIsoDate(article.receivedAt),
    ...(article.revisedAt ? { revisedOn: toIsoDate(article.revisedAt) } : {}),
    acceptedOn: toIsoDate(article.acceptedAt),
    publishedOn: toIsoDate(article.publishedAt),
    updatedAt: article.updatedAt,
    articleNumber: article.articleNumber,
    ...(article.issue
      ? { issue: { volume: article.issue.volume, number: article.issue.number, year: article.issue.year } }
      : {}),
    licenceUrl: article.licenceUrl,
    competingInterests: competing,
    funding: article.funding,
    references: article.references,
    ...(original
      ? {
          original: {
            title: { text: original.title, language: original.titleLanguage },
            ...(original.abstract ? { abstract: { text: original.abstract, language: original.titleLanguage } } : {}),
            citation: original.citation,
            ...(original.doi ? { doi: original.doi } : {}),
            ...(original.url
              ? { url: original.url }
              : article.translationOf
                ? { url: articleUrl(journal.origin, article.translationOf.id) }
                : {}),
          },
        }
      : {}),
    translationDois: article.translations.map((t) => t.doi),
    retracted: article.retracted,
    notices: article.notices.map((n) => ({ kind: n.kind, publishedOn: toIsoDate(n.publishedAt), text: n.text })),
  };
}

/** One published article's metadata, or null. */
export async function articleMetadata(db: DbOrTx, id: string, origin: string): Promise<ArticleMetadata | null> {
  const article = await getArticle(db, id);
  return article ? toArticleMetadata(article, journalInfo(origin)) : null;
}

export interface HarvestQuery {
  /** Epoch ms, inclusive. */
  from?: number;
  /** Epoch ms, inclusive. */
  until?: number;
  /** An article type (OAI-PMH sets are article types). */
  set?: JournalArticleType;
  /** Continue strictly after this record (from a resumption token). */
  after?: { updatedAt: number; id: string };
  limit: number;
}

function windowOf(query: Omit<HarvestQuery, 'after' | 'limit'>): SQL[] {
  const window: SQL[] = [];
  if (query.from !== undefined) window.push(gte(journalArticles.updatedAt, query.from));
  if (query.until !== undefined) window.push(lte(journalArticles.updatedAt, query.until));
  if (query.set !== undefined) window.push(eq(journalArticles.type, query.set));
  return window;
}

/** A page of published articles for OAI-PMH, ordered by (updatedAt, id): one indexed range read. */
export async function harvestPage(db: DbOrTx, origin: string, query: HarvestQuery): Promise<ArticleMetadata[]> {
  const after = query.after
    ? or(
        gt(journalArticles.updatedAt, query.after.updatedAt),
        and(eq(journalArticles.updatedAt, query.after.updatedAt), gt(journalArticles.id, query.after.id)),
      )
    : undefined;
  const rows = await db
    .select()
    .from(journalArticles)
    .where(and(...windowOf(query), after))
    .orderBy(asc(journalArticles.updatedAt), asc(journalArticles.id))
    .limit(query.limit);
  const journal = journalInfo(origin);
  return (await withLinks(db, rows)).map((a) => toArticleMetadata(a, journal));
}

/** How many published articles fall in a harvest's window (OAI-PMH completeListSize). */
export async function harvestCount(db: DbOrTx, query: Omit<HarvestQuery, 'after' | 'limit'>): Promise<number> {
  const [row] = await db
    .select({ n: count() })
    .from(journalArticles)
    .where(and(...windowOf(query)));
  return row?.n ?? 0;
}

/** The earliest datestamp of the repository (OAI-PMH Identify's earliestDatestamp), or undefined when empty. */
export async function earliestUpdatedAt(db: DbOrTx): Promise<number | undefined> {
  const [row] = await db
    .select({ at: journalArticles.updatedAt })
    .from(journalArticles)
    .orderBy(asc(journalArticles.updatedAt))
    .limit(1);
  return row?.at;
}

/**
 * The journal's published articles as the OAI-PMH handler's data source (its `OaiSource` interface in
 * src/lib/journal-metadata/oai-pmh.ts): earliest datestamp, pages by (updatedAt, id), one record, counts.
 */
export function journalOaiSource(db: DbOrTx, origin: string) {
  return {
    earliestDatestamp: () => earliestUpdatedAt(db),
    page: (query: HarvestQuery) => harvestPage(db, origin, query),
    get: async (id: string) => (await articleMetadata(db, id, origin)) ?? undefined,
    count: (query: Omit<HarvestQuery, 'after' | 'limit'>) => harvestCount(db, query),
  };
}
