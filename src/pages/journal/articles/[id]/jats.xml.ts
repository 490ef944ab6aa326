import type { APIRoute } from 'astro';
import { jatsArticle } from '#src/lib/journal-metadata/jats.ts';
import { articleForDownload, textDownload } from '#src/server/journal-downloads.ts';
import { journalInfo } from '#src/server/services/journal-articles.ts';
import { siteOrigin } from '#src/server/services/journal-metadata-source.ts';

export const prerender = false;

/** The article's JATS XML (front matter, abstract, references). */
export const GET: APIRoute = async ({ params }) => {
  const found = await articleForDownload(params.id ?? '');
  if (found.response) return found.response;
  return textDownload(
    jatsArticle(found.article, journalInfo(siteOrigin())),
    'application/xml; charset=utf-8',
    found.article.doi,
    'jats.xml',
    true,
  );
};
