import type { ArticleMetadata } from '#src/lib/journal-metadata/types.ts';
import { getDb } from './db.ts';
import { articleMetadata, siteOrigin } from './services/journal-metadata-source.ts';

/**
 * The article's metadata for a download route (citation files, JATS, Crossref XML), or the 404 answer.
 * Published articles are public, so these answer anyone; each is a small text document made from the row.
 */
export async function articleForDownload(
  id: string,
): Promise<{ article: ArticleMetadata; response: null } | { article: null; response: Response }> {
  const { db } = await getDb();
  const article = await articleMetadata(db, id, siteOrigin());
  if (article) return { article, response: null };
  return {
    article: null,
    response: new Response('No such article.', {
      status: 404,
      headers: { 'Content-Type': 'text/plain; charset=utf-8' },
    }),
  };
}

/** A text document as a download named after the DOI (e.g. 10-5555-iecpa-2026-001.bib). */
export function textDownload(
  body: string,
  contentType: string,
  doi: string,
  extension: string,
  inline = false,
): Response {
  const name = `${doi.replace(/[^A-Za-z0-9]+/g, '-')}.${extension}`;
  return new Response(body, {
    headers: {
      'Content-Type': contentType,
      'Content-Disposition': `${inline ? 'inline' : 'attachment'}; filename="${name}"`,
      'X-Content-Type-Options': 'nosniff',
      'Cache-Control': 'public, max-age=300',
    },
  });
}
